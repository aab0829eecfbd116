"""The Party member roster (党员花名册) as a spreadsheet: columns, checks, upserts, exports.

Rows are keyed by the citizen ID number, matched through its keyed hash (the clear number is
never stored or compared). A new number registers the person and enrols the member in bulk
(`services.register_members`); a known one is changed through `update_person` /
`update_membership` only where the file differs, so a re-import writes nothing and adds no
audit event. An empty cell means the column's default; a column missing from the file leaves
that field alone.

The organization must be a Party organization the importer may manage; one outside their
scope reads as "no such organization". Gender and birth date, when given, must agree with the
ID number; the member must have reached the policy's minimum age (people.party.min_age for
that organization on that date) when admitted.

Exports mask ID numbers and phones. `reveal` shows them in clear only where the exporter
holds gate.REVEAL, and writes ONE audit event naming how many numbers were revealed. A
masked export can be read, not re-imported (its ID numbers are masked); a masked phone equal
to the one on record is taken as "unchanged".
"""

import datetime as dt
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.access import gate
from jiceng.kernel.bulk import any_of
from jiceng.kernel.paths import subtree_q
from jiceng.orgs.models import Organization, Tree
from jiceng.orgs.services.lifecycle import CODE_PATTERN
from jiceng.policy.models import PolicyOverride
from jiceng.policy.registry import definition
from jiceng.policy.selectors import value as policy_value
from jiceng.sheets import layer as sheets
from jiceng.sheets.layer import CREATED, UNCHANGED, UPDATED, Choices, Column, Row, SheetSpec

from . import crypto, services, unions
from .choices import ETHNICITY_ITEMS
from .identity import (
    birth_date_of,
    gender_of,
    id_number_problem,
    normalize_id_number,
    normalize_phone,
    phone_problem,
)
from .models import (
    MEMBER_STAGES,
    Category,
    Education,
    Floating,
    Gender,
    PartyMembership,
    Person,
    UnionMembership,
    UnionStatus,
)
from .models import Stage as StageChoice

MIN_AGE = "people.party.min_age"
_DIGEST = "_id_number_hash"  # kept in a row's values beside the columns

GENDERS = Choices([(Gender.MALE, "男", "男性"), (Gender.FEMALE, "女", "女性")], enum=Gender)

ETHNICITIES = Choices(ETHNICITY_ITEMS)
EDUCATION = Choices(
    [
        (Education.POSTGRADUATE, "研究生", "博士", "硕士", "博士研究生", "硕士研究生"),
        (Education.BACHELOR, "大学本科", "本科", "大学"),
        (Education.COLLEGE, "大学专科", "大专", "专科"),
        (Education.SECONDARY_VOCATIONAL, "中专", "中等专科", "中职", "中技", "技校"),
        (Education.HIGH_SCHOOL, "高中", "普通高中", "职高"),
        (Education.JUNIOR_OR_LESS, "初中及以下", "初中", "小学", "小学及以下"),
    ],
    enum=Education,
)
CATEGORIES = Choices(
    [
        (Category.WORKING, "在职", "在职职工", "在岗"),
        (Category.RETIRED, "离退休", "退休", "离休"),
        (Category.FARMER, "农民", "农牧渔民"),
        (Category.STUDENT, "学生", "在校学生"),
        (
            Category.OTHER,
            "其他",
        ),
    ],
    enum=Category,
)
STAGES = Choices(
    [
        (StageChoice.PROBATIONARY, "预备党员", "预备"),
        (StageChoice.FULL, "正式党员", "正式"),
    ]
)
FLOATING = Choices(
    [
        (Floating.NONE, "否", "无", "不是", "非流动"),
        (Floating.OUTFLOW, "流出", "流出党员"),
        (Floating.INFLOW, "流入", "流入党员"),
    ],
    enum=Floating,
)
FLAGS = (
    "hardship",
    "veteran",
    "reserve_cadre",
    "without_post",
    "dual_checkin",
    "left_hanging",
    "unreachable",
)
PERSON_COLUMNS = ("name", "gender", "birth_date", "ethnicity", "education")
MEMBERSHIP_COLUMNS = (
    "org",
    "category",
    "composition",
    "stage",
    "joined_on",
    "full_on",
    "floating",
    *FLAGS,
)
COMPARED = (  # what a re-import compares with the record
    *PERSON_COLUMNS,
    "phone_hash",
    *(f"party__{f}" for f in MEMBERSHIP_COLUMNS if f != "org"),
    "party__org_id",
)


class Masked(str):
    """A phone cell as a masked export shows it (138****5678): "keep the one on record"."""

    __slots__ = ()


def _id_number(raw) -> str:
    value = sheets.compact(raw).upper()
    if "*" in value:
        raise sheets.CellError(
            _(
                "This ID number is masked. Export with the ID numbers revealed to import the "
                "file again, or enter the full number."
            )
        )
    number = normalize_id_number(value)
    if problem := id_number_problem(number):
        raise sheets.CellError(problem)
    return number


