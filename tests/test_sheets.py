"""Spreadsheet import and export of host units and organizations (jiceng.sheets.layer, jiceng.sheets.specs).

Every import is checked whole before anything is written; a bad file writes nothing and
comes back with its problems marked; a re-import of an export changes nothing.
"""

import datetime as dt
import io
import re
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from jiceng.audit.models import AuditEvent
from jiceng.demo.build import credit_code
from jiceng.orgs.models import FormationMode, HostLink, Organization, Unit
from jiceng.orgs.services import register_unit
from jiceng.orgs.services.units import credit_code_problem
from jiceng.sheets import layer as sheets
from jiceng.sheets.specs import OrgSheet, UnitSheet

UNITS = sheets.get_spec("units")
ORGS = sheets.get_spec("orgs")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def book(spec, rows, *, headers=None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title
    ws.append(headers or [c.header for c in spec.columns])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def unit_row(n, *, org="SA", name=None, kind="企业", **changes):
    row = {
        "credit_code": credit_code(n),
        "name": name or f"测试企业{n}",
        "kind": kind,
        "ownership": "非公",
        "sector": "制造业",
        "region_code": "410102",
        "employees": 120,
        "revenue": 1234567.5,
        "party_members": 10,
        "address": "和平路1号",
        "responsible_org": org,
        "responsible_union": "",
        **changes,
    }
    return [row[c.field] for c in UNITS.columns]


def org_row(code, name, kind, parent, **changes):
    row = {
        "code": code,
        "name": name,
        "kind": kind,
        "parent": parent,
        "founded_on": "2019-07-01",
        "formation_mode": "单独",
        "management_mode": "属地",
        "units": "",
        "reported_members": 5,
        "has_committee": "否",
        **changes,
    }
    return [row[c.field] for c in ORGS.columns]


def events() -> int:
    return AuditEvent.objects.count()


def import_(spec, source, user, **kw):
    if hasattr(source, "seek"):
        source.seek(0)
    return sheets.import_sheet(spec, source, user, **kw)


# ---------------------------------------------------------------------------------------
# Parsers


@pytest.mark.parametrize(
    "raw",
    [
        "2019-07-01",
        "2019.07.01",
        "2019/7/1",
        "2019年7月1日",
        "２０１９年７月１日",
        " 2019 - 07 - 01\u3000",
        "20190701",
        "2019-07-01 00:00:00",
        43647,
        43647.0,
        "43647",
        dt.date(2019, 7, 1),
        dt.datetime(2019, 7, 1, 8, 30),
    ],
)
def test_dates_in_every_usual_spelling(raw):
    assert sheets.date_value()(raw) == dt.date(2019, 7, 1)


@pytest.mark.parametrize("raw", ["2019-02-30", "7/1/2019", "昨天", "2019-13-01", True, 0])
def test_impossible_dates_are_refused(raw):
    with pytest.raises(sheets.CellError):
        sheets.date_value()(raw)


def test_future_dates_are_refused():
    with pytest.raises(sheets.CellError):
        sheets.date_value()(dt.date.today() + dt.timedelta(days=2))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12, 12), (12.0, 12), ("１２３", 123), (" 1,234 ", 1234), ("7 人", 7), ("12.0", 12)],
)
def test_whole_numbers(raw, expected):
    assert sheets.integer()(raw) == expected


@pytest.mark.parametrize("raw", ["1.5", 1.5, "-3", "abc", True, float("nan")])
def test_bad_whole_numbers(raw):
    with pytest.raises(sheets.CellError):
        sheets.integer()(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.5", Decimal("1234.50")),
        (1234.5, Decimal("1234.50")),
        ("１２３", Decimal("123.00")),
        ("¥1,234.56元", Decimal("1234.56")),
        (0, Decimal("0.00")),
    ],
)
def test_amounts(raw, expected):
    assert sheets.decimal()(raw) == expected


@pytest.mark.parametrize("raw", ["1.234", "-1", "1e5x", "一千"])
def test_bad_amounts(raw):
    with pytest.raises(sheets.CellError):
        sheets.decimal()(raw)


def test_text_trims_stray_spaces_but_keeps_the_name():
    assert sheets.clean_text("\u3000和平（集团）有限公司 \u200b") == "和平（集团）有限公司"
    assert sheets.compact(" ９１４１ ０１０２\u3000") == "91410102"


def test_formula_neutralization_is_undone_on_import():
    for value in ["=1+1", "+86 123", "-x", "@SUM(A1)", "\tx", "\rx"]:
        assert sheets.neutralize(value) == "'" + value
        assert sheets.clean_text(sheets.neutralize(value)) == value.strip()
    assert sheets.neutralize("普通") == "普通" and sheets.neutralize(-5) == -5


def test_choices_accept_labels_values_and_interface_labels():
    from jiceng.sheets.specs import UNIT_KINDS

    assert UNIT_KINDS.parse(" 企业 ") == "enterprise"
    assert UNIT_KINDS.parse("enterprise") == "enterprise"
    assert UNIT_KINDS.parse("Enterprise") == "enterprise"
    with pytest.raises(sheets.CellError):
        UNIT_KINDS.parse("工厂")


