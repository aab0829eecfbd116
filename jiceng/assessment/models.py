"""Assessment (考评), DOMAIN.md §6: scoring schemes, rounds, each organization's scores.

A `Scheme` is one version of a scoring form an upper organization defines for its subtree and
a cycle: `Block`s of `Clause`s with points (003:L290-296: 100 points in six blocks). A clause
is scored by a method (self-assessment, peer review, patrol inspection, formal rating), may be
bound to a figure the product computes (`evidence`: a key of `evidence.SOURCES`), or is a
veto item (一票否决, 003:L294) that fails the organization whatever its score. A published
version is never changed: editing makes the next version, and a `Round` keeps the version it
was opened with. Each organization of the round's subtree has an `Entry` with one `Score` per
clause: the points filled in from the records, the organization's own points, the reviewer's,
and the reasons for any difference. Only `services.py` writes these rows.
"""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.steps import StepRecord

POINTS = {"max_digits": 6, "decimal_places": 2}


class Cycle(models.TextChoices):
    HALF_YEAR = "half_year", _("Half-year")  # 半年总结 (003:L292, 002:L40 每半年一次)
    YEAR_END = "year_end", _("Year-end")  # 年终考核


class Method(models.TextChoices):
    SELF = "self", _("Self-assessment")  # 自查、自评
    PEER = "peer", _("Peer review")  # 互查、互评
    PATROL = "patrol", _("Patrol inspection")  # 巡查
    FORMAL = "formal", _("Formal rating")  # 考评


class ClauseKind(models.TextChoices):
    QUANTITATIVE = "quantitative", _("Quantitative")
    QUALITATIVE = "qualitative", _("Qualitative")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # 优秀
    PASS = "pass", _("Pass")  # 合格
    BASIC = "basic", _("Basic pass")  # 基本合格
    FAIL = "fail", _("Fail")  # 不合格


# Grades from best to worst: "basic pass or below" is an index comparison.
GRADE_ORDER = [Grade.EXCELLENT, Grade.PASS, Grade.BASIC, Grade.FAIL]


class Scheme(models.Model):
    """One version of a scoring scheme. `code` names the scheme across its versions."""

    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="assessment_schemes",
        verbose_name=_("defined by"),
    )
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=120)
    cycle = models.CharField(_("cycle"), max_length=12, choices=Cycle.choices)
    org_kinds = models.JSONField(_("organization kinds assessed"), default=list)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    created_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scoring scheme")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code", "version"], name="scheme_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.name}（v{self.version}）"

    @property
    def is_published(self) -> bool:
        return self.published_on is not None


class Block(models.Model):
    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="blocks")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=120)

    class Meta:
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="block_number_once")
        ]

    def __str__(self) -> str:
        return self.title


class Clause(models.Model):
    block = models.ForeignKey(Block, models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("requirement"))
    points = models.DecimalField(_("points"), **POINTS, default=0)
    kind = models.CharField(
        _("kind"), max_length=12, choices=ClauseKind.choices, default=ClauseKind.QUALITATIVE
    )
    method = models.CharField(
        _("method"), max_length=8, choices=Method.choices, default=Method.SELF
    )
    veto = models.BooleanField(_("veto item"), default=False)
    evidence = models.CharField(_("filled from"), max_length=40, blank=True)

    class Meta:
        ordering = ["block__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["block", "number"], name="clause_number_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="clause_points_positive"),
            models.CheckConstraint(
                condition=Q(veto=False) | Q(points=0), name="veto_clause_has_no_points"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class RoundState(models.TextChoices):
    OPEN = "open", _("Self-assessment")  # 自评
    REVIEW = "review", _("Review")  # 考评
    PUBLICITY = "publicity", _("Publicity")  # 公示
    FINAL = "final", _("Final")  # 定等


class Round(models.Model):
    """One assessment of `org`'s subtree for one period, judged by one scheme version."""

    scheme = models.ForeignKey(Scheme, models.PROTECT, related_name="rounds")
    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="assessment_rounds",
        verbose_name=_("organization assessed (subtree)"),
    )
    period = models.CharField(_("period"), max_length=8)  # "2026H1" or "2026"
    state = models.CharField(
        _("stage"), max_length=10, choices=RoundState.choices, default=RoundState.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    self_due = models.DateField(_("self-assessment due"))
    review_from = models.DateField(_("review started on"), null=True, blank=True)
    publicity_from = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_until = models.DateField(
        _("publicity until (first day after)"), null=True, blank=True
    )
    final_on = models.DateField(_("final on"), null=True, blank=True)
    opened_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("assessment round")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org", "period"], name="round_once")
        ]

    def __str__(self) -> str:
        return f"{self.org.name} {self.period} {self.scheme.name}"

    @property
    def publicity_last_day(self):
        """The last day of publicity as people read it (`publicity_until` is the day after)."""
        return self.publicity_until - dt.timedelta(days=1) if self.publicity_until else None


