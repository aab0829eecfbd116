"""Figures the product already computes, offered to scoring clauses as evidence.

A source answers every organization of a subtree at once for a period, as the records stood
on a date: `compute(user, root, start, end, on) -> {org_id: Figure}`, and says where the
records behind an organization's figure are (`records_url`). A clause bound to a source gets
`points × numerator / denominator`; an organization with nothing to count gets no automatic
points (policy `assessment.evidence.no_figure`) and scores the clause itself.
"""

import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.access import gate
from jiceng.congress import selectors as congress
from jiceng.elections import selectors as elections
from jiceng.elections.models import Committee
from jiceng.kernel.figures import Figure
from jiceng.kernel.paths import subtree_q
from jiceng.life import selectors as life
from jiceng.orgs.models import UNION_KINDS, Kind, Organization
from jiceng.people import selectors as people
from jiceng.policy.selectors import Snapshot

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


# Within one `compute_all`, sources that read the same records (compliance and attendance)
# read them once.
_shared: ContextVar[dict | None] = ContextVar("assessment_evidence_shared", default=None)


def compute_all(user, root, keys, start: dt.date, end: dt.date, on: dt.date) -> dict:
    """{source key: {org id: Figure}} for every source of `keys` over `root`'s subtree."""
    token = _shared.set({})
    try:
        return {key: SOURCES[key].compute(user, root, start, end, on) for key in keys}
    finally:
        _shared.reset(token)


def _life_rows(user, root, start, end, on):
    memo = _shared.get()
    key = ("life.compliance", user.pk, root.pk, start, end, on)
    if memo is not None and key in memo:
        return memo[key]
    # Records as they stood at the end of the day `on`: a window ending that day has ended
    # (life counts a window as required once the day after it has come).
    rows = life.compliance(user, root, start=start, end=end, on=on + dt.timedelta(days=1))
    if memo is not None:
        memo[key] = rows
    return rows


@source("life.compliance", _("Required meetings held (三会一课 compliance)"), _compliance_url)
def meeting_compliance(user, root, start, end, on) -> dict[int, Figure]:
    return {r["org"].pk: r["compliance"] for r in _life_rows(user, root, start, end, on)}


@source("life.attendance", _("Attendance at meetings"), _compliance_url)
def meeting_attendance(user, root, start, end, on) -> dict[int, Figure]:
    return {r["org"].pk: r["attendance"] for r in _life_rows(user, root, start, end, on)}


def _visible_subtree(user, root):
    """The organizations of `root`'s subtree the user may see (a queryset, not yet run)."""
    return Organization.objects.filter(gate.org_filter(user, gate.VIEW), subtree_q(root.path))


def _as_figures(counts: dict[int, tuple[int, int]]) -> dict[int, Figure]:
    return {org_id: Figure(n, d) for org_id, (n, d) in counts.items()}


# Organizations that elect a committee for a term (groups and leadership groups do not).
ELECTED_KINDS = (
    Kind.PARTY_COMMITTEE,
    Kind.PARTY_WORKING_COMMITTEE,
    Kind.GENERAL_BRANCH,
    Kind.BRANCH,
    Kind.UNION_FEDERATION,
    Kind.UNION,
    Kind.JOINT_UNION,
)


def _elections_url(org, start: dt.date, end: dt.date) -> str:
    return reverse("elections:org", args=[org.code])


@source("elections.terms_in_order", _("Committee in office, re-elected on time"), _elections_url)
def terms_in_order(user, root, start, end, on) -> dict[int, Figure]:
    """1/1 when the organization's committee (Party or union, by its tree) has a term in
    office on `on`; 0/1 when there is none: never elected, or the term expired without a
    re-election (elections.selectors decides, as the to-do centre's expiry duty does)."""
    orgs = _visible_subtree(user, root).filter(kind__in=ELECTED_KINDS)
    orgs = orgs.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=on))
    orgs = orgs.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
    in_office = elections.terms_in_office(orgs, on)
    figures = {}
    for org_id, kind in orgs.values_list("pk", "kind"):
        committee = Committee.UNION if kind in UNION_KINDS else Committee.PARTY
        figures[org_id] = Figure(int((org_id, committee) in in_office), 1)
    return figures


def _pipeline_url(org, start: dt.date, end: dt.date) -> str:
    return reverse("people:pipeline_board", args=[org.code])


@source("people.development_on_time", _("Development steps taken on time"), _pipeline_url)
def development_on_time(user, root, start, end, on) -> dict[int, Figure]:
    """Steps of applicants, activists and probationary members whose deadline (talk, approval,
    conversion; days from policy) fell in the period: taken by the deadline, or not yet due
    on `on`, over all of them. An organization with no deadline in the period has no figure."""
    orgs = _visible_subtree(user, root)
    return _as_figures(people.development_steps_on_time(orgs, start, end, on, Snapshot(on)))


def _proposals_url(org, start: dt.date, end: dt.date) -> str:
    return reverse("congress:org_sessions", args=[org.code])


@source("congress.proposals_on_time", _("Congress proposals answered on time"), _proposals_url)
def proposals_on_time(user, root, start, end, on) -> dict[int, Figure]:
    """Proposals whose reply fell due in the period, answered by the deadline (or not yet due
    on `on`), over all of them: a union's own, a Party organization's those of the union in
    the same unit."""
    orgs = _visible_subtree(user, root)
    return _as_figures(congress.proposals_on_time(orgs, start, end, on))


# Dues collection (党费收缴) joins these figures with the finance work of issue 14.
