"""Assessment workbooks (.xlsx): a scheme version out and back in, and a round's results.

A scheme file has a title, the scheme's code, name and cycle as label/value rows, then one
row per clause under a header (板块序号, 板块, 条款序号, 考评内容, 分值, 类别, 考评方式, 一票否决,
数据来源, 数据来源代码). As in `jiceng.sheets`, headers and choice labels are fixed Chinese
strings: they are the file format, so a file exported today imports tomorrow whatever the
interface language. Reading also accepts the stored values (`self`, `quantitative`…) and a
figure named by its label instead of its key.

An import is all-or-nothing: every row is checked first and, if any is bad, nothing is saved
and each problem is returned with its row number; a clean file goes through
`services.save_scheme` (a new scheme, or the next version of the scheme with that code).
Files are checked by `sheets.check_file` (size, zip bomb) and read by the streaming reader.
Every workbook is written through the shared `ExportBook` (write-only, formula-safe).
"""

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from jiceng.audit.context import source as audit_source
from jiceng.audit.models import Source
from jiceng.sheets import reader as xlsx_reader
from jiceng.sheets.layer import (
    ExportBook,
    Limits,
    SheetError,
    check_file,
    clean_text,
    compact,
    is_blank,
)

from . import evidence, permissions, services
from .models import ClauseKind, Cycle, Method
from .services.rounds import MAX_TEXT

SCHEME_SHEET = "考评方案"
TITLE_FONT = Font(bold=True, size=14)

CYCLE_LABELS = {Cycle.HALF_YEAR: "半年考评", Cycle.YEAR_END: "年终考评"}
KIND_LABELS = {ClauseKind.QUANTITATIVE: "定量", ClauseKind.QUALITATIVE: "定性"}
METHOD_LABELS = {
    Method.SELF: "自评",
    Method.PEER: "互评",
    Method.PATROL: "巡查",
    Method.FORMAL: "考评",
}
YES, NO = "是", "否"
VETO_LABELS = {True: YES, False: NO}
GRADE_LABELS = {"excellent": "优秀", "pass": "合格", "basic": "基本合格", "fail": "不合格"}

META = {"code": "方案代码", "name": "方案名称", "cycle": "考评周期", "version": "版本"}
# field → (header, width)
COLUMNS = {
    "block_no": ("板块序号", 9),
    "block": ("板块", 20),
    "number": ("条款序号", 9),
    "text": ("考评内容", 48),
    "points": ("分值", 8),
    "kind": ("类别", 8),
    "method": ("考评方式", 10),
    "veto": ("一票否决", 10),
    "evidence_label": ("数据来源", 28),
    "evidence": ("数据来源代码", 24),
}
HEADER_SCAN_ROWS = 12
MAX_ROWS = 2000  # a scheme has tens of clauses; anything far bigger is not a scheme
MAX_POINTS = Decimal("9999.99")


def _zh(text) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _source_label(key: str) -> str:
    found = evidence.SOURCES.get(key)
    return _zh(found.label) if found else key


# -- a scheme out ----------------------------------------------------------------------------


def write_scheme(scheme, blocks: list, out) -> None:
    """The scheme version `scheme` with its `blocks` (selectors.scheme_blocks) as .xlsx."""
    book = ExportBook()
    ws = book.sheet(SCHEME_SHEET)
    ws.widths(width for _header, width in COLUMNS.values())
    total = sum((c.points for b in blocks for c in b.clauses.all()), Decimal(0))
    ws.append(
        [ws.cell(f"{scheme.name}（第{scheme.version}版，满分{_num(total)}分）", font=TITLE_FONT)]
    )
    ws.append([META["code"], scheme.code])
    ws.append([META["name"], scheme.name])
    ws.append([META["cycle"], CYCLE_LABELS.get(scheme.cycle, scheme.cycle)])
    ws.append([META["version"], scheme.version])
    ws.append([])
    ws.append([ws.header(header) for header, _width in COLUMNS.values()])
    ws.freeze("A8")
    for block in blocks:
        for clause in block.clauses.all():
            ws.append(
                [
                    block.number,
                    block.title,
                    clause.number,
                    clause.text,
                    _num(clause.points),
                    KIND_LABELS.get(clause.kind, clause.kind),
                    METHOD_LABELS.get(clause.method, clause.method),
                    YES if clause.veto else NO,
                    _source_label(clause.evidence) if clause.evidence else "",
                    clause.evidence,
                ]
            )
    book.save(out)