class EntryState(models.TextChoices):
    PENDING = "pending", _("Self-assessment not submitted")
    SUBMITTED = "submitted", _("Self-assessment submitted")
    REVIEWED = "reviewed", _("Reviewed")


class Entry(models.Model):
    """One organization in a round: its totals and grade once reviewed and final."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="entries")
    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="assessments")
    state = models.CharField(max_length=10, choices=EntryState.choices, default=EntryState.PENDING)
    submitted_on = models.DateField(null=True, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    self_total = models.DecimalField(**POINTS, null=True, blank=True)
    total = models.DecimalField(**POINTS, null=True, blank=True)
    vetoed = models.BooleanField(default=False)
    grade = models.CharField(max_length=10, choices=Grade.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("assessed organization")
        ordering = ["round", "org__path"]
        constraints = [models.UniqueConstraint(fields=["round", "org"], name="entry_once")]
        indexes = [models.Index(fields=["org", "grade"], name="entry_org_grade_idx")]

    def __str__(self) -> str:
        return f"{self.org} {self.round.period}"


class Score(models.Model):
    """One clause for one organization. `auto_*` is what the records said at the cycle end
    (kept even when overridden); `self_points` the organization's own, `review_points` the
    reviewer's. A difference from the figure or from the self-assessment carries its reason."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="scores")
    clause = models.ForeignKey(Clause, models.PROTECT, related_name="+")
    auto_points = models.DecimalField(**POINTS, null=True, blank=True)
    auto_numerator = models.IntegerField(null=True, blank=True)
    auto_denominator = models.IntegerField(null=True, blank=True)
    self_points = models.DecimalField(**POINTS, null=True, blank=True)
    self_note = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    self_veto = models.BooleanField(null=True)
    review_points = models.DecimalField(**POINTS, null=True, blank=True)
    review_veto = models.BooleanField(null=True)
    review_reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "clause"], name="score_once")]

    def __str__(self) -> str:
        return f"{self.entry} {self.clause_id}"

    @property
    def points(self):
        """What counts: the reviewer's points, else the organization's, else the records'."""
        for p in (self.review_points, self.self_points, self.auto_points):
            if p is not None:
                return p
        return None

    @property
    def veto_triggered(self) -> bool:
        return bool(self.review_veto if self.review_veto is not None else self.self_veto)


class Evidence(models.Model):
    """An attachment or a link to a record offered for a clause."""

    score = models.ForeignKey(Score, models.CASCADE, related_name="evidence")
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=300, blank=True)
    file = models.CharField(max_length=200, blank=True)  # stored name under MEDIA_ROOT
    added_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Objection(models.Model):
    """An objection raised during publicity (公示) and its answer."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="objections")
    raised_on = models.DateField(_("raised on"))
    raised_by = models.CharField(_("raised by"), max_length=60)
    text = models.TextField(_("objection"))
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    recorded_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")

    class Meta:
        ordering = ["raised_on", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Rectification(models.Model):
    """限期整改: the plan an organization graded basic pass or below owes, until closed."""

    entry = models.OneToOneField(Entry, models.CASCADE, related_name="rectification")
    due = models.DateField(_("plan due"))
    plan = models.TextField(_("rectification plan"), blank=True)
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.entry} {self.due}"


class LeaderFlag(models.Model):
    """“Consider replacing the leader” raised to the upper level after consecutive results at
    basic pass or below (002:L40-42), until the upper level records its decision."""

    entry = models.OneToOneField(Entry, models.CASCADE, related_name="leader_flag")
    previous = models.ForeignKey(Entry, models.PROTECT, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    decision = models.TextField(blank=True)

    def __str__(self) -> str:
        return str(self.entry)


# -- accountability reviews --------------------------------------------------------------------


class Rating(models.TextChoices):
    """A reviewer's rating of a secretary's report, and the review's result (书记述职评议)."""

    GOOD = "good", _("Good")  # 好
    FAIRLY_GOOD = "fairly_good", _("Fairly good")  # 较好
    FAIR = "fair", _("Fair")  # 一般
    POOR = "poor", _("Poor")  # 差


