"""Writes to organizations. The lifecycle (merge, split, move, dissolve) comes with the orgs issue."""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record

from .models import Kind, Organization, tree_of
from .paths import child_path

# Codes appear in URLs, file names and spreadsheets: letters, digits and . _ - only.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def _clean_name(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip()


def _name_errors(name: str) -> str | None:
    if not name:
        return _("Enter the organization name.")
    if len(name) > 120:
        return _("The name is too long (at most 120 characters).")
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        return _("The name contains invisible control characters.")
    return None


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
    code, name = code.strip(), _clean_name(name)
    errors = {}
    if not code:
        errors["code"] = _("Enter the organization code.")
    elif not CODE_PATTERN.match(code):
        errors["code"] = _("Use up to 32 letters, digits, dots, underscores or hyphens.")
    elif Organization.objects.filter(code=code).exists():
        errors["code"] = _("Organization code %(code)s is already in use.") % {"code": code}
    if problem := _name_errors(name):
        errors["name"] = problem
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
    name = _clean_name(name)
    if problem := _name_errors(name):
        raise ValidationError({"name": problem})
    before = snapshot(org)
    org.name = name
    org.save(update_fields=["name"])
    record(actor, "org.rename", org, before=before, after=snapshot(org), org=org)
    return org
