"""Formation checks (DOMAIN.md §1), each a duty of the responsible upper organization."""

import datetime as dt
import itertools

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.kernel.duties import ORG_FIELDS, Duty, org_fields

from . import activity
from .models import BRANCH_KINDS, HostLink, Organization, Tree, UnitState, in_force_on


def _threshold(key: str, policy):
    """Per-organization policy value, from the request's snapshot (no query per organization)."""
    return lambda org: policy.value(key, org)


def _units_without(tree: str, today: dt.date):
    linked = HostLink.objects.filter(
        in_force_on(today), unit_id=OuterRef("unit_id"), org__tree=tree
    )
    return (
        UnitState.objects.filter(in_force_on(today)).exclude(Exists(linked)).select_related("unit")
    )


def should_have_party_org(orgs, today, limit, policy):
    members_min = _threshold("orgs.branch.min_full_members", policy)
    staff_min = _threshold("orgs.party.should_form_min_employees", policy)
    candidates = (
        _units_without(Tree.PARTY, today)
        .filter(responsible_org__in=orgs)
        .filter(
            Q(party_members__gte=policy.lowest("orgs.branch.min_full_members"))
            | Q(
                kind="enterprise",
                employees__gte=policy.lowest("orgs.party.should_form_min_employees"),
            )
        )
        .select_related("responsible_org")
        .only("kind", "party_members", "employees", "unit__name", *org_fields("responsible_org"))
        .order_by("-party_members", "-employees")
    )
    for s in candidates.iterator():
        org = s.responsible_org
        if s.party_members >= members_min(org) or (
            s.kind == "enterprise" and s.employees >= staff_min(org)
        ):
            yield Duty(
                org=org,
                kind="orgs.should_form_party_org",
                title=_(
                    "%(unit)s has %(members)s Party members and %(staff)s employees but no "
                    "Party organization (should set one up)."
                )
                % {"unit": s.unit.name, "members": s.party_members, "staff": s.employees},
                url=reverse_lazy("orgs:org_detail", args=[org.code]),
            )


def should_have_union(orgs, today, limit, policy):
    staff_min = _threshold("orgs.union.should_form_min_employees", policy)
    kinds = policy.value("orgs.union.base_unit_kinds")
    candidates = (
        _units_without(Tree.UNION, today)
        .filter(
            responsible_union__in=orgs,
            kind__in=kinds,
            employees__gte=policy.lowest("orgs.union.should_form_min_employees"),
        )
        .select_related("responsible_union")
        .only("employees", "unit__name", *org_fields("responsible_union"))
        .order_by("-employees")
    )
    for s in candidates.iterator():
        org = s.responsible_union
        if s.employees >= staff_min(org):
            yield Duty(
                org=org,
                kind="orgs.should_form_union",
                title=_("%(unit)s has %(staff)s employees but no trade union (should set one up).")
                % {"unit": s.unit.name, "staff": s.employees},
                url=reverse_lazy("orgs:org_detail", args=[org.code]),
            )


def oversized_branches(orgs, today, limit, policy):
    most = _threshold("orgs.branch.max_members", policy)
    branches = (
        Organization.objects.filter(
            parent__in=orgs,
            kind__in=BRANCH_KINDS,
            dissolved_on__isnull=True,
            reported_members__gt=policy.lowest("orgs.branch.max_members"),
        )
        .select_related("parent")
        .only("reported_members", *ORG_FIELDS, *org_fields("parent"))
        .order_by("-reported_members")
    )
    for b in branches.iterator():
        if b.reported_members > most(b):
            yield Duty(
                org=b.parent,
                kind="orgs.oversized_branch",
                title=_("%(org)s has %(n)s members, more than %(max)s: consider splitting it.")
                % {"org": b.name, "n": b.reported_members, "max": most(b)},
                url=reverse_lazy("orgs:org_detail", args=[b.code]),
            )


def branches_needing_committee(orgs, today, limit, policy):
    least = _threshold("orgs.branch.committee_min_full_members", policy)
    branches = (
        Organization.objects.filter(
            parent__in=orgs,
            kind__in=BRANCH_KINDS,
            dissolved_on__isnull=True,
            has_committee=False,
            reported_members__gte=policy.lowest("orgs.branch.committee_min_full_members"),
        )
        .select_related("parent")
        .only("reported_members", *ORG_FIELDS, *org_fields("parent"))
        .order_by("-reported_members")
    )
    for b in branches.iterator():
        if b.reported_members >= least(b):
            yield Duty(
                org=b.parent,
                kind="orgs.needs_committee",
                title=_(
                    "%(org)s has %(n)s members but no branch committee (required from %(min)s)."
                )
                % {"org": b.name, "n": b.reported_members, "min": least(b)},
                url=reverse_lazy("orgs:org_detail", args=[b.code]),
            )


def empty_shells(orgs, today, limit, policy):
    if not activity.has_providers():
        return  # nothing records activity yet: nothing can be judged
    months = _threshold("orgs.empty_shell.inactive_months", policy)
    candidates = (
        Organization.objects.filter(parent__in=orgs, dissolved_on__isnull=True)
        .exclude(founded_on__gt=today - dt.timedelta(days=31))
        .select_related("parent")
        .only(*ORG_FIELDS, *org_fields("parent"))
        .order_by("path")[: limit * 20]
    )
    # A chunk at a time: the centre stops asking once it has `limit`, so usually one chunk
    # of organizations and one activity lookup are all a request costs.
    for chunk in _chunks(candidates.iterator(chunk_size=limit), limit):
        latest = activity.last_activity([o.pk for o in chunk])
        for org in chunk:
            last = latest.get(org.pk)
            cutoff = today - dt.timedelta(days=round(30.44 * months(org)))
            if last is None or last < cutoff:
                yield Duty(
                    org=org.parent,
                    kind="orgs.empty_shell",
                    title=_(
                        "%(org)s has recorded no activity since %(date)s (possible empty shell)."
                    )
                    % {"org": org.name, "date": last or _("it was set up")},
                    url=reverse_lazy("orgs:org_detail", args=[org.code]),
                )


def _chunks(rows, size: int):
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


CHECKS = [
    should_have_party_org,
    should_have_union,
    oversized_branches,
    branches_needing_committee,
    empty_shells,
]


def duties(user, orgs, today: dt.date, *, limit: int, policy):
    for check in CHECKS:
        yield from itertools.islice(check(orgs, today, limit, policy), limit)


# The label of each kind's group in the to-do centre.
KINDS = {
    "orgs.should_form_party_org": _lazy("Units that should set up a Party organization"),
    "orgs.should_form_union": _lazy("Units that should set up a trade union"),
    "orgs.oversized_branch": _lazy("Branches with too many members"),
    "orgs.needs_committee": _lazy("Branches that need a branch committee"),
    "orgs.empty_shell": _lazy("Possible empty-shell organizations"),
}
