from django.db import models
from django.utils.translation import gettext_lazy as _


class Tree(models.TextChoices):
    PARTY = "party", _("Party")
    UNION = "union", _("Trade union")


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


def tree_of(kind: str) -> str:
    return Tree.UNION if kind in UNION_KINDS else Tree.PARTY


class Organization(models.Model):
    """A node of the Party tree or the union tree (DOMAIN.md §1)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
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