def _num(points: Decimal):
    """7 rather than 7.00 in a cell; 7.5 stays a number."""
    return int(points) if points == points.to_integral_value() else float(points)


# -- a scheme in -----------------------------------------------------------------------------


class SchemeFileError(Exception):
    """The file is refused; `errors` are the messages to show, each naming its row."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class SchemeFile:
    code: str
    name: str
    cycle: str
    blocks: list  # as services.save_scheme takes them


def _lookup(labels: dict) -> dict:
    """Fixed Chinese label, stored value and the current interface label → value."""
    found = {}
    for value, label in labels.items():
        found[str(value)] = found[label] = value
        if hasattr(value, "label"):
            found[str(value.label)] = found[_zh(value.label)] = value
    return found


def _row_error(row: int, message: str) -> str:
    return _("Row %(row)s: %(message)s") % {"row": row, "message": message}


def _evidence_keys() -> dict:
    keys = {}
    for s in evidence.SOURCES.values():
        keys[s.key] = keys[_zh(s.label)] = keys[str(s.label)] = s.key
    return keys


class _Rows:
    """Turns the sheet's rows into clauses, keeping every problem with its row number."""

    def __init__(self):
        self.errors: list[str] = []
        self.blocks: dict[int, dict] = {}
        self.sources = _evidence_keys()

    def bad(self, row: int, message: str) -> None:
        self.errors.append(_row_error(row, message))

    def _whole(self, row: int, raw, header: str) -> int | None:
        try:
            number = int(Decimal(compact(raw)))
        except (InvalidOperation, ValueError):
            number = 0
        if number < 1 or number > 999:
            self.bad(row, _("“%(column)s” must be a whole number from 1.") % {"column": header})
            return None
        return number

    def _points(self, row: int, raw) -> Decimal | None:
        if is_blank(raw):
            return Decimal(0)
        try:
            points = Decimal(compact(raw)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            points = Decimal(-1)
        if points < 0 or points > MAX_POINTS:
            self.bad(
                row,
                _("“%(column)s” must be a number of points from 0.")
                % {"column": COLUMNS["points"][0]},
            )
            return None
        return points

    def _choice(self, row: int, raw, labels: dict, field: str, default):
        """A choice column: the fixed label, the stored value or the interface's label."""
        if is_blank(raw):
            return default
        value = _lookup(labels).get(clean_text(raw))
        header = COLUMNS[field][0]
        if value is None:
            allowed = "、".join(labels.values())
            self.bad(
                row,
                _("“%(column)s” must be one of %(allowed)s.")
                % {"column": header, "allowed": allowed},
            )
        return value

    def take(self, row: int, cells: dict) -> None:
        before = len(self.errors)
        block_no = self._whole(row, cells["block_no"], COLUMNS["block_no"][0])
        number = None
        if not is_blank(cells["number"]):
            number = self._whole(row, cells["number"], COLUMNS["number"][0])
        text = clean_text(cells["text"]) if not is_blank(cells["text"]) else ""
        if not text:
            self.bad(row, _("“%(column)s” is empty.") % {"column": COLUMNS["text"][0]})
        elif len(text) > MAX_TEXT:
            self.bad(row, _("“%(column)s” is too long.") % {"column": COLUMNS["text"][0]})
        points = self._points(row, cells["points"])
        veto = self._choice(row, cells["veto"], VETO_LABELS, "veto", False)
        method = self._choice(row, cells["method"], METHOD_LABELS, "method", Method.SELF)
        source = compact(cells["evidence"]) if not is_blank(cells["evidence"]) else ""
        label = clean_text(cells["evidence_label"]) if not is_blank(cells["evidence_label"]) else ""
        key = self.sources.get(source or label, "") if (source or label) else ""
        if (source or label) and not key:
            self.bad(
                row,
                _(
                    "Unknown figure “%(figure)s”: leave %(column)s empty or name a figure the "
                    "product computes."
                )
                % {"figure": source or label, "column": COLUMNS["evidence"][0]},
            )
        default_kind = ClauseKind.QUANTITATIVE if key else ClauseKind.QUALITATIVE
        kind = self._choice(row, cells["kind"], KIND_LABELS, "kind", default_kind)
        if veto and points:
            self.bad(
                row,
                _("A veto item carries no points: leave %(column)s empty or 0.")
                % {"column": COLUMNS["points"][0]},
            )
        if veto and key:
            self.bad(row, _("A veto item is not filled from a figure."))
        title = clean_text(cells["block"]) if not is_blank(cells["block"]) else ""
        if block_no is None:
            return
        block = self.blocks.get(block_no)
        if block is None:
            if not title:
                self.bad(
                    row,
                    _("“%(column)s” is empty: name the block on its first row.")
                    % {"column": COLUMNS["block"][0]},
                )
                return
            block = self.blocks[block_no] = {"title": title, "clauses": [], "numbers": set()}
        elif title and title != block["title"]:
            self.bad(
                row,
                _("Block %(n)s is called “%(first)s” above, “%(title)s” here.")
                % {"n": block_no, "first": block["title"], "title": title},
            )
        if number is not None:
            if number in block["numbers"]:
                self.bad(
                    row,
                    _("Block %(n)s has clause %(c)s twice.") % {"n": block_no, "c": number},
                )
            block["numbers"].add(number)
        if len(self.errors) > before:
            return
        block["clauses"].append(
            (
                number if number is not None else 1000 + len(block["clauses"]),
                {
                    "text": text,
                    "points": points,
                    "kind": kind,
                    "method": method,
                    "veto": veto,
                    "evidence": key,
                },
            )
        )

    def result(self) -> list[dict]:
        return [
            {
                "title": b["title"],
                "clauses": [c for _n, c in sorted(b["clauses"], key=lambda item: item[0])],
            }
            for _no, b in sorted(self.blocks.items())
        ]


def read_scheme(source) -> SchemeFile:
    """Parse a scheme workbook; `SchemeFileError` with every problem when anything is wrong."""
    try:
        check_file(source, Limits(max_rows=MAX_ROWS))
    except SheetError as exc:
        raise SchemeFileError([exc.message]) from None
    try:
        book = xlsx_reader.Book(_opened(source))
        try:
            rows = list(book.sheet(SCHEME_SHEET).rows(width=len(COLUMNS), max_row=MAX_ROWS))
        finally:
            book.close()
    except xlsx_reader.TooManyRows:
        raise SchemeFileError(
            [_("The file has more than %(n)s rows; it is not a scheme.") % {"n": MAX_ROWS}]
        ) from None
    except xlsx_reader.ReadError:
        raise SchemeFileError(
            [_("The workbook cannot be read; the file may be damaged.")]
        ) from None
    return _parse(rows)


def _opened(source):
    """A path or an upload (Django's UploadedFile wraps the real file) as a binary file."""
    if isinstance(source, str | os.PathLike):
        return source  # the zip opens and closes it
    f = getattr(source, "file", source)
    f.seek(0)
    return f


def _parse(rows) -> SchemeFile:
    meta, positions, header_row = {}, None, 0
    labels = {label: field for field, label in META.items()}
    headers = {header: field for field, (header, _w) in COLUMNS.items()}
    parsed = _Rows()
    for number, values in rows:
        texts = [clean_text(v) if not is_blank(v) else "" for v in values]
        if positions is None:
            if number > HEADER_SCAN_ROWS:
                break
            if texts and texts[0] in labels and len(values) > 1:
                meta[labels[texts[0]]] = values[1]
            if COLUMNS["text"][0] in texts:
                positions = {headers[t]: i for i, t in enumerate(texts) if t in headers}
                header_row = number
            continue
        if all(not t for t in texts):
            continue
        cells = {f: (values[i] if i < len(values) else None) for f, i in positions.items()}
        for field in COLUMNS:
            cells.setdefault(field, None)
        parsed.take(number, cells)
    if positions is None:
        raise SchemeFileError(
            [
                _("No header row with “%(column)s” in the first %(n)s rows.")
                % {"column": COLUMNS["text"][0], "n": HEADER_SCAN_ROWS}
            ]
        )
    missing = [COLUMNS[f][0] for f in ("block_no", "text") if f not in positions]
    if missing:
        raise SchemeFileError(
            [
                _row_error(
                    header_row, _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)}
                )
            ]
        )
    errors = list(parsed.errors)
    code = compact(meta.get("code")) if not is_blank(meta.get("code")) else ""
    name = clean_text(meta.get("name")) if not is_blank(meta.get("name")) else ""
    cycle = _lookup(CYCLE_LABELS).get(clean_text(meta.get("cycle") or ""))
    if cycle is None:
        errors.insert(
            0,
            _("“%(label)s” must be one of %(allowed)s.")
            % {"label": META["cycle"], "allowed": "、".join(CYCLE_LABELS.values())},
        )
    blocks = parsed.result()
    if not blocks and not parsed.errors:
        errors.append(_("The file has no clauses."))
    if errors:
        raise SchemeFileError(errors)
    return SchemeFile(code=code, name=name, cycle=cycle, blocks=blocks)


