"""Spreadsheets in and out (.xlsx): column specs, checked all-or-nothing imports, exports, templates.

A *sheet kind* ("units", "orgs", later "members") is a `SheetSpec`: its columns and four
hooks (`start`, `check`, `prepare`, `apply_row`, plus `export_rows`). Apps contribute kinds
in their own `sheets.py` module as `SHEETS = [...]` (units and orgs: `jiceng.sheets.specs`);
`specs()` discovers them, so the commands and pages need no change when an app adds one.

An import never trusts the file:

1. `check_file` looks at the bytes before any parser does: the size, the zip magic, the
   zip directory (number of parts and of worksheets, uncompressed sizes and compression
   ratios, so a zip bomb is refused before anything is inflated).
2. `jiceng.sheets.reader` streams the sheet's XML (expat, one slice at a time; the values
   openpyxl's read-only mode would give, ≈ 5× faster); the declared dimension and the row
   count are bounded; rows are parsed cell by cell and handed to the spec in chunks.
   Nothing is written in this pass; every problem is kept per row and column. An import
   may be for one organization (`org=`): the spec's `org_field` cells left blank go to it,
   and the spec refuses rows naming an organization outside its subtree.
3. Only when every row is clean, the rows are applied in ONE transaction through the
   services (audit source "import"). The check pass spools its clean, parsed rows to an
   unlinked temporary file (pickled chunks), so the apply pass reads them back instead of
   parsing the workbook a second time. A spec applies a chunk at a time (`apply_chunk`:
   by default one savepoint and one `apply_row` per row; a spec may write a chunk in bulk
   through a bulk service). A row the services refuse rolls the whole import back.
   Unchanged rows call no service, so importing the same file twice adds no audit event.
4. When rows are bad, `write_error_workbook` streams the file a third time into a copy
   with the bad cells filled red, a comment on each, and a last column "错误说明".

Headers and choice labels are part of the file format, not of the interface: they are fixed
Chinese strings so that a file exported today imports tomorrow whatever the interface
language. Parsers also accept the stored values and the labels in every interface language.
Messages about cells are gettext msgids, so they come out in the importer's language.

Memory stays bounded by the chunk size, not the file: a 200,000-row roster is parsed once
(and spooled to disk) but never held whole. Exports and error workbooks are written by
openpyxl with `write_only=True`.
"""

import contextlib
import datetime as dt
import functools
import importlib
import os
import pickle
import re
import tempfile
import time
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from jiceng.access import gate
from jiceng.audit.context import source as audit_source
from jiceng.audit.models import Source
from jiceng.audit.services import deferred as audit_deferred
from jiceng.kernel.discovery import app_modules
from jiceng.sheets import reader as xlsx_reader

ERRORS_HEADER = "错误说明"  # the extra last column of an error workbook
INSTRUCTION_MARK = "※"  # the template's second row: every filled cell starts with this
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV/formula injection
HEADER_SCAN_ROWS = 10  # the column names may sit under a title row; looked for this far down
CHUNK_ROWS = 1000  # rows parsed and checked together (bounded memory, batched queries)
MAX_ISSUES = 20_000  # problems kept for the report and the error workbook
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_SEEN_MAX = 4096  # spellings a choice or yes/no column remembers

_RED_FILL = PatternFill("solid", fgColor="FFC7CE")
_RED_FONT = Font(color="9C0006")
_HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# characters a blank-looking cell may start with: spaces of every kind, zero-width marks
_BLANK_START = frozenset(
    [chr(c) for c in range(0x3001) if chr(c).isspace()] + [chr(c) for c in _ZERO_WIDTH]
)


class SheetError(Exception):
    """The whole file is refused (not an .xlsx, too large, a zip bomb, a missing column…)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class CellError(ValueError):
    """A cell's value is refused; the message is shown on the cell."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


# ---------------------------------------------------------------------------------------
# Limits


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_unpacked_bytes: int = 400 * 1024 * 1024
    max_ratio: int = 100  # uncompressed / compressed, for parts bigger than ratio_floor
    ratio_floor: int = 1024 * 1024
    max_sheets: int = 50
    max_parts: int = 1000
    max_columns: int = 200

    @classmethod
    def from_policy(cls, prefix: str = "orgs.import", org=None) -> "Limits":
        """Limits from the policy keys `<prefix>.max_bytes|max_rows|max_unpacked_bytes`."""
        from jiceng.policy.registry import definitions
        from jiceng.policy.selectors import value

        known = definitions()
        found = {}
        for name in ("max_bytes", "max_rows", "max_unpacked_bytes"):
            key = f"{prefix}.{name}"
            if key in known:
                found[name] = int(value(key, org=org))
        return cls(**found)


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


# ---------------------------------------------------------------------------------------
# Cleaning and parsing cells


def is_blank(value) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if value and value[0] not in _BLANK_START:
        return False  # the usual cell, decided by its first character
    return not value.translate(_ZERO_WIDTH).strip()


def _as_text(raw) -> str:
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw)


def unquote(text: str) -> str:
    """Undo `neutralize`: an apostrophe in front of a formula trigger is ours, not data."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def safe_value(value):
    """A cell value no spreadsheet evaluates. Text Excel or LibreOffice would take for a
    formula (=, +, -, @, tab, CR first) gets a leading apostrophe (OWASP); imports take it off
    again (`unquote`). Lazy translations become plain text; other values pass through."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


neutralize = safe_value  # the older name


def clean_text(raw) -> str:
    """Free text (names, addresses): NFC, stray spaces (incl. U+3000) and zero-width marks off."""
    text = unicodedata.normalize("NFC", _as_text(raw)).translate(_ZERO_WIDTH).strip()
    return unquote(text).strip()


def compact(raw) -> str:
    """Codes and numbers: NFKC (full-width digits and letters), every space removed."""
    text = unicodedata.normalize("NFKC", _as_text(raw)).translate(_ZERO_WIDTH)
    return unquote("".join(text.split()))


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    return getattr(exc, "message", None) or str(exc)


Parser = Callable[[Any], Any]


