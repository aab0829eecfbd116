"""Congress delegate seats: seating a delegate and ending a seat."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.orgs.models import Organization

from .models import Delegate, DelegateCategory, Person


@transaction.atomic
def seat_delegate(
    actor,
    person: Person,
    *,
    org: Organization,
    category: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
) -> Delegate:
    """Seat `person` at `org`'s congress over [valid_from, valid_until) (`valid_until`: the day
    the seat ends, exclusive)."""
    gate.require(actor, gate.MANAGE, org)
    if category not in DelegateCategory.values:
        raise ValidationError({"category": _("Unknown delegate category.")})
    if valid_until and valid_until <= valid_from:
        raise ValidationError({"valid_until": _("The term must end after it begins.")})
    seats = Delegate.objects.filter(person=person, org=org)
    if seats.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=valid_from)).exists():
        raise ValidationError({"person": _("This person already holds a delegate seat here.")})
    seat = Delegate.objects.create(
        person=person, org=org, category=category, valid_from=valid_from, valid_until=valid_until
    )
    record(
        actor,
        "people.delegate.seat",
        seat,
        after={"person": person.name, "org": org.code, "category": category},
        org=org,
    )
    return seat


@transaction.atomic
def end_seat(actor, seat: Delegate, on: dt.date) -> Delegate:
    """The delegate leaves the congress on `on` (term ended early: left the unit, resigned,
    recalled); the seat is kept with its dates."""
    gate.require(actor, gate.MANAGE, seat.org)
    seat = Delegate.objects.select_for_update().select_related("person", "org").get(pk=seat.pk)
    if seat.valid_until is not None and seat.valid_until <= on:
        raise ValidationError(
            {"on": _("This seat already ended on %(date)s.") % {"date": seat.valid_until}}
        )
    if on <= seat.valid_from:
        raise ValidationError(
            {
                "on": _("The seat can only end after its term began (%(date)s).")
                % {"date": seat.valid_from}
            }
        )
    before = {"valid_until": seat.valid_until}
    seat.valid_until = on  # the seat's range is [valid_from, on)
    seat.save(update_fields=["valid_until"])
    record(
        actor,
        "people.delegate.end_seat",
        seat,
        before=before,
        after={"person": seat.person.name, "org": seat.org.code, "valid_until": on},
        org=seat.org,
    )
    return seat