def _phone(raw) -> str:
    value = sheets.compact(raw)
    if "*" in value:
        return Masked(value)
    number = normalize_phone(value)
    if problem := phone_problem(number):
        raise sheets.CellError(problem)
    return number


def _org_code(value: str) -> str | None:
    if not CODE_PATTERN.match(value):
        return _("Use up to 32 letters, digits, dots, underscores or hyphens.")
    return None


def _age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_identity(row) -> dt.date | None:
    """Gender and birth date against the ID number; the birth date it holds."""
    if not row.ok("id_number"):
        return row.values.get("birth_date") if row.ok("birth_date") else None
    number = row.values["id_number"]
    born = birth_date_of(number)
    if row.ok("gender") and row.values["gender"] and row.values["gender"] != gender_of(number):
        row.error("gender", _("The gender does not match the ID number."))
    if row.ok("birth_date") and row.values["birth_date"] not in (None, born):
        row.error(
            "birth_date",
            _("The birth date %(entered)s does not match the ID number (%(born)s).")
            % {"entered": row.values["birth_date"], "born": born},
        )
    return born


def _flag(header: str, field: str, help_text, aliases=()) -> Column:
    return Column(
        header,
        field,
        sheets.yes_no(),
        default=False,
        choices=sheets.BOOL_CHOICES,
        width=10,
        help=help_text,
        aliases=aliases,
    )


def check_org_cell(ctx, orgs, row, *, tree: str, not_in_tree) -> Organization | None:
    """The row's organization if the importer may manage it, it is active, in `tree` and under
    the organization the import is for; otherwise the cell is marked and None returned."""
    if not row.ok("org"):
        return None
    code = row.values["org"]
    org = orgs.get(code)
    if org is None or not ctx.can(gate.VIEW, org):
        row.error(
            "org",
            _("There is no organization with code %(code)s within your scope.") % {"code": code},
        )
    elif org.tree != tree:
        row.error("org", not_in_tree % {"code": code})
    elif not org.is_active:
        row.error("org", _("%(org)s has been dissolved.") % {"org": org.name})
    elif not ctx.can(gate.MANAGE, org):
        row.error(
            "org",
            _("You may not manage %(org)s (%(code)s).") % {"org": org.name, "code": org.code},
        )
    elif ctx.org is not None and not org.path.startswith(ctx.org.path):
        row.error(
            "org",
            _("%(code)s is not under %(org)s (%(root)s), the organization this import is for.")
            % {"code": code, "org": ctx.org.name, "root": ctx.org.code},
        )
    else:
        return org
    return None


class PeopleSheet(SheetSpec):
    """What the member and union-member rosters share: their organizations looked up once per
    chunk (the gate too), and each row's keyed ID-number hash computed once."""

    def _orgs(self, ctx, rows) -> dict[str, Organization | None]:
        by_code = ctx.cache.setdefault("orgs", {})
        wanted = {r.values["org"] for r in rows if r.ok("org")} - set(by_code)
        if wanted:
            for org in Organization.objects.filter(code__in=wanted):
                by_code[org.code] = org
            for c in wanted:
                by_code.setdefault(c, None)
            found = [by_code[c] for c in wanted]
            ctx.can_all(gate.VIEW, found)  # the gate once per chunk, not once per organization
            ctx.can_all(gate.MANAGE, found)
        return by_code

    @staticmethod
    def _digest(row: Row) -> str:
        """The keyed hash of the row's ID number, computed once (the spool keeps it)."""
        v = row.values
        digest = v.get(_DIGEST)
        if digest is None:
            digest = v[_DIGEST] = crypto.lookup_hash(v["id_number"], services.ID_CONTEXT)
        return digest

    def _org_by_pk(self, ctx, pk: int) -> Organization:
        by_pk = ctx.cache.setdefault("orgs_by_pk", {})
        if pk not in by_pk:
            by_pk[pk] = Organization.objects.get(pk=pk)
        return by_pk[pk]