def text(max_length: int | None = None, check: Callable[[str], str | None] | None = None):
    def parse(raw):
        value = clean_text(raw)
        if max_length and len(value) > max_length:
            raise CellError(_("At most %(n)s characters.") % {"n": max_length})
        if check and (problem := check(value)):
            raise CellError(problem)
        return value

    return parse


_plain_text = text()


def code(
    *,
    upper: bool = False,
    drop: str = "",
    pattern: re.Pattern | None = None,
    check: Callable[[str], str | None] | None = None,
):
    """A code: NFKC, no spaces (nor the characters in `drop`), optionally upper-cased."""

    def parse(raw):
        value = compact(raw)
        for ch in drop:
            value = value.replace(ch, "")
        if upper:
            value = value.upper()
        if pattern is not None and not pattern.match(value):
            raise CellError(_("This code contains characters that are not allowed."))
        if check and (problem := check(value)):
            raise CellError(problem)
        return value

    return parse


def code_list(item: Parser, *, separators: str = r"[、,;/|]+", max_items: int | None = None):
    """Several codes in one cell, separated by 、 , ; (full-width forms too); order kept."""
    split = re.compile(separators)

    def parse(raw):
        text = unicodedata.normalize("NFKC", _as_text(raw)).translate(_ZERO_WIDTH)
        parts = [p for p in split.split(re.sub(r"\s+", "、", text.strip())) if p]
        values = []
        for part in parts:
            try:
                values.append(item(part))
            except (CellError, ValidationError) as exc:
                raise CellError(f"{part}: {_message(exc)}") from None
        values = list(dict.fromkeys(values))
        if max_items is not None and len(values) > max_items:
            raise CellError(_("At most %(n)s codes.") % {"n": max_items})
        return tuple(values)

    return parse


def _number_text(raw, suffixes: tuple[str, ...], prefixes: tuple[str, ...]) -> str:
    value = compact(raw).replace(",", "")
    for s in suffixes:
        value = value.removesuffix(s)
    for p in prefixes:
        value = value.removeprefix(p)
    return value


def integer(
    minimum: int | None = 0, maximum: int | None = 2_147_483_647, suffixes=("人", "个", "名")
):
    """Whole numbers: 12, 12.0, "1,234", "１２３", " 12 人"."""

    def parse(raw):
        if isinstance(raw, bool):
            raise CellError(_("Enter a whole number."))
        if isinstance(raw, int):
            n = raw
        elif isinstance(raw, float | Decimal):
            try:
                n = int(raw)
            except (ValueError, OverflowError, InvalidOperation):
                raise CellError(_("Enter a whole number.")) from None
            if raw != n:
                raise CellError(_("Enter a whole number."))
        else:
            value = _number_text(raw, suffixes, ())
            if not re.fullmatch(r"[+-]?\d+(\.0*)?", value):
                raise CellError(_("Enter a whole number."))
            n = int(value.split(".")[0])
        if minimum is not None and n < minimum:
            raise CellError(_("Enter a whole number, %(min)s or more.") % {"min": minimum})
        if maximum is not None and n > maximum:
            raise CellError(_("The number is too large (at most %(max)s).") % {"max": maximum})
        return n

    return parse


def decimal(places: int = 2, minimum: Decimal | int | None = 0, max_digits: int = 16):
    """Amounts: 1234.5, "1,234.5", "１２３", "¥1,234.50元"; at most `places` decimals."""
    quantum = Decimal(1).scaleb(-places)

    def parse(raw):
        if isinstance(raw, bool):
            raise CellError(_("Enter an amount."))
        try:
            if isinstance(raw, int | Decimal):
                value = Decimal(raw)
            elif isinstance(raw, float):
                value = Decimal(repr(raw))
            else:
                text = _number_text(raw, ("元",), ("¥", "￥", "RMB", "CNY"))
                if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
                    raise InvalidOperation
                value = Decimal(text)
        except (InvalidOperation, ValueError):
            raise CellError(_("Enter an amount, e.g. 1234.50.")) from None
        if not value.is_finite():
            raise CellError(_("Enter an amount, e.g. 1234.50."))
        if value != value.quantize(quantum):
            raise CellError(_("At most %(n)s decimal places.") % {"n": places})
        if minimum is not None and value < minimum:
            raise CellError(_("Enter an amount, %(min)s or more.") % {"min": minimum})
        if abs(value) >= Decimal(10) ** (max_digits - places):
            raise CellError(_("The amount is too large."))
        return value.quantize(quantum)

    return parse


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,5}(\.\d+)?$")


_yesterday_cache = [0.0, dt.date.min]  # (monotonic time to look again, the day)


def _yesterday() -> dt.date:
    """The machine's yesterday (looked up once a minute): any day before it is before today
    in every time zone."""
    now = time.monotonic()
    if now >= _yesterday_cache[0]:
        _yesterday_cache[:] = [now + 60, dt.date.fromordinal(dt.date.today().toordinal() - 1)]
    return _yesterday_cache[1]


def _iso_day(raw) -> dt.date | None:
    """A date written exactly as 2019-07-01 (what exports and most rosters hold); None for
    any other spelling, including a day that does not exist (the general path says why)."""
    if type(raw) is str and len(raw) == 10 and raw[4] == "-" == raw[7] and raw.isascii():
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def date_value(minimum: dt.date = dt.date(1900, 1, 1), maximum: dt.date | None = None):
    """Dates: date cells, Excel serials, 2019-07-01, 2019.07.01, 2019/7/1, 2019年7月1日, 20190701.

    `maximum` None means no later than today.
    """

    def bad():
        return CellError(_("Enter a date like 2019-07-01."))

    def parse(raw):
        if isinstance(raw, dt.datetime):
            day = raw.date()
        elif isinstance(raw, dt.date):
            day = raw
        elif isinstance(raw, bool):
            raise bad()
        elif isinstance(raw, int | float):
            day = _serial(raw)
        elif (day := _iso_day(raw)) is not None:
            pass  # the usual spelling, 2019-07-01, read in C
        else:
            value = unicodedata.normalize("NFKC", str(raw)).translate(_ZERO_WIDTH).strip()
            value = re.sub(r"\s+", " ", value)
            if m := _DATE_TEXT.match(value) or _DATE_DIGITS.match(value):
                try:
                    day = dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    raise CellError(_("This date does not exist.")) from None
            elif _SERIAL.match(value):
                day = _serial(float(value))
            else:
                raise bad()
        if day < minimum:
            raise CellError(_("The date is too early."))
        if maximum is not None:
            if day > maximum:
                raise CellError(_("The date may not be in the future."))
        elif day >= _yesterday() and day > timezone.localdate():  # ≈ today: look closely
            raise CellError(_("The date may not be in the future."))
        return day

    def _serial(number):
        if not 1 <= number < 2958466:
            raise bad()
        return from_excel(number).date()

    return parse


