"""Figures the product already computes, offered to scoring clauses as evidence.

A source answers every organization of a subtree at once for a period, as the records stood
on a date: `compute(user, root, start, end, on) -> {org_id: Figure}`, and says where the
records behind an organization's figure are (`records_url`). A clause bound to a source gets
`points × numerator / denominator`; an organization with nothing to count gets no automatic
points (policy `assessment.evidence.no_figure`) and scores the clause itself.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.figures import Figure
from jiceng.life import selectors as life

Compute = Callable[..., dict[int, Figure]]


@dataclass(frozen=True)
class Source:
    key: str
    label: object
    compute: Compute
    records_url: Callable[[object, dt.date, dt.date], str]


SOURCES: dict[str, Source] = {}


def source(key: str, label, records_url):
    def register(compute: Compute) -> Compute:
        SOURCES[key] = Source(key, label, compute, records_url)
        return compute

    return register


def choices() -> list[tuple[str, object]]:
    return [("", _("Scored by hand"))] + [(s.key, s.label) for s in SOURCES.values()]


def points_for(points: Decimal, figure: Figure | None) -> Decimal | None:
    """The clause's points in proportion to the figure, to the hundredth of a point."""
    if figure is None or not figure.denominator:
        return None
    share = Decimal(figure.numerator) / Decimal(figure.denominator)
    return (points * min(share, Decimal(1))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _compliance_url(org, start: dt.date, end: dt.date) -> str:
    # The compliance page shows whole years (or quarters, months): the cycle's year.
    return f"{reverse('life:compliance')}?{urlencode({'org': org.code, 'year': end.year})}"


def _life_rows(user, root, start, end, on):
    return life.compliance(user, root, start=start, end=end, on=on)


@source("life.compliance", _("Required meetings held (三会一课 compliance)"), _compliance_url)
def meeting_compliance(user, root, start, end, on) -> dict[int, Figure]:
    return {r["org"].pk: r["compliance"] for r in _life_rows(user, root, start, end, on)}


@source("life.attendance", _("Attendance at meetings"), _compliance_url)
def meeting_attendance(user, root, start, end, on) -> dict[int, Figure]:
    return {r["org"].pk: r["attendance"] for r in _life_rows(user, root, start, end, on)}
