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

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.orgs.models import Ownership, Tree, UnitKind
from jiceng.policy.selectors import value as policy_value


def non_public_enterprises(org, on) -> Q:
    return Q(kind=UnitKind.ENTERPRISE, ownership=Ownership.NON_PUBLIC)


def above_scale(org, on) -> Q:
    """规模以上 (000:L49): ≥100 employees, or 50-99 employees with revenue over 5,000,000 yuan."""
    big = int(policy_value("orgs.scale.above_min_employees", org=org, on=on))
    mid = int(policy_value("orgs.scale.mid_min_employees", org=org, on=on))
    revenue = policy_value("orgs.scale.mid_min_revenue", org=org, on=on)
    return Q(employees__gte=big) | Q(employees__gte=mid, revenue__gt=revenue)


def two_new(org, on) -> Q:
    social = policy_value("orgs.two_new.social_unit_kinds", org=org, on=on)
    return non_public_enterprises(org, on) | Q(kind__in=social)


def union_base(org, on) -> Q:
    kinds = policy_value("orgs.union.base_unit_kinds", org=org, on=on)
    least = int(policy_value("orgs.union.should_form_min_employees", org=org, on=on))
    return Q(kind__in=kinds, employees__gte=least)


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


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        """Percentage with one decimal, as the seeds report it (62/162 → 38.3)."""
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    def as_dict(self) -> dict:
        """The figure as the API, the commands and the exports give it."""
        return {"numerator": self.numerator, "denominator": self.denominator, "rate": self.rate}


def period_end(period: str) -> dt.date:
    """'2026' → 2026-12-31, '2026H1' → 06-30, '2026Q3' → 09-30, '2026-05' → 05-31."""
    import calendar

    try:
        if len(period) == 4:
            return dt.date(int(period), 12, 31)
        year = int(period[:4])
        if period[4:5] == "H" and period[5:] in ("1", "2"):
            month = 6 * int(period[5:])
        elif period[4:5] == "Q" and period[5:] in ("1", "2", "3", "4"):
            month = 3 * int(period[5:])
        elif period[4:5] == "-" and 1 <= int(period[5:]) <= 12:
            month = int(period[5:])
        else:
            raise ValueError
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        raise ValueError(
            f"unknown period {period!r}: use 2026, 2026H1, 2026Q3 or 2026-05"
        ) from None