YES = {"是", "有", "设", "已设", "y", "yes", "true", "1", "√", "✓", "对"}
NO = {"否", "无", "不", "未设", "不设", "n", "no", "false", "0", "×", "✗", "x"}


def yes_no():
    seen: dict = {}  # the few spellings a file uses, each cleaned once

    def parse(raw):
        if isinstance(raw, bool):
            return raw
        key = (type(raw), raw)
        try:
            return seen[key]
        except (KeyError, TypeError):
            pass
        value = compact(raw).casefold()
        if value in YES:
            found = True
        elif value in NO:
            found = False
        else:
            raise CellError(_("Enter 是 (yes) or 否 (no)."))
        if len(seen) < _SEEN_MAX and isinstance(raw, str | int | float):
            seen[key] = found
        return found

    return parse


def _choice_key(text) -> str:
    return compact(text).casefold()


class Choices:
    """Values and their fixed Chinese labels in the file; other spellings accepted on import.

    `items`: (value, label, *aliases). With `enum` (a TextChoices) the stored values and
    the enum's labels in every interface language are accepted as well.
    """

    def __init__(self, items: Iterable[tuple], enum=None):
        self.items = [tuple(i) for i in items]
        self.enum = enum
        self._labels = {i[0]: i[1] for i in self.items}
        self._seen: dict = {}

    def label(self, value) -> str:
        return self._labels.get(value, "" if value in (None, "") else str(value))

    def labels(self) -> list[str]:
        return [i[1] for i in self.items]

    @functools.cached_property
    def _lookup(self) -> dict:
        found = {}
        for value, *names in self.items:
            for name in [*names, value]:
                found.setdefault(_choice_key(name), value)
        if self.enum is not None:
            for code, _lang in settings.LANGUAGES:
                with translation.override(code):
                    for value, label in self.enum.choices:
                        found.setdefault(_choice_key(str(label)), value)
        return found

    def parse(self, raw):
        key = (type(raw), raw)
        try:
            return self._seen[key]  # the few spellings a file uses, each cleaned once
        except (KeyError, TypeError):
            pass
        try:
            value = self._lookup[_choice_key(raw)]
        except KeyError:
            raise CellError(
                _("Choose one of: %(choices)s.") % {"choices": "、".join(self.labels())}
            ) from None
        if len(self._seen) < _SEEN_MAX and isinstance(raw, str | int | float):
            self._seen[key] = value
        return value


BOOL_CHOICES = Choices([(True, "是"), (False, "否")])


# ---------------------------------------------------------------------------------------
# Columns, rows, results


@dataclass(frozen=True)
class Column:
    header: str  # as users see it in the file (Chinese, fixed)
    field: str
    parse: Parser | None = None  # None: text(); with `choices`: choices.parse
    required: bool = False
    default: Any = None  # the value of an empty cell
    choices: Choices | None = None
    help: Any = ""  # an instruction (lazy msgid) for the template and the page
    width: int = 16
    as_text: bool = False  # codes: Excel keeps the cell as text (no 1.2E+17, no lost zeros)
    aliases: tuple[str, ...] = ()  # other headers accepted on import
    render: Callable[[Any], Any] | None = None  # Python value → cell value on export

    def parser(self) -> Parser:
        if self.parse is not None:
            return self.parse
        if self.choices is not None:
            return self.choices.parse
        return _plain_text

    def parse_cell(self, raw):
        return self.parser()(raw)

    def to_cell(self, value):
        if self.render is not None:
            value = self.render(value)
        elif self.choices is not None:
            value = self.choices.label(value) if value is not None else None
        elif isinstance(value, bool):
            value = BOOL_CHOICES.label(value)
        elif isinstance(value, list | tuple | set | frozenset):
            value = "、".join(str(v) for v in value)
        if value == "":
            value = None
        return value  # made safe by the writer (ExportSheet.append)

    def instruction(self) -> str:
        parts = [str(_("Required."))] if self.required else []
        if self.help:
            parts.append(str(self.help))
        if self.choices is not None:
            parts.append(_("One of: %(choices)s.") % {"choices": "、".join(self.choices.labels())})
        return f"{INSTRUCTION_MARK} " + (" ".join(parts) or str(_("Optional.")))


