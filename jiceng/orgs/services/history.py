"""Writing the dated history of organizations and units (see jiceng/kernel/dated.py)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.kernel.dated import check_not_before, close_open_rows, open_since, restate

from ..models import Organization, OrgState, Unit, UnitState


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
    what = orgs[0].name if len(orgs) == 1 else _("these organizations")
    restate(OrgState, "org", orgs, on, org_state_row, what)


def end_org(org: Organization, on: dt.date) -> None:
    check_not_before(open_since(OrgState, "org", [org.pk]), on, org.name)
    if org.founded_on and on <= org.founded_on:
        raise ValidationError(
            {"on": _("An organization cannot be dissolved on or before the day it was set up.")}
        )
    close_open_rows(OrgState, "org", [org.pk], on)


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
    restate(UnitState, "unit", [unit], on, unit_state_row, unit.name)


def end_unit(unit: Unit, on: dt.date) -> None:
    check_not_before(open_since(UnitState, "unit", [unit.pk]), on, unit.name)
    close_open_rows(UnitState, "unit", [unit.pk], on)
