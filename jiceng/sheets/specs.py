"""The spreadsheets of host units and organizations: columns, checks, upserts, exports.

Rows are matched by their key (a unit's credit code, an organization's code): a new key is
registered or set up, an existing one is changed through the services only where the file
differs, so a re-import of an export changes nothing. An empty cell means the column's
default; a column missing from the file leaves that field alone. References to
organizations and units are resolved through the gate: one outside the importer's scope
reads as "no such organization", exactly like one that does not exist.
"""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.access import gate
from jiceng.kernel.paths import subtree_q
from jiceng.orgs.models import (
    FormationMode,
    HostLink,
    Kind,
    ManagementMode,
    Organization,
    Ownership,
    Tree,
    Unit,
    UnitKind,
    tree_of,
)
from jiceng.orgs.services import (
    move,
    register_unit,
    rename,
    set_host_units,
    set_up,
    update_flags,
    update_unit,
)
from jiceng.orgs.services.lifecycle import CODE_PATTERN, name_problem
from jiceng.orgs.services.units import credit_code_problem
from jiceng.policy.selectors import value as policy_value
from jiceng.sheets import layer as sheets
from jiceng.sheets.layer import CREATED, UNCHANGED, UPDATED, Choices, Column, Row, SheetSpec

UNIT_KINDS = Choices(
    [
        (UnitKind.ENTERPRISE, "企业"),
        (UnitKind.COMMUNITY, "社区"),
        (UnitKind.VILLAGE, "行政村", "村"),
        (UnitKind.SCHOOL, "学校"),
        (UnitKind.HOSPITAL, "医院"),
        (UnitKind.GOVERNMENT, "机关", "党政机关"),
        (UnitKind.INSTITUTION, "事业单位"),
        (UnitKind.SOCIAL_ORG, "社会组织"),
        (UnitKind.OFFICE_BUILDING, "商务楼宇", "楼宇"),
        (UnitKind.OTHER, "其他"),
    ],
    enum=UnitKind,
)
OWNERSHIP = Choices(
    [
        (Ownership.STATE, "国有"),
        (Ownership.COLLECTIVE, "集体"),
        (Ownership.NON_PUBLIC, "非公", "非公有制", "民营"),
    ],
    enum=Ownership,
)
ORG_KINDS = Choices(
    [
        (Kind.PARTY_COMMITTEE, "党委", "党委员会"),
        (Kind.PARTY_WORKING_COMMITTEE, "党工委"),
        (Kind.PARTY_LEADERSHIP_GROUP, "党组"),
        (Kind.GENERAL_BRANCH, "党总支", "党总支部"),
        (Kind.BRANCH, "党支部", "支部"),
        (Kind.PARTY_GROUP, "党小组"),
        (Kind.UNION_FEDERATION, "总工会"),
        (Kind.UNION, "基层工会委员会", "基层工会"),
        (Kind.JOINT_UNION, "联合基层工会", "联合工会"),
        (Kind.UNION_GROUP, "工会小组"),
    ],
    enum=Kind,
)
FORMATION = Choices(
    [
        (FormationMode.STANDALONE, "单独", "单独组建", "单建"),
        (FormationMode.JOINT, "联合", "联合组建", "联建"),
        (FormationMode.INDUSTRY, "行业", "行业组建"),
        (FormationMode.AREA, "区域", "区域组建"),
        (FormationMode.ATTACHED, "挂靠", "挂靠组建"),
    ],
    enum=FormationMode,
)
MANAGEMENT = Choices(
    [
        (ManagementMode.TERRITORIAL, "属地", "属地管理"),
        (ManagementMode.SECTORAL, "行业", "行业管理"),
    ],
    enum=ManagementMode,
)


def _org_code_problem(value: str) -> str | None:
    if not CODE_PATTERN.match(value):
        return _("Use up to 32 letters, digits, dots, underscores or hyphens.")
    return None


def _region_problem(value: str) -> str | None:
    if not (value.isdigit() and len(value) in (6, 9, 12)):
        return _("A region code has 6, 9 or 12 digits.")
    return None


credit_code = sheets.code(upper=True, drop="-", check=credit_code_problem)
org_code = sheets.code(check=_org_code_problem)


def _no_org(code: str) -> str:
    return _("There is no organization with code %(code)s within your scope.") % {"code": code}


def _not_yours(org) -> str:
    return _("You may not manage %(org)s (%(code)s).") % {"org": org.name, "code": org.code}


def _dissolved(org) -> str:
    return _("%(org)s has been dissolved.") % {"org": org.name}