RATING_ORDER = [Rating.GOOD, Rating.FAIRLY_GOOD, Rating.FAIR, Rating.POOR]


class ReviewState(models.TextChoices):
    OPEN = "open", _("Reports and ratings")  # 述职、测评
    FINAL = "final", _("Results decided")  # 定档


class AccountabilityReview(models.Model):
    """书记抓党建述职评议: an upper organization reviews, for one year, the secretaries of its
    subordinate organizations: each one's report, the reviewers' ratings, the result."""

    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="accountability_reviews",
        verbose_name=_("reviewing organization"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    state = models.CharField(max_length=8, choices=ReviewState.choices, default=ReviewState.OPEN)
    opened_on = models.DateField(_("opened on"))
    reports_due = models.DateField(_("reports due"))
    final_on = models.DateField(_("results decided on"), null=True, blank=True)
    opened_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("secretaries' accountability review")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="accountability_review_once")
        ]

    def __str__(self) -> str:
        return self.title


class SecretaryReport(models.Model):
    """One reviewed organization's secretary: the report, then the counted result."""

    review = models.ForeignKey(AccountabilityReview, models.CASCADE, related_name="reports")
    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="secretary_reports")
    secretary = models.CharField(_("secretary"), max_length=60, blank=True)
    text = models.TextField(_("report"), blank=True)
    attachment = models.CharField(_("attachment"), max_length=200, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=Rating.choices, blank=True)
    counts = models.JSONField(_("ratings counted"), default=dict, blank=True)

    class Meta:
        ordering = ["review", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["review", "org"], name="secretary_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.review.year}"


class ReviewRating(models.Model):
    """One reviewer's rating of one secretary: one each, changeable until the results."""

    report = models.ForeignKey(SecretaryReport, models.CASCADE, related_name="ratings")
    reviewer = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    rated_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "reviewer"], name="review_rating_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.rating}"


class FollowUpKind(models.TextChoices):
    PROBLEM = "problem", _("Problem pointed out")  # 指出的问题
    RECTIFICATION = "rectification", _("Rectification item")  # 整改事项


