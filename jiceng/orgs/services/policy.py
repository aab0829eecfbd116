"""Writing subtree overrides of policy values.

Overriding policy is an act on an organization's subtree: the actor must manage the
organization, so the write lives with the organizations (above access), while the lookup of
values stays in `jiceng.policy` below access for every app to read."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.policy.models import PolicyOverride
from jiceng.policy.registry import definition


def _same_type(default, value) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


@transaction.atomic
def set_override(
    actor,
    *,
    key: str,
    org,
    value,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    reason: str,
) -> PolicyOverride:
    """Give `org`'s subtree its own value for `key` over [valid_from, valid_until), `valid_until`
    exclusive (an administrator's act)."""
    gate.require(actor, gate.ADMIN, org)
    try:
        d = definition(key)
    except KeyError:
        raise ValidationError({"key": _("Unknown policy key.")}) from None
    default = d.periods[-1].value
    errors = {}
    if not _same_type(default, value):
        errors["value"] = _("The value must be of the same type as the default (%(default)r).") % {
            "default": default
        }
    if valid_until and valid_until <= valid_from:
        errors["valid_until"] = _("The end date must not be before the start date.")
    if not reason.strip():
        errors["reason"] = _("Give the reason or the document that sets this value.")
    if errors:
        raise ValidationError(errors)
    override = PolicyOverride.objects.create(
        key=key,
        org=org,
        value=value,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=reason.strip(),
        created_by=actor,
    )
    record(
        actor,
        "policy.override.set",
        override,
        org=org,
        after={
            "key": key,
            "org": org.code,
            "value": value,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "reason": override.reason,
        },
    )
    return override
