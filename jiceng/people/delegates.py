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
    term_from: dt.date,
    term_until: dt.date | None = None,
) -> Delegate:
    gate.require(actor, gate.MANAGE, org)
    if category not in DelegateCategory.values:
        raise ValidationError({"category": _("Unknown delegate category.")})
    if term_until and term_until <= term_from:
        raise ValidationError({"term_until": _("The term must end after it begins.")})
    seats = Delegate.objects.filter(person=person, org=org)
    if seats.filter(Q(term_until__isnull=True) | Q(term_until__gt=term_from)).exists():
        raise ValidationError({"person": _("This person already holds a delegate seat here.")})
    seat = Delegate.objects.create(
        person=person, org=org, category=category, term_from=term_from, term_until=term_until
    )
    record(
        actor,
        "union.delegate",
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
    if seat.term_until is not None and seat.term_until <= on:
        raise ValidationError(
            {"on": _("This seat already ended on %(date)s.") % {"date": seat.term_until}}
        )
    if on <= seat.term_from:
        raise ValidationError(
            {
                "on": _("The seat can only end after its term began (%(date)s).")
                % {"date": seat.term_from}
            }
        )
    before = {"term_until": seat.term_until}
    seat.term_until = on
    seat.save(update_fields=["term_until"])
    record(
        actor,
        "union.delegate_end",
        seat,
        before=before,
        after={"person": seat.person.name, "org": seat.org.code, "term_until": on},
        org=seat.org,
    )
    return seat
