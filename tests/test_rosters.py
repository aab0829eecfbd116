"""Party member rosters as spreadsheets (people.sheets): checked whole, imported all or nothing
as a job, re-imports that change nothing, ID numbers refused per cell, bombs refused, exports
masked unless revealed (and then logged once), importers held to their own organizations."""

import datetime as dt
import io
import re
import time
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from jiceng.audit.models import AuditEvent, Source
from jiceng.audit.services import verify
from jiceng.demo.names import id_number
from jiceng.jobs import services as jobs
from jiceng.jobs.models import Job, Status
from jiceng.orgs.services.policy import set_override
from jiceng.people.models import Category, MembershipState, PartyMembership, Person, Stage
from jiceng.people.services import enrol_member, register_person
from jiceng.sheets import layer as sheets
from jiceng.sheets import views as data_views
from tests.test_sheets import _bounded, _patch_declared_size, rezip

MEMBERS = sheets.get_spec("members")
HEADERS = [c.header for c in MEMBERS.columns]
COLUMN = {c.field: chr(ord("A") + i) for i, c in enumerate(MEMBERS.columns)}
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def born_of(n: int) -> dt.date:
    return dt.date(1960, 1, 1) + dt.timedelta(days=n // 1000)


def id_of(n: int) -> str:
    """A distinct valid ID number for every n < 1,000,000 (1,000 per birth date)."""
    return id_number(born_of(n), n % 1000)


def with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def member_row(n, *, org="A1", **changes) -> list:
    row = {
        "name": f"党员{n}",
        "id_number": id_of(n),
        "gender": "男" if n % 2 else "女",
        "ethnicity": "汉族",
        "birth_date": born_of(n).isoformat(),
        "education": "大学本科",
        "phone": f"138{n:08d}",
        "org": org,
        "category": "在职",
        "composition": "",
        "stage": "正式党员",
        "joined_on": "2000-07-01",
        "full_on": "2001-07-01",
        "floating": "否",
        "hardship": "否",
        "veteran": "否",
        "reserve_cadre": "否",
        "without_post": "否",
        "dual_checkin": "否",
        "left_hanging": "否",
        "unreachable": "否",
        **changes,
    }
    return [row[c.field] for c in MEMBERS.columns]


def book(rows, *, headers=None) -> io.BytesIO:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(MEMBERS.title)
    ws.append(headers or HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def import_(source, user, **kw):
    if hasattr(source, "seek"):
        source.seek(0)
    return sheets.import_sheet(MEMBERS, source, user, **kw)


def events() -> int:
    return AuditEvent.objects.count()


def cells(result) -> list[tuple[int, str]]:
    return [(i.row, i.column) for i in result.issues]


# ---------------------------------------------------------------------------------------
# A city district's roster: 10,000 rows


@pytest.fixture(scope="module")
def roster_files(tmp_path_factory):
    """The same 10,000-row roster twice: clean, and with one bad ID number in row 5,002."""
    folder = tmp_path_factory.mktemp("rosters")
    good, bad = folder / "good.xlsx", folder / "bad.xlsx"
    rows = [member_row(n, org="A1" if n % 2 else "A2") for n in range(10_000)]
    good.write_bytes(book(rows).getvalue())
    number = rows[5000][1]
    rows[5000][1] = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit
    bad.write_bytes(book(rows).getvalue())
    return good, bad


def test_ten_thousand_rows_with_one_bad_row_import_nothing(world, roster_files):
    started = time.monotonic()
    _good, bad = roster_files
    admin = world.users["street_a_admin"]
    before = events()
    job = jobs.submit(admin, "import", source=bad, foreground=True, sheet="members")
    assert job.status == Status.DONE and job.done == job.total == 10_000
    result = job.result
    assert not result["ok"] and result["rows"] == 10_000 and result["bad_rows"] == 1
    assert len(result["issues"]) == 1 and "5002" in result["issues"][0]
    assert PartyMembership.objects.count() == 0 and Person.objects.count() == 0
    assert events() == before
    assert job.input_file is not None and not job.input_file.exists()  # the upload is not kept

    ws = load_workbook(job.output_file)[MEMBERS.title]
    marked = ws[f"{COLUMN['id_number']}5002"]
    assert marked.comment is not None and marked.fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(1, len(HEADERS) + 1).value == sheets.ERRORS_HEADER
    assert ws.cell(5002, len(HEADERS) + 1).value and ws.cell(5001, len(HEADERS) + 1).value is None
    assert ws[f"{COLUMN['id_number']}5001"].comment is None
    assert time.monotonic() - started < 60


def test_ten_thousand_rows_import_once_and_a_reimport_changes_nothing(world, roster_files):
    good, _bad = roster_files
    admin = world.users["street_a_admin"]
    before = events()
    first = import_(good, admin)
    assert first.ok and first.created == 10_000, first.to_dict()
    assert PartyMembership.objects.filter(org=world.branch_a1).count() == 5_000
    assert MembershipState.objects.filter(valid_until__isnull=True).count() == 10_000
    written = events() - before
    assert written == 20_000  # person.register + party.enrol for each
    assert set(AuditEvent.objects.filter(id__gt=0).values_list("source", flat=True)) >= {
        Source.IMPORT
    }

    again = import_(good, admin)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 10_000)
    assert events() - before == written
    assert verify().ok


# ---------------------------------------------------------------------------------------
# Cells


def test_a_new_member_is_registered_with_every_field(world):
    result = import_(
        book(
            [
                member_row(
                    1,
                    ethnicity="回族",
                    education="大专",
                    category="离退休",
                    composition="社区",
                    floating="流出",
                    hardship="是",
                    veteran="是",
                    reserve_cadre="否",
                    without_post="是",
                )
            ]
        ),
        world.users["a1_officer"],
    )
    assert result.ok, result.to_dict()
    m = PartyMembership.objects.select_related("person").get()
    p = m.person
    assert (p.name, p.gender, p.birth_date, p.ethnicity, p.education) == (
        "党员1",
        "male",
        born_of(1),
        "03",
        "college",
    )
    assert p.id_number_masked == id_of(1)[:3] + "*" * 11 + id_of(1)[-4:]
    assert p.phone_masked == "138****0001"
    assert (m.org, m.stage, m.category, m.composition, m.floating) == (
        world.branch_a1,
        Stage.FULL,
        Category.RETIRED,
        "社区",
        "outflow",
    )
    assert (m.joined_on, m.full_on) == (dt.date(2000, 7, 1), dt.date(2001, 7, 1))
    assert (m.hardship, m.veteran, m.reserve_cadre, m.without_post) == (True, True, False, True)
    assert AuditEvent.objects.filter(action="people.party.enrol", source=Source.IMPORT).count() == 1
    assert not any(id_of(1) in str(e.after) for e in AuditEvent.objects.all())


def test_messy_cells_are_accepted(world):
    rows = [
        member_row(
            1,
            id_number=" " + id_of(1).translate(FULL_WIDTH) + "\u3000",
            name=" 张 三 ",
            joined_on="2000.07.01",
            full_on="2001年7月1日",
            birth_date=None,
            gender=None,
            phone="138 0000 0001",
        ),
        member_row(2, joined_on=36708, full_on="２００１-０７-０１", org=" a1 ".upper()),
        member_row(3, id_number=id_of(3).lower(), stage="正式", category="退休", ethnicity="1"),
    ]
    result = import_(book(rows), world.users["a1_officer"])
    assert result.ok, result.to_dict()
    one = PartyMembership.objects.select_related("person").get(person__name="张 三")
    assert one.joined_on == dt.date(2000, 7, 1) and one.full_on == dt.date(2001, 7, 1)
    assert one.person.birth_date == born_of(1) and one.person.gender == "male"
    two = PartyMembership.objects.get(person__name="党员2")
    assert two.joined_on == dt.date(2000, 7, 1) and two.full_on == dt.date(2001, 7, 1)
    three = PartyMembership.objects.select_related("person").get(person__name="党员3")
    assert three.category == Category.RETIRED and three.person.ethnicity == "01"


@pytest.mark.parametrize(
    ("changes", "field", "needle"),
    [
        (
            {"id_number": id_of(1)[:-1] + ("0" if id_of(1)[-1] != "0" else "1")},
            "id_number",
            "check",
        ),
        ({"id_number": with_check_digit("11010519850231123")}, "id_number", "does not exist"),
        ({"id_number": "1101051985"}, "id_number", "18"),
        ({"id_number": id_of(1)[:3] + "*" * 11 + id_of(1)[-4:]}, "id_number", "masked"),
        ({"gender": "女"}, "gender", "gender"),
        ({"birth_date": "1960-01-02"}, "birth_date", "does not match"),
        ({"phone": "12345"}, "phone", "mobile"),
        ({"phone": "138****0001"}, "phone", "masked"),
        ({"stage": "积极分子"}, "stage", "choose"),
        ({"ethnicity": "火星族"}, "ethnicity", "choose"),
    ],
)
def test_bad_cells_are_refused_per_cell(world, changes, field, needle):
    rows = [member_row(0), member_row(1, **changes), member_row(2)]
    with translation.override("en"):
        result = import_(book(rows), world.users["a1_officer"])
    assert not result.ok and cells(result) == [(3, COLUMN[field])], result.to_dict()
    assert needle in result.issues[0].message.lower()
    assert PartyMembership.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "needle"),
    [
        ({"joined_on": "1959-12-31"}, "joined_on", "after the birth date"),
        ({"joined_on": "1977-12-31", "full_on": None}, "joined_on", "at least 18"),
        ({"full_on": "2000-06-30"}, "full_on", "before admission"),
        ({"stage": "预备党员"}, "full_on", "probationary"),
        ({"joined_on": dt.date.today() + dt.timedelta(days=3)}, "joined_on", "future"),
        ({"joined_on": None}, "joined_on", "required"),
    ],
)
def test_dates_must_be_in_order(world, changes, field, needle):
    with translation.override("en"):
        result = import_(book([member_row(1, **changes)]), world.users["a1_officer"])
    assert not result.ok and cells(result) == [(2, COLUMN[field])], result.to_dict()
    assert needle in result.issues[0].message


