"""Host units and the two organization trees, each with dated history (DOMAIN.md §1).

`Organization` and `Unit` hold the current state and give stable identity for foreign
keys. `OrgState`, `UnitState` and `HostLink` hold the history as half-open date ranges
[valid_from, valid_until), so the tree, the counts and every figure can be asked "as of"
any date. Only the services in this app write them.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.dated import DatedRange, in_force_on  # noqa: F401  (re-exported: history queries import it here)


class Tree(models.TextChoices):
    PARTY = "party", _("Party organizations")
    UNION = "union", _("Trade unions")


class Kind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_WORKING_COMMITTEE = "party_working_committee", _("Party working committee")
    PARTY_LEADERSHIP_GROUP = "party_leadership_group", _("Party leadership group")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")
    PARTY_GROUP = "party_group", _("Party group")
    UNION_FEDERATION = "union_federation", _("Federation of trade unions")
    UNION = "union", _("Grassroots trade union")
    JOINT_UNION = "joint_union", _("Joint grassroots trade union")
    UNION_GROUP = "union_group", _("Trade union group")


UNION_KINDS = {Kind.UNION_FEDERATION, Kind.UNION, Kind.JOINT_UNION, Kind.UNION_GROUP}
# Kinds that are "grassroots organizations" set up in host units (groups are not a level).
BRANCH_KINDS = {Kind.BRANCH, Kind.GENERAL_BRANCH}


def tree_of(kind: str) -> str:
    return Tree.UNION if kind in UNION_KINDS else Tree.PARTY


class FormationMode(models.TextChoices):
    STANDALONE = "standalone", _("Stand-alone")
    JOINT = "joint", _("Joint")
    INDUSTRY = "industry", _("By industry")
    AREA = "area", _("By area")
    ATTACHED = "attached", _("Attached")


class ManagementMode(models.TextChoices):
    TERRITORIAL = "territorial", _("Territorial")
    SECTORAL = "sectoral", _("Sectoral")


class Standing(models.TextChoices):
    MODEL = "model", _("Model")
    ADVANCED = "advanced", _("Advanced")
    STANDARD = "standard", _("Meets standard")
    LAGGING = "lagging", _("Lagging")


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    GOVERNMENT = "government", _("Government organ")
    INSTITUTION = "institution", _("Public institution")
    SOCIAL_ORG = "social_org", _("Social organization")
    OFFICE_BUILDING = "office_building", _("Office building")
    OTHER = "other", _("Other")


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    NON_PUBLIC = "non_public", _("Non-public")


class Organization(models.Model):
    """A node of the Party tree or the union tree, as it stands now."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, default="", db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    tree = models.CharField(_("tree"), max_length=8, choices=Tree.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organization"),
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    formation_mode = models.CharField(
        _("formation mode"),
        max_length=16,
        choices=FormationMode.choices,
        default=FormationMode.STANDALONE,
    )
    management_mode = models.CharField(
        _("management mode"),
        max_length=16,
        choices=ManagementMode.choices,
        default=ManagementMode.TERRITORIAL,
    )
    is_temporary = models.BooleanField(_("temporary"), default=False)
    for_floating_members = models.BooleanField(_("for floating members"), default=False)
    has_committee = models.BooleanField(_("has a branch committee"), default=False)
    reported_members = models.PositiveIntegerField(_("members (reported)"), default=0)
    standing = models.CharField(_("standing"), max_length=12, choices=Standing.choices, blank=True)
    class_level = models.PositiveSmallIntegerField(
        _("class"),
        null=True,
        blank=True,
        choices=[(1, _("Class 1")), (2, _("Class 2")), (3, _("Class 3"))],
    )
    empty_shell = models.BooleanField(_("empty shell"), default=False)
    form_without_substance = models.BooleanField(_("form without substance"), default=False)
    units = models.ManyToManyField("Unit", through="HostLink", related_name="organizations")

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="org_path_idx"),
            # PostgreSQL answers LIKE 'prefix%' from a pattern-ops index (ignored on SQLite).
            models.Index(
                fields=["path"], name="org_path_like_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="org_kind_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None


class OrgState(DatedRange):
    """Where an organization stood, and under what name and kind, over a date range."""

    org = models.ForeignKey(Organization, models.CASCADE, related_name="states")
    parent = models.ForeignKey(Organization, models.PROTECT, null=True, related_name="+")
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    tree = models.CharField(max_length=8, choices=Tree.choices)

    class Meta:
        indexes = [
            models.Index(fields=["org", "valid_from"], name="orgstate_org_idx"),
            models.Index(fields=["path", "valid_from"], name="orgstate_path_idx"),
            models.Index(
                fields=["path"], name="orgstate_path_like_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="orgstate_range_not_empty",
            ),
            models.UniqueConstraint(
                fields=["org"], condition=Q(valid_until__isnull=True), name="orgstate_one_open_row"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.valid_from}, {self.valid_until or '…'})"


class Unit(models.Model):
    """A host unit (单位): where organizations are set up and whose staff they serve."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, default="", db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    ownership = models.CharField(_("ownership"), max_length=12, choices=Ownership.choices)
    sector = models.CharField(_("sector"), max_length=60, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    revenue = models.DecimalField(
        _("annual revenue (yuan)"), max_digits=16, decimal_places=2, default=0
    )
    party_members = models.PositiveIntegerField(_("Party members working here"), default=0)
    address = models.CharField(_("address"), max_length=200, blank=True)
    responsible_org = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_for",
        verbose_name=_("responsible Party organization"),
    )
    responsible_union = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="union_responsible_for",
        verbose_name=_("responsible union federation"),
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("host unit")
        verbose_name_plural = _("host units")

    def __str__(self) -> str:
        return self.name


class UnitState(DatedRange):
    """A unit's figures and responsible organization over a date range."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="states")
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    ownership = models.CharField(max_length=12, choices=Ownership.choices)
    employees = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2)
    party_members = models.PositiveIntegerField()
    region_code = models.CharField(max_length=12, blank=True)
    responsible_org = models.ForeignKey(Organization, models.PROTECT, null=True, related_name="+")
    responsible_union = models.ForeignKey(Organization, models.PROTECT, null=True, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["unit", "valid_from"], name="unitstate_unit_idx"),
            models.Index(fields=["responsible_org", "valid_from"], name="unitstate_resp_idx"),
            models.Index(fields=["responsible_union", "valid_from"], name="unitstate_union_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="unitstate_range_not_empty",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(valid_until__isnull=True),
                name="unitstate_one_open_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} [{self.valid_from}, {self.valid_until or '…'})"


class HostLink(DatedRange):
    """An organization set up in a unit over a date range (a joint branch has several)."""

    org = models.ForeignKey(Organization, models.CASCADE, related_name="host_links")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="host_links")

    class Meta:
        indexes = [
            models.Index(fields=["unit", "valid_from"], name="hostlink_unit_idx"),
            models.Index(fields=["org", "valid_from"], name="hostlink_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="hostlink_range_not_empty",
            ),
            models.UniqueConstraint(
                fields=["org", "unit"],
                condition=Q(valid_until__isnull=True),
                name="hostlink_one_open_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}@{self.unit_id} [{self.valid_from}, {self.valid_until or '…'})"


class DocumentNumber(models.Model):
    """A 发文字号 (GB/T 9704-2012 §7.2.4): the issuing organization's prefix, the year and a
    sequence number that runs per organization and year ("示例党支〔2026〕3号"). Given once per
    document (`key`), the first time an officer downloads the final version."""

    org = models.ForeignKey(Organization, models.PROTECT, related_name="document_numbers")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    prefix = models.CharField(_("document prefix"), max_length=40)
    key = models.CharField(max_length=120)  # which document, e.g. "elections.case:7:request"
    title = models.CharField(_("title"), max_length=200)
    issued_on = models.DateField(_("numbered on"))
    issued_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("document number")
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "number"], name="docnum_seq_unique"),
            models.UniqueConstraint(fields=["org", "key"], name="docnum_one_per_document"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.number}号"
