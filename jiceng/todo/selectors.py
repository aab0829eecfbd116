"""The to-do centre: one list of duties for the organizations a user oversees.

Managers (officers, upper administrators) act on what is listed; read-only inspectors
(viewers over a subtree, `gate.OVERSEE` without `gate.MANAGE`) see the same duties without
the means to act. Every duty plug-in works set-based over all the organizations at once and
reads policy from one snapshot, so a request costs a bounded number of queries however many
organizations lie below.
"""

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from jiceng.access import gate
from jiceng.kernel.duties import (
    OVERDUE,
    URGENCY_LABELS,
    Duty,
    Total,
    kind_labels,
    sort_key,
    sources,
)
from jiceng.kernel.paths import subtree_q
from jiceng.orgs.models import Organization
from jiceng.policy.selectors import Snapshot

PAGE_SIZE = 50  # items per page of the centre and of /api/v1/todo
URGENCIES = tuple(URGENCY_LABELS)


@dataclass
class Item:
    duty: Duty
    urgency: str
    actionable: bool = True  # the user manages the organization that owes it


@dataclass
class Group:
    """One kind of duty: "没有负责人的组织 1,204 个"."""

    kind: str
    label: str
    count: int
    overdue: int
    capped: bool  # only the first `todo.max_items_per_source` were listed; count is a floor


@dataclass
class Centre:
    items: list[Item]  # this page
    groups: list[Group]  # every kind under the organization and urgency filters
    count: int  # items under every filter (as listed)
    page: int
    pages: int
    read_only: bool  # the user may act on none of the listed organizations
    filters: dict = field(default_factory=dict)


def _overseen(user, org: Organization | None):
    orgs = Organization.objects.filter(
        gate.org_filter(user, gate.OVERSEE), dissolved_on__isnull=True
    )
    if org is not None:
        orgs = orgs.filter(subtree_q(org.path))
    return orgs


def _collect(
    user, orgs, today: dt.date, policy: Snapshot, limit: int
) -> tuple[list[Duty], dict[str, int]]:
    found: list[Duty] = []
    totals: dict[str, int] = {}
    for _label, source in sources():
        for row in source(user, orgs, today, limit=limit, policy=policy):
            if isinstance(row, Total):
                totals[row.kind] = row.count
            else:
                found.append(row)
    return found, totals


def _listed(user, org, today: dt.date):
    """Every source's duties for the organizations `user` oversees under `org`, each source's
    full count where it was capped, the due-soon window (days) and the per-source cap."""
    policy = Snapshot(today)
    soon = int(policy.value("todo.due_soon_days", org))
    limit = int(policy.value("todo.max_items_per_source", org))
    found, totals = _collect(user, _overseen(user, org), today, policy, limit)
    return found, totals, soon, limit


def duties_for(
    user, *, org: Organization | None = None, today: dt.date | None = None
) -> list[Item]:
    """Duties of the organizations `user` oversees (within `org`'s subtree if given), most
    urgent first."""
    today = today or timezone.localdate()
    found, _totals, soon, _limit = _listed(user, org, today)
    found.sort(key=lambda d: sort_key(d, today, soon))
    return [Item(d, d.urgency(today, soon)) for d in found]


def centre(
    user,
    *,
    org: Organization | None = None,
    kind: str = "",
    urgency: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    today: dt.date | None = None,
) -> Centre:
    """One page of the centre: filtered by the subtree of `org`, a kind and an urgency; the
    groups (per kind, with counts) under the subtree and urgency filters."""
    today = today or timezone.localdate()
    found, totals, soon, limit = _listed(user, org, today)
    items = [Item(d, d.urgency(today, soon)) for d in found]
    if urgency:
        items = [i for i in items if i.urgency == urgency]
    groups = _groups(items, totals if not urgency else {}, limit)
    if kind:
        items = [i for i in items if i.duty.kind == kind]
    items.sort(key=lambda i: sort_key(i.duty, today, soon))
    pages = max(1, math.ceil(len(items) / page_size))
    page = min(max(1, page), pages)
    shown = items[(page - 1) * page_size : page * page_size]
    managed = _managed(user, {i.duty.org.pk for i in shown})
    for i in shown:
        i.actionable = i.duty.org.pk in managed
    return Centre(
        items=shown,
        groups=groups,
        count=len(items),
        page=page,
        pages=pages,
        read_only=not _manages_any(user),
        filters={"org": org.code if org else "", "kind": kind, "urgency": urgency},
    )


def all_items(user, *, org=None, kind: str = "", urgency: str = "", today=None) -> list[Item]:
    """Every listed item under the filters, most urgent first (for the export)."""
    items = duties_for(user, org=org, today=today)
    return [
        i
        for i in items
        if (not kind or i.duty.kind == kind) and (not urgency or i.urgency == urgency)
    ]


def _groups(items: list[Item], totals: dict[str, int], limit: int) -> list[Group]:
    per_kind = Counter(i.duty.kind for i in items)
    overdue = Counter(i.duty.kind for i in items if i.urgency == OVERDUE)
    labels = kind_labels()
    groups = []
    for kind, n in per_kind.items():
        total = totals.get(kind)
        groups.append(
            Group(
                kind=kind,
                label=str(labels.get(kind, kind)),
                count=total if total is not None else n,
                overdue=overdue[kind],
                capped=total is None and n >= limit,
            )
        )
    groups.sort(key=lambda g: (-g.overdue, -g.count, g.kind))
    return groups


def _managed(user, org_ids: set[int]) -> set[int]:
    if not org_ids:
        return set()
    return set(
        Organization.objects.filter(gate.org_filter(user, gate.MANAGE), pk__in=org_ids).values_list(
            "pk", flat=True
        )
    )


def _manages_any(user) -> bool:
    return any(gate.MANAGE in gate.ROLE_ACTIONS[a.role] for a in gate.active_assignments(user))
