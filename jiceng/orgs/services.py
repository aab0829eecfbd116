"""Writes to organizations. The lifecycle (merge, split, move, dissolve) comes with the orgs issue."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record

from .models import Kind, Organization, tree_of
from .paths import child_path


def snapshot(org: Organization) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "parent": org.parent.code if org.parent else None,
        "founded_on": org.founded_on,
    }


@transaction.atomic
def set_up(
    actor,
    *,
    code: str,
    name: str,
    kind: str,
    parent: Organization | None = None,
    founded_on: dt.date | None = None,
) -> Organization:
    """Set up a new organization under `parent` (a root needs a system administrator)."""
    code, name = code.strip(), name.strip()
    errors = {}
    if not code:
        errors["code"] = _("Enter the organization code.")
    elif Organization.objects.filter(code=code).exists():
        errors["code"] = _("Organization code %(code)s is already in use.") % {"code": code}
    if not name:
        errors["name"] = _("Enter the organization name.")
    if kind not in Kind.values:
        errors["kind"] = _("Unknown organization kind.")
    if errors:
        raise ValidationError(errors)
    if parent is None:
        if not gate.is_system_admin(actor):
            raise ValidationError({"parent": _("Choose the upper-level organization.")})
    else:
        gate.require(actor, gate.MANAGE, parent)
    org = Organization.objects.create(
        code=code,
        name=name,
        kind=kind,
        tree=tree_of(kind),
        parent=parent,
        founded_on=founded_on,
        depth=(parent.depth + 1) if parent else 0,
    )
    org.path = child_path(parent.path if parent else None, org.pk)
    org.save(update_fields=["path"])
    record(actor, "org.set_up", org, after=snapshot(org), org=org)
    return org


@transaction.atomic
def rename(actor, org: Organization, *, name: str) -> Organization:
    gate.require(actor, gate.MANAGE, org)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the organization name.")})
    before = snapshot(org)
    org.name = name
    org.save(update_fields=["name"])
    record(actor, "org.rename", org, before=before, after=snapshot(org), org=org)
    return org