def test_the_minimum_age_comes_from_the_policy_of_the_organization(world):
    set_override(
        world.system,
        key="people.party.min_age",
        org=world.branch_a2,
        value=20,
        valid_from=dt.date(1970, 1, 1),
        reason="测试",
    )
    joined = "1979-03-01"  # aged 19 (born 1960-01-01)
    rows = [
        member_row(0, joined_on=joined, full_on=None),
        member_row(2, org="A2", joined_on=joined, full_on=None),
    ]
    with translation.override("en"):
        result = import_(book(rows), world.users["street_a_admin"])
    assert cells(result) == [(3, COLUMN["joined_on"])]
    assert "20" in result.issues[0].message


def test_a_repeated_id_number_is_an_error_on_the_later_row(world):
    rows = [member_row(1), member_row(2), member_row(1, name="另一个人")]
    result = import_(book(rows), world.users["a1_officer"])
    assert cells(result) == [(4, COLUMN["id_number"])]
    assert "2" in result.issues[0].message  # names the first row


def test_changed_rows_are_updated_and_only_the_change_is_logged(world):
    officer = world.users["street_a_admin"]
    assert import_(book([member_row(1), member_row(2)]), officer).ok
    before = events()
    rows = [
        member_row(1, name="党员一", phone="13900000001", veteran="是"),
        member_row(2, org="A2", category="学生"),
    ]
    result = import_(book(rows), officer)
    assert result.ok and (result.updated, result.unchanged) == (2, 0), result.to_dict()
    one = Person.objects.get(name="党员一")
    assert one.phone_masked == "139****0001" and one.party.veteran
    two = PartyMembership.objects.get(person__name="党员2")
    assert two.org == world.branch_a2 and two.category == Category.STUDENT
    assert two.states.get(valid_until__isnull=True).org == world.branch_a2
    new = AuditEvent.objects.filter(id__gt=0).order_by("-id")[: events() - before]
    actions = sorted(e.action for e in new)
    assert actions == ["people.party.update", "people.party.update", "people.person.update"]
    update = next(e for e in new if e.action == "people.person.update")
    assert update.before == {"name": "党员1", "phone": "138****0001"}
    assert update.after == {"name": "党员一", "phone": "139****0001"}
    assert all(e.source == Source.IMPORT for e in new)