def test_the_registry_lists_units_and_orgs_and_takes_more():
    assert {"units", "orgs"} <= set(sheets.specs())
    assert isinstance(sheets.get_spec("units"), UnitSheet)
    assert isinstance(sheets.get_spec("orgs"), OrgSheet)

    class Members(sheets.SheetSpec):
        kind = "test_members"

    try:
        sheets.register(Members())
        assert "test_members" in sheets.specs()
    finally:
        sheets._registered.pop("test_members")


def test_policy_names_the_import_limits(world):
    limits = UNITS.limits()
    assert limits.max_bytes == 20 * 1024 * 1024
    assert limits.max_rows == 200_000
    assert limits.max_unpacked_bytes > limits.max_bytes


# ---------------------------------------------------------------------------------------
# Round trip


def fill_template(spec, rows, path):
    sheets.write_template(spec, path)
    wb = load_workbook(path)
    ws = wb[spec.title]
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_template_has_header_instructions_lists_and_frozen_panes(tmp_path):
    path = tmp_path / "orgs.xlsx"
    sheets.write_template(ORGS, path)
    ws = load_workbook(path)[ORGS.title]
    assert [c.value for c in ws[1]] == [c.header for c in ORGS.columns]
    assert all(c.value.startswith(sheets.INSTRUCTION_MARK) for c in ws[2])
    assert ws.freeze_panes == "A3"
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "党支部" in lists["C3"] and "联合" in lists["F3"] and "是" in lists["J3"]


def test_round_trip_template_import_export_reimport_changes_nothing(world, tmp_path):
    admin = world.users["street_a_admin"]
    units_file, orgs_file = tmp_path / "units.xlsx", tmp_path / "orgs.xlsx"
    fill_template(UNITS, [unit_row(1), unit_row(2, org="A1"), unit_row(3, org="A2")], units_file)
    result = import_(UNITS, units_file, admin)
    assert result.ok, result.issues
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Unit.objects.get(credit_code=credit_code(2)).responsible_org == world.branch_a1
    assert AuditEvent.objects.filter(action="orgs.unit.register").latest("id").source == "import"

    fill_template(
        ORGS,
        [
            org_row("A3", "和平社区第三党支部", "党支部", "SA", units=credit_code(1)),
            org_row("A3G", "第三党支部第一党小组", "党小组", "A3"),  # parent from an earlier row
            org_row(
                "J1",
                "和平街道非公企业联合党支部",
                "党支部",
                "SA",
                founded_on="2019年7月1日",
                formation_mode="联合",
                units=f"{credit_code(2)}、{credit_code(3)}",
                has_committee="是",
                reported_members=9,
            ),
        ],
        orgs_file,
    )
    result = import_(ORGS, orgs_file, admin)
    assert result.ok, result.issues
    assert result.created == 3
    joint = Organization.objects.get(code="J1")
    assert joint.parent == world.street_a and joint.founded_on == dt.date(2019, 7, 1)
    assert joint.formation_mode == FormationMode.JOINT and joint.has_committee
    assert joint.reported_members == 9
    assert HostLink.objects.filter(org=joint, valid_until__isnull=True).count() == 2
    assert Organization.objects.get(code="A3G").parent.code == "A3"

    exported_units, exported_orgs = tmp_path / "units-out.xlsx", tmp_path / "orgs-out.xlsx"
    assert sheets.export_workbook(UNITS, admin, [world.street_a], exported_units) == 3
    assert sheets.export_workbook(ORGS, admin, [world.street_a], exported_orgs) == 6
    before = events()
    again = import_(UNITS, exported_units, admin)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    again = import_(ORGS, exported_orgs, admin)
    assert again.ok, again.issues
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    # And the filled templates themselves, once more.
    assert import_(UNITS, units_file, admin).unchanged == 3
    assert import_(ORGS, orgs_file, admin).unchanged == 3
    assert events() == before


def test_changed_rows_are_updated_through_the_services(world):
    admin = world.users["street_a_admin"]
    assert import_(UNITS, book(UNITS, [unit_row(1), unit_row(2)]), admin).created == 2
    before = events()
    result = import_(UNITS, book(UNITS, [unit_row(1, employees=300), unit_row(2)]), admin)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Unit.objects.get(credit_code=credit_code(1)).employees == 300
    assert list(AuditEvent.objects.filter(pk__gt=0).values_list("action", flat=True))[before:] == [
        "orgs.unit.update"
    ]

    rows = [org_row("A3", "第三党支部", "党支部", "SA"), org_row("A3G", "党小组", "党小组", "A3")]
    assert import_(ORGS, book(ORGS, rows), admin).created == 2
    moved = [
        org_row("A3", "第三党支部（更名）", "党支部", "SA"),
        org_row("A3G", "党小组", "党小组", "A1", has_committee="是"),
    ]
    result = import_(ORGS, book(ORGS, moved), admin)
    assert result.ok and result.updated == 2
    assert Organization.objects.get(code="A3").name == "第三党支部（更名）"
    group = Organization.objects.get(code="A3G")
    assert group.parent == world.branch_a1 and group.has_committee


