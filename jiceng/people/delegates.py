"""Ending a congress delegate's seat (seating one is `services.seat_delegate`)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record

from .models import Delegate


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