def test_a_known_person_without_a_party_record_joins_the_roster(world):
    person = register_person(
        world.users["a1_officer"], org=world.branch_a1, name="党员1", id_number=id_of(1)
    )
    result = import_(book([member_row(1)]), world.users["a1_officer"])
    assert result.ok and result.created == 1, result.to_dict()
    assert PartyMembership.objects.get().person == person


# ---------------------------------------------------------------------------------------
# Scope


def test_an_importer_outside_the_scope_is_refused(world):
    officer = world.users["a2_officer"]
    with translation.override("en"):
        result = import_(book([member_row(1, org="A1"), member_row(2, org="B1")]), officer)
    assert cells(result) == [(2, COLUMN["org"]), (3, COLUMN["org"])]
    assert all("within your scope" in i.message for i in result.issues)
    with translation.override("en"):
        result = import_(book([member_row(1, org="U")]), world.system)
    assert "not a Party organization" in result.issues[0].message
    with translation.override("en"):
        result = import_(book([member_row(1, org="A1")]), world.users["a1_member"])
    assert "may not manage" in result.issues[0].message
    assert PartyMembership.objects.count() == 0


def test_a_member_of_another_branch_cannot_be_taken_over_by_import(world):
    enrol_member(
        world.users["a1_officer"],
        register_person(
            world.users["a1_officer"], org=world.branch_a1, name="甲", id_number=id_of(1)
        ),
        org=world.branch_a1,
        stage=Stage.FULL,
        joined_on=dt.date(2000, 7, 1),
    )
    before = events()
    with translation.override("en"):
        result = import_(book([member_row(1, org="A2")]), world.users["a2_officer"])
    assert cells(result) == [(2, COLUMN["id_number"])]
    assert "transfer" in result.issues[0].message
    assert PartyMembership.objects.get().org == world.branch_a1 and events() == before