class MemberSheet(PeopleSheet):
    kind = "members"
    title = "党员"
    label = gettext_lazy("Party members")
    description = gettext_lazy(
        "The roster of probationary and full Party members, keyed by the citizen ID number. "
        "A new number registers the person and enrols the member; a known one is updated where "
        "the file differs. Exports mask ID numbers and phones unless you may see them and ask "
        "for them in clear (which is logged)."
    )
    key = "id_number"
    limits_prefix = "orgs.import"
    personal = True
    org_field = "org"  # `jiceng import members FILE --org CODE`: blank cells go to CODE
    field_aliases = {"person": "id_number", "phone": "phone"}
    columns = (
        Column("姓名", "name", sheets.text(60), required=True, width=12),
        Column(
            "公民身份号码",
            "id_number",
            _id_number,
            required=True,
            width=22,
            as_text=True,
            aliases=("身份证号码", "身份证号", "公民身份证号码"),
            help=gettext_lazy("18 characters; identifies the person."),
        ),
        Column(
            "性别",
            "gender",
            default="",
            choices=GENDERS,
            width=6,
            help=gettext_lazy("Empty: taken from the ID number."),
        ),
        Column("民族", "ethnicity", default="", choices=ETHNICITIES, width=10),
        Column(
            "出生日期",
            "birth_date",
            sheets.date_value(),
            default=None,
            width=12,
            help=gettext_lazy("Empty: taken from the ID number."),
        ),
        Column("文化程度", "education", default="", choices=EDUCATION, width=12),
        Column(
            "手机号码",
            "phone",
            _phone,
            default="",
            width=14,
            as_text=True,
            aliases=("联系电话", "手机号", "电话"),
        ),
        Column(
            "所在党组织代码",
            "org",
            sheets.code(check=_org_code),
            required=True,
            width=16,
            as_text=True,
            help=gettext_lazy("Code of a Party organization you manage."),
        ),
        Column("人员类别", "category", default=Category.WORKING, choices=CATEGORIES, width=10),
        Column(
            "党员构成",
            "composition",
            sheets.text(40),
            default="",
            width=14,
            help=gettext_lazy("A group for the composition figures, free text."),
        ),
        Column("阶段", "stage", required=True, choices=STAGES, width=10),
        Column(
            "入党日期",
            "joined_on",
            sheets.date_value(),
            required=True,
            width=12,
            help=gettext_lazy("e.g. 2019-07-01."),
        ),
        Column(
            "转正日期",
            "full_on",
            sheets.date_value(),
            default=None,
            width=12,
            help=gettext_lazy("Full members only; not before the date of admission."),
        ),
        Column("流动党员", "floating", default=Floating.NONE, choices=FLOATING, width=10),
        _flag("困难党员", "hardship", ""),
        _flag("老党员", "veteran", ""),
        _flag("后备干部", "reserve_cadre", ""),
        _flag("无职党员", "without_post", ""),
        _flag(
            "到社区报到",
            "dual_checkin",
            gettext_lazy("Working members registered with their residence community."),
            aliases=("在职党员进社区", "双报到"),
        ),
        _flag("空挂党员", "left_hanging", gettext_lazy("Left hanging with no branch.")),
        _flag("失联党员", "unreachable", ""),
    )

    # -- checking --------------------------------------------------------------------

    def _known(self, rows, fields=("phone_masked", "party__stage", "party__org_id")) -> dict:
        """What is on record for the people of these rows, by keyed hash (plain values: a
        100,000-row re-import compares values and builds no model instance)."""
        digests = [self._digest(r) for r in rows if r.ok("id_number")]
        found = Person.objects.filter(any_of("id_number_hash", digests)).values(
            "pk", "id_number_hash", *fields
        )
        return {p["id_number_hash"]: p for p in found}

    def _highest_min_age(self, ctx) -> int:
        """The highest minimum age any default period or override sets: rows above it pass."""
        if "max_min_age" not in ctx.cache:
            values = [int(p.value) for p in definition(MIN_AGE).periods]
            values += [
                int(v)
                for v in PolicyOverride.objects.filter(key=MIN_AGE).values_list("value", flat=True)
            ]
            ctx.cache["max_min_age"] = max(values)
        return ctx.cache["max_min_age"]

    def _min_age(self, ctx, org, on: dt.date) -> int:
        ages = ctx.cache.setdefault("min_age", {})
        if (org.pk, on) not in ages:
            ages[(org.pk, on)] = int(policy_value(MIN_AGE, org=org, on=on))
        return ages[(org.pk, on)]

    def check(self, ctx, rows: list[Row]) -> None:
        orgs = self._orgs(ctx, rows)
        known = self._known(rows)
        for row in rows:
            org = check_org_cell(
                ctx,
                orgs,
                row,
                tree=Tree.PARTY,
                not_in_tree=_("%(code)s is not a Party organization."),
            )
            born = self._check_identity(row)
            self._check_dates(ctx, row, org, born)
            if row.ok("id_number"):
                person = known.get(self._digest(row))
                if person is not None:
                    self._check_existing(ctx, row, person)
                elif isinstance(row.values.get("phone"), Masked):
                    row.error("phone", _("A masked phone number can only keep the one on record."))

    def _check_identity(self, row) -> dt.date | None:
        return _check_identity(row)

    def _check_dates(self, ctx, row, org, born) -> None:
        joined = row.values.get("joined_on") if row.ok("joined_on") else None
        full = row.values.get("full_on") if row.ok("full_on") else None
        if joined and born:
            if joined <= born:
                row.error("joined_on", _("The date of admission must come after the birth date."))
            elif org is not None:
                age = _age_on(born, joined)
                if age < self._highest_min_age(ctx) and age < (
                    least := self._min_age(ctx, org, joined)
                ):
                    row.error(
                        "joined_on",
                        _(
                            "Members must be at least %(age)s when admitted (%(key)s); "
                            "this person was %(was)s."
                        )
                        % {"age": least, "key": MIN_AGE, "was": age},
                    )
        if joined and full and full < joined:
            row.error("full_on", _("Full membership cannot begin before admission."))
        if full and row.ok("stage") and row.values["stage"] == StageChoice.PROBATIONARY:
            row.error("full_on", _("A probationary member has no date of full membership yet."))

    def _check_existing(self, ctx, row, person: dict) -> None:
        phone = row.values.get("phone")
        if isinstance(phone, Masked) and phone != person["phone_masked"]:
            row.error("phone", _("A masked phone number can only keep the one on record."))
        if person["party__org_id"] is None:
            return  # a known person (e.g. a union member) joins the roster
        if person["party__stage"] not in MEMBER_STAGES:
            row.error(
                "id_number",
                _("This person's Party record is “%(stage)s”; it cannot be changed by import.")
                % {"stage": StageChoice(person["party__stage"]).label},
            )
        elif not ctx.can(gate.MANAGE, self._org_by_pk(ctx, person["party__org_id"])):
            row.error(
                "id_number",
                _(
                    "This member belongs to an organization you may not manage; "
                    "ask it to transfer the member."
                ),
            )

    # -- applying --------------------------------------------------------------------

    def apply_chunk(self, ctx, rows: list[Row]) -> Counter:
        """New people in bulk (register_members); known ones compared value by value and
        changed through the services only where the row differs."""
        orgs = self._orgs(ctx, rows)
        known = self._known(rows, COMPARED)
        counts: Counter = Counter()
        new: list[Row] = []
        for row in rows:
            current = known.get(self._digest(row))
            if current is None:
                new.append(row)
                continue
            if current["party__org_id"] is not None and not self._differs(current, row, orgs):
                counts[UNCHANGED] += 1  # no service called, nothing written or logged
                continue
            try:
                with transaction.atomic():
                    counts[self._update(ctx, row, current["pk"], orgs)] += 1
            except (ValidationError, PermissionDenied, DatabaseError) as exc:
                sheets._service_errors(self, row, exc)
        if new:
            self._create(ctx, new, orgs)
            counts[CREATED] += sum(1 for r in new if not r.errors)
        return counts

    def _entry(self, row: Row, orgs) -> dict:
        v = row.values
        entry = {f: v[f] for f in (*PERSON_COLUMNS, *MEMBERSHIP_COLUMNS) if f in v}
        entry["org"] = orgs[v["org"]]
        entry["id_number"] = v["id_number"]
        if v.get("phone"):
            entry["phone"] = v["phone"]
        for f in ("gender", "birth_date"):  # empty: from the ID number
            if not entry.get(f):
                entry.pop(f, None)
        return entry

    def _create(self, ctx, rows: list[Row], orgs) -> None:
        try:
            with transaction.atomic():
                services.register_members(ctx.actor, [self._entry(r, orgs) for r in rows])
        except services.EntryErrors as exc:
            for i, problems in exc.entries.items():
                for name, message in problems.items():
                    rows[i].error(self.field_for(name), message)
        except (ValidationError, PermissionDenied, DatabaseError) as exc:
            for row in rows:
                sheets._service_errors(self, row, exc)

    @staticmethod
    def _person_fields(v: dict) -> dict:
        fields = {f: v[f] for f in PERSON_COLUMNS if f in v}
        for f in ("gender", "birth_date"):  # empty: keep what the ID number says
            if f in fields and not fields[f]:
                del fields[f]
        return fields

    @staticmethod
    def _phone(v: dict):
        """The phone to set: None to leave it (column absent, or masked as on record)."""
        return v.get("phone") if "phone" in v and not isinstance(v["phone"], Masked) else None

    def _differs(self, current: dict, row: Row, orgs) -> bool:
        v = row.values
        if any(current[f] != value for f, value in self._person_fields(v).items()):
            return True
        phone = self._phone(v)
        if phone is not None:
            digest = crypto.lookup_hash(phone, services.PHONE_CONTEXT) if phone else ""
            if digest != current["phone_hash"]:
                return True
        if current["party__org_id"] != orgs[v["org"]].pk:
            return True
        return any(
            current[f"party__{f}"] != v[f] for f in MEMBERSHIP_COLUMNS if f in v and f != "org"
        )

    def _update(self, ctx, row: Row, pk: int, orgs) -> str:
        v = row.values
        org = orgs[v["org"]]
        person = Person.objects.select_related("party", "party__org").get(pk=pk)
        person_fields, phone = self._person_fields(v), self._phone(v)
        m = getattr(person, "party", None)
        if m is None:
            services.update_person(ctx.actor, person, org=org, phone=phone, **person_fields)
            fields = {f: v[f] for f in MEMBERSHIP_COLUMNS if f in v and f != "org"}
            services.enrol_member(ctx.actor, person, org=org, **fields)
            return CREATED
        changed = services.update_person(ctx.actor, person, org=m.org, phone=phone, **person_fields)
        fields = {f: v[f] for f in MEMBERSHIP_COLUMNS if f in v}
        fields["org"] = org
        changed += services.update_membership(ctx.actor, m, on=ctx.today, **fields)
        return UPDATED if changed else UNCHANGED

    # -- exporting -------------------------------------------------------------------

    def _memberships(self, actor, roots):
        under = Q(pk__in=[])
        for root in roots:
            under |= subtree_q(root.path, "org__path")
        return PartyMembership.objects.filter(
            gate.org_filter(actor, gate.VIEW, field="org") & under, stage__in=MEMBER_STAGES
        )

    def export_rows(self, actor, orgs, *, reveal: bool = False, tally: Counter | None = None):
        """Rows of the members `actor` sees under `orgs`; ID numbers and phones masked unless
        `reveal`, and then in clear only where `actor` holds gate.REVEAL (counted in `tally`)."""
        found = self._memberships(actor, list(orgs))
        if reveal:
            allowed = gate.org_filter(actor, gate.REVEAL, field="org")
            found = found.annotate(
                clear=Value(True)
                if gate.sees_everything(allowed)
                else Case(When(allowed, then=Value(True)), default=Value(False)),
            )
        found = found.select_related("person", "org").order_by("org__path", "pk")
        tally = tally if tally is not None else Counter()
        for m in found.iterator(chunk_size=2000):
            p = m.person
            id_number, phone = p.id_number_masked, p.phone_masked
            if reveal and m.clear:
                if p.id_number_encrypted:
                    id_number = crypto.decrypt(p.id_number_encrypted, services.ID_CONTEXT)
                    tally["id_numbers"] += 1
                if p.phone_encrypted:
                    phone = crypto.decrypt(p.phone_encrypted, services.PHONE_CONTEXT)
                    tally["phones"] += 1
            tally["rows"] += 1
            yield {
                "name": p.name,
                "id_number": id_number,
                "gender": p.gender,
                "ethnicity": p.ethnicity,
                "birth_date": p.birth_date,
                "education": p.education,
                "phone": phone,
                "org": m.org.code,
                "category": m.category,
                "composition": m.composition,
                "stage": m.stage,
                "joined_on": m.joined_on,
                "full_on": m.full_on,
                "floating": m.floating,
                "hardship": m.hardship,
                "veteran": m.veteran,
                "reserve_cadre": m.reserve_cadre,
                "without_post": m.without_post,
                "dual_checkin": m.dual_checkin,
                "left_hanging": m.left_hanging,
                "unreachable": m.unreachable,
            }

    def export(self, actor, orgs, out, *, reveal: bool = False, progress=None) -> int:
        """Write the roster; with `reveal`, refuse unless `actor` may see personal information
        of every organization asked for, and log ONE audit event with the numbers revealed."""
        roots = list(orgs)
        if reveal and (not roots or not all(gate.can(actor, gate.REVEAL, o) for o in roots)):
            raise PermissionDenied(_("You may not see members' personal information here."))
        tally: Counter = Counter()
        count = sheets.write_workbook(
            self, self.export_rows(actor, roots, reveal=reveal, tally=tally), out, progress=progress
        )
        if reveal:
            services.log_revealing_export(
                actor,
                roots[0],
                kind=self.kind,
                rows=count,
                id_numbers=tally["id_numbers"],
                phones=tally["phones"],
                orgs=roots,
            )
        return count


