"""Reads of people and memberships, through the visibility gate; figures for any subtree and date."""

import datetime as dt
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from jiceng.access import gate
from jiceng.dated import in_force_on
from jiceng.orgs.models import Organization, OrgState, Unit
from jiceng.orgs.paths import subtree_q
from jiceng.orgs.selectors import path_on

from .models import (
    MEMBER_STAGES,
    FloatingRecord,
    MembershipState,
    Milestone,
    PartyMembership,
    UnionMembership,
    UnionStatus,
)


def visible_memberships(user, action: str = gate.VIEW):
    return PartyMembership.objects.filter(gate.org_filter(user, action, field="org"))


def _states_under(org: Organization, on: dt.date):
    """Membership states in force on `on` in `org`'s subtree as it stood that day."""
    root = path_on(org, on)
    if root is None:
        return MembershipState.objects.none()
    return MembershipState.objects.filter(in_force_on(on)).filter(
        Exists(
            OrgState.objects.filter(
                in_force_on(on), subtree_q(root), org_id=OuterRef("org_id")
            )
        )
    )


AGE_BANDS = [
    (0, 35, "≤35"),
    (36, 45, "36-45"),
    (46, 55, "46-55"),
    (56, 60, "56-60"),
    (61, 200, "≥61"),
]


def _age_band(born: dt.date | None, on: dt.date) -> str:
    if born is None:
        return "unknown"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def composition(
    user, org: Organization, on: dt.date | None = None, *, members_only: bool = True
) -> dict[str, Counter]:
    """Members under `org` on `on`, counted by stage, category, gender, age band, education
    and composition group (001:L130)."""
    gate.require(user, gate.VIEW, org)
    on = on or timezone.localdate()
    states = _states_under(org, on)
    if members_only:
        states = states.filter(stage__in=MEMBER_STAGES)
    rows = states.values(
        "stage",
        "category",
        "composition",
        "membership__person__gender",
        "membership__person__education",
        "membership__person__birth_date",
    )
    result = {
        k: Counter()
        for k in ("stage", "category", "composition", "gender", "education", "age_band")
    }
    total = 0
    for r in rows.iterator(chunk_size=5000):
        total += 1
        result["stage"][r["stage"]] += 1
        result["category"][r["category"]] += 1
        if r["composition"]:
            result["composition"][r["composition"]] += 1
        result["gender"][r["membership__person__gender"] or "unknown"] += 1
        result["education"][r["membership__person__education"] or "unknown"] += 1
        result["age_band"][_age_band(r["membership__person__birth_date"], on)] += 1
    result["total"] = Counter({"members": total})
    return result


def floating_figures(user, org: Organization, on: dt.date | None = None) -> dict:
    """Floating members under `org` on `on`, by organization, and activity cards issued."""
    gate.require(user, gate.VIEW, org)
    on = on or timezone.localdate()
    states = _states_under(org, on).filter(stage__in=MEMBER_STAGES).exclude(floating="")
    by_org = Counter(dict(states.values_list("org_id").annotate(n=Count("id"))))
    active = FloatingRecord.objects.filter(
        Q(until__isnull=True) | Q(until__gt=on),
        since__lte=on,
        membership_id__in=states.values("membership_id"),
    )
    cards = active.filter(card_issued_on__lte=on).values("membership_id").distinct().count()
    return {"total": sum(by_org.values()), "by_org": by_org, "cards": cards}


def plan_progress(user, plan) -> dict:
    """Members admitted under the plan's organization in its years, against the target."""
    gate.require(user, gate.VIEW, plan.org)
    admitted = Milestone.objects.filter(
        step="admit",
        on__year__gte=plan.first_year,
        on__year__lte=plan.last_year,
        membership__org__in=Organization.objects.filter(subtree_q(plan.org.path)),
    )
    by_group = Counter(
        dict(admitted.values_list("membership__composition").annotate(n=Count("id")))
    )
    done = sum(by_group.values())
    return {
        "target": plan.target,
        "admitted": done,
        "rate": round(100 * done / plan.target, 1) if plan.target else None,
        "by_group": {
            g: {"target": t, "admitted": by_group.get(g, 0)}
            for g, t in plan.targets_by_group.items()
        },
    }


def union_membership_rate(user, org: Organization) -> dict:
    """入会率 = current union members under `org` / employees of the units it is responsible for."""
    gate.require(user, gate.VIEW, org)
    subtree = Organization.objects.filter(subtree_q(org.path))
    members = UnionMembership.objects.filter(org__in=subtree, status=UnionStatus.WORKING).count()
    employees = (
        (
            Unit.objects.filter(responsible_union__in=subtree, closed_on__isnull=True).aggregate(
                n=Sum("employees")
            )["n"]
        )
        or 0
    )
    return {
        "members": members,
        "employees": employees,
        "rate": round(100 * members / employees, 1) if employees else None,
    }