# ---------------------------------------------------------------------------------------
# Files that are refused (the helpers of tests/test_sheets.py)


def refused(data: bytes, user) -> str:
    before = (events(), Person.objects.count())
    result = sheets.import_sheet(MEMBERS, io.BytesIO(data), user)
    assert not result.ok and result.file_error and not result.issues
    assert (events(), Person.objects.count()) == before
    return result.file_error


def members_bytes() -> bytes:
    """A normal (not write-only) workbook, which declares its dimension."""
    wb = Workbook()
    wb.active.title = MEMBERS.title
    wb.active.append(HEADERS)
    wb.active.append(member_row(1))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_zip_bomb_is_refused(world):
    bomb = _patch_declared_size(members_bytes(), "xl/worksheets/sheet1.xml", 0xF000_0000)
    with translation.override("en"):
        message = _bounded(lambda: refused(bomb, world.system))
    assert "zip bomb" in message


def test_a_huge_declared_dimension_is_refused(world):
    absurd = rezip(
        members_bytes(),
        {
            "xl/worksheets/sheet1.xml": lambda b: re.sub(
                rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:R1048576"', b
            )
        },
    )
    with translation.override("en"):
        message = _bounded(lambda: refused(absurd, world.system))
    assert "1048576" in message and "rows" in message


def test_thousands_of_sheets_are_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(1, 3001):
            z.writestr(f"xl/worksheets/sheet{n}.xml", "<worksheet/>")
    with translation.override("en"):
        message = _bounded(lambda: refused(buf.getvalue(), world.system))
    assert "parts" in message or "sheets" in message


def test_a_missing_column_is_refused(world):
    data = book([["张三", id_of(1)]], headers=["姓名", "公民身份号码"]).getvalue()
    message = refused(data, world.system)
    assert "所在党组织代码" in message and "阶段" in message and "入党日期" in message


# ---------------------------------------------------------------------------------------
# Export


@pytest.fixture
def roster(world):
    rows = [member_row(n, org="A1" if n < 3 else "A2") for n in range(5)]
    assert import_(book(rows), world.users["street_a_admin"]).ok
    return world


def exported(path) -> list[tuple]:
    ws = load_workbook(path, read_only=True)[MEMBERS.title]
    return list(ws.iter_rows(min_row=2, values_only=True))