def import_scheme(actor, org, source, *, code: str = "", name: str = ""):
    """Save the scheme in the file for `org`: the next version of the scheme `code` (the
    file's code unless given), or a new scheme. Nothing is saved when any row is bad."""
    permissions.require_run(actor, org)
    found = read_scheme(source)
    code, name = code or found.code, name or found.name
    problems = []
    if not code:
        problems.append(_("Give the scheme's code (%(label)s).") % {"label": META["code"]})
    if not name:
        problems.append(_("Give the scheme's name (%(label)s).") % {"label": META["name"]})
    if problems:
        raise SchemeFileError(problems)
    with audit_source(Source.IMPORT):
        return services.save_scheme(
            actor, org, code=code, name=name, cycle=found.cycle, blocks=found.blocks
        )


# -- a round's results -----------------------------------------------------------------------

RESULT_HEADERS = [
    ("序号", 6),
    ("组织代码", 14),
    ("组织名称", 30),
    ("自评得分", 10),
    ("考评得分", 10),
    ("一票否决", 10),
    ("等次", 10),
    ("考评调整条款", 12),
    ("异议及答复", 50),
]


def _objections(items) -> str:
    return "\n".join(
        f"{o.raised_on:%Y-%m-%d} {o.raised_by}：{o.text}"
        + (f"（答复：{o.answer}）" if o.answered_on else "（未答复）")
        for o in items
    )


