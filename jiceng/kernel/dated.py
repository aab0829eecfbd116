"""Dated tables: rows in force over a half-open range [valid_from, valid_until).

The one date-range convention of the project: `valid_from` is the first day in force,
`valid_until` the first day no longer in force (NULL: open-ended). Every dated model
(history tables, role assignments, policy overrides, officers, delegate seats, floating
records) derives from `DatedRange` and is asked "in force on D" through `in_force(on)` or
`in_force_on(day, prefix)`. Users still see the last day in force: `last_day`.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ONE_DAY = dt.timedelta(days=1)


def in_force_on(day: dt.date, prefix: str = "") -> Q:
    """Q for history rows whose [valid_from, valid_until) contains `day`."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day})
    )


def until_after(last_day: dt.date | None) -> dt.date | None:
    """The exclusive end for a range whose last day in force is `last_day` (user input)."""
    return last_day + ONE_DAY if last_day else None


def last_day_before(until: dt.date | None) -> dt.date | None:
    """The last day in force of a range ending (exclusively) on `until`, as users see it."""
    return until - ONE_DAY if until else None


class DatedQuerySet(models.QuerySet):
    def in_force(self, on: dt.date):
        """The rows in force on `on`."""
        return self.filter(in_force_on(on))


class DatedRange(models.Model):
    """Abstract base of every dated table: [valid_from, valid_until), `valid_until` exclusive."""

    valid_from = models.DateField(gettext_lazy("valid from"))
    valid_until = models.DateField(gettext_lazy("valid until"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            # Users give the last day in force (valid_until - 1 day): it may equal the start.
            raise ValidationError(
                {"valid_until": _("The end date must not be before the start date.")}
            )

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    @property
    def last_day(self) -> dt.date | None:
        """The last day in force (None: open-ended) — what pages, API and CLI show."""
        return last_day_before(self.valid_until)


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