def test_an_export_masks_id_numbers_and_phones_and_logs_nothing(roster, tmp_path):
    out = tmp_path / "masked.xlsx"
    before = events()
    count = sheets.export_workbook(MEMBERS, roster.users["street_a_admin"], [roster.street_a], out)
    assert count == 5 and events() == before
    rows = exported(out)
    assert {r[1] for r in rows} == {id_of(n)[:3] + "*" * 11 + id_of(n)[-4:] for n in range(5)}
    assert all("****" in r[6] for r in rows)
    assert rows[0][:3] == ("党员0", id_of(0)[:3] + "*" * 11 + id_of(0)[-4:], "女")
    # a masked export can be read but not imported again: the numbers are refused per cell
    result = import_(out, roster.users["street_a_admin"], check_only=True)
    assert {i.column for i in result.issues} == {COLUMN["id_number"]}


def test_a_revealing_export_is_logged_once_and_imports_back_unchanged(roster, tmp_path):
    admin = roster.users["street_a_admin"]
    out = tmp_path / "clear.xlsx"
    before = events()
    assert sheets.export_workbook(MEMBERS, admin, [roster.street_a], out, reveal=True) == 5
    assert events() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "people.person.export_revealed" and event.actor == admin
    assert event.after == {
        "kind": "members",
        "rows": 5,
        "id_numbers": 5,
        "phones": 5,
        "orgs": ["SA"],
    }
    assert {r[1] for r in exported(out)} == {id_of(n) for n in range(5)}
    result = import_(out, admin)
    assert result.ok and result.unchanged == 5, result.to_dict()
    assert events() == before + 1


def test_the_three_flags_go_in_through_the_roster_and_come_back_out(roster, tmp_path):
    """到社区报到 (dual check-in), 空挂 and 失联: set by import, exported as 是/否, re-imported
    unchanged, and cleared by a later file."""
    admin = roster.users["street_a_admin"]
    assert {"到社区报到", "空挂党员", "失联党员"} <= set(HEADERS)
    flags = {"dual_checkin": "是", "left_hanging": "是", "unreachable": "是"}
    result = import_(book([member_row(1, **flags), member_row(2, unreachable="是")]), admin)
    assert result.ok and result.updated == 2, result.to_dict()
    m1, m2 = (PartyMembership.objects.get(person__name=f"党员{n}") for n in (1, 2))
    assert (m1.dual_checkin, m1.left_hanging, m1.unreachable) == (True, True, True)
    assert (m2.dual_checkin, m2.left_hanging, m2.unreachable) == (False, False, True)
    event = AuditEvent.objects.filter(action="people.party.update").order_by("id").first()
    assert event.after["left_hanging"] is True and event.before["left_hanging"] is False

    out = tmp_path / "flags.xlsx"
    sheets.export_workbook(MEMBERS, admin, [roster.street_a], out, reveal=True)
    ws = load_workbook(out, read_only=True)[MEMBERS.title]
    header = next(ws.iter_rows(max_row=1, values_only=True))
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in exported(out)}
    assert [by_name["党员1"][h] for h in ("到社区报到", "空挂党员", "失联党员")] == ["是"] * 3
    assert [by_name["党员2"][h] for h in ("到社区报到", "空挂党员", "失联党员")] == [
        "否",
        "否",
        "是",
    ]
    before = events()
    result = import_(out, admin)
    assert result.ok and result.unchanged == 5 and events() == before, result.to_dict()

    assert import_(book([member_row(1)]), admin).updated == 1
    m1.refresh_from_db()
    assert (m1.dual_checkin, m1.left_hanging, m1.unreachable) == (False, False, False)


def test_only_those_who_may_see_personal_information_can_reveal(roster, tmp_path):
    out = tmp_path / "x.xlsx"
    member = roster.users["a1_member"]  # may view branch A1, not see ID numbers
    with pytest.raises(PermissionDenied):
        sheets.export_workbook(MEMBERS, member, [roster.branch_a1], out, reveal=True)
    assert sheets.export_workbook(MEMBERS, member, [roster.branch_a1], out) == 3
    officer = roster.users["a1_officer"]  # may reveal in A1 only
    assert sheets.export_workbook(MEMBERS, officer, [roster.branch_a1], out, reveal=True) == 3
    assert AuditEvent.objects.order_by("-id").first().after["id_numbers"] == 3
    with pytest.raises(PermissionDenied):
        sheets.export_workbook(MEMBERS, officer, [roster.street_a], out, reveal=True)


