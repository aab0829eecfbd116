"""Dated history tables: rows with a half-open range [valid_from, valid_until).

Shared by every app that keeps "as of" history (organizations, units, memberships).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _


def in_force_on(day: dt.date, prefix: str = "") -> Q:
    """Q for history rows whose [valid_from, valid_until) contains `day`."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day})
    )


def check_not_before(current_from: dt.date | None, on: dt.date, what: str) -> None:
    if current_from and on < current_from:
        raise ValidationError(
            {
                "on": _(
                    "The change date may not be before the last recorded change of %(what)s (%(date)s)."
                )
                % {"what": what, "date": current_from}
            }
        )


def open_since(model, owner_field: str, owner_ids) -> dt.date | None:
    """The latest start among the open rows of these owners."""
    return (
        model.objects.filter(**{f"{owner_field}__in": owner_ids, "valid_until__isnull": True})
        .order_by("-valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )


def close_open_rows(model, owner_field: str, owner_ids, on: dt.date) -> None:
    """End the open rows of these owners on `on`; a row that began that same day is superseded."""
    open_rows = model.objects.filter(
        **{f"{owner_field}__in": owner_ids, "valid_until__isnull": True}
    )
    open_rows.filter(valid_from=on).delete()
    open_rows.filter(valid_from__lt=on).update(valid_until=on)


def restate(model, owner_field: str, owners: list, on: dt.date, build, what: str) -> None:
    """From `on`, these owners stand as `build(owner, on)` says; refuse back-dating."""
    ids = [o.pk for o in owners]
    check_not_before(open_since(model, owner_field, ids), on, what)
    close_open_rows(model, owner_field, ids, on)
    model.objects.bulk_create([build(o, on) for o in owners], batch_size=2000)
