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

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