def test_commands_import_and_export_members(roster, tmp_path, capsys):
    path = tmp_path / "members.xlsx"
    call_command("template", "members", "-o", str(path))
    wb = load_workbook(path)
    assert [c.value for c in wb.active[1]] == HEADERS
    wb.active.append(member_row(7))
    wb.save(path)
    with translation.override("zh-hans"):
        call_command("import", "members", str(path), "--as", "a1_officer")
    captured = capsys.readouterr()
    assert "\r正在导入… 1/1" in captured.err
    assert PartyMembership.objects.filter(person__name="党员7").exists()
    assert Job.objects.filter(kind="import", status=Status.DONE).count() == 1

    out = tmp_path / "out.xlsx"
    before = events()
    call_command("export", "members", "--org", "A1", "-o", str(out), "--as", "a1_officer")
    assert events() == before and "*" in exported(out)[0][1]
    call_command(
        "export", "members", "--org", "A1", "-o", str(out), "--reveal", "--as", "a1_officer"
    )
    assert events() == before + 1 and "*" not in exported(out)[0][1]
    with pytest.raises(CommandError):
        call_command(
            "export", "members", "--org", "A1", "-o", str(out), "--reveal", "--as", "a1_member"
        )
    with pytest.raises(CommandError):
        call_command("export", "units", "-o", str(out), "--reveal", "--as", "a1_officer")

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(book([member_row(8), member_row(9, gender="女")]).getvalue())
    with pytest.raises(CommandError) as failure:
        call_command("import", "members", str(bad), "--as", "a1_officer")
    errors = tmp_path / "bad.errors.xlsx"
    assert str(errors) in str(failure.value)
    assert load_workbook(errors).active[f"{COLUMN['gender']}3"].comment is not None


def test_a_large_upload_is_imported_in_the_background_with_progress(
    world, login, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(data_views, "INLINE_MAX_BYTES", 0)
    monkeypatch.setenv("JICENG_JOBS", "inline")
    client = login(world.users["a1_officer"])
    f = io.BytesIO(book([member_row(n) for n in range(3)]).getvalue())
    f.name = "members.xlsx"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("data:import", args=["members"]), {"file": f})
    assert response.status_code == 302 and PartyMembership.objects.count() == 0
    job = Job.objects.get()
    assert job.status == Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and reverse("jobs:progress", args=[job.pk]) in page
    assert 'role="progressbar"' in page

    for callback in callbacks:  # the transaction commits: the job runs
        callback()
    job.refresh_from_db()
    assert job.status == Status.DONE and job.done == 3
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-counts"' in page and "hx-trigger" not in page
    assert PartyMembership.objects.count() == 3
    assert login(world.users["a2_officer"]).get(response["Location"]).status_code == 404


