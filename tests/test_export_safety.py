"""Formula injection (issue 12, item 8): no .xlsx the product writes holds a live formula,
whatever an organization is called or an uploaded file holds.

Organizations are named like the payloads of OWASP's CSV-injection page; every export is
written (command line and browser download) and read back with openpyxl: no cell may be a
formula (`data_type == "f"`), and the hostile names come back as text with the apostrophe
that keeps Excel and LibreOffice from evaluating them.
"""

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.sheets import layer as sheets
from tests.conftest import LONG_AGO

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


@pytest.fixture
def hostile(world):
    """Organizations with hostile names under the street SA (children of SA, grandchildren
    of the district)."""
    return [
        set_up(
            world.system,
            code=f"X{n}",
            name=name,
            kind=Kind.BRANCH,
            parent=world.street_a,
            founded_on=LONG_AGO,
        )
        for n, name in enumerate(HOSTILE, start=1)
    ]


def cells(source):
    """Every cell of every sheet of a workbook (a path or bytes)."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    book = load_workbook(source)
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


def assert_safe(source, names=HOSTILE):
    """No formula anywhere; each hostile name is there, as neutralized text."""
    found = cells(source)
    formulas = [(c.coordinate, c.value) for c in found if c.data_type == "f"]
    assert formulas == []
    texts = {c.value for c in found if isinstance(c.value, str)}
    for name in names:
        assert "'" + name in texts
    assert not any(t.startswith(sheets.FORMULA_TRIGGERS) for t in texts)


def test_safe_value_neutralizes_every_trigger_and_leaves_the_rest():
    for value in ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"]:
        assert sheets.safe_value(value) == "'" + value
    assert sheets.safe_value("中共和平街道委员会") == "中共和平街道委员会"
    assert sheets.safe_value(-5) == -5 and sheets.safe_value(None) is None


def test_the_export_book_writes_no_formula_even_from_a_prepared_cell(tmp_path):
    book = sheets.ExportBook()
    sheet = book.sheet("t")
    sheet.append(["=1+1", sheet.cell("=2+2"), sheet.header("=3+3"), 4])
    out = tmp_path / "t.xlsx"
    book.save(out)
    assert_safe(out, ["=1+1", "=2+2", "=3+3"])


def test_stats_coverage_cli_writes_no_formula(world, hostile, tmp_path):
    out = tmp_path / "coverage.xlsx"
    call_command("stats", "coverage", "--org", "SA", "--format", "xlsx", "-o", str(out))
    assert_safe(out)


def test_life_compliance_cli_writes_no_formula(world, hostile, tmp_path):
    out = tmp_path / "compliance.xlsx"
    call_command("life", "compliance", "--org", "SA", "--format", "xlsx", "-o", str(out))
    assert_safe(out)


def test_coverage_downloads_from_the_figures_page_without_formulas(world, hostile, login):
    client = login(world.users["district_admin"])
    page = client.get("/stats/", {"org": "SA"})
    assert b"/stats/coverage.xlsx?org=SA" in page.content
    response = client.get("/stats/coverage.xlsx", {"org": "SA"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert_safe(response.content)


def test_compliance_downloads_from_the_compliance_page_without_formulas(world, hostile, login):
    client = login(world.users["district_admin"])
    page = client.get("/life/compliance/", {"org": "SA"})
    assert b"/life/compliance.xlsx?org=SA" in page.content
    response = client.get("/life/compliance.xlsx", {"org": "SA", "year": 2025})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert_safe(response.content)


def test_downloads_are_refused_outside_what_the_user_sees(world, hostile, login):
    client = login(world.users["viewer"])  # the street SB's subtree only
    assert client.get("/stats/coverage.xlsx", {"org": "SA"}).status_code == 404
    assert client.get("/life/compliance.xlsx", {"org": "SA"}).status_code == 404


def test_the_organization_roster_exports_without_formulas(world, hostile, tmp_path, login):
    out = tmp_path / "orgs.xlsx"
    call_command("export", "orgs", "--org", "SA", "-o", str(out))
    assert_safe(out)
    client = login(world.users["street_a_admin"])
    response = client.get("/data/orgs/export.xlsx")
    assert response.status_code == 200
    assert_safe(b"".join(response.streaming_content))


def test_the_error_workbook_copies_hostile_headers_and_cells_without_formulas(world, tmp_path):
    spec = sheets.get_spec("orgs")
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in spec.columns] + ['=HYPERLINK("http://x","h")'])
    ws.append(["X9", "某支部", "党支部", "NOPE", "2019-07-01"] + [None] * 5 + ["=2+2"])
    for cell in (ws.cell(1, len(spec.columns) + 1), ws.cell(2, len(spec.columns) + 1)):
        cell.data_type = "s"  # text that looks like a formula, as a hostile file would hold
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    result = sheets.import_sheet(spec, buf, world.users["street_a_admin"])
    assert not result.ok
    out = tmp_path / "errors.xlsx"
    buf.seek(0)
    sheets.write_error_workbook(spec, buf, result, out)
    assert_safe(out, ['=HYPERLINK("http://x","h")', "=2+2"])


def test_no_module_but_the_layer_writes_a_workbook_itself():
    """Every .xlsx goes through `ExportBook`: only `jiceng.sheets.layer` touches openpyxl's
    Workbook (the writer itself, and the import template, whose cells are fixed texts)."""
    from pathlib import Path

    import jiceng

    root = Path(jiceng.__file__).parent
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "Workbook(" in path.read_text(encoding="utf-8").replace("ExportBook(", "")
    ]
    assert writers == ["sheets/layer.py"]
