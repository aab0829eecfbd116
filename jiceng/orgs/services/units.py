"""Host units (单位): register, update (dated), close."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from jiceng.access import gate
from jiceng.audit.services import record

from ..models import Organization, Ownership, Tree, Unit, UnitKind
from ..text import search_key
from .history import end_unit, restate_unit
from .lifecycle import clean_name, name_problem

FIELDS = (
    "name",
    "kind",
    "ownership",
    "sector",
    "region_code",
    "employees",
    "revenue",
    "party_members",
    "address",
    "responsible_org",
    "responsible_union",
)


def credit_code_problem(code: str) -> str | None:
    try:
        uscc.validate(code)
    except uscc.InvalidLength:
        return _("A unified social credit code has 18 characters.")
    except uscc.InvalidChecksum:
        return _("The check character of this credit code is wrong; please check the code.")
    except uscc.ValidationError:
        return _("This is not a valid unified social credit code.")
    return None


def clean_credit_code(code: str) -> str:
    return uscc.compact(code or "").upper()


def unit_snapshot(unit: Unit) -> dict:
    data = {
        f: getattr(unit, f) for f in FIELDS if f not in ("responsible_org", "responsible_union")
    }
    data["responsible_org"] = unit.responsible_org.code if unit.responsible_org else None
    data["responsible_union"] = unit.responsible_union.code if unit.responsible_union else None
    data["credit_code"] = unit.credit_code
    return data


def _validate(fields: dict) -> dict:
    """Clean and check unit fields; raise one ValidationError naming every bad field."""
    errors, clean = {}, dict(fields)
    if "name" in fields:
        clean["name"] = clean_name(fields["name"])
        if problem := name_problem(clean["name"]):
            errors["name"] = problem
    if "kind" in fields and fields["kind"] not in UnitKind.values:
        errors["kind"] = _("Unknown unit kind.")
    if "ownership" in fields and fields["ownership"] not in Ownership.values:
        errors["ownership"] = _("Unknown ownership.")
    for field in ("employees", "party_members"):
        if field in fields:
            try:
                clean[field] = int(fields[field] or 0)
                if clean[field] < 0:
                    raise ValueError
            except (TypeError, ValueError):
                errors[field] = _("Enter a whole number, 0 or more.")
    if "revenue" in fields:
        try:
            clean["revenue"] = Decimal(str(fields["revenue"] or 0)).quantize(Decimal("0.01"))
            if clean["revenue"] < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["revenue"] = _("Enter an amount in yuan, 0 or more.")
    if "region_code" in fields:
        clean["region_code"] = str(fields["region_code"] or "").strip()
        if clean["region_code"] and not (
            clean["region_code"].isdigit() and len(clean["region_code"]) in (6, 9, 12)
        ):
            errors["region_code"] = _("A region code has 6, 9 or 12 digits.")
    for field, tree in (("responsible_org", Tree.PARTY), ("responsible_union", Tree.UNION)):
        org = fields.get(field)
        if org is not None and (not isinstance(org, Organization) or org.tree != tree):
            errors[field] = _("Choose an organization of the right tree.")
    if errors:
        raise ValidationError(errors)
    return clean


def _require_manage(actor, unit_fields: dict) -> None:
    owners = [
        o for o in (unit_fields.get("responsible_org"), unit_fields.get("responsible_union")) if o
    ]
    if not owners:
        if not gate.is_system_admin(actor):
            raise ValidationError({"responsible_org": _("Choose the responsible organization.")})
        return
    if not any(gate.can(actor, gate.MANAGE, o) for o in owners):
        gate.require(actor, gate.MANAGE, owners[0])


@transaction.atomic
def register_unit(actor, *, credit_code: str, on: dt.date | None = None, **fields) -> Unit:
    on = on or timezone.localdate()
    code = clean_credit_code(credit_code)
    errors = {}
    if problem := credit_code_problem(code):
        errors["credit_code"] = problem
    elif Unit.objects.filter(credit_code=code).exists():
        errors["credit_code"] = _("A unit with credit code %(code)s is already registered.") % {
            "code": code
        }
    try:
        fields = _validate({"sector": "", "address": "", **fields})
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    _require_manage(actor, fields)
    unit = Unit.objects.create(
        credit_code=code, search_name=search_key(fields["name"]), registered_on=on, **fields
    )
    restate_unit(unit, on)
    record(
        actor,
        "orgs.unit.register",
        unit,
        after=unit_snapshot(unit),
        org=unit.responsible_org or unit.responsible_union,
    )
    return unit


@transaction.atomic
def update_unit(actor, unit: Unit, *, on: dt.date | None = None, **changes) -> Unit:
    """Change a unit's figures or responsible organization from `on` (history kept)."""
    on = on or timezone.localdate()
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in unknown})
    _require_manage(
        actor,
        {"responsible_org": unit.responsible_org, "responsible_union": unit.responsible_union},
    )
    changes = _validate(changes)
    _require_manage(
        actor,
        {k: changes.get(k, getattr(unit, k)) for k in ("responsible_org", "responsible_union")},
    )
    before = unit_snapshot(unit)
    changed = {f: v for f, v in changes.items() if getattr(unit, f) != v}
    if not changed:
        return unit
    for field, new in changed.items():
        setattr(unit, field, new)
    unit.search_name = search_key(unit.name)
    unit.save()
    restate_unit(unit, on)
    record(
        actor,
        "orgs.unit.update",
        unit,
        before=before,
        after={**unit_snapshot(unit), "on": on},
        org=unit.responsible_org or unit.responsible_union,
    )
    return unit


@transaction.atomic
def close_unit(actor, unit: Unit, *, on: dt.date | None = None, reason: str = "") -> Unit:
    on = on or timezone.localdate()
    _require_manage(
        actor,
        {"responsible_org": unit.responsible_org, "responsible_union": unit.responsible_union},
    )
    if unit.host_links.filter(valid_until__isnull=True).exists():
        raise ValidationError(
            {
                "unit": _(
                    "Organizations are still set up in this unit; dissolve them or move them elsewhere first."
                )
            }
        )
    end_unit(unit, on)
    unit.closed_on = on
    unit.save(update_fields=["closed_on"])
    record(
        actor,
        "orgs.unit.close",
        unit,
        after={"closed_on": on, "reason": reason},
        org=unit.responsible_org or unit.responsible_union,
    )
    return unit
