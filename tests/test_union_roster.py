"""Union member rosters as spreadsheets (people.sheets, kind "union_members"): template →
import → export round trip, all or nothing with the bad cell named, re-imports that change
nothing, moves between unions, and importers held to the unions they may see."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.people.models import Person, UnionMembership
from jiceng.sheets import layer as sheets
from tests.conftest import LONG_AGO, PASSWORD

UNION = sheets.get_spec("union_members")
HEADERS = [c.header for c in UNION.columns]
COLUMN = {c.field: chr(ord("A") + i) for i, c in enumerate(UNION.columns)}


def born(n: int) -> dt.date:
    return dt.date(1980, 1, 1) + dt.timedelta(days=n)


def row(n, *, org="UA", **changes) -> list:
    values = {
        "name": f"会员{n}",
        "id_number": id_number(born(n), n),
        "gender": "",
        "birth_date": born(n).isoformat(),
        "phone": f"139{n:08d}",
        "org": org,
        "member_number": f"{org}-{n:03d}",
        "joined_on": "2015-05-01",
        "status": "在职",
        "retired_on": None,
        "migrant_worker": "否",
        "card_issued": "是",
        "left_on": None,
        "left_reason": None,
        **changes,
    }
    return [values[c.field] for c in UNION.columns]


def book(rows) -> io.BytesIO:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(UNION.title)
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def import_(source, user, **kw):
    if hasattr(source, "seek"):
        source.seek(0)
    return sheets.import_sheet(UNION, source, user, **kw)


def cells(result) -> list[tuple[int, str]]:
    return [(i.row, i.column) for i in result.issues]


def messages(result) -> list[str]:
    return [i.message for i in result.issues]


@pytest.fixture
def unions(world):
    """Two grassroots unions under the federation, each with its chair (an officer)."""
    found = {}
    for code, name in (("UA", "青山机械厂工会"), ("UB", "青山纺织厂工会")):
        org = set_up(
            world.system, code=code, name=name, kind=Kind.UNION, parent=world.union,
            founded_on=LONG_AGO,
        )  # fmt: skip
        chair = create_user(world.system, username=f"chair_{code}", password=PASSWORD)
        assign_role(world.system, user=chair, role=Role.OFFICER, org=org, valid_from=LONG_AGO)
        found[code] = (org, chair)
    return found


def exported(path) -> list[tuple]:
    ws = load_workbook(path, read_only=True)[UNION.title]
    return list(ws.iter_rows(min_row=2, values_only=True))


def test_the_kind_is_served_by_the_commands_and_the_data_pages(world, unions, tmp_path, login):
    assert "union_members" in sheets.specs()
    path = tmp_path / "template.xlsx"
    call_command("template", "union_members", "-o", str(path))
    wb = load_workbook(path)
    assert [c.value for c in wb.active[1]] == HEADERS
    assert HEADERS[:8] == ["姓名", "公民身份号码", "性别", "出生日期", "手机号码", "工会", "会员编号", "入会日期"]  # fmt: skip
    client = login(unions["UA"][1])
    assert "工会会员" in client.get(reverse("data:index")).content.decode()
    assert client.get(reverse("data:kind", args=["union_members"])).status_code == 200
    template = client.get(reverse("data:template", args=["union_members"]))
    assert template.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(template.getvalue())).active[1]] == HEADERS


def test_template_import_export_round_trip_and_a_reimport_changes_nothing(
    world, unions, tmp_path, capsys
):
    path = tmp_path / "roster.xlsx"
    call_command("template", "union_members", "-o", str(path))
    wb = load_workbook(path)
    wb.active.append(row(1))
    wb.active.append(row(2, migrant_worker="是", status="退休", retired_on="2020-01-01"))
    wb.active.append(
        row(3, status="", left_on="2022年3月1日", left_reason="调离", joined_on="2012/5/1")
    )
    wb.save(path)
    with translation.override("zh-hans"):
        call_command("import", "union_members", str(path), "--as", "chair_UA")
    ms = {m.person.name: m for m in UnionMembership.objects.select_related("person", "org")}
    assert set(ms) == {"会员1", "会员2", "会员3"}
    assert (ms["会员2"].status, ms["会员2"].retired_on, ms["会员2"].migrant_worker) == (
        "retired",
        dt.date(2020, 1, 1),
        True,
    )
    assert (ms["会员3"].status, ms["会员3"].left_on, ms["会员3"].joined_on) == (
        "left",
        dt.date(2022, 3, 1),
        dt.date(2012, 5, 1),
    )
    assert AuditEvent.objects.filter(action="people.union.join").count() == 3

    out = tmp_path / "out.xlsx"
    call_command("export", "union_members", "--org", "UA", "-o", str(out), "--reveal", "--as", "chair_UA")  # fmt: skip
    rows = exported(out)
    assert [(r[0], r[6], r[8]) for r in rows] == [
        ("会员3", "UA-003", "离会"),
        ("会员1", "UA-001", "在职"),
        ("会员2", "UA-002", "退休"),
    ]
    before = AuditEvent.objects.count()
    result = import_(out, unions["UA"][1])
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.count() == before
    # a masked export is read, not imported again: the ID numbers are refused per cell
    masked = tmp_path / "masked.xlsx"
    call_command("export", "union_members", "--org", "UA", "-o", str(masked), "--as", "chair_UA")
    assert "*" in exported(masked)[0][1]
    checked = import_(masked, unions["UA"][1], check_only=True)
    assert {i.column for i in checked.issues} == {COLUMN["id_number"]}


def test_a_bad_row_refuses_the_whole_file_with_the_row_and_cell_named(world, unions, tmp_path):
    chair = unions["UA"][1]
    bad_id = id_number(born(5), 5)[:-1] + ("0" if id_number(born(5), 5)[-1] != "0" else "1")
    rows = [
        row(4),
        row(5, id_number=bad_id),  # a wrong check digit
        row(6, left_on="2010-01-01", status="离会"),  # left before joining
        row(7, org="A1"),  # a Party branch out of the chair's sight
        row(8, member_number="UA-004"),  # the number of row 2, in the same union
        row(9, gender="女" if id_number(born(9), 9)[16] in "13579" else "男"),
    ]
    result = import_(book(rows), chair)
    assert not result.ok and UnionMembership.objects.count() == 0
    assert not Person.objects.exists()
    assert cells(result) == [
        (3, COLUMN["id_number"]),
        (4, COLUMN["left_on"]),
        (5, COLUMN["org"]),
        (6, COLUMN["member_number"]),
        (7, COLUMN["gender"]),
    ]
    text = " ".join(messages(result))
    assert "离会日期不得早于入会日期。" in text
    assert "您的权限范围内没有编码为 A1 的组织。" in text
    assert messages(import_(book([row(7, org="A1")]), world.system)) == ["A1 不是工会。"]
    assert "UA的会员编号 UA-004 在第 2 行已出现。" in text
    source = tmp_path / "bad.xlsx"
    source.write_bytes(book(rows).getvalue())
    with pytest.raises(CommandError) as failure:
        call_command("import", "union_members", str(source), "--as", "chair_UA")
    errors = tmp_path / "bad.errors.xlsx"
    assert str(errors) in str(failure.value)
    comment = load_workbook(errors).active[f"{COLUMN['left_on']}4"].comment
    assert "离会日期不得早于入会日期" in comment.text


def test_duplicates_against_the_database_and_two_memberships_in_force_are_refused(world, unions):
    chair_a, chair_b = unions["UA"][1], unions["UB"][1]
    assert import_(book([row(10), row(11)]), chair_a).ok
    # another union may use the same number; a second membership in force is refused
    result = import_(book([row(12, org="UB", member_number="UA-010"), row(10, org="UB")]), chair_b)
    assert cells(result) == [(3, COLUMN["id_number"])]
    assert "会员10已是青山机械厂工会的会员。" not in " ".join(
        messages(result)
    )  # UA is out of sight
    result = import_(book([row(13, member_number="UA-011")]), chair_a)
    assert cells(result) == [(2, COLUMN["member_number"])]
    assert messages(result) == ["青山机械厂工会已有会员编号为 UA-011 的会员。"]
    result = import_(book([row(14), row(14, org="UA", member_number="UA-099")]), chair_a)
    assert (3, COLUMN["id_number"]) in cells(result)


def test_a_member_who_moved_leaves_one_union_and_joins_another(world, unions, tmp_path):
    chair_a, chair_b = unions["UA"][1], unions["UB"][1]
    assert import_(book([row(20, joined_on="2010-01-01")]), chair_a).ok
    moved = row(20, joined_on="2010-01-01", status="离会", left_on="2024-02-29", left_reason="调动")
    result = import_(book([moved]), chair_a)
    assert result.ok and result.updated == 1
    joined = import_(
        book([row(20, org="UB", member_number="B-1", joined_on="2024-03-01")]), chair_b
    )
    assert joined.ok and joined.created == 1
    records = UnionMembership.objects.filter(person__name="会员20").order_by("joined_on")
    assert [(m.org.code, m.status) for m in records] == [("UA", "left"), ("UB", "working")]
    # the federation exports both memberships, and the file imports back unchanged
    fed = create_user(world.system, username="fed", password=PASSWORD)
    assign_role(
        world.system, user=fed, role=Role.OFFICER, org=world.union, scope=Scope.SUBTREE,
        valid_from=LONG_AGO,
    )  # fmt: skip
    out = tmp_path / "fed.xlsx"
    assert sheets.export_workbook(UNION, fed, [world.union], out, reveal=True) == 2
    again = import_(out, fed)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_another_unions_officer_cannot_import_into_or_export_a_union_out_of_sight(
    world, unions, tmp_path
):
    (ua, chair_a), (ub, chair_b) = unions["UA"], unions["UB"]
    assert import_(book([row(30)]), chair_a).ok
    result = import_(book([row(31)]), chair_b)
    assert cells(result) == [(2, COLUMN["org"])]
    assert messages(result) == ["您的权限范围内没有编码为 UA 的组织。"]
    assert import_(book([row(31, org="")]), chair_b, org=ua).file_error
    with pytest.raises(CommandError):
        call_command("export", "union_members", "--org", "UA", "-o", str(tmp_path / "x.xlsx"), "--as", "chair_UB")  # fmt: skip
    out = tmp_path / "mine.xlsx"
    assert sheets.export_workbook(UNION, chair_b, [ub], out) == 0
    assert sheets.export_workbook(UNION, chair_b, [ua], out) == 0  # nothing out of sight
    assert sheets.export_workbook(UNION, chair_a, [ua], out) == 1


def test_a_changed_row_is_updated_and_a_wrong_name_or_number_is_refused(world, unions):
    chair = unions["UA"][1]
    assert import_(book([row(40)]), chair).ok
    before = AuditEvent.objects.count()
    result = import_(book([row(40, card_issued="否", status="退休", phone="13900000999")]), chair)
    assert result.ok and result.updated == 1
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))[before:]
    assert sorted(actions) == ["people.person.update", "people.union.change"]
    m = UnionMembership.objects.get(member_number="UA-040")
    assert (m.card_issued, m.status, m.retired_on) == (False, "retired", timezone.localdate())
    refused = import_(book([row(40, name="别人", member_number="UA-777")]), chair)
    assert cells(refused) == [(2, COLUMN["name"]), (2, COLUMN["member_number"])]
    assert messages(refused)[0] == "该身份证号码登记的姓名与本行不符。"
    assert "会员40" not in " ".join(messages(refused))
    assert UnionMembership.objects.get(pk=m.pk).member_number == "UA-040"
