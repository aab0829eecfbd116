"""Workers' congresses (职代会), their proposals (提案) and rationalization proposals (合理化建议),
DOMAIN.md §5.

A `CongressSession` is one sitting of a union's congress, numbered 届/次 ("六届三次", 004:L330).
Its roll (`RollEntry`) is the congress delegates (`people.Delegate`) seated on the day of the
session, each with the category they held then and whether they were present; leaders and
other attendees who hold no seat are counted by category (`Headcount`, 004:L338). Proposals
and suggestions move through the workflows of `flows.py`; every step is a dated row
(`ProposalStep`, `SuggestionStep`) and the record keeps its current state for lists and
figures. Only `services.py` writes these rows.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.documents.numerals import session_label
from jiceng.kernel.steps import StepRecord


class CongressKind(models.TextChoices):
    WORKERS = "workers", _("Workers' congress")  # 职工代表大会
    TEACHERS = "teachers", _("Teachers' and staff congress")  # 教职工代表大会


class CongressSession(models.Model):
    """One session of a union's congress: term (届) and session (次), date and place."""

    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="congress_sessions",
        verbose_name=_("trade union"),
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=CongressKind.choices, default=CongressKind.WORKERS
    )
    term = models.PositiveSmallIntegerField(_("term (届)"))
    number = models.PositiveSmallIntegerField(_("session (次)"))
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    attendance_recorded = models.BooleanField(_("attendance recorded"), default=False)
    created_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("congress session")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org", "held_on"], name="congress_session_org_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "term", "number"], name="congress_session_once"
            ),
            models.CheckConstraint(
                condition=Q(term__gte=1) & Q(number__gte=1), name="congress_session_numbered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        """六届三次"""
        return session_label(self.term, self.number)

    @property
    def title(self) -> str:
        """六届三次职工代表大会"""
        return f"{self.label}{self.get_kind_display()}"


class RollEntry(models.Model):
    """A delegate due to attend a session (seated on its date), and whether they came."""

    session = models.ForeignKey(CongressSession, models.CASCADE, related_name="roll")
    delegate = models.ForeignKey("people.Delegate", models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=12)  # the seat's category that day
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("roll entry")
        constraints = [
            models.UniqueConstraint(fields=["session", "delegate"], name="roll_once_per_seat")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.delegate_id} ({self.category})"


class HeadcountCategory(models.TextChoices):
    LEADERS = "leaders", _("Leaders")  # 院领导、单位领导
    GUESTS = "guests", _("Guests")  # 上级工会、来宾
    OTHER = "other", _("Other attendees")


class Headcount(models.Model):
    """Attendees without a congress seat, counted by category (004:L338: 院领导 …)."""

    session = models.ForeignKey(CongressSession, models.CASCADE, related_name="headcounts")
    category = models.CharField(_("category"), max_length=12, choices=HeadcountCategory.choices)
    count = models.PositiveIntegerField(_("number present"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "category"], name="headcount_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.category} {self.count}"


class Report(models.Model):
    """A report the session reviewed (审议): the work report, the finance report, …"""

    session = models.ForeignKey(CongressSession, models.CASCADE, related_name="reports")
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("title"), max_length=200)
    reporter = models.CharField(_("reporter"), max_length=60, blank=True)
    adopted = models.BooleanField(_("adopted"), null=True, blank=True)  # None: not yet decided

    class Meta:
        verbose_name = _("report reviewed")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Resolution(models.Model):
    """A resolution put to the vote, its votes, and whether it passed (judged by policy)."""

    session = models.ForeignKey(CongressSession, models.CASCADE, related_name="resolutions")
    order = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(_("text"))
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    abstentions = models.PositiveIntegerField(_("abstentions"))
    adopted = models.BooleanField(_("adopted"))

    class Meta:
        verbose_name = _("resolution")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


# -- proposals (提案) ----------------------------------------------------------------------


class ProposalState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting sorting")
    SORTED = "sorted", _("Sorted")
    ACCEPTED = "accepted", _("Accepted as a proposal")  # 立案
    OPINION = "opinion", _("Converted to an opinion")  # 转为意见建议
    ASSIGNED = "assigned", _("Assigned")  # 交办
    REPLIED = "replied", _("Replied")  # 办理答复
    CLOSED = "closed", _("Feedback given")  # 年底反馈，办结


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Proposal(models.Model):
    """A delegate's proposal to a session, with its seconders, and where its handling stands."""

    session = models.ForeignKey(CongressSession, models.PROTECT, related_name="proposals")
    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")  # session.org
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    reasons = models.TextField(_("reasons"))  # 案由及理由
    measures = models.TextField(_("suggested measures"), blank=True)  # 建议及措施
    proposer = models.ForeignKey(
        "people.Delegate", models.PROTECT, related_name="proposals", verbose_name=_("proposer")
    )
    seconders = models.ManyToManyField(
        "people.Delegate", through="ProposalSeconder", related_name="seconded"
    )
    submitted_on = models.DateField(_("submitted on"))
    state = models.CharField(_("state"), max_length=12, choices=ProposalState.choices)
    category = models.CharField(_("category"), max_length=40, blank=True)
    opinion_reason = models.CharField(_("reason for converting"), max_length=200, blank=True)
    department = models.CharField(_("handling department"), max_length=120, blank=True)
    leader = models.CharField(_("leader in charge"), max_length=60, blank=True)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    satisfaction = models.CharField(
        _("proposer's satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    excellent = models.BooleanField(_("excellent proposal"), default=False)
    created_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposal")
        ordering = ["session", "number"]
        indexes = [
            models.Index(fields=["org", "state"], name="proposal_org_state_idx"),
            models.Index(fields=["state", "reply_due"], name="proposal_reply_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="proposal_number_once"),
            models.CheckConstraint(
                condition=~Q(state="opinion") | ~Q(opinion_reason=""),
                name="proposal_opinion_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def on_time(self) -> bool | None:
        """Replied by the deadline (None while the reply is not yet due or not assigned)."""
        if self.reply_due is None or self.replied_on is None:
            return None
        return self.replied_on <= self.reply_due


class ProposalSeconder(models.Model):
    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="+")
    delegate = models.ForeignKey("people.Delegate", models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "delegate"], name="seconder_once")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.delegate_id}"


class ProposalStep(StepRecord):
    """One dated step of a proposal's handling (the timeline)."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="steps")

    class Meta(StepRecord.Meta):
        indexes = [models.Index(fields=["proposal", "step"], name="proposal_step_idx")]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.step} {self.on}"


# -- rationalization proposals (合理化建议, 金点子) ------------------------------------------


class SuggestionState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    ADOPTED = "adopted", _("Adopted by the review panel")
    REJECTED = "rejected", _("Not adopted by the review panel")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
    REWARDED = "rewarded", _("Rewarded")


class Suggestion(models.Model):
    """A staff member's rationalization proposal (000:L165-167, 004:L23): review, implementation,
    reward by economic benefit."""

    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="suggestions",
        verbose_name=_("trade union"),
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    submitted_on = models.DateField(_("submitted on"))
    person = models.ForeignKey(
        "people.Person", models.PROTECT, null=True, blank=True, related_name="suggestions"
    )
    submitter_name = models.CharField(_("submitted by"), max_length=60)
    submitter_unit = models.CharField(_("department or workshop"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=SuggestionState.choices)
    panel = models.CharField(_("review panel"), max_length=300, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    implementation_note = models.TextField(_("implementation"), blank=True)
    benefit = models.DecimalField(
        _("economic benefit (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reward = models.DecimalField(
        _("reward (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rewarded_on = models.DateField(_("rewarded on"), null=True, blank=True)
    created_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rationalization proposal")
        ordering = ["org", "number"]
        indexes = [models.Index(fields=["org", "state"], name="suggestion_org_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="suggestion_number_once"),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(decision_reason=""),
                name="suggestion_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class SuggestionStep(StepRecord):
    suggestion = models.ForeignKey(Suggestion, models.CASCADE, related_name="steps")

    class Meta(StepRecord.Meta):
        indexes = [models.Index(fields=["suggestion", "step"], name="suggestion_step_idx")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.step} {self.on}"
