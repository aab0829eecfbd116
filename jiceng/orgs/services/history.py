"""Writing dated history rows: close what ends on a day, open what starts on it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Organization, OrgState, Unit, UnitState


def _check_not_before(current_from: dt.date | None, on: dt.date, what: str) -> None:
    if current_from and on < current_from:
        raise ValidationError(
            {
                "on": _(
                    "The change date may not be before the last recorded change of %(what)s (%(date)s)."
                )
                % {"what": what, "date": current_from}
            }
        )


def _close_open_rows(model, owner_field: str, owner_ids, on: dt.date) -> None:
    """End the open rows of these owners on `on`; a row that began that same day is superseded."""
    open_rows = model.objects.filter(
        **{f"{owner_field}__in": owner_ids, "valid_until__isnull": True}
    )
    open_rows.filter(valid_from=on).delete()
    open_rows.filter(valid_from__lt=on).update(valid_until=on)


def org_state_row(org: Organization, on: dt.date) -> OrgState:
    return OrgState(
        org=org,
        valid_from=on,
        parent_id=org.parent_id,
        path=org.path,
        depth=org.depth,
        name=org.name,
        kind=org.kind,
        tree=org.tree,
    )


def restate_orgs(orgs: list[Organization], on: dt.date) -> None:
    """Record that from `on` these organizations stand as their current fields say."""
    last = OrgState.objects.filter(org__in=orgs, valid_until__isnull=True).order_by("-valid_from")
    latest = last.values_list("valid_from", flat=True).first()
    _check_not_before(latest, on, orgs[0].name if len(orgs) == 1 else _("these organizations"))
    _close_open_rows(OrgState, "org", [o.pk for o in orgs], on)
    OrgState.objects.bulk_create([org_state_row(o, on) for o in orgs], batch_size=2000)


def end_org(org: Organization, on: dt.date) -> None:
    latest = (
        OrgState.objects.filter(org=org, valid_until__isnull=True)
        .values_list("valid_from", flat=True)
        .first()
    )
    _check_not_before(latest, on, org.name)
    if org.founded_on and on <= org.founded_on:
        raise ValidationError(
            {"on": _("An organization cannot be dissolved on or before the day it was set up.")}
        )
    _close_open_rows(OrgState, "org", [org.pk], on)


def unit_state_row(unit: Unit, on: dt.date) -> UnitState:
    return UnitState(
        unit=unit,
        valid_from=on,
        kind=unit.kind,
        ownership=unit.ownership,
        employees=unit.employees,
        revenue=unit.revenue,
        party_members=unit.party_members,
        region_code=unit.region_code,
        responsible_org_id=unit.responsible_org_id,
        responsible_union_id=unit.responsible_union_id,
    )


def restate_unit(unit: Unit, on: dt.date) -> None:
    latest = (
        UnitState.objects.filter(unit=unit, valid_until__isnull=True)
        .values_list("valid_from", flat=True)
        .first()
    )
    _check_not_before(latest, on, unit.name)
    _close_open_rows(UnitState, "unit", [unit.pk], on)
    unit_state_row(unit, on).save()


def end_unit(unit: Unit, on: dt.date) -> None:
    latest = (
        UnitState.objects.filter(unit=unit, valid_until__isnull=True)
        .values_list("valid_from", flat=True)
        .first()
    )
    _check_not_before(latest, on, unit.name)
    _close_open_rows(UnitState, "unit", [unit.pk], on)
