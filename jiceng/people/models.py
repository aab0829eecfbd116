from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.dated import DatedRange


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    """文化程度, after GB/T 4658 grouped as the statistics tables use it."""

    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("University (bachelor)")
    COLLEGE = "college", _("College (associate)")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational")
    HIGH_SCHOOL = "high_school", _("Senior high school")
    JUNIOR_OR_LESS = "junior_or_less", _("Junior high school or less")


class Person(models.Model):
    """A natural person (DOMAIN.md §2).

    The citizen ID number and the phone are personal information: stored encrypted, with a
    keyed hash for exact lookup (and uniqueness of the ID number) and a masked form for lists.
    Only `people.services` writes them; revealing them is a logged act.
    """

    name = models.CharField(_("name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity (GB 3304 code)"), max_length=2, blank=True)
    education = models.CharField(
        _("education"), max_length=24, choices=Education.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=60, blank=True)
    post = models.CharField(_("post"), max_length=60, blank=True)
    employer = models.ForeignKey(
        "orgs.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("employer"),
    )
    residence = models.ForeignKey(
        "orgs.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("residence community"),
    )
    id_number_encrypted = models.TextField(blank=True, editable=False)
    # NULL, not "": unique only among people whose ID number is known.
    id_number_hash = models.CharField(max_length=64, null=True, unique=True, editable=False)  # noqa: DJ001
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    # Under MEDIA_ROOT with a random name; served only through the member page's checked view.
    # Database defaults too: the bulk loaders (demo, benchmarks) insert people without them.
    photo = models.FileField(
        _("photo"),
        upload_to="people/photos/%Y/",
        blank=True,
        editable=False,
        default="",
        db_default="",
    )
    photo_type = models.CharField(
        max_length=20, blank=True, editable=False, default="", db_default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    """The Party membership pipeline and its exits (DOMAIN.md §2)."""

    APPLICANT = "applicant", _("Applicant")
    ACTIVIST = "activist", _("Activist")
    TARGET = "target", _("Development target")
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    SUSPENDED = "suspended", _("Membership suspended")
    REMOVED = "removed", _("Expelled or removed")
    DECEASED = "deceased", _("Deceased")
    WITHDRAWN = "withdrawn", _("Left the pipeline")


MEMBER_STAGES = {Stage.PROBATIONARY, Stage.FULL}


class Category(models.TextChoices):
    WORKING = "working", _("Working")
    RETIRED = "retired", _("Retired")
    FARMER = "farmer", _("Farmer")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


class Floating(models.TextChoices):
    NONE = "", _("Not floating")
    OUTFLOW = "outflow", _("Floating out")
    INFLOW = "inflow", _("Floating in")


class PartyMembership(models.Model):
    """A person's place in the Party pipeline: stage, organization, category and flags now.

    The dated history (for figures as of any date) is in `MembershipState`; the dated
    milestones of the pipeline are in `Milestone`.
    """

    person = models.OneToOneField(Person, models.PROTECT, related_name="party")
    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="party_members",
        verbose_name=_("organization"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.WORKING
    )
    composition = models.CharField(_("composition group"), max_length=40, blank=True)
    floating = models.CharField(_("floating"), max_length=8, choices=Floating.choices, blank=True)
    dual_checkin = models.BooleanField(_("registered with the residence community"), default=False)
    hardship = models.BooleanField(_("in hardship"), default=False)
    veteran = models.BooleanField(_("veteran member"), default=False)
    reserve_cadre = models.BooleanField(_("reserve cadre"), default=False)
    without_post = models.BooleanField(_("member without a post"), default=False)
    never_reported = models.BooleanField(_("never reported in"), default=False)
    left_hanging = models.BooleanField(_("left hanging"), default=False)
    unreachable = models.BooleanField(_("unreachable"), default=False)
    joined_on = models.DateField(_("admitted on"), null=True, blank=True)
    full_on = models.DateField(_("full member since"), null=True, blank=True)

    class Meta:
        verbose_name = _("Party membership")
        verbose_name_plural = _("Party memberships")
        indexes = [
            # The member list (selectors.member_list) pages in id order. Per organization
            # (a street's or a district's few thousand members) the page's ids come from
            # this index alone; by stage over many organizations the walk in id order runs
            # on the next one, again without reading the table.
            models.Index(fields=["org", "stage", "id"], name="membership_org_stage_id_idx"),
            models.Index(fields=["stage", "id", "org"], name="membership_stage_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_stage_display()}"


class MembershipState(DatedRange):
    """Where a membership stood (organization, stage, category) over a date range."""

    membership = models.ForeignKey(PartyMembership, models.CASCADE, related_name="states")
    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    category = models.CharField(max_length=12, choices=Category.choices)
    composition = models.CharField(max_length=40, blank=True)
    floating = models.CharField(max_length=8, choices=Floating.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "valid_from"], name="mstate_org_idx"),
            models.Index(fields=["membership", "valid_from"], name="mstate_membership_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="mstate_range_not_empty",
            ),
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(valid_until__isnull=True),
                name="mstate_one_open_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.stage} [{self.valid_from}, {self.valid_until or '…'})"


class Milestone(models.Model):
    """One dated step of the pipeline (application, talk, activist, …, conversion, exit)."""

    membership = models.ForeignKey(PartyMembership, models.CASCADE, related_name="milestones")
    step = models.CharField(max_length=32)
    on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["membership", "step"], name="milestone_step_idx")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.step} {self.on}"