def test_the_export_page_offers_to_reveal_and_logs_it(roster, login):
    client = login(roster.users["a1_officer"])
    page = client.get(reverse("data:kind", args=["members"])).content.decode()
    assert 'name="reveal"' in page
    assert 'name="reveal"' not in client.get(reverse("data:kind", args=["units"])).content.decode()
    client.post(reverse("ui:switch"), {"org": "A1"})
    before = events()
    response = client.get(reverse("data:export", args=["members"]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "*" in ws["B2"].value and events() == before
    response = client.get(reverse("data:export", args=["members"]), {"reveal": "1"})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws["B2"].value in {id_of(n) for n in range(3)} and events() == before + 1
    member = login(roster.users["a1_member"])
    assert member.get(reverse("data:export", args=["members"]), {"reveal": "1"}).status_code == 403


# ---------------------------------------------------------------------------------------
# An import for one organization (`jiceng import members FILE --org CODE`, the page's field)


def test_an_import_for_one_organization_fills_blank_cells_and_refuses_rows_outside_it(world):
    admin = world.users["street_a_admin"]
    rows = [member_row(1, org=""), member_row(2, org="A1"), member_row(3, org="A2")]
    before = events()
    with translation.override("zh-hans"):
        result = import_(book(rows), admin, org=world.branch_a1)
    assert not result.ok and cells(result) == [(4, COLUMN["org"])]
    assert "A2" in str(result.issues[0]) and "不在本次导入的组织" in str(result.issues[0])
    assert "第 4 行" in str(result.issues[0]) and "H 列" in str(result.issues[0])
    assert PartyMembership.objects.count() == 0 and events() == before

    result = import_(book(rows[:2]), admin, org=world.branch_a1)
    assert result.ok and result.created == 2, result.to_dict()
    assert set(PartyMembership.objects.values_list("org__code", flat=True)) == {"A1"}
    # without the option a blank organization cell is still a missing value
    result = import_(book([member_row(4, org="")]), admin, check_only=True)
    assert cells(result) == [(2, COLUMN["org"])]


def test_an_import_for_one_organization_may_leave_the_column_out(world):
    admin = world.users["street_a_admin"]
    keep = [i for i, c in enumerate(MEMBERS.columns) if c.field != "org"]
    headers = [HEADERS[i] for i in keep]
    source = book([[member_row(5)[i] for i in keep]], headers=headers)
    assert import_(source, admin, check_only=True).file_error  # 所在党组织代码 is missing
    result = import_(source, admin, org=world.branch_a2)
    assert result.ok and PartyMembership.objects.get().org == world.branch_a2


def test_an_import_for_an_organization_out_of_sight_is_refused_whole(world):
    officer = world.users["a1_officer"]
    with translation.override("en"):
        result = import_(book([member_row(6, org="")]), officer, org=world.branch_b1)
    assert "B1" in result.file_error and not result.issues
    units = sheets.get_spec("units")
    result = sheets.import_sheet(units, book([]), officer, org=world.branch_a1)
    assert result.file_error and PartyMembership.objects.count() == 0


def test_the_import_command_takes_an_organization(world, tmp_path):
    path = tmp_path / "members.xlsx"
    path.write_bytes(book([member_row(7, org=""), member_row(8, org="A1")]).getvalue())
    call_command("import", "members", str(path), "--org", "A1", "--as", "a1_officer")
    assert set(PartyMembership.objects.values_list("org__code", flat=True)) == {"A1"}
    job = Job.objects.get(kind="import")
    assert job.params["org"] == world.branch_a1.pk

    outside = tmp_path / "outside.xlsx"
    outside.write_bytes(book([member_row(9, org="A2")]).getvalue())
    with pytest.raises(CommandError) as failure, translation.override("zh-hans"):
        call_command("import", "members", str(outside), "--org", "A1", "--as", "street_a_admin")
    assert "outside.errors.xlsx" in str(failure.value)
    marked = load_workbook(tmp_path / "outside.errors.xlsx").active[f"{COLUMN['org']}2"]
    assert marked.comment is not None and "A1" in marked.comment.text
    with pytest.raises(CommandError):  # out of sight
        call_command("import", "members", str(path), "--org", "B1", "--as", "a1_officer")
    with pytest.raises(CommandError):  # no such code
        call_command("import", "members", str(path), "--org", "NOPE", "--as", "a1_officer")
    with pytest.raises(CommandError):  # units have no organization column to fill
        call_command("import", "units", str(path), "--org", "A1", "--as", "a1_officer")
    assert PartyMembership.objects.count() == 2


def test_the_import_page_takes_an_organization(world, login):
    client = login(world.users["a1_officer"])
    page = client.get(reverse("data:kind", args=["members"])).content.decode()
    assert 'name="org"' in page
    assert 'name="org"' not in client.get(reverse("data:kind", args=["units"])).content.decode()
    f = io.BytesIO(book([member_row(10, org="")]).getvalue())
    f.name = "members.xlsx"
    response = client.post(reverse("data:import", args=["members"]), {"file": f, "org": "B1"})
    assert response.status_code == 400 and PartyMembership.objects.count() == 0
    f.seek(0)
    response = client.post(reverse("data:import", args=["members"]), {"file": f, "org": "A1"})
    assert response.status_code == 302
    assert PartyMembership.objects.get().org == world.branch_a1