class ReviewFollowUp(models.Model):
    """A problem the review pointed out or a rectification item with its deadline; open until
    closed, shown as a duty of the reviewed organization."""

    report = models.ForeignKey(SecretaryReport, models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=14, choices=FollowUpKind.choices)
    text = models.TextField(_("item"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.text[:40]


# -- awards and titles -------------------------------------------------------------------------


class TitleKind(models.TextChoices):
    ADVANCED_ORG = "advanced_org", _("Advanced grassroots Party organization")  # 先进基层党组织
    ADVANCED_GROUP = "advanced_group", _("Advanced Party group of the year")  # 年度先进党小组
    EXCELLENT_MEMBER = "excellent_member", _("Excellent Communist Party member")  # 优秀共产党员
    EXCELLENT_WORKER = "excellent_worker", _("Excellent Party affairs worker")  # 优秀党务工作者
    MODEL_HOME = "model_home", _("Model workers' home")  # 模范职工之家
    UNION_STANDARD = "union_standard", _("Union standardization: up to standard")  # 达标
    UNION_ADVANCED = "union_advanced", _("Union standardization: advanced")  # 先进
    UNION_MODEL = "union_model", _("Union standardization: model")  # 示范


# Titles given to a person; every other kind goes to an organization.
PERSON_TITLES = {TitleKind.EXCELLENT_MEMBER, TitleKind.EXCELLENT_WORKER}
# Union standardization levels, lowest first (004:L434-436: 达标 → 先进 → 示范, rolling).
UNION_LEVELS = [TitleKind.UNION_STANDARD, TitleKind.UNION_ADVANCED, TitleKind.UNION_MODEL]


class AwardState(models.TextChoices):
    NOMINATING = "nominating", _("Nominating")  # 推荐
    PUBLICITY = "publicity", _("Publicity")  # 公示
    DECIDED = "decided", _("Decided")  # 决定表彰


class AwardRound(models.Model):
    """A nomination round of one title for `org`'s subtree and a year; quotas per subordinate
    organization, nominations checked against the records, publicity, then the decision."""

    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="award_rounds",
        verbose_name=_("awarding organization"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("title"), max_length=20, choices=TitleKind.choices)
    state = models.CharField(
        max_length=12, choices=AwardState.choices, default=AwardState.NOMINATING
    )
    opened_on = models.DateField(_("opened on"))
    nominations_due = models.DateField(_("nominations due"))
    publicity_from = models.DateField(null=True, blank=True)
    publicity_until = models.DateField(null=True, blank=True)  # first day after
    decided_on = models.DateField(null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    opened_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("award round")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "kind"], name="award_round_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()}"

    @property
    def for_persons(self) -> bool:
        return self.kind in PERSON_TITLES


class AwardQuota(models.Model):
    """How many nominees a subordinate organization may put forward in the round."""

    round = models.ForeignKey(AwardRound, models.CASCADE, related_name="quotas")
    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(_("quota"))

    class Meta:
        ordering = ["round", "org__path"]
        constraints = [models.UniqueConstraint(fields=["round", "org"], name="award_quota_once")]

    def __str__(self) -> str:
        return f"{self.org} {self.count}"


class Nomination(models.Model):
    """A nominee (an organization or a person) put forward by an organization with a quota.
    Stored only once the eligibility checks have passed; `approved` is the decision."""

    round = models.ForeignKey(AwardRound, models.CASCADE, related_name="nominations")
    by_org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    nominee_org = models.ForeignKey(
        "orgs.Organization", models.PROTECT, null=True, blank=True, related_name="+"
    )
    nominee_person = models.ForeignKey(
        "people.Person", models.PROTECT, null=True, blank=True, related_name="+"
    )
    deeds = models.TextField(_("main deeds"), blank=True)
    nominated_on = models.DateField()
    nominated_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    approved = models.BooleanField(null=True)
    decision_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominee_org__isnull=True) ^ Q(nominee_person__isnull=True),
                name="nomination_one_nominee",
            ),
            models.UniqueConstraint(fields=["round", "nominee_org"], name="nomination_org_once"),
            models.UniqueConstraint(
                fields=["round", "nominee_person"], name="nomination_person_once"
            ),
        ]

    def __str__(self) -> str:
        return self.nominee_name

    @property
    def nominee_name(self) -> str:
        nominee = self.nominee_person or self.nominee_org
        return nominee.name if nominee else ""


class Title(models.Model):
    """A title held on an organization's or a person's record: kind, year, document number."""

    kind = models.CharField(_("title"), max_length=20, choices=TitleKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    org = models.ForeignKey(
        "orgs.Organization", models.PROTECT, null=True, blank=True, related_name="titles"
    )
    person = models.ForeignKey(
        "people.Person", models.PROTECT, null=True, blank=True, related_name="titles"
    )
    awarded_by = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    document_number = models.CharField(_("document number"), max_length=60)
    awarded_on = models.DateField(_("awarded on"))
    nomination = models.OneToOneField(
        Nomination, models.PROTECT, null=True, blank=True, related_name="title"
    )

    class Meta:
        verbose_name = _("title")
        ordering = ["-year", "-awarded_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(org__isnull=True) ^ Q(person__isnull=True), name="title_one_holder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()}"


# -- democratic evaluation of members --
# 民主评议党员 (DOMAIN.md §6, 003:L266-268): once a year per branch. A `Campaign` holds the
# stages with their dates; `Evaluee` is each member on the roll taken when it opened, with the
# branch's decided grade. Ballots are secret like election ballots: while the mutual evaluation
# is open a ballot is a sealed slip (`SealedEvaluationBallot`, ciphertext) written with the
# voter's `EvaluationVoter` mark; closing it opens the box into one `EvaluationSlip` per grade
# given (no ballot grouping, no voter, no time, random keys, shuffled) and rewrites the voter
# marks in the same transaction. A member graded 不合格 gets a `HandlingCase` (evaluation_flows).

from jiceng.elections.models import RandomKeyField  # noqa: E402 - the section is self-contained


class CampaignState(models.TextChoices):
    OPENED = "opened", _("Opened")  # 动员部署
    STUDIED = "studied", _("Study done")  # 学习
    SELF = "self", _("Self-evaluation done")  # 个人自评
    VOTING = "voting", _("Mutual evaluation open")  # 党员互评
    VOTED = "voted", _("Mutual evaluation closed")
    CONSULTED = "consulted", _("Non-members consulted")  # 征求党外群众意见
    DECIDED = "decided", _("Grades decided")  # 支部大会确定等次


class Campaign(models.Model):
    """One year's democratic evaluation of the members of one branch."""

    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="evaluation_campaigns",
        verbose_name=_("branch"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("stage"), max_length=10, choices=CampaignState.choices, default=CampaignState.OPENED
    )
    opened_on = models.DateField(_("opened on"))
    studied_on = models.DateField(_("study done on"), null=True, blank=True)
    self_on = models.DateField(_("self-evaluation done on"), null=True, blank=True)
    voting_from = models.DateField(_("mutual evaluation opened on"), null=True, blank=True)
    voting_until = models.DateField(_("mutual evaluation closed on"), null=True, blank=True)
    consulted_on = models.DateField(_("non-members consulted on"), null=True, blank=True)
    decided_on = models.DateField(_("grades decided on"), null=True, blank=True)
    paper_ballots = models.PositiveIntegerField(default=0)
    opened_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("democratic evaluation of members")
        ordering = ["-year", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="evaluation_campaign_once")
        ]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year}"


