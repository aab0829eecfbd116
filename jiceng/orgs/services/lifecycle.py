"""The organization lifecycle: set up, rename, move, merge, split, dissolve, host units.

Every call is dated (`on`), checked against the gate and policy, runs in one
transaction, rewrites the dated history and appends an audit event.
"""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.kernel.paths import child_path, subtree_q
from jiceng.policy.selectors import value as policy_value

from ..models import FormationMode, HostLink, Kind, ManagementMode, Organization, Unit, tree_of
from ..text import search_key
from .history import end_org, restate_orgs

# Codes appear in URLs, file names and spreadsheets: letters, digits and . _ - only.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def clean_name(name: str) -> str:
    return unicodedata.normalize("NFC", name or "").strip()


def name_problem(name: str) -> str | None:
    if not name:
        return _("Enter the name.")
    if len(name) > 120:
        return _("The name is too long (at most 120 characters).")
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        return _("The name contains invisible control characters.")
    return None


def code_problem(code: str, model=Organization) -> str | None:
    if not code:
        return _("Enter the organization code.")
    if not CODE_PATTERN.match(code):
        return _("Use up to 32 letters, digits, dots, underscores or hyphens.")
    if model.objects.filter(code=code).exists():
        return _("Organization code %(code)s is already in use.") % {"code": code}
    return None


def snapshot(org: Organization) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "parent": org.parent.code if org.parent else None,
        "path": org.path,
        "founded_on": org.founded_on,
        "dissolved_on": org.dissolved_on,
        "formation_mode": org.formation_mode,
        "management_mode": org.management_mode,
    }


def _today(on):
    return on or timezone.localdate()


def _require_active(org: Organization, field: str = "org") -> None:
    if not org.is_active:
        raise ValidationError({field: _("%(org)s has been dissolved.") % {"org": org.name}})


@transaction.atomic
def set_up(
    actor,
    *,
    code: str,
    name: str,
    kind: str,
    parent: Organization | None = None,
    founded_on: dt.date | None = None,
    formation_mode: str = FormationMode.STANDALONE,
    management_mode: str = ManagementMode.TERRITORIAL,
    units=(),
    **flags,
) -> Organization:
    """Set up a new organization under `parent` (a root needs a system administrator)."""
    code, name = (code or "").strip(), clean_name(name)
    founded_on = _today(founded_on)
    errors = {}
    if problem := code_problem(code):
        errors["code"] = problem
    if problem := name_problem(name):
        errors["name"] = problem
    if kind not in Kind.values:
        errors["kind"] = _("Unknown organization kind.")
    elif parent is not None and tree_of(kind) != parent.tree:
        errors["parent"] = _(
            "A Party organization and a trade union cannot be placed under each other."
        )
    if formation_mode not in FormationMode.values:
        errors["formation_mode"] = _("Unknown formation mode.")
    if management_mode not in ManagementMode.values:
        errors["management_mode"] = _("Unknown management mode.")
    if errors:
        raise ValidationError(errors)
    if parent is None:
        if not gate.is_system_admin(actor):
            raise ValidationError({"parent": _("Choose the upper-level organization.")})
    else:
        gate.require(actor, gate.MANAGE, parent)
        _require_active(parent, "parent")
    org = Organization.objects.create(
        code=code,
        name=name,
        search_name=search_key(name),
        kind=kind,
        tree=tree_of(kind),
        parent=parent,
        founded_on=founded_on,
        depth=(parent.depth + 1) if parent else 0,
        formation_mode=formation_mode,
        management_mode=management_mode,
        **flags,
    )
    org.path = child_path(parent.path if parent else None, org.pk)
    org.save(update_fields=["path"])
    restate_orgs([org], founded_on)
    if units:
        _link_units(org, list(units), founded_on)
    record(
        actor,
        "orgs.org.set_up",
        org,
        after={**snapshot(org), "units": [u.credit_code for u in units]},
        org=org,
    )
    return org


@transaction.atomic
def rename(actor, org: Organization, *, name: str, on: dt.date | None = None) -> Organization:
    gate.require(actor, gate.MANAGE, org)
    _require_active(org)
    name = clean_name(name)
    if problem := name_problem(name):
        raise ValidationError({"name": problem})
    before = snapshot(org)
    org.name, org.search_name = name, search_key(name)
    org.save(update_fields=["name", "search_name"])
    restate_orgs([org], _today(on))
    record(actor, "orgs.org.rename", org, before=before, after=snapshot(org), org=org)
    return org


