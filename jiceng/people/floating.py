"""Floating members (流动党员, 000:L31-35): outflow and inflow, activity cards, half-yearly
follow-ups, and the monthly report that each upper organization submits before month end.

Personal information: the member's phone while away is the person's phone (encrypted,
masked, revealed only through the logged `services.reveal`), not a second copy on the
floating record; follow-up notes are kept on the record but never copied into the audit log.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record as audit
from jiceng.orgs.models import Organization, Tree

from .models import (
    MEMBER_STAGES,
    Floating,
    FloatingRecord,
    FloatingReport,
    FollowUp,
    PartyMembership,
)
from .selectors import floating_month_figures, month_bounds
from .services import _set_identity, person_snapshot, restate_membership


def close_floating(m: PartyMembership, on: dt.date) -> None:
    """End the member's open floating records on `on` and clear the flag on the row.

    For services that already checked the gate; the caller saves `m` and restates it.
    """
    m.floating_records.filter(valid_until__isnull=True).update(valid_until=on)
    m.floating = Floating.NONE


def _may_start_floating(m: PartyMembership, errors: dict) -> None:
    if m.stage not in MEMBER_STAGES:
        errors["membership"] = _(
            "Only probationary and full members are recorded as floating members."
        )
    elif m.floating:
        errors["membership"] = _("%(name)s is already recorded as floating (%(direction)s).") % {
            "name": m.person.name,
            "direction": m.get_floating_display(),
        }


def _check_open_on(rec: FloatingRecord, on: dt.date) -> None:
    if on < rec.valid_from:
        raise ValidationError(
            {
                "on": _("The date may not be before %(date)s, when floating began.")
                % {"date": rec.valid_from}
            }
        )
    if rec.valid_until is not None and on > rec.valid_until:
        raise ValidationError(
            {"on": _("This floating record ended on %(date)s.") % {"date": rec.valid_until}}
        )


def _snapshot(rec: FloatingRecord) -> dict:
    return {
        "member": rec.membership.person.name,
        "direction": rec.direction,
        "place": rec.place,
        "valid_from": rec.valid_from,
        "valid_until": rec.valid_until,
        "contact_person": rec.contact_person,
        "card_number": rec.card_number,
        "card_issued_on": rec.card_issued_on,
    }


@transaction.atomic
def record_outflow(
    actor,
    membership: PartyMembership,
    *,
    place: str,
    since: dt.date,
    contact_person: str,
    contact_phone: str = "",
) -> FloatingRecord:
    """The member has left to work or live elsewhere (外出): where, since when, who keeps contact.

    A `contact_phone` becomes the person's phone (encrypted like every phone).
    """
    m = membership
    gate.require(actor, gate.MANAGE, m.org)
    place, contact_person = (place or "").strip(), (contact_person or "").strip()
    errors: dict = {}
    if not place:
        errors["place"] = _("Enter where the member has gone.")
    if not contact_person:
        errors["contact_person"] = _("Name the person designated to keep in contact.")
    _may_start_floating(m, errors)
    person, phone_before = m.person, m.person.phone_masked
    if contact_phone:
        _set_identity(person, None, contact_phone, errors)
    if errors:
        raise ValidationError(errors)
    if contact_phone and person.phone_masked != phone_before:
        person.save(update_fields=["phone_encrypted", "phone_hash", "phone_masked"])
        audit(
            actor,
            "people.person.change_phone",
            person,
            before={"phone": phone_before},
            after=person_snapshot(person),
            org=m.org,
        )
    rec = FloatingRecord.objects.create(
        membership=m,
        direction=Floating.OUTFLOW,
        place=place,
        valid_from=since,
        contact_person=contact_person,
    )
    m.floating = Floating.OUTFLOW
    m.save(update_fields=["floating"])
    restate_membership(m, since)
    audit(actor, "people.floating.record_outflow", rec, after=_snapshot(rec), org=m.org)
    return rec


@transaction.atomic
def record_inflow(
    actor,
    membership: PartyMembership,
    *,
    org: Organization,
    origin: str,
    since: dt.date,
    contact_person: str = "",
) -> FloatingRecord:
    """A member whose relationship stays elsewhere lives here now: assigned to the nearest
    branch `org` for organizational life (就近编入, 000:L35) from `since`."""
    m = membership
    gate.require(actor, gate.MANAGE, org)
    if m.org_id != org.pk:
        gate.require(actor, gate.MANAGE, m.org)
    origin = (origin or "").strip()
    errors: dict = {}
    if not origin:
        errors["origin"] = _("Enter where the member comes from.")
    if org.tree != Tree.PARTY or org.dissolved_on:
        errors["org"] = _("Assign the member to a Party organization in operation.")
    _may_start_floating(m, errors)
    if errors:
        raise ValidationError(errors)
    rec = FloatingRecord.objects.create(
        membership=m,
        direction=Floating.INFLOW,
        place=origin,
        valid_from=since,
        contact_person=(contact_person or "").strip(),
    )
    before = {"org": m.org.code}
    m.org, m.floating = org, Floating.INFLOW
    m.save(update_fields=["org", "floating"])
    restate_membership(m, since)
    audit(actor, "people.floating.record_inflow", rec, before=before, after=_snapshot(rec), org=org)
    return rec


@transaction.atomic
def issue_card(
    actor, record: FloatingRecord, card_number: str, on: dt.date | None = None
) -> FloatingRecord:
    """Issue (or reissue, e.g. when lost) the activity card (流动党员活动证, 000:L33)."""
    on, rec = on or timezone.localdate(), record
    gate.require(actor, gate.MANAGE, rec.membership.org)
    card_number = (card_number or "").strip()
    if not card_number:
        raise ValidationError({"card_number": _("Enter the activity card number.")})
    _check_open_on(rec, on)
    before = {"card_number": rec.card_number, "card_issued_on": rec.card_issued_on}
    rec.card_number, rec.card_issued_on = card_number, on
    rec.save(update_fields=["card_number", "card_issued_on"])
    audit(
        actor,
        "people.floating.issue_card",
        rec,
        before=before,
        after=_snapshot(rec),
        org=rec.membership.org,
    )
    return rec


@transaction.atomic
def record_return(actor, record: FloatingRecord, on: dt.date | None = None) -> FloatingRecord:
    """The member is back (or, for an inflow, has moved on): floating ends on `on`."""
    on, rec = on or timezone.localdate(), record
    m = rec.membership
    gate.require(actor, gate.MANAGE, m.org)
    if rec.valid_until is not None:
        raise ValidationError(
            {"on": _("This floating record ended on %(date)s.") % {"date": rec.valid_until}}
        )
    _check_open_on(rec, on)
    close_floating(m, on)
    m.save(update_fields=["floating"])
    restate_membership(m, on)
    rec.refresh_from_db(fields=["valid_until"])
    audit(actor, "people.floating.record_return", rec, after=_snapshot(rec), org=m.org)
    return rec


@transaction.atomic
def add_follow_up(
    actor,
    record: FloatingRecord,
    on: dt.date,
    thinking: str = "",
    employment: str = "",
    living: str = "",
    note: str = "",
) -> FollowUp:
    """The half-yearly check on a floating member's thinking, employment and living (000:L35)."""
    rec = record
    gate.require(actor, gate.MANAGE, rec.membership.org)
    _check_open_on(rec, on)
    texts = {
        "thinking": (thinking or "").strip(),
        "employment": (employment or "").strip(),
        "living": (living or "").strip(),
    }
    if not any(texts.values()):
        raise ValidationError(
            {"thinking": _("Record at least one of thinking, employment and living.")}
        )
    follow_up = FollowUp.objects.create(
        record=rec, on=on, note=(note or "").strip(), recorded_by=actor, **texts
    )
    # What was said stays on the record; the audit log keeps only that it was recorded.
    audit(
        actor,
        "people.floating.add_follow_up",
        follow_up,
        after={"record": rec.pk, "on": on, "filled": sorted(k for k, v in texts.items() if v)},
        org=rec.membership.org,
    )
    return follow_up