@dataclass(slots=True)
class Row:
    """One data row: its sheet row number, the clean values of the columns present, problems."""

    number: int
    values: dict
    errors: dict = field(default_factory=dict)  # field ("" = the whole row) → message

    def error(self, field_name: str, message) -> None:
        self.errors.setdefault(field_name, str(message))

    def get(self, field_name: str, default=None):
        return self.values.get(field_name, default)

    def ok(self, *fields: str) -> bool:
        """Whether these fields are present and parsed without problem."""
        values, errors = self.values, self.errors
        for f in fields:  # noqa: SIM110 — a loop, not all(genexpr): called for every cell
            if f not in values or f in errors:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Issue:
    row: int
    column: str  # letter, "" for a problem of the whole row
    header: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)s, column %(column)s (%(header)s): %(message)s") % {
                "row": self.row,
                "column": self.column,
                "header": self.header,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportResult:
    kind: str
    rows: int = 0  # data rows read
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad_rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    file_error: str = ""
    checked_only: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.bad_rows

    @property
    def truncated(self) -> bool:
        return len(self.issues) >= MAX_ISSUES

    def summary(self) -> str:
        if self.file_error:
            return self.file_error
        if self.bad_rows:
            return _(
                "%(bad)s of %(rows)s rows have problems; nothing was imported. "
                "Correct the marked cells and import the file again."
            ) % {"bad": self.bad_rows, "rows": self.rows}
        if self.checked_only:
            return _("All %(rows)s rows are correct; nothing was written (check only).") % {
                "rows": self.rows
            }
        return _(
            "Imported %(rows)s rows: %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }

    def to_dict(self, max_issues: int = 200) -> dict:
        """A JSON-able digest (for the session or a job record)."""
        return {
            "kind": self.kind,
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad_rows": self.bad_rows,
            "file_error": self.file_error,
            "summary": self.summary(),
            "issues": [str(i) for i in self.issues[:max_issues]],
            "more_issues": max(0, len(self.issues) - max_issues),
        }


Progress = Callable[[int, int | None, str], None]  # (rows done, total or None, "check"|"apply")


class Context:
    """Per-import state handed to a spec's hooks: the actor, today, caches, and `org`: the
    organization an import is for (`import_sheet(org=…)`), or None."""

    def __init__(self, actor, today: dt.date | None = None, *, org=None):
        self.actor = actor
        self.org = org
        self.today = today or timezone.localdate()
        self.cache: dict = {}
        self._can: dict = {}

    @functools.cached_property
    def is_system_admin(self) -> bool:
        return gate.is_system_admin(self.actor)

    def can(self, action: str, org) -> bool:
        """gate.can, remembered per organization (the gate reads the assignments each time)."""
        if org is None:
            return False
        key = (action, org.pk, org.path)
        if key not in self._can:
            self._can[key] = gate.can(self.actor, action, org)
        return self._can[key]

    def can_all(self, action: str, orgs) -> None:
        """Answer `can(action, org)` for many organizations with one query through the gate."""
        todo = {o.pk: o for o in orgs if o is not None and (action, o.pk, o.path) not in self._can}
        if not todo:
            return
        model = type(next(iter(todo.values())))  # the organizations' model: no import of orgs
        allowed = set(
            model.objects.filter(
                gate.org_filter(self.actor, action), pk__in=list(todo)
            ).values_list("pk", flat=True)
        )
        for pk, org in todo.items():
            self._can[(action, pk, org.path)] = pk in allowed


class SheetSpec:
    """One kind of sheet. Subclasses set the attributes and implement the hooks."""

    kind: str = ""  # registry key and command argument: "units"
    title: str = ""  # the worksheet title in files: "单位"
    label: Any = ""  # lazy msgid for the interface
    description: Any = ""
    columns: tuple[Column, ...] = ()
    key: str = ""  # the field that identifies a row (duplicates in a file are errors)
    limits_prefix: str = "orgs.import"
    field_aliases: dict[str, str] = {}  # service error field → column field
    personal: bool = False  # holds personal information that an export may reveal
    # The column naming the organization a row belongs to, if any: an import for one
    # organization (`import_sheet(org=…)`) fills its blank cells with that organization's
    # code (the column may then be left out), and the spec's `check` refuses rows naming an
    # organization outside its subtree (`ctx.org`).
    org_field: str = ""

    def limits(self, org=None) -> Limits:
        return Limits.from_policy(self.limits_prefix, org)

    def start(self, actor, org=None) -> Context:
        return Context(actor, org=org)

    def check(self, ctx: Context, rows: list[Row]) -> None:
        """Cross-column and database checks for a chunk of rows; add problems with row.error."""

    def prepare(self, ctx: Context, rows: list[Row]) -> None:
        """Before applying a chunk (inside the transaction): prefetch what apply_row needs."""

    def apply_row(self, ctx: Context, row: Row) -> str:
        """Write one clean row through the services; return CREATED, UPDATED or UNCHANGED."""
        raise NotImplementedError

    def apply_chunk(self, ctx: Context, rows: list[Row]) -> Counter:
        """Write a chunk of clean rows (inside the import's transaction); count the outcomes.

        By default: `prepare`, then each row in a savepoint of its own through `apply_row`; a
        row the services refuse gets the problem and the import is rolled back at the end.
        A spec may override this to write new rows in bulk through a bulk service.
        """
        self.prepare(ctx, rows)
        counts: Counter = Counter()
        for row in rows:
            if row.errors:
                continue
            try:
                with transaction.atomic():
                    counts[self.apply_row(ctx, row)] += 1
            except (ValidationError, PermissionDenied, ObjectDoesNotExist, DatabaseError) as exc:
                _service_errors(self, row, exc)  # the row's savepoint is rolled back
        return counts

    def export_rows(self, actor, orgs) -> Iterable[dict]:
        """Rows (field → value) visible to `actor` under the organizations `orgs`."""
        raise NotImplementedError

    def export(self, actor, orgs, out, *, reveal: bool = False, progress=None) -> int:
        """Write the export to `out`; count the rows. Only `personal` specs know `reveal`."""
        if reveal:
            raise PermissionDenied(_("This kind of sheet holds nothing to reveal."))
        return write_workbook(self, self.export_rows(actor, orgs), out, progress=progress)

    def column(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)

    def field_for(self, name: str) -> str:
        name = self.field_aliases.get(name, name)
        return name if self.column(name) else ""


# ---------------------------------------------------------------------------------------
# Registry


_registered: dict[str, SheetSpec] = {}


def register(spec: SheetSpec) -> SheetSpec:
    _registered[spec.kind] = spec
    return spec


# This app's own kinds (organizations, units); other apps' are found in their `sheets.py`.
OWN_SHEETS = "jiceng.sheets.specs"


@functools.cache
def _discover() -> None:
    modules = [importlib.import_module(OWN_SHEETS)]
    modules += [module for _label, module in app_modules("sheets")]
    for module in modules:
        for spec in getattr(module, "SHEETS", ()):
            _registered.setdefault(spec.kind, spec)


def specs() -> dict[str, SheetSpec]:
    """Every sheet kind: those registered and those in the apps' `sheets.SHEETS`."""
    _discover()
    return dict(sorted(_registered.items()))


def get_spec(kind: str) -> SheetSpec:
    """The spec of `kind`; KeyError when there is none."""
    return specs()[kind]


# ---------------------------------------------------------------------------------------
# Opening a file safely


def _file_size(source) -> int:
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    if getattr(source, "size", None) is not None:  # Django's UploadedFile
        return int(source.size)
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


@contextlib.contextmanager
def _binary(source):
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            yield f
    else:
        f = getattr(source, "file", source)  # Django's UploadedFile wraps the real file
        f.seek(0)
        try:
            yield f
        finally:
            f.seek(0)


_WORKSHEET = re.compile(r"^xl/(worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml$")


def check_file(source, limits: Limits) -> None:
    """Refuse a file that is too large, not an .xlsx, or a zip bomb — before any XML is read."""
    size = _file_size(source)
    if size > limits.max_bytes:
        raise SheetError(
            _("The file is too large (%(size)s); at most %(max)s may be imported at once.")
            % {"size": size_text(size), "max": size_text(limits.max_bytes)}
        )
    not_xlsx = _("This is not an Excel workbook (.xlsx). Save the file as .xlsx and try again.")
    with _binary(source) as f:
        head = f.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise SheetError(
                _(
                    "This is an old .xls file or a password-protected workbook. "
                    "Open it in Excel or WPS, remove any password and save it as .xlsx."
                )
            )
        if not head.startswith(b"PK\x03\x04"):
            raise SheetError(not_xlsx)
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as archive:
                parts = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise SheetError(not_xlsx) from None
    if len(parts) > limits.max_parts:
        raise SheetError(
            _("The workbook has too many parts (%(n)s); it cannot be imported.") % {"n": len(parts)}
        )
    names = {p.filename for p in parts}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise SheetError(not_xlsx)
    if any(p.flag_bits & 0x1 for p in parts):
        raise SheetError(_("The workbook is encrypted; remove the password and save it again."))
    sheets = sum(1 for n in names if _WORKSHEET.match(n))
    if sheets > limits.max_sheets:
        raise SheetError(
            _(
                "The workbook has %(n)s sheets; at most %(max)s are allowed. "
                "Put the data on the first sheet and delete the others."
            )
            % {"n": sheets, "max": limits.max_sheets}
        )
    unpacked = sum(p.file_size for p in parts)
    bomb = _(
        "The workbook unpacks to far more data than it seems to hold (a 'zip bomb'); "
        "it was refused. Copy the data into a new workbook and try again."
    )
    if unpacked > limits.max_unpacked_bytes:
        raise SheetError(bomb)
    for p in parts:
        if p.file_size > limits.ratio_floor and p.file_size > limits.max_ratio * max(
            p.compress_size, 1
        ):
            raise SheetError(bomb)


@dataclass
class Layout:
    """Where the spec's columns are in this file."""

    headers: list[str]  # the file's header texts, as written
    positions: dict[str, int]  # field → 0-based column index
    declared_rows: int | None
    header_row: int = 1  # the sheet row holding the column names, as Excel numbers it
    above: list = field(default_factory=list)  # (row number, values) above it (a title)

    @property
    def width(self) -> int:
        return len(self.headers)

    def letter(self, field_name: str) -> str:
        i = self.positions.get(field_name)
        return get_column_letter(i + 1) if i is not None else ""


def _header_key(text) -> str:
    return re.sub(r"[\s*＊]+", "", unicodedata.normalize("NFKC", _as_text(text))).casefold()


class _Reader:
    """The sheet being imported, read once from top to bottom (`jiceng.sheets.reader`)."""

    def __init__(self, sheet: xlsx_reader.Sheet, limits: Limits):
        self.sheet = sheet
        self.ceiling = 2 * limits.max_rows + 1000  # empty, formatted rows still cost time
        self._rows = sheet.rows(width=xlsx_reader.MAX_COLUMNS, max_row=self.ceiling)
        self._pending: list[tuple[int, list]] = []  # rows read ahead while finding the header
        self.width = 0

    def _next(self) -> tuple[int, list] | None:
        try:
            return next(self._rows, None)
        except xlsx_reader.TooManyRows:
            raise SheetError(_("The sheet has too many rows.")) from None
        except xlsx_reader.ReadError:
            raise SheetError(_damaged()) from None

    def header(self, score: Callable[[list], int]) -> tuple[int, list, list]:
        """(row number, values, rows above it) of the header: among the first
        `HEADER_SCAN_ROWS` rows, the one `score` rates highest (the first on a tie), so a
        title row (合并的"XX党支部党员花名册") or a blank row above the column names is
        passed over. (0, [], []) if no row there scores."""
        seen: list[tuple[int, list]] = []
        while (item := self._next()) is not None:
            if item[0] > HEADER_SCAN_ROWS:
                self._pending.append(item)
                break
            seen.append(item)
        best, best_score = None, 0
        for i, (_number, values) in enumerate(seen):
            points = score(values)
            if points > best_score:
                best, best_score = i, points
        if best is None:
            self._pending[:0] = seen
            return 0, [], []
        self._pending[:0] = seen[best + 1 :]
        number, values = seen[best]
        return number, values, seen[:best]

    def set_width(self, width: int) -> None:
        self.width = self.sheet.width = width

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(sheet row number, values) of every row under the header, `width` values each."""
        width, pad = self.width, (None,) * self.width
        while self._pending:
            number, values = self._pending.pop(0)
            yield number, (tuple(values[:width]) + pad)[:width]
        while (item := self._next()) is not None:
            number, values = item
            if len(values) == width:
                yield number, tuple(values)
            else:
                yield number, (tuple(values[:width]) + pad)[:width]

    @property
    def fraction(self) -> float:
        return self.sheet.fraction


def _damaged():
    return _("The file could not be read as an Excel workbook (.xlsx); it may be damaged.")


def _layout(spec: SheetSpec, reader: _Reader, limits: Limits, filled: dict | None) -> Layout:
    """Where the spec's columns are. `filled`: columns an import fills itself (they may be
    left out); None: no column is required (copying the file for its error workbook)."""
    wanted = {}
    for column in spec.columns:
        for name in (column.header, *column.aliases):
            wanted[_header_key(name)] = column.field

    def score(values) -> int:  # how many of the spec's columns a row names
        return len({wanted.get(_header_key(v)) for v in values if not is_blank(v)} - {None})

    # reads the first rows, after the sheet's declared <dimension>
    header_row, header, above = reader.header(score)
    declared_rows, declared_cols = reader.sheet.declared or (None, None)
    if declared_rows and declared_rows > limits.max_rows + 2 + max(header_row - 1, 0):
        raise SheetError(
            _(
                "The sheet declares %(rows)s rows; at most %(max)s rows can be imported at once. "
                "Delete the empty rows below the data, or split the file."
            )
            % {"rows": declared_rows, "max": limits.max_rows}
        )
    if declared_cols and declared_cols > limits.max_columns:
        raise SheetError(
            _("The sheet declares %(n)s columns; at most %(max)s are allowed.")
            % {"n": declared_cols, "max": limits.max_columns}
        )
    if not header_row and filled is None:  # copying: the first row, whatever it holds
        header_row, header = next(iter(reader._pending), (1, []))
        reader._pending = reader._pending[1:]
    header = list(header)
    while header and is_blank(header[-1]):
        header.pop()
    if not header_row:
        if not any(not is_blank(v) for _n, values in reader._pending for v in values):
            raise SheetError(
                _("The first sheet is empty; the first row must hold the column names.")
            )
        raise SheetError(
            _(
                "No column names were found in the first %(n)s rows. One row must hold the "
                "column names, such as %(headers)s; download the template to see them."
            )
            % {
                "n": HEADER_SCAN_ROWS,
                "headers": "、".join(c.header for c in spec.columns if c.required)
                or "、".join(c.header for c in spec.columns[:3]),
            }
        )
    if not header:
        raise SheetError(_("The first sheet is empty; the first row must hold the column names."))
    if len(header) > limits.max_columns:
        raise SheetError(
            _("The sheet has %(n)s columns; at most %(max)s are allowed.")
            % {"n": len(header), "max": limits.max_columns}
        )
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        f = wanted.get(_header_key(name)) if not is_blank(name) else None
        if f is None:
            continue
        if f in positions:
            raise SheetError(
                _("The column %(header)s appears twice.") % {"header": spec.column(f).header}
            )
        positions[f] = i
    missing = [
        c.header
        for c in spec.columns
        if c.required and c.field not in positions and filled is not None and c.field not in filled
    ]
    if missing:
        raise SheetError(
            _(
                "The sheet has no column %(headers)s (the column names were read from row "
                "%(row)s). Download the template to see them."
            )
            % {"headers": "、".join(missing), "row": header_row}
        )
    reader.set_width(len(header))
    return Layout(
        headers=["" if is_blank(h) else _as_text(h).strip() for h in header],
        positions=positions,
        declared_rows=declared_rows,
        header_row=header_row,
        above=above,
    )


@contextlib.contextmanager
def open_sheet(
    spec: SheetSpec, source, limits: Limits, *, filled: dict | None = None, copying: bool = False
) -> Iterator[tuple[_Reader, Layout]]:
    """Check the file, open its sheet for streaming; yield (reader, layout). `filled`: as
    for `_layout`; `copying`: no column is required (the file is only copied)."""
    check_file(source, limits)
    with _binary(source) as f:
        try:
            book = xlsx_reader.Book(f)
        except xlsx_reader.ReadError:
            raise SheetError(_damaged()) from None
        try:
            if not book.worksheets:
                raise SheetError(_("The workbook has no worksheet."))
            reader = _Reader(book.sheet(spec.title or None), limits)
            yield reader, _layout(spec, reader, limits, None if copying else (filled or {}))
        finally:
            book.close()


def _physical_rows(reader: _Reader, layout: Layout, limits: Limits) -> Iterator[tuple[int, tuple]]:
    """(sheet row number, values) for every row under the header, the header's width."""
    return reader.rows()