def _subtree(org: Organization):
    return Organization.objects.filter(subtree_q(org.path))


@transaction.atomic
def move(
    actor,
    org: Organization,
    *,
    new_parent: Organization,
    on: dt.date | None = None,
    audit: bool = True,
) -> Organization:
    """Place `org` and its whole subtree under `new_parent` from `on`."""
    on = _today(on)
    gate.require(actor, gate.MANAGE, org)
    gate.require(actor, gate.MANAGE, new_parent)
    _require_active(org)
    _require_active(new_parent, "new_parent")
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError(
            {
                "new_parent": _(
                    "%(org)s cannot be moved under itself or under one of its own subordinate organizations."
                )
                % {"org": org.name}
            }
        )
    if new_parent.tree != org.tree:
        raise ValidationError(
            {
                "new_parent": _(
                    "A Party organization and a trade union cannot be placed under each other."
                )
            }
        )
    if org.parent_id == new_parent.pk:
        return org
    before = snapshot(org)
    old_prefix, new_prefix = org.path, child_path(new_parent.path, org.pk)
    shift = new_parent.depth + 1 - org.depth
    moved = _subtree(org)
    count = moved.count()
    moved.update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
        depth=F("depth") + shift,
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    restate_orgs(list(_subtree(org).filter(dissolved_on__isnull=True)), on)
    if audit:
        record(
            actor,
            "orgs.org.move",
            org,
            before=before,
            after={**snapshot(org), "on": on, "organizations_moved": count},
            org=org,
        )
    return org


def _link_units(org: Organization, units: list[Unit], on: dt.date) -> None:
    limit = int(policy_value("orgs.joint_branch.max_units", org=org.parent or org, on=on))
    if len(units) > limit:
        raise ValidationError(
            {
                "units": _(
                    "An organization may cover at most %(n)s units (policy orgs.joint_branch.max_units)."
                )
                % {"n": limit}
            }
        )
    if len(units) > 1 and org.formation_mode != FormationMode.JOINT:
        org.formation_mode = FormationMode.JOINT
        org.save(update_fields=["formation_mode"])
    wanted = {u.pk for u in units}
    links = HostLink.objects.filter(org=org, valid_until__isnull=True)
    links.exclude(unit_id__in=wanted).filter(valid_from=on).delete()
    links.exclude(unit_id__in=wanted).update(valid_until=on)
    have = set(links.values_list("unit_id", flat=True))
    HostLink.objects.bulk_create(
        [HostLink(org=org, unit_id=pk, valid_from=on) for pk in wanted - have]
    )


@transaction.atomic
def set_host_units(actor, org: Organization, *, units: list[Unit], on: dt.date | None = None):
    """From `on`, `org` is set up in exactly `units` (a joint branch covers several)."""
    gate.require(actor, gate.MANAGE, org)
    _require_active(org)
    before = sorted(
        org.host_links.filter(valid_until__isnull=True).values_list("unit__credit_code", flat=True)
    )
    _link_units(org, units, _today(on))
    record(
        actor,
        "orgs.org.set_host_units",
        org,
        before={"units": before},
        after={"units": sorted(u.credit_code for u in units), "on": _today(on)},
        org=org,
    )
    return org


@transaction.atomic
def dissolve(
    actor, org: Organization, *, on: dt.date | None = None, reason: str = ""
) -> Organization:
    """Dissolve (撤销) an organization that no longer has active subordinate organizations."""
    on = _today(on)
    gate.require(actor, gate.MANAGE, org.parent or org)
    _require_active(org)
    if org.children.filter(dissolved_on__isnull=True).exists():
        raise ValidationError(
            {
                "org": _(
                    "%(org)s still has subordinate organizations; move or dissolve them first."
                )
                % {"org": org.name}
            }
        )
    before = snapshot(org)
    end_org(org, on)
    HostLink.objects.filter(org=org, valid_until__isnull=True).update(valid_until=on)
    org.dissolved_on = on
    org.save(update_fields=["dissolved_on"])
    record(
        actor,
        "orgs.org.dissolve",
        org,
        before=before,
        after={**snapshot(org), "reason": reason},
        org=org,
    )
    return org


