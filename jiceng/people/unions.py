"""Trade-union membership writes: joining (`join_union`, or `enrol` for someone not yet on
record), changes of status and categories, and leaving the union with a date and a reason.

Each checks the gate on the member's union (its officers, or an upper level over it), refuses
dates out of order in Chinese, and is audited. The dates written (`retired_on`, `left_on`) are
what `selectors.union_membership_rate(on=…)` counts as of a past date.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.orgs.models import Organization, Tree

from . import permissions
from .models import Person, UnionMembership, UnionStatus
from .services import find_by_id_number, register_person

CHANGE_FIELDS = ("status", "migrant_worker", "card_issued")


@transaction.atomic
def join_union(
    actor, person: Person, *, org: Organization, member_number: str, joined_on: dt.date, **fields
) -> UnionMembership:
    """Enrol `person` as a member of trade union `org` from `joined_on` (status working or
    retired; categories: migrant worker, member card issued). Later changes and leaving are
    in `unions`; a past member (a roster being digitized) may be entered with `left_on`. A
    person holds one membership in force at a time: to move to another union they leave the
    first (the new one begins on or after that day); member numbers are unique per union."""
    permissions.require_manage(actor, org)
    errors = {}
    unknown = set(fields) - {
        "status",
        "migrant_worker",
        "card_issued",
        "retired_on",
        "left_on",
        "left_reason",
    }
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
    if org.tree != Tree.UNION:
        errors["org"] = _("Union members join a trade union.")
    status = fields.get("status", UnionStatus.WORKING)
    if status not in UnionStatus.values:
        errors["status"] = _("Choose a status: working, retired or left.")
    elif (status == UnionStatus.LEFT) != bool(fields.get("left_on")):
        errors["left_on"] = _("Enter the date of leaving the union.")
    for key, what in (("retired_on", _("Retirement")), ("left_on", _("Leaving the union"))):
        day = fields.get(key)
        if day and day > timezone.localdate():
            errors[key] = _("The date cannot be in the future.")
        elif day and joined_on and day < joined_on:
            errors[key] = _(
                "%(what)s cannot be dated before %(name)s joined the union (%(date)s)."
            ) % {"what": what, "name": person.name, "date": joined_on}
    number = (member_number or "").strip()
    if not number:
        errors["member_number"] = _("Enter the member number.")
    elif UnionMembership.objects.filter(org=org, member_number=number).exists():
        errors["member_number"] = _("%(org)s already has a member with the number %(n)s.") % {
            "org": org.name,
            "n": number,
        }
    if joined_on is None:
        errors["joined_on"] = _("Enter the date of joining the union.")
    elif joined_on > timezone.localdate():
        errors["joined_on"] = _("The date of joining cannot be in the future.")
    elif person.birth_date and joined_on < person.birth_date:
        errors["joined_on"] = _("%(name)s was born on %(date)s, after this date.") % {
            "name": person.name,
            "date": person.birth_date,
        }
    # One membership in force at a time; past ones stay, and memberships never overlap.
    held = UnionMembership.objects.select_for_update().filter(person=person)
    current = held.filter(left_on__isnull=True).select_related("org").first()
    left_on = fields.get("left_on")
    if current is not None and not left_on:
        errors["person"] = _("%(name)s is already a member of %(org)s.") % {
            "name": person.name,
            "org": current.org.name,
        }
    elif joined_on and "joined_on" not in errors and "left_on" not in errors:
        overlap = held.filter(Q(left_on__isnull=True) | Q(left_on__gt=joined_on))
        if left_on:
            overlap = overlap.filter(joined_on__lt=left_on)
        clash = overlap.order_by("joined_on").first()
        if clash is not None:
            errors["joined_on"] = _(
                "%(name)s was a union member from %(start)s to %(end)s: memberships cannot overlap."
            ) % {
                "name": person.name,
                "start": clash.joined_on,
                "end": clash.left_on or _("now"),
            }
    if errors:
        raise ValidationError(errors)
    m = UnionMembership.objects.create(
        person=person, org=org, member_number=number, joined_on=joined_on, **fields
    )
    record(
        actor,
        "people.union.join",
        m,
        after={
            "person": person.name,
            "org": org.code,
            "member_number": number,
            "joined_on": joined_on,
            **fields,
        },
        org=org,
    )
    return m


def _snapshot(m: UnionMembership) -> dict:
    return {
        "person": m.person.name,
        "org": m.org.code,
        "member_number": m.member_number,
        "status": m.status,
        "retired_on": m.retired_on,
        "migrant_worker": m.migrant_worker,
        "card_issued": m.card_issued,
        "left_on": m.left_on,
        "left_reason": m.left_reason,
    }


def _locked(m: UnionMembership) -> UnionMembership:
    return UnionMembership.objects.select_for_update().select_related("person", "org").get(pk=m.pk)


def _check_date(m: UnionMembership, on: dt.date, what: str) -> None:
    """`on` lies between the member's joining (or retirement) and today."""
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < m.joined_on:
        raise ValidationError(
            {
                "on": _("%(what)s cannot be dated before %(name)s joined the union (%(date)s).")
                % {"what": what, "name": m.person.name, "date": m.joined_on}
            }
        )


