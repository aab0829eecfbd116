"""Rosters as branches really keep them (issue 12, item 12): a merged title row
("和平社区第一党支部党员花名册") and a blank row above the column names. The header is found
among the first rows; problems are reported with the row numbers Excel shows."""

import io

from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from jiceng.people.models import PartyMembership
from jiceng.sheets import layer as sheets
from tests.test_rosters import HEADERS, MEMBERS, member_row

TITLE = "和平社区第一党支部党员花名册"


def titled(rows, *, headers=HEADERS, above=(TITLE, None), header_at=None) -> io.BytesIO:
    """A roster as a branch keeps it: `above` rows (a title merged across the columns, then a
    blank row), the column names, the members. `header_at`: put the names on that row."""
    wb = Workbook()
    ws = wb.active
    ws.title = MEMBERS.title
    for r, text in enumerate(above, start=1):
        if text:
            ws.cell(r, 1, text)
    if above and above[0]:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
        ws["A1"].font = Font(bold=True, size=16)
        ws["A1"].alignment = Alignment(horizontal="center")
    start = header_at or len(above) + 1
    for c, name in enumerate(headers, start=1):
        ws.cell(start, c, name)
    for r, row in enumerate(rows, start=start + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def import_(source, user):
    source.seek(0)
    return sheets.import_sheet(MEMBERS, source, user)


def test_a_roster_under_a_merged_title_and_a_blank_row_is_imported(world):
    result = import_(titled([member_row(1), member_row(2)]), world.users["street_a_admin"])
    assert result.ok, result.summary()
    assert result.rows == 2 and result.created == 2
    assert PartyMembership.objects.filter(org=world.branch_a1).count() == 2


def test_problems_name_the_rows_and_cells_as_excel_shows_them(world, tmp_path):
    source = titled([member_row(1), member_row(2, gender="未知")])
    result = import_(source, world.users["street_a_admin"])
    assert not result.ok and PartyMembership.objects.count() == 0
    [issue] = result.issues
    gender = "ABCDEFGHIJKLMNOPQRSTU"[HEADERS.index("性别")]
    # title on row 1, blank row 2, names on row 3: the bad member is on row 5
    assert (issue.row, issue.column) == (5, gender)

    out = tmp_path / "errors.xlsx"
    source.seek(0)
    sheets.write_error_workbook(MEMBERS, source, result, out)
    ws = load_workbook(out)[MEMBERS.title]
    assert ws["A1"].value == TITLE  # the title stays where it was
    assert ws["A3"].value == HEADERS[0] and ws.cell(3, len(HEADERS) + 1).value == "错误说明"
    assert ws[f"{gender}5"].value == "未知" and ws[f"{gender}5"].comment is not None
    assert ws["A4"].value == "党员1" and ws.cell(4, len(HEADERS) + 1).value is None


def test_the_template_instruction_row_under_a_title_is_still_skipped(world):
    note = ["※" + h for h in HEADERS]
    result = import_(titled([note, member_row(1)]), world.users["street_a_admin"])
    assert result.ok and result.rows == 1, result.summary()


def test_a_file_without_column_names_is_refused_with_a_clear_message(world):
    data = titled([member_row(1), member_row(2)], headers=[None] * len(HEADERS))
    with translation.override("zh-hans"):
        result = import_(data, world.users["street_a_admin"])
    assert not result.ok and PartyMembership.objects.count() == 0
    assert "前 10 行" in result.file_error and "列名" in result.file_error
    assert "姓名" in result.file_error  # names a column it looked for


def test_column_names_below_the_rows_looked_at_are_not_guessed(world):
    data = titled([member_row(1)], above=[TITLE] + [None] * 10)  # the names on row 12
    with translation.override("zh-hans"):
        result = import_(data, world.users["street_a_admin"])
    assert not result.ok and "前 10 行" in result.file_error


def test_a_missing_column_says_which_row_held_the_names(world):
    data = titled([member_row(1)[:2]], headers=["姓名", "公民身份号码"])
    with translation.override("zh-hans"):
        result = import_(data, world.users["street_a_admin"])
    assert not result.ok and "所在党组织代码" in result.file_error
    assert "第 3 行" in result.file_error
