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

from jiceng import sheets
from jiceng.access import gate
from jiceng.bulk import any_of
from jiceng.orgs.models import Organization, Tree
from jiceng.orgs.paths import subtree_q
from jiceng.orgs.services.lifecycle import CODE_PATTERN
from jiceng.policy.models import PolicyOverride
from jiceng.policy.registry import definition
from jiceng.policy.selectors import value as policy_value
from jiceng.sheets import CREATED, UNCHANGED, UPDATED, Choices, Column, Row, SheetSpec

from . import crypto, services
from .identity import (
    birth_date_of,
    gender_of,
    id_number_problem,
    normalize_id_number,
    normalize_phone,
    phone_problem,
)
from .models import MEMBER_STAGES, Category, Education, Floating, Gender, PartyMembership, Person
from .models import Stage as StageChoice

MIN_AGE = "people.party.min_age"
_DIGEST = "_id_number_hash"  # kept in a row's values beside the columns

GENDERS = Choices([(Gender.MALE, "男", "男性"), (Gender.FEMALE, "女", "女性")], enum=Gender)

# GB 3304 (names and codes of China's nationalities), with the 2-digit code in the database.
_NATIONALITIES = (  # noqa: SIM905 — GB 3304 order: codes 01 to 56
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNICITIES = Choices(
    [(f"{n:02d}", f"{name}族", name, str(n)) for n, name in enumerate(_NATIONALITIES, start=1)]
    + [("97", "其他", "其他民族", "未识别民族"), ("98", "外国血统中国籍人士", "外国血统")]
)
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


class MemberSheet(SheetSpec):
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

    def _known(self, rows, fields=("phone_masked", "party__stage", "party__org_id")) -> dict:
        """What is on record for the people of these rows, by keyed hash (plain values: a
        100,000-row re-import compares values and builds no model instance)."""
        digests = [self._digest(r) for r in rows if r.ok("id_number")]
        found = Person.objects.filter(any_of("id_number_hash", digests)).values(
            "pk", "id_number_hash", *fields
        )
        return {p["id_number_hash"]: p for p in found}

    def _org_by_pk(self, ctx, pk: int) -> Organization:
        by_pk = ctx.cache.setdefault("orgs_by_pk", {})
        if pk not in by_pk:
            by_pk[pk] = Organization.objects.get(pk=pk)
        return by_pk[pk]

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
            org = self._check_org(ctx, orgs, row)
            born = self._check_identity(row)
            self._check_dates(ctx, row, org, born)
            if row.ok("id_number"):
                person = known.get(self._digest(row))
                if person is not None:
                    self._check_existing(ctx, row, person)
                elif isinstance(row.values.get("phone"), Masked):
                    row.error("phone", _("A masked phone number can only keep the one on record."))

    def _check_org(self, ctx, orgs, row) -> Organization | None:
        if not row.ok("org"):
            return None
        code = row.values["org"]
        org = orgs.get(code)
        if org is None or not ctx.can(gate.VIEW, org):
            row.error(
                "org",
                _("There is no organization with code %(code)s within your scope.")
                % {"code": code},
            )
        elif org.tree != Tree.PARTY:
            row.error("org", _("%(code)s is not a Party organization.") % {"code": code})
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

    def _check_identity(self, row) -> dt.date | None:
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
                if allowed == Q()
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


SHEETS = [MemberSheet()]
