"""Computing figures for any subtree, region and date, and serving published ones.

The per-node rollup is one GROUP BY over the units in force on the date, keyed by the
stored path (on that date) of each unit's responsible organization; every node's figure
is then the sum over the paths below it, which the path itself spells out.
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone

from jiceng.access import gate
from jiceng.kernel.figures import Figure
from jiceng.kernel.paths import subtree_q
from jiceng.orgs.models import HostLink, Organization, OrgState, UnitState, in_force_on
from jiceng.orgs.selectors import path_on

from .metrics import METRICS, Metric
from .models import FigureSnapshot, PeriodClose


def _unit_rows(metric: Metric, on: dt.date, org: Organization | None):
    covered = HostLink.objects.filter(
        in_force_on(on), unit_id=OuterRef("unit_id"), org__tree=metric.tree
    )
    return (
        UnitState.objects.filter(in_force_on(on))
        .filter(metric.qualifies(org, on))
        .annotate(covered=Exists(covered))
    )


PATH_BATCH = 10_000  # ids per IN list: SQLite allows 32,766 variables


def rollup(
    metric_key: str, on: dt.date | None = None, *, within: Organization | None = None
) -> dict[int, Figure]:
    """Every node's figure under `within` (or the whole tree): {org id: Figure}.

    Two GROUP BYs on the responsible organization's id (an integer: no join per unit, no
    sort on text), the covered one as WHERE EXISTS, which the planner turns into a hashed
    semi-join; then the paths, on that date, of the few organizations that came back, each
    adding its counts to every ancestor its path names (docs/benchmarks.md).
    """
    metric, on = METRICS[metric_key], on or timezone.localdate()
    scope = metric.scope_field
    units = UnitState.objects.filter(in_force_on(on)).filter(metric.qualifies(within, on))
    if within is not None:
        root = path_on(within, on)
        if root is None:
            return {}
        below = OrgState.objects.filter(in_force_on(on), subtree_q(root)).values("org_id")
        units = units.filter(**{f"{scope}__in": below})
    covered = HostLink.objects.filter(
        in_force_on(on), unit_id=OuterRef("unit_id"), org__tree=metric.tree
    )
    den = dict(units.values_list(scope).annotate(n=Count("id")).order_by())
    num = dict(units.filter(Exists(covered)).values_list(scope).annotate(n=Count("id")).order_by())
    den.pop(None, None)  # units with no responsible organization
    ids, paths = list(den), {}
    in_force = OrgState.objects.filter(in_force_on(on))
    for start in range(0, len(ids), PATH_BATCH):
        batch = ids[start : start + PATH_BATCH]
        paths.update(in_force.filter(org_id__in=batch).values_list("org_id", "path"))
    nums, dens = Counter(), Counter()
    for org_id, total in den.items():
        path = paths.get(org_id)
        if not path:
            continue  # the responsible organization did not exist on that date
        for segment in path.strip("/").split("/"):
            nums[int(segment)] += num.get(org_id, 0)
            dens[int(segment)] += total
    return {pk: Figure(nums[pk], dens[pk]) for pk in dens}


def figure(metric_key: str, org: Organization, on: dt.date | None = None) -> Figure:
    return rollup(metric_key, on, within=org).get(org.pk, Figure(0, 0))


def region_figure(user, metric_key: str, region_prefix: str, on: dt.date | None = None) -> Figure:
    """A figure for an administrative region: units whose region code starts with the prefix,
    counting only units whose responsible organization `user` may see."""
    metric, on = METRICS[metric_key], on or timezone.localdate()
    rows = (
        _unit_rows(metric, on, None)
        .filter(region_code__startswith=region_prefix)
        .filter(gate.org_filter(user, field=metric.scope_field))
    )
    totals = rows.aggregate(den=Count("id"), num=Count("id", filter=Q(covered=True)))
    return Figure(totals["num"], totals["den"])


def published(metric_key: str, org: Organization, period: str) -> Figure | None:
    """The figure published for a closed period, or None when the period is not closed."""
    closed = PeriodClose.objects.filter(period=period).first()
    if closed is None:
        return None
    row = FigureSnapshot.objects.filter(period=closed, metric=metric_key, org=org).first()
    return Figure(row.numerator, row.denominator) if row else Figure(0, 0)


def host_category(unit_kind: str, ownership: str) -> str:
    """Enterprises split by ownership (非公 / 国有 / 集体), other units by kind (001:L130)."""
    return f"enterprise_{ownership}" if unit_kind == "enterprise" else unit_kind


def orgs_by_kind_and_host(org: Organization, on: dt.date | None = None) -> dict[str, Counter]:
    """Organizations below `org` on `on`, counted by kind × host category.

    An organization set up in several units counts once, under the category most of them share.
    """
    on = on or timezone.localdate()
    root = path_on(org, on)
    if root is None:
        return {}
    states = OrgState.objects.filter(in_force_on(on), subtree_q(root)).exclude(org=org)
    kinds = dict(states.values_list("org_id", "kind"))
    hosts: dict[int, Counter] = defaultdict(Counter)
    links = HostLink.objects.filter(in_force_on(on), org_id__in=states.values("org_id"))
    unit_states = UnitState.objects.filter(in_force_on(on), unit_id=OuterRef("unit_id"))
    rows = links.annotate(
        ukind=Subquery(unit_states.values("kind")[:1]),
        uown=Subquery(unit_states.values("ownership")[:1]),
    ).values_list("org_id", "ukind", "uown")
    for org_id, ukind, uown in rows:
        if ukind:
            hosts[org_id][host_category(ukind, uown)] += 1
    table: dict[str, Counter] = defaultdict(Counter)
    for org_id, kind in kinds.items():
        category = hosts[org_id].most_common(1)[0][0] if hosts.get(org_id) else "none"
        table[kind][category] += 1
    return dict(table)


def units_by_kind(org: Organization, on: dt.date | None = None) -> Counter:
    """Units in force on `on` whose responsible organization lies in `org`'s subtree."""
    on = on or timezone.localdate()
    root = path_on(org, on)
    if root is None:
        return Counter()
    field = "responsible_union" if org.tree == "union" else "responsible_org"
    rows = (
        UnitState.objects.filter(in_force_on(on))
        .annotate(
            scope_state=FilteredRelation(
                f"{field}__states", condition=in_force_on(on, f"{field}__states__")
            )
        )
        .filter(subtree_q(root, "scope_state__path"))
        .values("kind", "ownership")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = Counter()
    for row in rows:
        counts[host_category(row["kind"], row["ownership"])] += row["n"]
    return counts


def visible_figure(user, metric_key: str, org: Organization, *, on=None, period=None) -> dict:
    """The figure a user asked for: published if the period is closed, else computed live."""
    gate.require(user, gate.VIEW, org)
    if period:
        found = published(metric_key, org, period)
        if found is not None:
            return {"figure": found, "published": True}
    return {"figure": figure(metric_key, org, on), "published": False}


def report(
    user,
    org: Organization,
    *,
    on: dt.date | None = None,
    period: str | None = None,
) -> dict:
    """Every metric for `org` and each of its active children: the dashboard/API/export payload.

    With a closed `period`, published figures are served; otherwise computed as of `on`.
    """
    from jiceng.kernel.figures import period_end

    gate.require(user, gate.VIEW, org)
    closed = PeriodClose.objects.filter(period=period).first() if period else None
    on = closed.on if closed else (period_end(period) if period else on or timezone.localdate())
    children = list(org.children.filter(dissolved_on__isnull=True).order_by("code"))
    metrics = []
    for key, metric in METRICS.items():
        if closed:
            rows = FigureSnapshot.objects.filter(
                period=closed, metric=key, org__in=[org, *children]
            )
            found = {r.org_id: Figure(r.numerator, r.denominator) for r in rows}
        else:
            found = rollup(key, on, within=org)
        empty = Figure(0, 0)
        metrics.append(
            {
                "metric": metric,
                "figure": found.get(org.pk, empty),
                "children": [(child, found.get(child.pk, empty)) for child in children],
            }
        )
    return {
        "org": org,
        "on": on,
        "period": period if closed else None,
        "published": bool(closed),
        "metrics": metrics,
    }
