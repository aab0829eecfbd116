"""Figures have definitions: each metric is declared once and feeds the dashboard, API,
Excel export and report drafts alike (DESIGN.md "Figures have definitions").

A unit-ratio metric counts host units in force on a date under an organization's subtree
(through the unit's responsible Party organization or union federation on that date):
the denominator is the units that qualify, the numerator those of them in which an
organization of the metric's tree is set up on that date.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.kernel.citations import readable
from jiceng.orgs.models import Tree, UnitKind
from jiceng.orgs.qualifiers import above_scale, non_public_enterprises, two_new, union_base
from jiceng.policy.selectors import lookup


@dataclass(frozen=True)
class Basis:
    """One policy value a figure depends on, as a user reads it."""

    key: str
    label: str
    value: str
    source: str
    overridden_at: str = ""  # the organization whose override applies, if any


def policy_text(value, unit: str = "") -> str:
    """A policy value in words: unit kinds by their labels, numbers with their unit."""
    if isinstance(value, list | tuple):
        kinds = dict(UnitKind.choices)
        return "、".join(str(kinds.get(v, v)) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return f"{value:,}{' ' + unit if unit else ''}"
    return f"{value}{' ' + unit if unit and unit not in str(value) else ''}"


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
    policies: tuple[str, ...] = ()  # the policy keys the qualifying units are chosen by
    cites: str = ""  # where the figure itself is defined (a seed line or a regulation)

    @property
    def scope_field(self) -> str:
        return "responsible_union" if self.tree == Tree.UNION else "responsible_org"

    @property
    def source(self) -> str:
        return readable(self.cites)

    def describe(self, org=None, on: dt.date | None = None) -> list[Basis]:
        """The policy values this figure uses for `org` on `on`, with readable sources."""
        found = []
        for key in self.policies:
            rule = lookup(key, org=org, on=on)
            found.append(
                Basis(
                    key,
                    rule.label,
                    policy_text(rule.value, rule.unit),
                    readable(rule.source),
                    rule.overridden_at.name if rule.overridden_at else "",
                )
            )
        return found


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
                "divided by all non-public enterprises registered on the date."
            ),
            Tree.PARTY,
            non_public_enterprises,
            cites="001:L8",
        ),
        Metric(
            "party_coverage_above_scale",
            _("Party organization coverage of non-public enterprises above designated size"),
            _("Such enterprises with a Party organization"),
            _("Non-public enterprises above designated size"),
            _(
                "As the coverage of non-public enterprises, counting only enterprises above "
                "designated size (by employees, or employees and revenue)."
            ),
            Tree.PARTY,
            lambda org, on: non_public_enterprises(org, on) & above_scale(org, on),
            policies=(
                "orgs.scale.above_min_employees",
                "orgs.scale.mid_min_employees",
                "orgs.scale.mid_min_revenue",
            ),
            cites="000:L49",
        ),
        Metric(
            "party_coverage_two_new",
            _("Party organization coverage of “two new” organizations"),
            _("“Two new” organizations with a Party organization"),
            _("“Two new” organizations"),
            _(
                "Non-public enterprises and new social organizations in which a Party "
                "organization is set up, divided by all of them."
            ),
            Tree.PARTY,
            two_new,
            policies=("orgs.two_new.social_unit_kinds",),
            cites="000:L49；001:L130",
        ),
        Metric(
            "union_establishment_rate",
            _("Union establishment rate"),
            _("Units with a trade union"),
            _("Units that should set up a trade union"),
            _(
                "Units of the kinds counted with at least the minimum number of employees in "
                "which a trade union is set up, divided by all such units (建会率)."
            ),
            Tree.UNION,
            union_base,
            policies=("orgs.union.base_unit_kinds", "orgs.union.should_form_min_employees"),
            cites="《中华人民共和国工会法》第十一条；004:L438",
        ),
    ]
}