class FloatingRecord(DatedRange):
    """A floating member's outflow or inflow (000:L31-35): where, since when, who keeps contact.

    In force from the day the member left (or arrived) until the day they returned (exclusive)."""

    membership = models.ForeignKey(PartyMembership, models.CASCADE, related_name="floating_records")
    direction = models.CharField(
        _("direction"), max_length=8, choices=[c for c in Floating.choices if c[0]]
    )
    place = models.CharField(_("destination or origin"), max_length=120)
    valid_from = models.DateField(_("since"))
    valid_until = models.DateField(_("returned on"), null=True, blank=True)
    contact_person = models.CharField(_("designated contact person"), max_length=60, blank=True)
    card_number = models.CharField(_("activity card number"), max_length=40, blank=True)
    card_issued_on = models.DateField(_("activity card issued on"), null=True, blank=True)

    class Meta:
        verbose_name = _("floating record")
        indexes = [
            models.Index(fields=["membership", "valid_from"], name="floating_membership_idx")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.direction} {self.place}"


class UnionStatus(models.TextChoices):
    WORKING = "working", _("Working")
    RETIRED = "retired", _("Retired")
    LEFT = "left", _("Left")


class UnionMembership(models.Model):
    """A trade-union member (会员): number, join date, union, status and categories (DOMAIN.md §2).

    A person holds at most one membership in force (not left) at a time and any number of past
    ones (a member who changes jobs leaves one union and joins another); the member number is
    unique within its union."""

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="union_memberships", related_query_name="union"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="union_members",
        verbose_name=_("trade union"),
    )
    member_number = models.CharField(_("member number"), max_length=32)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=UnionStatus.choices, default=UnionStatus.WORKING
    )
    # When a working member retired (NULL with status "retired": retired before joining, or
    # the date is unknown): membership figures as of a date count working members then.
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    card_issued = models.BooleanField(_("member card issued"), default=False)

    class Meta:
        verbose_name = _("union membership")
        indexes = [models.Index(fields=["org", "joined_on"], name="union_member_org_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "member_number"], name="union_member_number_per_union"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(left_on__isnull=True),
                name="union_one_membership_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.member_number}"


class DelegateCategory(models.TextChoices):
    VOTING = "voting", _("Voting delegate")
    NON_VOTING = "non_voting", _("Non-voting attendee")
    INVITED = "invited", _("Invited delegate")


class Delegate(DatedRange):
    """A member's seat at a union's congress for a term (004:L338): voting, non-voting or invited.

    Seated over [valid_from, valid_until): `valid_until` is the day the seat ended."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="delegate_seats")
    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="delegates")
    category = models.CharField(_("category"), max_length=12, choices=DelegateCategory.choices)
    valid_from = models.DateField(_("term from"))
    valid_until = models.DateField(_("term until"), null=True, blank=True)

    class Meta:
        verbose_name = _("congress delegate")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "org", "valid_from"], name="delegate_once_per_term"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.org_id} ({self.category})"


class DevelopmentPlan(models.Model):
    """An annual or five-year target for recruiting members (000:L53, 003:L204)."""

    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="development_plans")
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    target = models.PositiveIntegerField(_("members to admit"))
    targets_by_group = models.JSONField(_("composition targets"), default=dict, blank=True)

    class Meta:
        verbose_name = _("development plan")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "first_year", "last_year"], name="plan_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.first_year}-{self.last_year}: {self.target}"


# -- transfers of the organizational relationship (组织关系转接) ----------------------------


class TransferState(models.TextChoices):
    ISSUED = "issued", _("Issued, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted, awaiting report-in")
    REJECTED = "rejected", _("Rejected")
    REPORTED = "reported", _("Reported in")
    SENT_OUT = "sent_out", _("Sent outside the system")


OPEN_TRANSFER_STATES = (TransferState.ISSUED, TransferState.ACCEPTED)


class Transfer(models.Model):
    """A member's organizational relationship moving between two organizations (DOMAIN.md §2).

    Either side may be outside the system (free text instead of an organization). The sending
    organization issues a letter; the receiving one accepts or rejects it with a reason; the
    member reports in by `report_by` (the letter's validity, fixed when it is issued). Only
    `people.transfers` writes these rows.
    """

    membership = models.ForeignKey(PartyMembership, models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
        verbose_name=_("sending organization"),
    )
    from_outside = models.CharField(_("sending organization (outside)"), max_length=120, blank=True)
    to_org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("receiving organization"),
    )
    to_outside = models.CharField(_("receiving organization (outside)"), max_length=120, blank=True)
    letter_number = models.CharField(_("introduction letter number"), max_length=40, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=TransferState.choices)
    issued_on = models.DateField(_("issued on"))
    report_by = models.DateField(_("report in by"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    reported_on = models.DateField(_("reported in on"), null=True, blank=True)
    created_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transfer")
        indexes = [
            models.Index(fields=["to_org", "state"], name="transfer_to_state_idx"),
            models.Index(fields=["from_org", "state"], name="transfer_from_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(from_org__isnull=False) & models.Q(from_outside=""))
                | (models.Q(from_org__isnull=True) & ~models.Q(from_outside="")),
                name="transfer_one_sender",
            ),
            models.CheckConstraint(
                condition=(models.Q(to_org__isnull=False) & models.Q(to_outside=""))
                | (models.Q(to_org__isnull=True) & ~models.Q(to_outside="")),
                name="transfer_one_receiver",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="rejected") | ~models.Q(reason=""),
                name="transfer_rejection_has_reason",
            ),
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(state__in=["issued", "accepted"]),
                name="transfer_one_open_per_member",
            ),
            models.UniqueConstraint(
                fields=["from_org", "letter_number"],
                condition=models.Q(from_org__isnull=False) & ~models.Q(letter_number=""),
                name="transfer_letter_unique_per_sender",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.pk}: membership {self.membership_id} ({self.state})"

    @property
    def sender_name(self) -> str:
        return self.from_org.name if self.from_org_id else self.from_outside

    @property
    def receiver_name(self) -> str:
        return self.to_org.name if self.to_org_id else self.to_outside


# -- floating members: follow-ups and the monthly report (000:L35) --------------------------


class FollowUp(models.Model):
    """A half-yearly check on a floating member: thinking, employment, living (000:L35)."""

    record = models.ForeignKey(FloatingRecord, models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("date"))
    thinking = models.TextField(_("thinking"), blank=True)
    employment = models.TextField(_("employment"), blank=True)
    living = models.TextField(_("living"), blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["record", "on"], name="followup_record_idx")]

    def __str__(self) -> str:
        return f"follow-up {self.record_id} {self.on}"


class FloatingReport(models.Model):
    """The monthly inflow/outflow report of an upper organization (000:L35), figures frozen."""

    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="floating_reports")
    month = models.CharField(_("month"), max_length=7)  # YYYY-MM
    submitted_on = models.DateField(_("submitted on"))
    submitted_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("floating members' monthly report")
        constraints = [
            models.UniqueConstraint(fields=["org", "month"], name="floating_report_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month}"


class DisciplineKind(models.TextChoices):
    """The five Party disciplinary sanctions (《中国共产党纪律处分条例》第八条), mildest first."""

    WARNING = "warning", _("Warning")  # 警告
    SERIOUS_WARNING = "serious_warning", _("Serious warning")  # 严重警告
    REMOVAL_FROM_POST = "removal_from_post", _("Removal from Party posts")  # 撤销党内职务
    PROBATION = "probation", _("Probation within the Party")  # 留党察看
    EXPULSION = "expulsion", _("Expulsion from the Party")  # 开除党籍


class Discipline(models.Model):
    """A Party disciplinary sanction (党纪处分) decided on a date, with its document number and,
    for 留党察看, the period it runs (`valid_until`, the last day; empty when not limited).
    Awards read it: a person disciplined in the period of an award is not eligible."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="disciplines")
    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="+",
        verbose_name=_("organization keeping the record"),
    )
    kind = models.CharField(_("sanction"), max_length=20, choices=DisciplineKind.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(_("decided by"), max_length=120)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Party disciplinary sanction")
        ordering = ["person", "-decided_on", "-id"]
        indexes = [models.Index(fields=["person", "decided_on"], name="discipline_person_on_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.decided_on}"