@transaction.atomic
def submit_monthly_report(
    actor, org: Organization, month: str, *, on: dt.date | None = None
) -> FloatingReport:
    """Freeze the month's inflow/outflow figures of `org`'s subtree as the report (000:L35).

    The figures are those as of the month end (as things stand, for the current month).
    A resubmission replaces the figures; the audit log keeps the ones replaced.
    """
    on = on or timezone.localdate()
    gate.require(actor, gate.MANAGE, org)
    first, _last = month_bounds(month)
    month = f"{first:%Y-%m}"
    if org.tree != Tree.PARTY:
        raise ValidationError({"org": _("Floating members are reported by Party organizations.")})
    if first > on:
        raise ValidationError(
            {"month": _("The month %(month)s has not started yet.") % {"month": month}}
        )
    figures = floating_month_figures(actor, org, month)
    report = FloatingReport.objects.select_for_update().filter(org=org, month=month).first()
    before = None
    if report is None:
        report = FloatingReport(org=org, month=month)
    else:
        before = {"figures": report.figures, "submitted_on": report.submitted_on}
    report.figures, report.submitted_on, report.submitted_by = figures, on, actor
    report.save()
    audit(
        actor,
        "people.floating.submit_report",
        report,
        before=before,
        after={"org": org.code, "month": month, "figures": figures, "submitted_on": on},
        org=org,
    )
    return report
