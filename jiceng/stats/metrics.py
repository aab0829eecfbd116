"""Figures have definitions: each metric is declared once and feeds the dashboard, API,
Excel export and report drafts alike (DESIGN.md "Figures have definitions").

A unit-ratio metric counts host units in force on a date under an organization's subtree
(through the unit's responsible Party organization or union federation on that date):
the denominator is the units that qualify, the numerator those of them in which an
organization of the metric's tree is set up on that date.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.orgs.models import Tree
from jiceng.orgs.qualifiers import above_scale, non_public_enterprises, two_new, union_base


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    numerator: str
    denominator: str
    definition: str
    tree: str  # the tree whose organizations count as "set up", and whose subtree scopes units
    qualifies: Callable  # (org, on) -> Q over UnitState
    unit: str = "%"

    @property
    def scope_field(self) -> str:
        return "responsible_union" if self.tree == Tree.UNION else "responsible_org"


METRICS = {
    m.key: m
    for m in [
        Metric(
            "party_coverage_non_public",
            _("Party organization coverage of non-public enterprises"),
            _("Non-public enterprises with a Party organization"),
            _("Non-public enterprises"),
            _(
                "Non-public enterprises in which a Party organization is set up on the date, "
                "divided by all non-public enterprises registered on the date (001:L8)."
            ),
            Tree.PARTY,
            non_public_enterprises,
        ),
        Metric(
            "party_coverage_above_scale",
            _("Party organization coverage of non-public enterprises above designated size"),
            _("Such enterprises with a Party organization"),
            _("Non-public enterprises above designated size"),
            _(
                "As the coverage of non-public enterprises, counting only enterprises above "
                "designated size (policy orgs.scale.*, 000:L49)."
            ),
            Tree.PARTY,
            lambda org, on: non_public_enterprises(org, on) & above_scale(org, on),
        ),
        Metric(
            "party_coverage_two_new",
            _("Party organization coverage of “two new” organizations"),
            _("“Two new” organizations with a Party organization"),
            _("“Two new” organizations"),
            _(
                "Non-public enterprises and new social organizations (policy "
                "orgs.two_new.social_unit_kinds) in which a Party organization is set up."
            ),
            Tree.PARTY,
            two_new,
        ),
        Metric(
            "union_establishment_rate",
            _("Union establishment rate"),
            _("Units with a trade union"),
            _("Units that should set up a trade union"),
            _(
                "Units of the kinds in policy orgs.union.base_unit_kinds with at least "
                "orgs.union.should_form_min_employees employees in which a trade union is set up, "
                "divided by all such units (建会率)."
            ),
            Tree.UNION,
            union_base,
        ),
    ]
}