# -- the union member roster (工会会员名册) ----------------------------------------------------

UNION_STATUSES = Choices(
    [
        (UnionStatus.WORKING, "在职", "在岗", "在职职工"),
        (UnionStatus.RETIRED, "退休", "离退休", "离休"),
        (UnionStatus.LEFT, "离会", "退会", "已离会", "已退会"),
    ],
    enum=UnionStatus,
)
UNION_KEPT = ("migrant_worker", "card_issued")  # changed through unions.change_member


class UnionMemberSheet(PeopleSheet):
    """The union member roster: one row per membership, keyed by the ID number and the union
    (a member who moved has a past row in the old union and one in force in the new). A new
    membership is enrolled through `unions.enrol`; a known one is compared value by value and
    changed through `unions.change_member` / `unions.leave` only where the file differs, so a
    re-import writes nothing. The member number and the date of joining identify the record:
    a file that differs from them is refused, not applied."""

    kind = "union_members"
    title = "工会会员"
    label = gettext_lazy("Union members")
    description = gettext_lazy(
        "The roster of trade-union members, one row per membership, keyed by the citizen ID "
        "number and the union. A new row enrols the member (registering the person if needed); "
        "a known one is updated where the file differs. Exports mask ID numbers and phones "
        "unless you may see them and ask for them in clear (which is logged)."
    )
    key = ""  # a person may have a row per union and date of joining: checked in `check`
    limits_prefix = "orgs.import"
    personal = True
    org_field = "org"
    field_aliases = {"person": "id_number", "phone": "phone", "reason": "left_reason"}
    columns = (
        Column("姓名", "name", sheets.text(60), required=True, width=12),
        Column(
            "公民身份号码",
            "id_number",
            _id_number,
            required=True,
            width=22,
            as_text=True,
            aliases=("身份证号码", "身份证号", "公民身份证号码"),
            help=gettext_lazy("18 characters; identifies the person."),
        ),
        Column(
            "性别",
            "gender",
            default="",
            choices=GENDERS,
            width=6,
            help=gettext_lazy("Empty: taken from the ID number."),
        ),
        Column(
            "出生日期",
            "birth_date",
            sheets.date_value(),
            default=None,
            width=12,
            help=gettext_lazy("Empty: taken from the ID number."),
        ),
        Column(
            "手机号码",
            "phone",
            _phone,
            default="",
            width=14,
            as_text=True,
            aliases=("联系电话", "手机号", "电话"),
        ),
        Column(
            "工会",
            "org",
            sheets.code(check=_org_code),
            required=True,
            width=16,
            as_text=True,
            aliases=("工会代码", "所在工会", "所在工会代码"),
            help=gettext_lazy("Code of a trade union you manage."),
        ),
        Column(
            "会员编号",
            "member_number",
            sheets.text(32),
            required=True,
            width=14,
            as_text=True,
            help=gettext_lazy("Unique within the union."),
        ),
        Column(
            "入会日期",
            "joined_on",
            sheets.date_value(),
            required=True,
            width=12,
            help=gettext_lazy("e.g. 2019-07-01."),
        ),
        Column(
            "状态",
            "status",
            default="",
            choices=UNION_STATUSES,
            width=8,
            help=gettext_lazy("Empty: working, or left when a date of leaving is given."),
        ),
        Column(
            "退休日期",
            "retired_on",
            sheets.date_value(),
            default=None,
            width=12,
            help=gettext_lazy("Retired members; may be empty if unknown."),
        ),
        _flag("农民工", "migrant_worker", "", aliases=("农民工会员",)),
        _flag(
            "会员证", "card_issued", gettext_lazy("Member card issued."), aliases=("已发会员证",)
        ),
        Column(
            "离会日期",
            "left_on",
            sheets.date_value(),
            default=None,
            width=12,
            aliases=("退会日期",),
            help=gettext_lazy("Past members only; not before the date of joining."),
        ),
        Column(
            "离会原因",
            "left_reason",
            sheets.text(200),
            default="",
            width=20,
            aliases=("退会原因",),
        ),
    )

    # -- checking --------------------------------------------------------------------

    def _known(self, rows) -> tuple[dict, dict]:
        """The people of these rows on record (by keyed hash) and their memberships (by
        person), as plain values."""
        digests = [self._digest(r) for r in rows if r.ok("id_number")]
        people = {
            p["id_number_hash"]: p
            for p in Person.objects.filter(any_of("id_number_hash", digests)).values(
                "pk", "id_number_hash", "name", "phone_masked", "phone_hash"
            )
        }
        held: dict[int, list[dict]] = {}
        found = UnionMembership.objects.filter(person_id__in=[p["pk"] for p in people.values()])
        for m in found.values(
            "pk",
            "person_id",
            "org_id",
            "org__name",
            "member_number",
            "joined_on",
            "left_on",
            "left_reason",
            "status",
            "retired_on",
            *UNION_KEPT,
        ):
            held.setdefault(m["person_id"], []).append(m)
        return people, held

    @staticmethod
    def _numbers(orgs, rows) -> dict[tuple[int, str], int]:
        """(union pk, member number) → the person holding it, for the rows' numbers."""
        wanted = {r.values["member_number"] for r in rows if r.ok("member_number")}
        ids = [o.pk for o in orgs.values() if o is not None]
        found = UnionMembership.objects.filter(org_id__in=ids, member_number__in=wanted)
        return {
            (m["org_id"], m["member_number"]): m["person_id"]
            for m in found.values("org_id", "member_number", "person_id")
        }

    @staticmethod
    def match(held: list[dict], org: Organization, row: Row) -> dict | None:
        """The membership a row stands for: in the row's union, joined that day, or else the
        one in force there."""
        here = [m for m in held if m["org_id"] == org.pk]
        joined = row.values.get("joined_on")
        return next((m for m in here if m["joined_on"] == joined), None) or next(
            (m for m in here if m["left_on"] is None), None
        )

    @staticmethod
    def status_of(v: dict) -> str:
        return v.get("status") or (UnionStatus.LEFT if v.get("left_on") else UnionStatus.WORKING)

    def check(self, ctx, rows: list[Row]) -> None:
        orgs = self._orgs(ctx, rows)
        people, held = self._known(rows)
        numbers = self._numbers(orgs, rows)
        seen = ctx.cache.setdefault("seen", {})
        for row in rows:
            org = check_org_cell(
                ctx, orgs, row, tree=Tree.UNION, not_in_tree=_("%(code)s is not a trade union.")
            )
            born = _check_identity(row)
            self._check_dates(row, born)
            person = None
            if row.ok("id_number"):
                person = people.get(self._digest(row))
                if person is None and isinstance(row.values.get("phone"), Masked):
                    row.error("phone", _("A masked phone number can only keep the one on record."))
            self._check_repeats(row, seen)
            if person is not None:
                self._check_person(ctx, row, person, org, held.get(person["pk"], []))
            if org is not None and row.ok("id_number", "member_number"):
                holder = numbers.get((org.pk, row.values["member_number"]))
                if holder is not None and (person is None or holder != person["pk"]):
                    row.error(
                        "member_number",
                        _("%(org)s already has a member with the number %(n)s.")
                        % {"org": org.name, "n": row.values["member_number"]},
                    )

    def _check_dates(self, row, born) -> None:
        v = row.values
        day = {f: v.get(f) if row.ok(f) else None for f in ("joined_on", "retired_on", "left_on")}
        joined, retired, left = day["joined_on"], day["retired_on"], day["left_on"]
        if joined and born and joined <= born:
            row.error("joined_on", _("The date of joining must come after the birth date."))
        if joined and retired and retired < joined:
            row.error("retired_on", _("Retirement cannot be dated before joining the union."))
        if joined and left and left < joined:
            row.error("left_on", _("Leaving cannot be dated before joining the union."))
        if retired and left and left < retired:
            row.error("left_on", _("The date of leaving cannot be before the retirement."))
        if not row.ok("status"):
            return
        status = self.status_of(v)
        if status == UnionStatus.LEFT and not v.get("left_on") and row.ok("left_on"):
            row.error("left_on", _("Enter the date of leaving the union."))
        elif status != UnionStatus.LEFT and v.get("left_on"):
            row.error("status", _("A member with a date of leaving has the status “left”."))
        if status == UnionStatus.WORKING and v.get("retired_on"):
            row.error("retired_on", _("A working member has no retirement date."))

    def _check_repeats(self, row, seen: dict) -> None:
        """Within the file: one row per person, union and date of joining; one member number
        per union; one membership in force per person."""
        v = row.values
        if row.ok("id_number", "org", "joined_on"):
            key = ("row", self._digest(row), v["org"], v["joined_on"])
            if key in seen:
                row.error(
                    "id_number",
                    _("This membership also appears in row %(row)s.") % {"row": seen[key]},
                )
            seen.setdefault(key, row.number)
        if row.ok("org", "member_number"):
            key = ("number", v["org"], v["member_number"])
            if key in seen:
                row.error(
                    "member_number",
                    _("Member number %(n)s of %(code)s also appears in row %(row)s.")
                    % {"n": v["member_number"], "code": v["org"], "row": seen[key]},
                )
            seen.setdefault(key, row.number)
        if row.ok("id_number", "left_on") and not v.get("left_on"):
            key = ("open", self._digest(row))
            if key in seen:
                row.error(
                    "id_number",
                    _(
                        "Row %(row)s already holds this person's membership in force; a "
                        "person is a member of one union at a time."
                    )
                    % {"row": seen[key]},
                )
            seen.setdefault(key, row.number)

    def _check_person(self, ctx, row, person: dict, org, held: list[dict]) -> None:
        v = row.values
        if row.ok("name") and v["name"] != person["name"]:
            # the name on record is not shown: the file cannot be used to look people up
            row.error("name", _("This ID number is registered under another name."))
        phone = v.get("phone")
        if isinstance(phone, Masked) and phone != person["phone_masked"]:
            row.error("phone", _("A masked phone number can only keep the one on record."))
        if org is None:
            return
        m = self.match(held, org, row)
        if m is None:
            current = next((h for h in held if h["left_on"] is None), None)
            if current is not None and not v.get("left_on"):
                where = self._org_by_pk(ctx, current["org_id"])
                row.error(
                    "id_number",
                    _("%(name)s is already a member of %(org)s.")
                    % {"name": person["name"], "org": where.name}
                    if ctx.can(gate.VIEW, where)
                    else _("A person with this ID number is already registered."),
                )
            return
        for f, label in (("member_number", "会员编号"), ("joined_on", "入会日期")):
            if row.ok(f) and v[f] != m[f]:
                row.error(
                    f,
                    _(
                        "The record of this membership has %(value)s; the %(what)s cannot be "
                        "changed by import."
                    )
                    % {"value": m[f], "what": label},
                )
        retired = v.get("retired_on") if row.ok("retired_on") else None
        moved = retired and retired != m["retired_on"] and m["status"] == UnionStatus.RETIRED
        if m["left_on"] is None and moved and self.status_of(v) != UnionStatus.WORKING:
            row.error(
                "retired_on",
                _("The record has this member retired on %(date)s; correct it on the page.")
                % {"date": m["retired_on"] or "—"},
            )
        if m["left_on"] is not None and self._differs(m, v):
            row.error(
                "left_on",
                _("This membership ended on %(date)s; it cannot be changed by import.")
                % {"date": m["left_on"]},
            )

    def _differs(self, m: dict, v: dict) -> bool:
        """Whether the row asks for anything other than what is on record."""
        status = self.status_of(v)
        if status != m["status"]:
            return True
        if v.get("retired_on") and v["retired_on"] != m["retired_on"]:
            return True
        if any(f in v and v[f] != m[f] for f in UNION_KEPT):
            return True
        if "left_on" in v and v["left_on"] != m["left_on"]:
            return True
        return bool(m["left_on"] and "left_reason" in v and v["left_reason"] != m["left_reason"])

    # -- applying --------------------------------------------------------------------

    def prepare(self, ctx, rows: list[Row]) -> None:
        orgs = self._orgs(ctx, rows)
        people, held = self._known(rows)
        ctx.cache["chunk"] = (orgs, people, held)

    def apply_row(self, ctx, row: Row) -> str:
        orgs, people, held = ctx.cache["chunk"]
        v = row.values
        org = orgs[v["org"]]
        person = people.get(self._digest(row))
        m = self.match(held.get(person["pk"], []), org, row) if person else None
        status = self.status_of(v)
        # a blank or masked phone keeps the one on record (union rosters often have none)
        phone = v.get("phone") or None
        if isinstance(phone, Masked):
            phone = None
        if m is None:
            fields = {f: v[f] for f in UNION_KEPT if f in v}
            fields["status"] = status
            for f in ("retired_on", "left_on"):
                if v.get(f):
                    fields[f] = v[f]
            if v.get("left_reason"):
                fields["left_reason"] = v["left_reason"]
            found = Person.objects.filter(pk=person["pk"]).first() if person else None
            if found is not None and phone is not None:
                services.update_person(ctx.actor, found, org=org, phone=phone)
            unions.enrol(
                ctx.actor,
                org=org,
                name=v["name"],
                id_number=v["id_number"],
                phone=phone or "",
                member_number=v["member_number"],
                joined_on=v["joined_on"],
                **fields,
            )
            return CREATED
        changed = []
        record = UnionMembership.objects.select_related("person", "org").get(pk=m["pk"])
        if phone is not None:
            changed += services.update_person(ctx.actor, record.person, org=org, phone=phone)
        if self._differs(m, v):
            before = (record.status, record.retired_on, *(getattr(record, f) for f in UNION_KEPT))
            kept = {f: v[f] for f in UNION_KEPT if f in v}
            target = status
            if status == UnionStatus.LEFT:
                target = UnionStatus.RETIRED if v.get("retired_on") else record.status
            retire_on = v.get("retired_on") or ctx.today
            record = unions.change_member(ctx.actor, record, on=retire_on, status=target, **kept)
            after = (record.status, record.retired_on, *(getattr(record, f) for f in UNION_KEPT))
            if after != before:
                changed.append("membership")
            if status == UnionStatus.LEFT:
                unions.leave(ctx.actor, record, on=v["left_on"], reason=v.get("left_reason", ""))
                changed.append("left_on")
        return UPDATED if changed else UNCHANGED

    # -- exporting -------------------------------------------------------------------

    def export_rows(self, actor, orgs, *, reveal: bool = False, tally: Counter | None = None):
        """Rows of the union memberships `actor` sees under `orgs` (past ones included); ID
        numbers and phones masked unless `reveal` where `actor` holds gate.REVEAL."""
        under = Q(pk__in=[])
        for root in orgs:
            under |= subtree_q(root.path, "org__path")
        found = UnionMembership.objects.filter(
            gate.org_filter(actor, gate.VIEW, field="org") & under
        )
        if reveal:
            allowed = gate.org_filter(actor, gate.REVEAL, field="org")
            found = found.annotate(
                clear=Value(True)
                if gate.sees_everything(allowed)
                else Case(When(allowed, then=Value(True)), default=Value(False)),
            )
        found = found.select_related("person", "org").order_by("org__path", "joined_on", "pk")
        tally = tally if tally is not None else Counter()
        for m in found.iterator(chunk_size=2000):
            p = m.person
            id_number, phone = p.id_number_masked, p.phone_masked
            if reveal and m.clear:
                if p.id_number_encrypted:
                    id_number = crypto.decrypt(p.id_number_encrypted, services.ID_CONTEXT)
                    tally["id_numbers"] += 1
                if p.phone_encrypted:
                    phone = crypto.decrypt(p.phone_encrypted, services.PHONE_CONTEXT)
                    tally["phones"] += 1
            tally["rows"] += 1
            yield {
                "name": p.name,
                "id_number": id_number,
                "gender": p.gender,
                "birth_date": p.birth_date,
                "phone": phone,
                "org": m.org.code,
                "member_number": m.member_number,
                "joined_on": m.joined_on,
                "status": m.status,
                "retired_on": m.retired_on,
                "migrant_worker": m.migrant_worker,
                "card_issued": m.card_issued,
                "left_on": m.left_on,
                "left_reason": m.left_reason,
            }

    export = MemberSheet.export


SHEETS = [MemberSheet(), UnionMemberSheet()]