@transaction.atomic
def merge(actor, sources: list[Organization], *, into: Organization, on: dt.date | None = None):
    """Merge `sources` into `into`: their subordinates and host units pass to it, they dissolve."""
    on = _today(on)
    gate.require(actor, gate.MANAGE, into)
    _require_active(into, "into")
    if into in sources or not sources:
        raise ValidationError({"sources": _("Choose the organizations to merge into another one.")})
    for source in sources:
        gate.require(actor, gate.MANAGE, source)
        _require_active(source, "sources")
        if source.tree != into.tree:
            raise ValidationError(
                {
                    "sources": _(
                        "A Party organization and a trade union cannot be placed under each other."
                    )
                }
            )
        if into.path.startswith(source.path):
            raise ValidationError(
                {
                    "sources": _("%(org)s cannot be merged into its own subordinate organization.")
                    % {"org": source.name}
                }
            )
    for source in sources:
        for child in source.children.filter(dissolved_on__isnull=True):
            move(actor, child, new_parent=into, on=on, audit=False)
        units = list(
            Unit.objects.filter(host_links__org=source, host_links__valid_until__isnull=True)
        )
        current = list(
            Unit.objects.filter(host_links__org=into, host_links__valid_until__isnull=True)
        )
        _link_units(into, list({u.pk: u for u in current + units}.values()), on)
        source.refresh_from_db()
        dissolve(actor, source, on=on, reason=_("merged into %(org)s") % {"org": into.name})
        record(actor, "orgs.org.merge", into, after={"merged": source.code, "on": on}, org=into)
    return into


@transaction.atomic
def split(actor, org: Organization, *, parts: list[dict], on: dt.date | None = None):
    """Split off new sibling organizations from `org`, each taking the units and subordinates given.

    Each part: {"code", "name", "kind" (default: org's kind), "units": [...], "children": [...]}.
    """
    on = _today(on)
    gate.require(actor, gate.MANAGE, org)
    _require_active(org)
    if not parts:
        raise ValidationError({"parts": _("Describe at least one new organization.")})
    created = []
    kept = {
        u.pk: u
        for u in Unit.objects.filter(host_links__org=org, host_links__valid_until__isnull=True)
    }
    for part in parts:
        units = list(part.get("units", []))
        if any(u.pk not in kept for u in units):
            raise ValidationError(
                {"units": _("Only units of the organization being split can be handed over.")}
            )
        parent = org.parent or org
        new = set_up(
            actor,
            code=part["code"],
            name=part["name"],
            kind=part.get("kind", org.kind),
            parent=parent,
            founded_on=on,
            formation_mode=org.formation_mode,
            management_mode=org.management_mode,
            units=units,
        )
        for child in part.get("children", []):
            if child.parent_id != org.pk:
                raise ValidationError(
                    {
                        "children": _(
                            "Only subordinates of the organization being split can be handed over."
                        )
                    }
                )
            move(actor, child, new_parent=new, on=on, audit=False)
        for u in units:
            kept.pop(u.pk, None)
        created.append(new)
    _link_units(org, list(kept.values()), on)
    record(
        actor, "orgs.org.split", org, after={"into": [n.code for n in created], "on": on}, org=org
    )
    return created


FLAG_FIELDS = (
    "is_temporary",
    "for_floating_members",
    "has_committee",
    "reported_members",
    "standing",
    "class_level",
    "empty_shell",
    "form_without_substance",
    "formation_mode",
    "management_mode",
)


@transaction.atomic
def update_flags(actor, org: Organization, **changes) -> Organization:
    """Status flags and counts that are not part of the dated tree history."""
    gate.require(actor, gate.MANAGE, org)
    unknown = set(changes) - set(FLAG_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in unknown})
    before = {f: getattr(org, f) for f in changes}
    for field, new in changes.items():
        setattr(org, field, new)
    org.full_clean(exclude=["path", "parent", "code"])
    org.save(update_fields=list(changes))
    record(actor, "orgs.org.set_flags", org, before=before, after=changes, org=org)
    return org