def _is_instruction(values) -> bool:
    filled = [v for v in values if not is_blank(v)]
    return bool(filled) and all(
        isinstance(v, str) and v.startswith(INSTRUCTION_MARK) for v in filled
    )


def _data_rows(spec, ws, layout, limits, filled: dict | None = None) -> Iterator[Row]:
    """Parsed rows (blank rows and the template's instruction row skipped). `filled`: values
    for blank cells (and left-out columns) that the import supplies (field → value)."""
    count = 0
    filled = filled or {}
    columns = [
        (
            c.field,
            layout.positions[c.field],
            c.required and c.field not in filled,
            filled.get(c.field, c.default),
            c.parser(),
        )
        for c in spec.columns
        if c.field in layout.positions
    ]
    absent = {f: v for f, v in filled.items() if f not in layout.positions}
    blank, blank_start = is_blank, _BLANK_START
    for number, values in _physical_rows(ws, layout, limits):
        row = Row(number=number, values=absent.copy() if absent else {})
        parsed = row.values
        empty = True  # so far, every cell of the spec's columns is blank
        for name, i, required, default, parse in columns:
            raw = values[i]
            # is_blank(raw), without a call for the usual cell
            if raw is None or (
                type(raw) is str and (not raw or raw[0] in blank_start) and blank(raw)
            ):
                if required:
                    row.error(name, _("This cell is required."))
                parsed[name] = default
                continue
            empty = False
            try:
                parsed[name] = parse(raw)
            except (CellError, ValidationError) as exc:
                row.error(name, _message(exc))
        if empty and all(map(blank, values)):
            continue  # a blank row
        if number == layout.header_row + 1 and _is_instruction(values):
            continue
        count += 1
        if count > limits.max_rows:
            raise SheetError(
                _("The file has more than %(max)s rows; split it and import the parts one by one.")
                % {"max": limits.max_rows}
            )
        yield row