def _check_open(m: UnionMembership) -> None:
    if m.status == UnionStatus.LEFT:
        raise ValidationError(
            {
                "member": _("%(name)s left the union on %(date)s.")
                % {"name": m.person.name, "date": m.left_on or "—"}
            }
        )


def _held_out_of_sight(actor, person) -> bool:
    """Whether the person's membership in force is kept by a union the actor cannot see."""
    current = person.union_memberships.filter(left_on__isnull=True)
    return current.exists() and not current.filter(gate.org_filter(actor, field="org")).exists()


@transaction.atomic
def enrol(
    actor,
    *,
    org,
    name: str,
    id_number: str,
    phone: str = "",
    member_number: str,
    joined_on: dt.date,
    **fields,
) -> UnionMembership:
    """Enrol a person in union `org`: one already registered, found by the ID number (the
    name must match), or registered now; a refused enrolment leaves no stray person."""
    person = find_by_id_number(id_number) if id_number else None
    hidden = person is not None and (
        person.name != (name or "").strip()
        # a member now of a union beyond what the actor sees: say no more than this (a past
        # member of another union may join: they moved, and the old record stays where it is)
        or _held_out_of_sight(actor, person)
    )
    if hidden:
        raise ValidationError(
            {"id_number": _("A person with this ID number is already registered.")}
        )
    if person is None:
        person = register_person(actor, org=org, name=name, id_number=id_number, phone=phone)
    return join_union(
        actor, person, org=org, member_number=member_number, joined_on=joined_on, **fields
    )


@transaction.atomic
def change_member(
    actor,
    m: UnionMembership,
    *,
    on: dt.date | None = None,
    status: str | None = None,
    migrant_worker: bool | None = None,
    card_issued: bool | None = None,
) -> UnionMembership:
    """Change a member's status (working ⇄ retired; retiring is dated `on`) or categories."""
    gate.require(actor, gate.MANAGE, m.org)
    m = _locked(m)
    _check_open(m)
    on = on or timezone.localdate()
    before = _snapshot(m)
    if status is not None and status != m.status:
        if status == UnionStatus.RETIRED:
            _check_date(m, on, _("Retirement"))
            m.retired_on = on
        elif status == UnionStatus.WORKING:
            m.retired_on = None  # a correction, or back at work: working again throughout
        else:
            raise ValidationError(
                {"status": _("To record that a member left, use “Leave the union”.")}
            )
        m.status = status
    if migrant_worker is not None:
        m.migrant_worker = migrant_worker
    if card_issued is not None:
        m.card_issued = card_issued
    after = _snapshot(m)
    if after == before:
        return m
    m.save(update_fields=["status", "retired_on", "migrant_worker", "card_issued"])
    record(actor, "people.union.change", m, before=before, after={**after, "on": on}, org=m.org)
    return m


@transaction.atomic
def leave(actor, m: UnionMembership, *, on: dt.date, reason: str) -> UnionMembership:
    """The member leaves the union on `on` (moved away, left the unit, resigned…); the record
    is kept with its dates and reason, and no longer counts from that day."""
    gate.require(actor, gate.MANAGE, m.org)
    m = _locked(m)
    _check_open(m)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for leaving the union.")})
    if on is None:
        raise ValidationError({"on": _("Enter the date of leaving the union.")})
    _check_date(m, on, _("Leaving the union"))
    if m.retired_on and on < m.retired_on:
        raise ValidationError(
            {
                "on": _("%(name)s retired on %(date)s: the date of leaving cannot be earlier.")
                % {"name": m.person.name, "date": m.retired_on}
            }
        )
    before = _snapshot(m)
    m.status, m.left_on, m.left_reason = UnionStatus.LEFT, on, reason[:200]
    m.save(update_fields=["status", "left_on", "left_reason"])
    record(actor, "people.union.leave", m, before=before, after=_snapshot(m), org=m.org)
    return m