class _OrgLookup:
    """Organizations by code, fetched in batches and remembered for one import pass."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.by_code: dict[str, Organization | None] = ctx.cache.setdefault("orgs", {})

    def load(self, codes) -> None:
        wanted = {c for c in codes if c and c not in self.by_code}
        if not wanted:
            return
        found = Organization.objects.select_related("parent").filter(code__in=wanted)
        for org in found:
            self.by_code[org.code] = org
        for c in wanted:
            self.by_code.setdefault(c, None)

    def get(self, code: str) -> Organization | None:
        self.load([code])
        return self.by_code.get(code)


def _visible_in(actor, roots, field: str = "") -> Q:
    """Rows whose organization (through `field`) `actor` sees and that lie under `roots`."""
    prefix = f"{field}__" if field else ""
    under = Q(pk__in=[])
    for root in roots:
        under |= subtree_q(root.path, f"{prefix}path")
    return gate.org_filter(actor, gate.VIEW, field=field) & under


class UnitSheet(SheetSpec):
    kind = "units"
    title = "单位"
    label = gettext_lazy("Host units")
    description = gettext_lazy(
        "Enterprises, communities, villages and other units, keyed by their unified social "
        "credit code. A new code registers a unit; an existing one is updated where the file "
        "differs."
    )
    key = "credit_code"
    columns = (
        Column(
            "统一社会信用代码",
            "credit_code",
            credit_code,
            required=True,
            width=22,
            as_text=True,
            aliases=("信用代码",),
            help=gettext_lazy("18 characters; identifies the unit."),
        ),
        Column(
            "单位名称",
            "name",
            sheets.text(120, name_problem),
            required=True,
            width=32,
        ),
        Column("单位类型", "kind", required=True, choices=UNIT_KINDS, width=12),
        Column("经济类型", "ownership", required=True, choices=OWNERSHIP, width=10),
        Column("行业", "sector", sheets.text(60), default="", width=14),
        Column(
            "行政区划代码",
            "region_code",
            sheets.code(check=_region_problem),
            default="",
            as_text=True,
            help=gettext_lazy("6, 9 or 12 digits."),
        ),
        Column("职工人数", "employees", sheets.integer(), default=0, width=10),
        Column(
            "年营业收入（元）",
            "revenue",
            sheets.decimal(),
            default=sheets.Decimal("0.00"),
            width=16,
            help=gettext_lazy("In yuan, e.g. 1234.50."),
        ),
        Column("在职党员数", "party_members", sheets.integer(), default=0, width=10),
        Column("地址", "address", sheets.text(200), default="", width=32),
        Column(
            "负责党组织代码",
            "responsible_org",
            org_code,
            default="",
            as_text=True,
            help=gettext_lazy("Code of a Party organization you manage."),
        ),
        Column(
            "负责工会代码",
            "responsible_union",
            org_code,
            default="",
            as_text=True,
            help=gettext_lazy("Code of the responsible union federation."),
        ),
    )
    OWNERS = (("responsible_org", Tree.PARTY), ("responsible_union", Tree.UNION))

    def _units(self, ctx, rows) -> dict[str, Unit]:
        codes = [r.values["credit_code"] for r in rows if r.ok("credit_code")]
        found = Unit.objects.filter(credit_code__in=codes).select_related(
            "responsible_org", "responsible_union"
        )
        return {u.credit_code: u for u in found}

    def check(self, ctx, rows: list[Row]) -> None:
        existing = self._units(ctx, rows)
        orgs = _OrgLookup(ctx)
        orgs.load(r.values.get(f) for r in rows for f, _tree in self.OWNERS)
        for row in rows:
            unit = existing.get(row.values.get("credit_code")) if row.ok("credit_code") else None
            if unit is not None:
                if unit.closed_on:
                    row.error(
                        "credit_code",
                        _("This unit was closed on %(date)s; it cannot be changed by import.")
                        % {"date": unit.closed_on},
                    )
                elif not ctx.is_system_admin and not any(
                    ctx.can(gate.MANAGE, getattr(unit, f)) for f, _tree in self.OWNERS
                ):
                    row.error(
                        "credit_code",
                        _("This unit is registered under an organization you may not manage."),
                    )
            owners = []
            for f, tree in self.OWNERS:
                owner = self._check_owner(ctx, orgs, row, unit, f, tree)
                if owner is not None:
                    owners.append(owner)
            if (
                ctx.is_system_admin
                or "credit_code" in row.errors
                or any(f in row.errors for f, _tree in self.OWNERS)
            ):
                continue
            if not owners:
                row.error("responsible_org", _("Enter the code of the responsible organization."))
            elif not any(ctx.can(gate.MANAGE, o) for o in owners):
                row.error(
                    "responsible_org", _("You may not manage any of the responsible organizations.")
                )

    def _check_owner(self, ctx, orgs, row, unit, f, tree):
        """The organization the row names in column `f` (or keeps, when absent), checked."""
        if f not in row.values:
            return getattr(unit, f) if unit else None
        if f in row.errors or not row.values[f]:
            return None
        code = row.values[f]
        current = getattr(unit, f) if unit else None
        if current is not None and current.code == code:
            return current  # unchanged: no need to see it
        org = orgs.get(code)
        if org is None or not ctx.can(gate.VIEW, org):
            row.error(f, _no_org(code))
        elif org.tree != tree:
            message = (
                _("%(code)s is not a Party organization.")
                if tree == Tree.PARTY
                else _("%(code)s is not a trade union.")
            )
            row.error(f, message % {"code": code})
        elif not org.is_active:
            row.error(f, _dissolved(org))
        elif f == "responsible_org" and not ctx.can(gate.MANAGE, org):
            row.error(f, _not_yours(org))
        else:
            return org
        return None

    def prepare(self, ctx, rows: list[Row]) -> None:
        ctx.cache["units"] = self._units(ctx, rows)
        _OrgLookup(ctx).load(r.values.get(f) for r in rows for f, _tree in self.OWNERS)

    def apply_row(self, ctx, row: Row) -> str:
        values = dict(row.values)
        code = values.pop("credit_code")
        orgs = _OrgLookup(ctx)
        for f, _tree in self.OWNERS:
            if f in values:
                values[f] = orgs.get(values[f]) if values[f] else None
        unit = ctx.cache["units"].get(code)
        if unit is None:
            register_unit(ctx.actor, credit_code=code, on=ctx.today, **values)
            return CREATED
        changed = {f: v for f, v in values.items() if getattr(unit, f) != v}
        if not changed:
            return UNCHANGED
        update_unit(ctx.actor, unit, on=ctx.today, **changed)
        return UPDATED

    def export_rows(self, actor, orgs):
        roots = list(orgs)
        found = (
            Unit.objects.filter(
                _visible_in(actor, roots, "responsible_org")
                | _visible_in(actor, roots, "responsible_union"),
                closed_on__isnull=True,
            )
            .select_related("responsible_org", "responsible_union")
            .order_by("credit_code")
        )
        for unit in found.iterator(chunk_size=2000):
            yield {
                "credit_code": unit.credit_code,
                "name": unit.name,
                "kind": unit.kind,
                "ownership": unit.ownership,
                "sector": unit.sector,
                "region_code": unit.region_code,
                "employees": unit.employees,
                "revenue": unit.revenue,
                "party_members": unit.party_members,
                "address": unit.address,
                "responsible_org": unit.responsible_org.code if unit.responsible_org else "",
                "responsible_union": unit.responsible_union.code if unit.responsible_union else "",
            }


ORG_FLAGS = ("formation_mode", "management_mode", "reported_members", "has_committee")


class OrgSheet(SheetSpec):
    kind = "orgs"
    title = "组织"
    label = gettext_lazy("Organizations")
    description = gettext_lazy(
        "Party organizations and trade unions, keyed by their code. A row's upper-level "
        "organization must exist or be defined in an earlier row. A new code sets an "
        "organization up; an existing one is renamed, moved (dated today), re-linked to its "
        "units or has its flags updated where the file differs."
    )
    key = "code"
    field_aliases = {"new_parent": "parent", "org": "code", "sources": "code"}
    columns = (
        Column(
            "组织代码",
            "code",
            org_code,
            required=True,
            as_text=True,
            help=gettext_lazy("Letters, digits, dots, underscores or hyphens; identifies the row."),
        ),
        Column("组织名称", "name", sheets.text(120, name_problem), required=True, width=32),
        Column("组织类别", "kind", required=True, choices=ORG_KINDS, width=14),
        Column(
            "上级组织代码",
            "parent",
            org_code,
            default="",
            as_text=True,
            help=gettext_lazy(
                "An existing organization you manage, or one defined in an earlier row. "
                "Empty: keep the current one."
            ),
        ),
        Column(
            "成立日期",
            "founded_on",
            sheets.date_value(),
            default=None,
            width=12,
            help=gettext_lazy("e.g. 2019-07-01. Empty: today."),
        ),
        Column(
            "组建方式",
            "formation_mode",
            default=FormationMode.STANDALONE,
            choices=FORMATION,
            width=10,
        ),
        Column(
            "管理方式",
            "management_mode",
            default=ManagementMode.TERRITORIAL,
            choices=MANAGEMENT,
            width=10,
        ),
        Column(
            "所在单位信用代码",
            "units",
            sheets.code_list(credit_code),
            default=(),
            width=24,
            as_text=True,
            help=gettext_lazy(
                "One or several credit codes separated by 、 , or ; (a joint branch covers "
                "several units)."
            ),
        ),
        Column("党员数", "reported_members", sheets.integer(), default=0, width=8),
        Column(
            "是否设支委会",
            "has_committee",
            sheets.yes_no(),
            default=False,
            choices=sheets.BOOL_CHOICES,
            width=12,
        ),
    )

    # -- checking --------------------------------------------------------------------

    def check(self, ctx, rows: list[Row]) -> None:
        orgs = _OrgLookup(ctx)
        orgs.load(r.values.get(f) for r in rows for f in ("code", "parent"))
        in_file: dict[str, str | None] = ctx.cache.setdefault("in_file", {})  # code → tree
        units = self._load_units(ctx, rows)
        for row in rows:
            org = orgs.get(row.values["code"]) if row.ok("code") else None
            tree = tree_of(row.values["kind"]) if row.ok("kind") else None
            if org is not None:
                self._check_existing(ctx, row, org)
            parent = self._check_parent(ctx, orgs, in_file, row, org, tree)
            self._check_units(ctx, units, row, org, parent)
            if row.ok("code") and "code" not in row.errors:
                in_file[row.values["code"]] = tree

    def _check_existing(self, ctx, row, org) -> None:
        if not ctx.can(gate.VIEW, org):
            row.error(
                "code", _("Organization code %(code)s is already in use.") % {"code": org.code}
            )
            return
        if not ctx.can(gate.MANAGE, org):
            row.error("code", _not_yours(org))
            return
        if not org.is_active:
            row.error("code", _dissolved(org))
            return
        if row.ok("kind") and row.values["kind"] != org.kind:
            row.error(
                "kind",
                _(
                    "The kind of an existing organization cannot be changed by import "
                    "(it is %(kind)s)."
                )
                % {"kind": ORG_KINDS.label(org.kind)},
            )
        founded = row.values.get("founded_on")
        if row.ok("founded_on") and founded and founded != org.founded_on:
            row.error(
                "founded_on",
                _(
                    "The founding date of an existing organization cannot be changed by import "
                    "(it is %(date)s)."
                )
                % {"date": org.founded_on},
            )

    def _check_parent(self, ctx, orgs, in_file, row, org, tree):
        """The parent in the database (None when new in this file or unchanged), checked."""
        if not row.ok("parent"):
            return org.parent if org else None
        code = row.values["parent"]
        if not code:
            if org is None and not ctx.is_system_admin:
                row.error("parent", _("Enter the code of the upper-level organization."))
            return org.parent if org else None
        if row.ok("code") and code == row.values["code"]:
            row.error("parent", _("An organization cannot be its own upper-level organization."))
            return None
        if org is not None and org.parent is not None and org.parent.code == code:
            return org.parent  # unchanged
        if code in in_file:
            parent_tree, parent = in_file[code], orgs.get(code)
        else:
            parent = orgs.get(code)
            if parent is None or not ctx.can(gate.VIEW, parent):
                row.error(
                    "parent",
                    _no_org(code)
                    + " "
                    + _(
                        "An upper-level organization defined in this file must come in an earlier row."
                    ),
                )
                return None
            if not ctx.can(gate.MANAGE, parent):
                row.error("parent", _not_yours(parent))
                return None
            if not parent.is_active:
                row.error("parent", _dissolved(parent))
                return None
            if org is not None and parent.path.startswith(org.path):
                row.error(
                    "parent",
                    _(
                        "%(org)s cannot be moved under itself or under one of its own "
                        "subordinate organizations."
                    )
                    % {"org": org.name},
                )
                return None
            parent_tree = parent.tree
        if tree and parent_tree and tree != parent_tree:
            row.error(
                "parent",
                _("A Party organization and a trade union cannot be placed under each other."),
            )
        return parent

    def _load_units(self, ctx, rows) -> dict[str, Unit | None]:
        by_code = ctx.cache.setdefault("units", {})
        wanted = {c for r in rows if r.ok("units") for c in r.values["units"]} - set(by_code)
        if wanted:
            for u in Unit.objects.filter(credit_code__in=wanted).select_related(
                "responsible_org", "responsible_union"
            ):
                by_code[u.credit_code] = u
            for c in wanted:
                by_code.setdefault(c, None)
        return by_code

    def _max_units(self, ctx, parent) -> int:
        limits = ctx.cache.setdefault("max_units", {})
        key = parent.pk if parent else None
        if key not in limits:
            limits[key] = int(policy_value("orgs.joint_branch.max_units", org=parent))
        return limits[key]

    def _check_units(self, ctx, units, row, org, parent) -> None:
        if not row.ok("units"):
            return
        codes = row.values["units"]
        linked = set()
        if org is not None:
            linked = set(
                org.host_links.filter(valid_until__isnull=True).values_list(
                    "unit__credit_code", flat=True
                )
            )
        limit = self._max_units(ctx, parent or org)
        if len(codes) > limit:
            row.error(
                "units",
                _(
                    "An organization may cover at most %(n)s units (policy orgs.joint_branch.max_units)."
                )
                % {"n": limit},
            )
            return
        for c in codes:
            unit = units.get(c)
            visible = unit is not None and (
                c in linked
                or ctx.can(gate.VIEW, unit.responsible_org)
                or ctx.can(gate.VIEW, unit.responsible_union)
            )
            if not visible:
                row.error(
                    "units",
                    _("No unit with credit code %(code)s is registered within your scope.")
                    % {"code": c},
                )
                return
            if unit.closed_on and c not in linked:
                row.error("units", _("The unit %(name)s has been closed.") % {"name": unit.name})
                return
        if (
            len(codes) > 1
            and row.ok("formation_mode")
            and row.values["formation_mode"] != FormationMode.JOINT
        ):
            row.error(
                "formation_mode",
                _("An organization set up in several units is formed jointly; choose %(label)s.")
                % {"label": FORMATION.label(FormationMode.JOINT)},
            )

    # -- applying --------------------------------------------------------------------

    def apply_row(self, ctx, row: Row) -> str:
        v = row.values
        org = Organization.objects.select_related("parent").filter(code=v["code"]).first()
        parent = None
        if v.get("parent"):
            parent = Organization.objects.get(code=v["parent"])
        units = None
        if "units" in v:
            found = {u.credit_code: u for u in Unit.objects.filter(credit_code__in=v["units"])}
            units = [found[c] for c in v["units"]]
        flags = {f: v[f] for f in ORG_FLAGS if f in v}
        if org is None:
            set_up(
                ctx.actor,
                code=v["code"],
                name=v["name"],
                kind=v["kind"],
                parent=parent,
                founded_on=v.get("founded_on") or ctx.today,
                units=units or (),
                **flags,
            )
            return CREATED
        changed = False
        if v["name"] != org.name:
            rename(ctx.actor, org, name=v["name"], on=ctx.today)
            changed = True
        if parent is not None and parent.pk != org.parent_id:
            move(ctx.actor, org, new_parent=parent, on=ctx.today)
            changed = True
        if units is not None:
            current = set(
                org.host_links.filter(valid_until__isnull=True).values_list("unit_id", flat=True)
            )
            if current != {u.pk for u in units}:
                set_host_units(ctx.actor, org, units=units, on=ctx.today)
                org.refresh_from_db()
                changed = True
        flags = {f: new for f, new in flags.items() if getattr(org, f) != new}
        if flags:
            update_flags(ctx.actor, org, **flags)
            changed = True
        return UPDATED if changed else UNCHANGED

    # -- exporting -------------------------------------------------------------------

    def export_rows(self, actor, orgs):
        roots = list(orgs)
        links = Prefetch(
            "host_links",
            queryset=HostLink.objects.filter(valid_until__isnull=True).select_related("unit"),
            to_attr="open_links",
        )
        found = (
            Organization.objects.filter(_visible_in(actor, roots), dissolved_on__isnull=True)
            .select_related("parent")
            .prefetch_related(links)
            .order_by("path")
        )
        for org in found.iterator(chunk_size=2000):
            yield {
                "code": org.code,
                "name": org.name,
                "kind": org.kind,
                "parent": org.parent.code if org.parent else "",
                "founded_on": org.founded_on,
                "formation_mode": org.formation_mode,
                "management_mode": org.management_mode,
                "units": sorted(link.unit.credit_code for link in org.open_links),
                "reported_members": org.reported_members,
                "has_committee": org.has_committee,
            }


SHEETS = [UnitSheet(), OrgSheet()]