def test_a_column_missing_from_the_file_is_left_alone(world):
    admin = world.users["street_a_admin"]
    import_(UNITS, book(UNITS, [unit_row(1, address="旧地址")]), admin)
    headers = ["统一社会信用代码", "单位名称", "单位类型", "经济类型", "职工人数"]
    result = import_(
        UNITS,
        book(UNITS, [[credit_code(1), "测试企业1", "企业", "非公", 99]], headers=headers),
        admin,
    )
    assert result.ok and result.updated == 1
    unit = Unit.objects.get(credit_code=credit_code(1))
    assert unit.employees == 99 and unit.address == "旧地址"


# ---------------------------------------------------------------------------------------
# Bad rows


def test_one_bad_row_imports_nothing_and_the_error_workbook_marks_it(world, tmp_path):
    admin = world.users["street_a_admin"]
    before = events()
    source = book(UNITS, [unit_row(1), unit_row(2, kind="工厂"), unit_row(3)])
    with translation.override("en"):
        result = import_(UNITS, source, admin)
    assert not result.ok and result.bad_rows == 1 and result.rows == 3
    [issue] = result.issues
    assert (issue.row, issue.column, issue.header) == (3, "C", "单位类型")
    assert issue.message.startswith("Choose one of:") and "企业" in issue.message
    assert Unit.objects.count() == 0 and events() == before

    out = tmp_path / "units.errors.xlsx"
    sheets.write_error_workbook(UNITS, source, result, out)
    ws = load_workbook(out)[UNITS.title]
    last = len(UNITS.columns) + 1
    assert ws.cell(1, last).value == sheets.ERRORS_HEADER
    assert ws["C3"].value == "工厂" and ws["C3"].comment and ws["C3"].comment.text.strip()
    assert ws["C3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "单位类型" in ws.cell(3, last).value
    assert ws.cell(2, last).value is None and ws.cell(4, last).value is None
    assert ws["A2"].value == credit_code(1) and ws["A2"].comment is None


def test_a_row_the_services_refuse_rolls_back_the_rows_before_it(world, monkeypatch):
    admin = world.users["street_a_admin"]
    original = UnitSheet.apply_row

    def apply_row(self, ctx, row):
        if row.number == 4:
            raise ValidationError({"name": "refused by a service"})
        return original(self, ctx, row)

    monkeypatch.setattr(UnitSheet, "apply_row", apply_row)
    before = events()
    result = import_(UNITS, book(UNITS, [unit_row(1), unit_row(2), unit_row(3)]), admin)
    assert not result.ok and [(i.row, i.column) for i in result.issues] == [(4, "B")]
    assert result.created == 0
    assert Unit.objects.count() == 0 and events() == before


def test_messy_cells_are_cleaned(world):
    admin = world.users["street_a_admin"]
    code = credit_code(7)
    messy = unit_row(
        7,
        name="\u3000和平超市 ",
        region_code=410102,
        employees="１２３",
        revenue="1,234.5",
        party_members=" 7 人",
        responsible_org=" SA ",
    )
    messy[0] = f" {code[:6]} {code[6:].lower().translate(FULL_WIDTH)}\u3000"
    result = import_(UNITS, book(UNITS, [messy, unit_row(8)]), admin)
    assert result.ok, result.issues
    unit = Unit.objects.get(credit_code=code)
    assert unit.name == "和平超市" and unit.region_code == "410102"
    assert (unit.employees, unit.revenue, unit.party_members) == (123, Decimal("1234.50"), 7)

    dates = ["2019-07-01", "2019.07.01", "2019/7/1", "2019年7月1日", 43647, dt.datetime(2019, 7, 1)]
    rows = [
        org_row(f"M{i}", f"党支部{i}", " 党支部 ", "SA", founded_on=d, has_committee=" 是 ")
        for i, d in enumerate(dates)
    ]
    rows.append(
        org_row(
            "MJ",
            "联合党支部",
            "党支部",
            "SA",
            formation_mode="联合",
            units=f"{credit_code(7)}，{credit_code(8)}",
            reported_members="１２",
        )
    )
    result = import_(ORGS, book(ORGS, rows), admin)
    assert result.ok, result.issues
    assert set(
        Organization.objects.filter(code__in=[f"M{i}" for i in range(6)]).values_list(
            "founded_on", flat=True
        )
    ) == {dt.date(2019, 7, 1)}
    assert Organization.objects.get(code="M0").has_committee
    assert HostLink.objects.filter(org__code="MJ").count() == 2
    assert Organization.objects.get(code="MJ").reported_members == 12


def test_the_instruction_row_and_blank_rows_are_skipped(world, tmp_path):
    path = tmp_path / "units.xlsx"
    fill_template(UNITS, [unit_row(1), [None] * 12, ["  "] * 12, unit_row(2)], path)
    result = import_(UNITS, path, world.users["street_a_admin"])
    assert result.ok and result.created == 2 and result.rows == 2


def test_an_invalid_credit_code_is_refused(world):
    good = credit_code(5)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    result = import_(
        UNITS, book(UNITS, [unit_row(5, credit_code=bad)]), world.users["street_a_admin"]
    )
    assert not result.ok
    [issue] = result.issues
    assert issue.column == "A" and issue.message == credit_code_problem(bad)
    short = import_(UNITS, book(UNITS, [unit_row(5, credit_code="123")]), world.system)
    assert short.issues[0].message == credit_code_problem("123")
    assert Unit.objects.count() == 0


def test_duplicates_in_the_file_are_errors_on_the_second_occurrence(world):
    admin = world.users["street_a_admin"]
    result = import_(
        UNITS, book(UNITS, [unit_row(1), unit_row(2), unit_row(1, name="又一个")]), admin
    )
    assert [(i.row, i.column) for i in result.issues] == [(4, "A")]
    assert "2" in result.issues[0].message
    rows = [org_row("X1", "甲", "党支部", "SA"), org_row("X1", "乙", "党支部", "SA")]
    result = import_(ORGS, book(ORGS, rows), admin)
    assert [(i.row, i.column) for i in result.issues] == [(3, "A")]
    assert Unit.objects.count() == 0 and not Organization.objects.filter(code="X1").exists()


def test_a_parent_must_come_before_its_children(world):
    rows = [org_row("C1", "党小组", "党小组", "P1"), org_row("P1", "党支部", "党支部", "SA")]
    result = import_(ORGS, book(ORGS, rows), world.users["street_a_admin"])
    assert [(i.row, i.column) for i in result.issues] == [(2, "D")]


def test_rows_must_agree_with_the_tree_and_the_policy(world):
    admin = world.users["street_a_admin"]
    codes = [credit_code(n) for n in range(1, 8)]
    import_(UNITS, book(UNITS, [unit_row(n) for n in range(1, 8)]), admin)
    rows = [
        org_row("T1", "工会", "基层工会委员会", "SA"),  # a union under a Party committee
        org_row("T2", "联合党支部", "党支部", "SA", formation_mode="联合", units="、".join(codes)),
        org_row("T3", "党支部", "党支部", "SA", units=f"{codes[0]};{codes[1]}"),  # not joint
        org_row("SA", "中共和平街道工作委员会", "党支部", "", founded_on=""),  # kind changed
    ]
    result = import_(ORGS, book(ORGS, rows), world.users["district_admin"])
    assert [(i.row, i.column) for i in result.issues] == [(2, "D"), (3, "H"), (4, "F"), (5, "C")]
    assert not Organization.objects.filter(code__startswith="T").exists()


# ---------------------------------------------------------------------------------------
# Scope


def test_an_importer_cannot_touch_organizations_outside_their_scope(world):
    officer = world.users["a2_officer"]
    before = events()
    rows = [
        org_row("A2G", "第二党支部党小组", "党小组", "A2"),  # fine on its own
        org_row("A1", "改名了", "党支部", "SA"),  # A1 is not theirs
        org_row("X9", "越权支部", "党支部", "B1"),  # B1 is out of sight
    ]
    result = import_(ORGS, book(ORGS, rows), officer)
    assert [(i.row, i.column) for i in result.issues] == [(3, "A"), (4, "D")]
    with translation.override("en"):
        result = import_(ORGS, book(ORGS, rows), officer)
        nowhere = import_(ORGS, book(ORGS, [org_row("X8", "x", "党支部", "NOPE")]), officer)
    # Out of sight reads exactly like "does not exist".
    assert result.issues[1].message == nowhere.issues[0].message.replace("NOPE", "B1")
    assert Organization.objects.get(code="A1").name == "和平社区第一党支部"
    assert not Organization.objects.filter(code__in=["A2G", "X9"]).exists()

    units = import_(UNITS, book(UNITS, [unit_row(1, org="A2"), unit_row(2, org="A1")]), officer)
    assert [(i.row, i.column) for i in units.issues] == [(3, "K")]
    assert Unit.objects.count() == 0 and events() == before


def test_an_existing_unit_of_another_street_cannot_be_changed(world):
    register_unit(
        world.system,
        credit_code=credit_code(9),
        name="新华企业",
        kind="enterprise",
        ownership="non_public",
        responsible_org=world.branch_b1,
    )
    result = import_(UNITS, book(UNITS, [unit_row(9, org="SA")]), world.users["street_a_admin"])
    assert [(i.row, i.column) for i in result.issues] == [(2, "A")]
    assert Unit.objects.get(credit_code=credit_code(9)).responsible_org == world.branch_b1


# ---------------------------------------------------------------------------------------
# Files that are refused


def xlsx_bytes(rows=()) -> bytes:
    return book(UNITS, rows or [unit_row(1)]).getvalue()


def rezip(data: bytes, replace: dict) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename in replace:
                body = replace[info.filename](body)
            dst.writestr(info.filename, body)
    return out.getvalue()


def refused(data, user, limits=None) -> str:
    before = (events(), Unit.objects.count())
    result = sheets.import_sheet(UNITS, io.BytesIO(data), user, limits=limits)
    assert not result.ok and result.file_error and not result.issues
    assert (events(), Unit.objects.count()) == before
    return result.file_error


@pytest.mark.parametrize(
    "data",
    [
        "统一社会信用代码,单位名称\n91410102000000001X,测试\n".encode(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,  # an old .xls (or encrypted)
        b"PK\x03\x04" + b"\0" * 100,  # a broken zip
        b"",
    ],
    ids=["csv", "xls", "broken-zip", "empty"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(world, data):
    with translation.override("en"):
        message = refused(data, world.system)
    assert ".xls" in message


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    refused(buf.getvalue(), world.system)
    damaged = rezip(xlsx_bytes(), {"xl/workbook.xml": lambda b: b"<not-xml"})
    refused(damaged, world.system)


def test_an_oversized_file_is_refused(world):
    data = xlsx_bytes()
    with translation.override("en"):
        message = refused(data, world.system, sheets.Limits(max_bytes=len(data) - 1))
    assert "too large" in message
    rows = [unit_row(n) for n in range(1, 5)]
    with translation.override("en"):
        message = refused(xlsx_bytes(rows), world.system, sheets.Limits(max_rows=3))
    assert "3" in message


def test_a_missing_column_is_refused_before_any_row(world):
    data = book(UNITS, [[credit_code(1), "x"]], headers=["统一社会信用代码", "单位名称"]).getvalue()
    message = refused(data, world.system)
    assert "单位类型" in message and "经济类型" in message


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the central directory so `name` claims to unpack to `size` bytes."""
    buf = bytearray(data)
    start = 0
    while (at := buf.find(b"PK\x01\x02", start)) != -1:
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46 : at + 46 + name_len]) == name.encode():
            struct.pack_into("<I", buf, at + 24, size)
            return bytes(buf)
        start = at + 4
    raise AssertionError(name)


def _bounded(call, *, mb=16, seconds=5):
    tracemalloc.start()
    started = time.monotonic()
    try:
        value = call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < mb * 1024 * 1024, f"peak {peak} bytes"
    assert time.monotonic() - started < seconds
    return value


def test_a_zip_bomb_declaring_a_huge_sheet_is_refused_unopened(world):
    bomb = _patch_declared_size(xlsx_bytes(), "xl/worksheets/sheet1.xml", 0xF000_0000)
    with translation.override("en"):
        message = _bounded(lambda: refused(bomb, world.system))
    assert "zip bomb" in message


def test_a_highly_compressible_huge_sheet_is_refused_unopened(world):
    data = xlsx_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
                continue
            body = src.read(info.filename)
            head, tail = body.split(b"<sheetData>")
            with dst.open(info.filename, "w", force_zip64=True) as f:
                f.write(head + b"<sheetData>")
                chunk = b" " * (1024 * 1024)
                for _ in range(64):  # 64 MB of whitespace compresses ~1000:1
                    f.write(chunk)
                f.write(tail)
    assert len(out.getvalue()) < 1024 * 1024
    with translation.override("en"):
        message = _bounded(lambda: refused(out.getvalue(), world.system))
    assert "zip bomb" in message


def test_a_workbook_with_thousands_of_sheets_is_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(1, 3001):
            z.writestr(f"xl/worksheets/sheet{n}.xml", "<worksheet/>")
    with translation.override("en"):
        message = _bounded(lambda: refused(buf.getvalue(), world.system))
    assert "3000" in message or "parts" in message
    limits = sheets.Limits(max_parts=10_000)
    with translation.override("en"):
        message = _bounded(lambda: refused(buf.getvalue(), world.system, limits))
    assert "3000 sheets" in message


def test_an_absurd_declared_dimension_is_refused(world):
    absurd = rezip(
        xlsx_bytes(),
        {
            "xl/worksheets/sheet1.xml": lambda b: re.sub(
                rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:XFD1048576"', b
            )
        },
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(absurd)).read("xl/worksheets/sheet1.xml")
    message = refused(absurd, world.system)
    assert "1048576" in message


def _measure_check(n, user):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(UNITS.title)
    ws.append([c.header for c in UNITS.columns])
    for i in range(1, n + 1):
        ws.append(unit_row(i))
    buf = io.BytesIO()
    wb.save(buf)
    seen = []
    tracemalloc.start()
    try:
        result = sheets.import_sheet(
            UNITS,
            buf,
            user,
            check_only=True,
            progress=lambda done, total, stage: seen.append((done, total, stage)),
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.ok and result.rows == n and seen[-1] == (n, n, "check")
    return peak, seen


def test_checking_a_large_file_keeps_memory_bounded(world, monkeypatch):
    """Rows are streamed and checked in chunks: four times the rows, about the same memory."""
    monkeypatch.setattr(sheets, "CHUNK_ROWS", 250)
    user = world.users["street_a_admin"]
    small, _seen = _measure_check(1000, user)
    large, seen = _measure_check(4000, user)
    assert large < small * 1.5 + 2 * 1024 * 1024, (small, large)
    assert len([s for s in seen if s[2] == "check"]) >= 16  # a progress report per chunk
    assert Unit.objects.count() == 0


def test_progress_is_reported_while_checking_and_applying(world):
    seen = []
    result = sheets.import_sheet(
        UNITS,
        book(UNITS, [unit_row(n) for n in range(1, 4)]),
        world.users["street_a_admin"],
        progress=lambda done, total, stage: seen.append((done, total, stage)),
    )
    assert result.ok
    assert (3, 3, "check") in seen and seen[-1] == (3, 3, "apply")


# ---------------------------------------------------------------------------------------
# Export


def test_export_neutralizes_formula_looking_cells_and_reimports_them(world, tmp_path):
    admin = world.users["street_a_admin"]
    register_unit(
        world.system,
        credit_code=credit_code(1),
        name='=HYPERLINK("http://evil.example","点我")',
        kind="enterprise",
        ownership="non_public",
        sector="+1",
        address="@SUM(1+1)",
        responsible_org=world.street_a,
    )
    out = tmp_path / "units.xlsx"
    sheets.export_workbook(UNITS, admin, [world.street_a], out)
    ws = load_workbook(out)[UNITS.title]
    assert ws["B2"].value == '\'=HYPERLINK("http://evil.example","点我")'
    assert ws["B2"].data_type == "s" and ws["E2"].value == "'+1" and ws["J2"].value == "'@SUM(1+1)"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    before = events()
    assert import_(UNITS, out, admin).unchanged == 1 and events() == before


def test_export_shows_only_what_the_user_sees(world, tmp_path):
    for n, org in [(1, world.branch_a1), (2, world.branch_a2), (3, world.branch_b1)]:
        register_unit(
            world.system,
            credit_code=credit_code(n),
            name=f"企业{n}",
            kind="enterprise",
            ownership="non_public",
            responsible_org=org,
        )
    officer = world.users["a2_officer"]
    out = tmp_path / "x.xlsx"
    # Even asked for the whole street, a branch officer gets their own branch only.
    assert sheets.export_workbook(UNITS, officer, [world.street_a], out) == 1
    assert load_workbook(out).active["A2"].value == credit_code(2)
    assert sheets.export_workbook(ORGS, officer, [world.street_a], out) == 1
    assert sheets.export_workbook(ORGS, world.users["street_a_admin"], [world.street_a], out) == 3


# ---------------------------------------------------------------------------------------
# Commands


def test_commands_template_import_export(world, tmp_path, capsys):
    path = tmp_path / "units.xlsx"
    call_command("template", "units", "-o", str(path))
    wb = load_workbook(path)
    wb[UNITS.title].append(unit_row(1))
    wb.save(path)
    call_command("import", "units", str(path), "--as", "street_a_admin")
    captured = capsys.readouterr()
    assert "1/1" in captured.err
    assert Unit.objects.count() == 1 and captured.out.strip()

    out = tmp_path / "export.xlsx"
    call_command("export", "units", "--org", "SA", "-o", str(out), "--as", "street_a_admin")
    assert load_workbook(out).active["A2"].value == credit_code(1)
    with pytest.raises(CommandError):
        call_command("export", "units", "--org", "B1", "-o", str(out), "--as", "street_a_admin")

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(book(UNITS, [unit_row(2), unit_row(3, kind="工厂")]).getvalue())
    with pytest.raises(CommandError) as failure:
        call_command("import", "units", str(bad), "--as", "street_a_admin")
    errors = tmp_path / "bad.errors.xlsx"
    assert str(errors) in str(failure.value)
    assert load_workbook(errors).active["C3"].comment is not None
    assert Unit.objects.count() == 1

    with pytest.raises(CommandError):
        call_command("import", "units", str(tmp_path / "nothing.xlsx"))
    (tmp_path / "note.txt").write_text("hello")
    with pytest.raises(CommandError):
        call_command("import", "units", str(tmp_path / "note.txt"))


@pytest.mark.parametrize("argv", [["template"], ["import"], ["export"]])
def test_commands_have_help(argv):
    result = subprocess.run(
        [sys.executable, "-m", "jiceng.cli", *argv, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout and "units" in result.stdout


# ---------------------------------------------------------------------------------------
# Web pages


def upload(client, kind, data: bytes, name="file.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("data:import", args=[kind]), {"file": f})


def test_the_pages_work_for_a_street_admin(world, login):
    client = login(world.users["street_a_admin"])
    assert client.get(reverse("data:index")).status_code == 200
    page = client.get(reverse("data:kind", args=["units"]))
    body = page.content.decode()
    assert page.status_code == 200 and "csrfmiddlewaretoken" in body and "统一社会信用代码" in body
    assert 'name="viewport"' in body
    template = client.get(reverse("data:template", args=["units"]))
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    ws = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    assert ws["A1"].value == "统一社会信用代码"

    response = upload(client, "units", xlsx_bytes([unit_row(1), unit_row(2)]))
    assert response.status_code == 302
    result = client.get(response["Location"])
    assert result.status_code == 200 and 'id="import-counts"' in result.content.decode()
    assert Unit.objects.count() == 2

    exported = client.get(reverse("data:export", args=["units"]))
    ws = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    assert ws.max_row == 3


def test_a_bad_upload_gives_back_the_marked_file_to_its_owner_only(world, login):
    client = login(world.users["street_a_admin"])
    response = upload(client, "units", xlsx_bytes([unit_row(1), unit_row(2, kind="工厂")]))
    assert response.status_code == 302 and Unit.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    link = reverse("data:errors", args=["units", response["Location"].rstrip("/").split("/")[-1]])
    assert link in page
    download = client.get(link)
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert ws["C3"].comment is not None and ws.cell(1, 13).value == sheets.ERRORS_HEADER

    other = login(world.users["a2_officer"])
    assert other.get(response["Location"]).status_code == 404
    assert other.get(link).status_code == 404


def test_an_upload_that_is_not_a_workbook_is_refused_with_a_message(world, login):
    client = login(world.users["street_a_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, "orgs", b"code,name\nX1,x\n", name="orgs.csv")
    page = client.get(response["Location"]).content.decode()
    assert "not an Excel workbook" in page and 'id="download-errors"' not in page
    assert not Organization.objects.filter(code="X1").exists()


def test_pages_refuse_anonymous_and_writes_need_csrf(world, client, login):
    for url in [
        reverse("data:index"),
        reverse("data:kind", args=["units"]),
        reverse("data:template", args=["units"]),
        reverse("data:export", args=["units"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("ui:login"))
    response = upload(client, "units", xlsx_bytes())
    assert response.status_code == 302 and response["Location"].startswith(reverse("ui:login"))

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(
        world.users["street_a_admin"], backend="django.contrib.auth.backends.ModelBackend"
    )
    assert upload(strict, "units", xlsx_bytes()).status_code == 403
    assert Unit.objects.count() == 0
    assert login(world.users["street_a_admin"]).get("/data/people/").status_code == 404


def test_an_oversized_upload_is_refused_before_it_is_read(world, login, monkeypatch):
    monkeypatch.setattr(
        sheets.Limits, "from_policy", classmethod(lambda cls, *a, **k: cls(max_bytes=1000))
    )
    client = login(world.users["street_a_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, "units", xlsx_bytes() + b"\0" * (100 * 1024))
    assert response.status_code == 400 and "too large" in response.content.decode()
    assert Unit.objects.count() == 0


def test_the_export_page_follows_the_switcher(world, login):
    for n, org in [(1, world.branch_a1), (2, world.branch_a2)]:
        register_unit(
            world.system,
            credit_code=credit_code(n),
            name=f"企业{n}",
            kind="enterprise",
            ownership="non_public",
            responsible_org=org,
        )
    client = login(world.users["street_a_admin"])
    client.post(reverse("ui:switch"), {"org": "A1"})
    response = client.get(reverse("data:export", args=["units"]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [credit_code(1)]
    officer = login(world.users["a2_officer"])
    response = officer.get(reverse("data:export", args=["orgs"]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["A2"]


# ---------------------------------------------------------------------------------------
# Reading workbooks (jiceng.sheets.reader): what openpyxl reads, faster, and never unbounded

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def package(sheet_data: str, *, shared=None, styles=None, prefix="", head="") -> bytes:
    """A minimal .xlsx written by hand: one sheet 单位 with `sheet_data` as its <sheetData>
    content, optional shared strings (<si> bodies) and cellXfs number formats."""
    x = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{_MAIN}"'
    rels = [f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>']
    types = [
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats'
        '-officedocument.spreadsheetml.sheet.main+xml"/>'
    ]
    parts = {}
    if shared is not None:
        rels.append(
            f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        parts["xl/sharedStrings.xml"] = (
            f'<sst xmlns="{_MAIN}">' + "".join(f"<si>{s}</si>" for s in shared) + "</sst>"
        )
    if styles is not None:
        rels.append(f'<Relationship Id="rId3" Type="{_DOC}/styles" Target="styles.xml"/>')
        formats, xfs = styles
        parts["xl/styles.xml"] = (
            f'<styleSheet xmlns="{_MAIN}"><numFmts>'
            + "".join(f'<numFmt numFmtId="{i}" formatCode="{c}"/>' for i, c in formats.items())
            + '</numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs>'
            + "".join(f'<xf numFmtId="{i}"/>' for i in xfs)
            + "</cellXfs></styleSheet>"
        )
    parts.update(
        {
            "[Content_Types].xml": f'<Types xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/content-types">{"".join(types)}</Types>',
            "_rels/.rels": f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
            f'<sheet name="单位" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_RELS}">{"".join(rels)}'
            "</Relationships>",
            "xl/worksheets/sheet1.xml": f"{head}<{x}worksheet {xmlns}><{x}sheetData>"
            f"{sheet_data}</{x}sheetData></{x}worksheet>",
        }
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return buf.getvalue()


def read_rows(data: bytes, width=50, max_row=1000) -> dict[int, list]:
    from jiceng.sheets.reader import Book

    book_ = Book(io.BytesIO(data))
    return dict(book_.sheet().rows(width=width, max_row=max_row))


def test_the_reader_gives_the_values_openpyxl_gives(tmp_path):
    from jiceng.sheets.reader import Book

    wb = Workbook()
    ws = wb.active
    ws.title = UNITS.title
    ws.append(["名称", "数", "日期", "是否", "公式"])
    ws.append(["张三 ", 12, dt.date(2019, 7, 1), True, "=1+1"])
    ws.append(["  李四", 12.5, dt.datetime(2019, 7, 1, 8, 30), False, None])
    ws["C4"] = 43647
    ws["C4"].number_format = 'yyyy"年"m"月"d"日"'
    ws["A4"] = "１２３\u3000"
    ws["B4"] = dt.timedelta(hours=30)
    ws["D4"] = dt.time(8, 30)
    ws["F7"] = "右下"
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    expected = {
        n: list(r)
        for n, r in enumerate(
            load_workbook(path, read_only=True, data_only=True).active.iter_rows(values_only=True),
            start=1,
        )
    }
    with open(path, "rb") as f:
        got = dict(Book(f).sheet().rows(width=10, max_row=100))
    assert set(got) == {1, 2, 3, 4, 7}  # rows the file leaves out are not invented
    for n, values in got.items():
        assert values == expected[n][: len(values)]
        assert all(v is None for v in expected[n][len(values) :])
    assert got[4][2] == dt.datetime(2019, 7, 1)


def test_the_reader_takes_shared_rich_text_east_asian_dates_and_any_prefix():
    rows = read_rows(
        package(
            '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" s="1"><x:v>43647</x:v>'
            '</x:c><x:c r="D1" t="b"><x:v>1</x:v></x:c><x:c r="E1" t="e"><x:v>#N/A</x:v></x:c>'
            '</x:row><x:row><x:c t="inlineStr"><x:is><x:t>甲</x:t></x:is></x:c><x:c s="2">'
            "<x:v>43647</x:v></x:c><x:c><x:f>A1</x:f><x:v>3</x:v></x:c></x:row>",
            shared=["<r><t>和平</t></r><r><t>街道</t></r><rPh><t>ヘイワ</t></rPh>"],
            styles=({}, [0, 31, 164]),  # 31: a built-in zh-CN date format, named by id only
            prefix="x",
        )
    )
    assert rows[1] == ["和平街道", None, dt.datetime(2019, 7, 1), True, "#N/A"]
    assert rows[2] == ["甲", 43647, 3]  # style 164 is not declared: a plain number


def test_a_cell_or_row_far_beyond_the_data_is_refused_or_skipped_in_bounded_memory(world):
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{c.header}</t></is></c>'
        for i, c in enumerate(UNITS.columns)
    )
    far_row = package(
        f'<row r="1">{header}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    with translation.override("en"):
        message = _bounded(lambda: refused(far_row, world.system))
    assert "too many rows" in message
    far_cell = package(f'<row r="1">{header}</row><row r="3"><c r="XFD3"><v>1</v></c></row>')
    result = _bounded(lambda: import_(UNITS, io.BytesIO(far_cell), world.system))
    assert result.ok and result.rows == 0  # the cell is right of every column: a blank row
    bad_ref = package(f'<row r="1">{header}</row><row r="2"><c r="XFDA2"><v>1</v></c></row>')
    with translation.override("en"):
        assert "damaged" in _bounded(lambda: refused(bad_ref, world.system))


def test_a_doctype_is_refused_before_any_entity_is_expanded(world):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
            for i in range(9)
        )
        + "]>"
    )
    data = package('<row r="1"><c t="inlineStr"><is><t>&lol8;</t></is></c></row>', head=laughs)
    with translation.override("en"):
        assert "damaged" in _bounded(lambda: refused(data, world.system))


def test_rows_left_out_of_the_file_keep_their_numbers_in_the_error_workbook(world, tmp_path):
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{c.header}</t></is></c>'
        for i, c in enumerate(UNITS.columns)
    )
    row = "".join(
        f'<c r="{chr(65 + i)}5" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(unit_row(1, kind="工厂"))
    )
    data = package(f'<row r="1">{header}</row><row r="5">{row}</row>')
    result = import_(UNITS, io.BytesIO(data), world.system)
    assert [(i.row, i.column) for i in result.issues] == [(5, "C")]
    out = tmp_path / "errors.xlsx"
    sheets.write_error_workbook(UNITS, io.BytesIO(data), result, out)
    ws = load_workbook(out)[UNITS.title]
    assert ws["C5"].value == "工厂" and ws["C5"].comment is not None
    assert ws["A2"].value is None and ws["A5"].value == credit_code(1)