def _chunks(rows: Iterable[Row], size: int | None = None) -> Iterator[list[Row]]:
    size = size or CHUNK_ROWS
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------------------
# Import


def _collect(result: ImportResult, spec: SheetSpec, layout: Layout, row: Row) -> None:
    if not row.errors:
        return
    result.bad_rows += 1
    for f, message in row.errors.items():
        if len(result.issues) >= MAX_ISSUES:
            return
        letter = layout.letter(f) if f else ""
        header = layout.headers[layout.positions[f]] if letter else ""
        result.issues.append(Issue(row.number, letter, header, message))


def _service_errors(spec: SheetSpec, row: Row, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            row.error(spec.field_for(name), "; ".join(messages))
    elif isinstance(exc, ValidationError):
        row.error("", _message(exc))
    elif isinstance(exc, PermissionDenied):
        row.error("", str(exc) or _("You do not have permission to act on this organization."))
    elif isinstance(exc, ObjectDoesNotExist):
        row.error("", _("A record this row refers to does not exist."))
    else:
        row.error("", _("The database refused this row; nothing was imported. Try again."))


class _Spool:
    """The clean, parsed rows of the check pass, pickled chunk by chunk to an unlinked
    temporary file in the data folder (they may hold personal information), read back by
    the apply pass: the workbook is parsed once, and memory stays bounded by the chunk."""

    def __init__(self):
        folder = settings.HOME / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        self.file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 — closed by close()
        self.count = 0

    def write(self, rows: list[Row]) -> None:
        pickle.dump([(r.number, r.values) for r in rows], self.file, pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def chunks(self) -> Iterator[list[Row]]:
        self.file.seek(0)
        for _chunk in range(self.count):
            yield [Row(number=n, values=v) for n, v in pickle.load(self.file)]

    def close(self) -> None:
        self.file.close()


def import_sheet(
    spec: SheetSpec,
    source,
    actor,
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    check_only: bool = False,
    org=None,
) -> ImportResult:
    """Check every row of `source` (a path or a binary file), then apply all or nothing.

    With `org` (an Organization `actor` may see), the import is for that organization: rows
    whose organization cell (`spec.org_field`) is blank go to it, and rows naming one
    outside its subtree are refused.
    """
    limits = limits or spec.limits()
    result = ImportResult(kind=spec.kind, checked_only=check_only)
    if org is not None and (problem := _import_org_problem(spec, actor, org)):
        result.file_error = problem
        return result
    filled = {spec.org_field: org.code} if org is not None else {}
    report = progress or (lambda done, total, stage: None)
    spool = None if check_only else _Spool()
    try:
        with open_sheet(spec, source, limits, filled=filled) as (ws, layout):
            declared = max(layout.declared_rows - 1, 0) if layout.declared_rows else None
            ctx = spec.start(actor, org=org)
            seen: dict = {}
            done = 0
            for chunk in _chunks(_data_rows(spec, ws, layout, limits, filled)):
                for row in chunk:
                    key = row.values.get(spec.key) if spec.key not in row.errors else None
                    if key not in (None, ""):
                        if key in seen:
                            row.error(
                                spec.key,
                                _("%(value)s also appears in row %(row)s.")
                                % {"value": key, "row": seen[key]},
                            )
                        else:
                            seen[key] = row.number
                spec.check(ctx, chunk)
                for row in chunk:
                    _collect(result, spec, layout, row)
                if spool is not None and not result.bad_rows:
                    spool.write(chunk)
                done += len(chunk)
                # a sheet that declares no size (openpyxl's write-only files): estimated
                # from how much of its XML has been read
                total = declared or max(done, round(done / max(ws.fraction, 1e-9)))
                report(done, total, "check")
            result.rows = done
            report(done, done, "check")
            del seen
        if result.bad_rows or check_only:
            return result
        _apply(spec, spool, layout, actor, result, report, org)
    except SheetError as exc:
        result.file_error = exc.message
    finally:
        if spool is not None:
            spool.close()
    return result


def _import_org_problem(spec: SheetSpec, actor, org) -> str | None:
    if not spec.org_field:
        return _("This kind of sheet cannot be imported for one organization.")
    if not gate.can(actor, gate.VIEW, org):
        return _("There is no organization with code %(code)s within your scope.") % {
            "code": org.code
        }
    return None


def _apply(spec, spool: _Spool, layout: Layout, actor, result: ImportResult, report, org) -> None:
    counts: Counter = Counter()
    done = 0
    # deferred(): the audit events are appended at the end, so the chain's lock is held for
    # that last step only, not for the whole import (other writers would wait for it)
    with audit_source(Source.IMPORT), transaction.atomic(), audit_deferred():
        ctx = spec.start(actor, org=org)
        for chunk in spool.chunks():
            counts.update(spec.apply_chunk(ctx, chunk))
            for row in chunk:
                _collect(result, spec, layout, row)
            done += len(chunk)
            report(done, result.rows, "apply")
        if result.bad_rows:
            transaction.set_rollback(True)
            return
    result.created, result.updated, result.unchanged = (
        counts[CREATED],
        counts[UPDATED],
        counts[UNCHANGED],
    )


# ---------------------------------------------------------------------------------------
# Writing workbooks


class ExportSheet:
    """One sheet of an `ExportBook`. Every value goes through `safe_value` on its way in, so
    no text written here (an organization's name, a cell copied from an upload) can become a
    live formula."""

    def __init__(self, ws):
        self.ws = ws

    def widths(self, widths: Iterable[float]) -> None:
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width

    def freeze(self, cell: str) -> None:
        self.ws.freeze_panes = cell

    def cell(self, value, *, font=None, fill=None, alignment=None, comment=None) -> Cell:
        """A styled cell (pass it to `append`)."""
        cell = WriteOnlyCell(self.ws, value=safe_value(value))
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if comment is not None:
            cell.comment = comment
        return cell

    def header(self, value, *, required: bool = False) -> Cell:
        font = Font(bold=True, color="C00000" if required else None)
        return self.cell(value, font=font, fill=_HEADER_FILL)

    def append(self, values: Iterable = ()) -> None:
        row = []
        for value in values:
            if isinstance(value, Cell):
                if isinstance(value.value, str):
                    value.value = safe_value(value.value)
                row.append(value)
            else:
                row.append(safe_value(value))
        self.ws.append(row)


class ExportBook:
    """The one writer of every .xlsx export (rosters, error workbooks, registers, figures):
    openpyxl in write-only mode (memory bounded by the row, not the file), every cell made
    safe by `safe_value`."""

    def __init__(self):
        self.book = Workbook(write_only=True)

    def sheet(self, title: str) -> ExportSheet:
        return ExportSheet(self.book.create_sheet(title))

    def save(self, out) -> None:
        self.book.save(out)


def write_error_workbook(
    spec: SheetSpec, source, result: ImportResult, out, *, limits: Limits | None = None
) -> None:
    """A copy of `source` with each bad cell red and commented, and a last column 错误说明."""
    limits = limits or spec.limits()
    by_row: dict[int, list[Issue]] = defaultdict(list)
    for issue in result.issues:
        by_row[issue.row].append(issue)
    book = ExportBook()
    with open_sheet(spec, source, limits, copying=True) as (ws_in, layout):
        ws = book.sheet(spec.title or "Sheet1")
        by_position = {i: spec.column(f) for f, i in layout.positions.items()}
        ws.widths(
            [by_position[i].width if i in by_position else 16 for i in range(layout.width)] + [60]
        )
        ws.freeze(f"A{layout.header_row + 1}")
        last = 0
        for number, values in layout.above:  # a title above the header stays where it was
            for _gap in range(last + 1, number):
                ws.append([])
            ws.append(values)
            last = number
        for _gap in range(last + 1, layout.header_row):
            ws.append([])
        ws.append([ws.header(h) for h in layout.headers] + [ws.header(ERRORS_HEADER)])
        last = layout.header_row
        for number, values in _physical_rows(ws_in, layout, limits):
            for _gap in range(last + 1, number):  # rows the file leaves out keep their number
                ws.append([])
            last = max(last, number)
            issues = by_row.get(number)
            if not issues:
                ws.append(values)
                continue
            bad = defaultdict(list)
            for issue in issues:
                if issue.column:
                    bad[issue.column].append(issue.message)
            cells = []
            for i, value in enumerate(values):
                letter = get_column_letter(i + 1)
                if letter in bad:
                    note = Comment("\n".join(bad[letter]), "jiceng", width=300, height=120)
                    cells.append(ws.cell(value, fill=_RED_FILL, font=_RED_FONT, comment=note))
                else:
                    cells.append(value)
            summary = ws.cell(
                "\n".join(
                    (
                        _("%(header)s (column %(column)s): %(message)s")
                        % {"header": i.header, "column": i.column, "message": i.message}
                        if i.column
                        else i.message
                    )
                    for i in issues
                ),
            )
            summary.font = _RED_FONT
            summary.alignment = Alignment(wrap_text=True, vertical="top")
            ws.append([*cells, summary])
    book.save(out)


def write_workbook(
    spec: SheetSpec, rows: Iterable[dict], out, *, progress: Progress | None = None
) -> int:
    """Stream `rows` (field → value) into a new workbook with the spec's columns; count them."""
    book = ExportBook()
    ws = book.sheet(spec.title or "Sheet1")
    ws.widths(c.width for c in spec.columns)
    ws.freeze("A2")
    ws.append([ws.header(c.header, required=c.required) for c in spec.columns])
    count = 0
    for data in rows:
        ws.append([c.to_cell(data.get(c.field)) for c in spec.columns])
        count += 1
        if progress and count % CHUNK_ROWS == 0:
            progress(count, None, "export")
    book.save(out)
    return count


def export_workbook(spec: SheetSpec, actor, orgs, out, *, progress=None, reveal=False) -> int:
    """Export what `actor` sees under `orgs` in the spec's columns (re-importable).

    Personal information is masked unless `reveal` (a logged act; see `SheetSpec.export`).
    """
    return spec.export(actor, orgs, out, reveal=reveal, progress=progress)


def write_template(spec: SheetSpec, out, *, limits: Limits | None = None) -> None:
    """An empty workbook to fill: header, an instruction row, choice lists, frozen panes."""
    limits = limits or Limits()
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title or "Sheet1"
    last = limits.max_rows + 2
    lists = None
    for i, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        header = ws.cell(row=1, column=i, value=column.header)
        header.font = Font(bold=True, color="C00000" if column.required else None)
        header.fill = _HEADER_FILL
        note = ws.cell(row=2, column=i, value=column.instruction())
        note.font = Font(italic=True, color="7F7F7F", size=9)
        note.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = column.width
        if column.as_text:
            ws.column_dimensions[letter].number_format = "@"
        labels = column.choices.labels() if column.choices is not None else None
        if labels:
            inline = '"' + ",".join(labels) + '"'
            if len(inline) > 255 or any("," in label for label in labels):
                if lists is None:
                    lists = wb.create_sheet("lists")
                    lists.sheet_state = "hidden"
                for r, label in enumerate(labels, start=1):
                    lists.cell(row=r, column=i, value=label)
                inline = f"lists!${letter}$1:${letter}${len(labels)}"
            dv = DataValidation(
                type="list",
                formula1=inline,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=str(_("Not in the list")),
                error=_("Choose one of: %(choices)s.") % {"choices": "、".join(labels)},
            )
            dv.add(f"{letter}3:{letter}{last}")
            ws.add_data_validation(dv)
    ws.row_dimensions[2].height = 48
    ws.freeze_panes = "A3"
    wb.save(out)


def error_workbook_path(source: str | os.PathLike) -> Path:
    """Where the command line puts the error workbook of `source`: units.xlsx → units.errors.xlsx."""
    path = Path(source)
    return path.with_name(f"{path.stem}.errors.xlsx")