class Evaluee(models.Model):
    """A member on the campaign's roll (taken when it opened) and the grade the branch decided."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="evaluees")
    membership = models.ForeignKey("people.PartyMembership", models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["campaign", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "membership"], name="evaluee_once")
        ]
        indexes = [models.Index(fields=["campaign", "grade"], name="evaluee_grade_idx")]

    def __str__(self) -> str:
        return self.name


class EvaluationVoter(models.Model):
    """Who may vote in the mutual evaluation and whether they have: apart from the ballots,
    with no key, time or order shared with them (like `elections.VoterMark`)."""

    id = RandomKeyField(primary_key=True)
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="voters")
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="+")
    has_voted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="evaluation_voter_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {'✓' if self.has_voted else '·'}"


class SealedEvaluationBallot(models.Model):
    """A ballot while the mutual evaluation is open: ciphertext under the field key, padded,
    the campaign bound in (see `elections.SealedBallot` for why)."""

    PAD = 512

    id = RandomKeyField(primary_key=True)
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="sealed_ballots")
    sealed = models.TextField()

    def __str__(self) -> str:
        return f"{self.campaign_id} ✉"


class EvaluationSlip(models.Model):
    """One grade one (unknown) voter gave one member, after the box was opened. The grades of
    one ballot are separate rows with nothing tying them together."""

    id = RandomKeyField(primary_key=True)
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="slips")
    evaluee = models.ForeignKey(Evaluee, models.CASCADE, related_name="slips")
    grade = models.CharField(max_length=10, choices=Grade.choices)

    def __str__(self) -> str:
        return self.grade


class NonMemberOpinion(models.Model):
    """An opinion of a non-member (征求党外群众意见), about one member or the branch; not secret."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="opinions")
    evaluee = models.ForeignKey(
        Evaluee, models.CASCADE, related_name="opinions", null=True, blank=True
    )
    given_by = models.CharField(_("given by"), max_length=100)
    text = models.TextField(_("opinion"))
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class HandlingState(models.TextChoices):
    OPEN = "open", _("To be handled")
    CORRECTING = "correcting", _("Correcting within a deadline")  # 限期改正
    CORRECTED = "corrected", _("Corrected")
    PERSUADED = "persuaded", _("Advised to leave the Party")  # 劝其退党
    LEFT = "left", _("Left the Party")  # 自行退党
    REMOVED = "removed", _("Removed from the Party")  # 除名


class HandlingCase(models.Model):
    """The handling of a member graded 不合格 (evaluation_flows.HANDLING)."""

    evaluee = models.OneToOneField(Evaluee, models.CASCADE, related_name="handling")
    state = models.CharField(
        max_length=10, choices=HandlingState.choices, default=HandlingState.OPEN
    )
    deadline = models.DateField(_("correct by"), null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.evaluee} {self.state}"


class HandlingStep(StepRecord):
    """One dated step of a handling case (the timeline)."""

    case = models.ForeignKey(HandlingCase, models.CASCADE, related_name="steps")

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.on}"