def write_results(round_, rows: list[dict], figures: dict, out) -> None:
    """Sheet 考评结果: every organization (selectors.round_results); sheet 等次分布: counts and
    shares by grade (selectors.round_distribution)."""
    book = ExportBook()
    title = f"{round_.org.name}{round_.period}{round_.scheme.name}考评结果"
    ws = book.sheet("考评结果")
    ws.widths(w for _h, w in RESULT_HEADERS)
    ws.append([ws.cell(title, font=TITLE_FONT)])
    ws.append([ws.header(h) for h, _w in RESULT_HEADERS])
    ws.freeze("A3")
    for i, r in enumerate(rows, 1):
        e = r["entry"]
        ws.append(
            [
                i,
                e.org.code,
                e.org.name,
                _num(e.self_total) if e.self_total is not None else None,
                _num(e.total) if e.total is not None else None,
                YES if e.vetoed else NO,
                GRADE_LABELS.get(e.grade, ""),
                r["changed"],
                _objections(r["objections"]),
            ]
        )
    sheet = book.sheet("等次分布")
    sheet.widths([14, 10, 12])
    sheet.append([sheet.cell(title, font=TITLE_FONT)])
    sheet.append([sheet.header(h) for h in ("等次", "个数", "占比（%）")])
    for g in figures["grades"]:
        sheet.append([GRADE_LABELS[g["grade"]], g["count"], g["share"].rate])
    sheet.append(["合计", figures["count"], 100 if figures["count"] else None])
    book.save(out)
