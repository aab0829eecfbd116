"""An official document (公文) in the layout of GB/T 9704-2012, written with python-docx.

Page: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a 156 × 225 mm text
area), 22 lines × 28 characters: a line grid of 28.95 pt with exact line spacing, and 3号
characters condensed by 0.25 pt so 28 fit a line (see CONDENSE_TWENTIETHS). Fonts are named
the way Chinese offices name them and each name gets a fallback in the font table
(`w:altName`), so a machine without 仿宋_GB2312 uses 仿宋. Everything is done with named
styles (GB Title, GB Body, Heading 1-4, GB Signature, GB Table Text/Header, GB Colophon,
Footer), so a user who opens the file in Word or WPS adjusts them in one place.

Checked by converting with LibreOffice 7.4 (tests/test_documents.py counts 28 characters a
line and 22 lines a page in the PDF); Word follows the same properties.
"""

import copy
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from os import PathLike
from typing import IO, Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from lxml import etree

from .numerals import cn_date, heading_number

# Chinese type sizes (号) in points.
SIZES = {
    "初号": 42,
    "小初": 36,
    "一号": 26,
    "小一": 24,
    "二号": 22,
    "小二": 18,
    "三号": 16,
    "小三": 15,
    "四号": 14,
    "小四": 12,
    "五号": 10.5,
}

# Font names as offices use them, and what Word/WPS/LibreOffice fall back to.
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
XIAOBIAOSONG = "方正小标宋简体"
LATIN = "Times New Roman"
FALLBACKS = {
    FANGSONG: "仿宋",
    KAITI: "楷体",
    XIAOBIAOSONG: SONGTI,
    HEITI: "SimHei",
    SONGTI: "SimSun",
}

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH_TWIPS = 579  # 28.95 pt: 22 lines fit in 225 mm (637.8 pt); 580 would leave 21
LINE_PITCH = Pt(LINE_PITCH_TWIPS / 20)
CHAR = Emu(TEXT_WIDTH // CHARS_PER_LINE)  # one character of the grid, about 15.79 pt
BODY_PT = SIZES["三号"]
# 28 characters of 3号 (16 pt) need 447 pt but the line has 442.2 pt, so every character is
# condensed by 0.25 pt (w:spacing, in twentieths of a point). A character grid
# (docGrid linesAndChars with a negative charSpace) does the same in Word, but LibreOffice
# then gives each 16 pt character two grid cells (14 per line); condensing works in both.
CONDENSE_TWENTIETHS = -5

RED = "FF0000"  # 发文机关标志 and the separator rule are red (GB/T 9704-2012 §7.2.1, §7.2.5)

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

HEADING_FONTS = {1: HEITI, 2: KAITI, 3: FANGSONG, 4: FANGSONG}


def text_width(text: str) -> float:
    """Width in grid characters: a CJK or full-width character is 1, anything else ½."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


# ---------------------------------------------------------------------------------------
# low-level XML helpers


def _set_fonts(rpr_parent, name: str, *, latin: str | None = LATIN) -> None:
    """Name the East Asian font (and the Latin one) on a style, run or rPrDefault."""
    rfonts = rpr_parent.get_or_add_rPr().get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del rfonts.attrib[attr]
    latin = latin or name
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), name)
    rfonts.set(qn("w:hint"), "eastAsia")


def _reset_style(style) -> None:
    """Drop a built-in style's own formatting (theme fonts, colours, borders, spacing)."""
    for tag in ("w:pPr", "w:rPr"):
        for el in style.element.findall(qn(tag)):
            style.element.remove(el)


# The order of children the schema (ECMA-376) prescribes; Word refuses files that break it.
_ORDER = {
    "pPr": (
        "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
        "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
        "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
        "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
        "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ),
    "rPr": (
        "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
        "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
        "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
    ),
    "tblPr": (
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
        "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
        "tblDescription tblPrChange"
    ),
}
_ORDER = {k: tuple(f"w:{t}" for t in v.split()) for k, v in _ORDER.items()}


def _set_style(paragraph, name: str) -> None:
    """Set a paragraph style by id (python-docx's lookup by name scans every style)."""
    paragraph._p.style = name.replace(" ", "")


def _put(parent, tag: str, **attrs: str):
    """Set the child `tag` of a pPr/rPr/tblPr, in the place the schema orders it."""
    parent.remove_all(tag)
    el = OxmlElement(tag)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), value)
    seq = _ORDER[etree.QName(parent).localname]
    parent.insert_element_before(el, *seq[seq.index(tag) + 1 :])
    return el


def _style_font(style, name: str, size: float, *, latin: str | None = LATIN) -> None:
    _set_fonts(style.element, name, latin=latin)
    style.font.size = Pt(size)
    style.font.bold = False
    style.font.italic = False


def _exact(fmt, pitch=LINE_PITCH) -> None:
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = pitch
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _border(tag: str, size_eighths: int) -> Any:
    el = OxmlElement(tag)
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), "0")
    el.set(qn("w:color"), "000000")
    return el


def _field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A complex field (PAGE, NUMPAGES…) in a paragraph, with a cached result."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


# ---------------------------------------------------------------------------------------
# the document


class OfficialDocument:
    """A document composed from blocks, in order. See the package docstring for the API."""

    def __init__(
        self,
        title: str,
        *,
        recipient: str | None = None,
        issuer: str | None = None,
        date: dt.date | str | None = None,
        organ: str | None = None,
        number: str | None = None,
        signer: str | None = None,
    ):
        """`organ` (发文机关标志, e.g. "××工会文件"), `number` (发文字号, "××〔2026〕3号") and
        `signer` (签发人, for documents sent up: 请示, 报告) make the 版头 above the title."""
        self.title = title
        self.recipient = recipient
        self.issuer = issuer
        self.date = date
        self._counters = [0, 0, 0, 0]
        self._doc = Document()
        self._setup_package()
        self._setup_styles()
        self._setup_page(self._doc.sections[0])
        if organ:
            self._masthead(organ, number, signer)
        # the first paragraph of a new python-docx document is the (empty) body; reuse it
        self._title_block(title, first=not organ)
        if recipient:
            self.blank()
            colon = "" if recipient.endswith(("：", ":")) else "："
            self._add("GB Recipient", recipient + colon)

    # -- blocks --------------------------------------------------------------------------

    def paragraph(
        self,
        text: str = "",
        *,
        label: str | None = None,
        indent: bool = True,
        align: str | None = None,
    ):
        """A body paragraph (3号仿宋, first line indented two characters).

        `label` is a lead-in in 黑体 ("会议议题："), `indent=False` starts flush left,
        `align` is "left", "center", "right" or "justify" (the default).
        """
        p = self._add("GB Body")
        if not indent:
            p.paragraph_format.first_line_indent = Emu(0)
        if align:
            p.alignment = _ALIGN[align]
        if label:
            run = p.add_run(label)
            _set_fonts(run._r, HEITI)
        if text:
            self._add_text(p, text)
        return p

    def heading(self, level: int, text: str, *, numbered: bool = True, body: str | None = None):
        """A structure heading: level 1 一、 (黑体), 2 （一） (楷体), 3 1. and 4 （1） (仿宋).

        Numbers count by themselves and restart under each higher heading (`numbered=False`
        prints the text alone and counts nothing). `body` continues
        the same paragraph in body type (a run-in heading: "（一）议题。正文…").
        """
        if level not in HEADING_FONTS:
            raise ValueError("heading levels are 1 to 4")
        prefix = ""
        if numbered:
            self._counters[level - 1] += 1
            for lower in range(level, 4):
                self._counters[lower] = 0
            prefix = heading_number(level, self._counters[level - 1])
        p = self._add(f"Heading {level}")
        p.add_run(prefix + text)
        if body:
            run = p.add_run(body)
            if HEADING_FONTS[level] != FANGSONG:
                _set_fonts(run._r, FANGSONG)
            p.paragraph_format.keep_with_next = False
        return p

    def blank(self, n: int = 1) -> None:
        """n empty lines of the grid."""
        for _ in range(n):
            self._add("GB Plain")

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Any]],
        widths: Sequence[float] | None = None,
        *,
        size: str = "四号",
    ):
        """A ruled table: header row in 黑体 (repeated on every page), cells in 仿宋.

        `widths` are column widths in millimetres (they should add up to at most 156);
        by default the columns share the text width. Cells may be any value; None is empty.
        """
        headers = [str(h) for h in headers]
        ncols = len(headers)
        if widths is None:
            widths_emu = [Emu(TEXT_WIDTH // ncols)] * ncols
        else:
            if len(widths) != ncols:
                raise ValueError("one width per column")
            widths_emu = [Mm(w) for w in widths]
        table = self._doc.add_table(rows=1, cols=ncols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        borders = _put(table._tbl.tblPr, "w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(_border(f"w:{edge}", 4))
        pt = SIZES[size]
        header_row = table.rows[0]
        _repeat_header(header_row)
        for cell, text in zip(header_row.cells, headers, strict=True):
            self._cell(cell, text, "GB Table Header", pt)
        for values in rows:
            values = list(values)
            if len(values) != ncols:
                raise ValueError("each row needs one value per column")
            row = table.add_row()
            _cant_split(row)
            for cell, value in zip(row.cells, values, strict=True):
                self._cell(cell, "" if value is None else str(value), "GB Table Text", pt)
        for column, width in zip(table.columns, widths_emu, strict=True):
            column.width = width
            for cell in column.cells:
                cell.width = width
        return table

    def attachments(self, names: Sequence[str]) -> None:
        """The attachment note under the body: 附件：1. 名称 (one blank line before it).

        Several names are numbered and aligned under each other; a name that wraps lines
        up with its own first character.
        """
        names = [n.rstrip("。.") for n in names if n]
        if not names:
            return
        self.blank()
        lead = "附件："
        for i, name in enumerate(names, 1):
            number = f"{i}." if len(names) > 1 else ""
            p = self._add("GB Plain")
            fmt = p.paragraph_format
            # every name starts 2 + 3 characters in, plus its number
            start = 2 + text_width(lead) + text_width(number)
            fmt.left_indent = Emu(int(CHAR * start))
            fmt.first_line_indent = Emu(-int(CHAR * (start - (2 if i == 1 else 5))))
            p.add_run((lead if i == 1 else "") + number + name)

    def signature(self, *, seal: bool = True, issuer: str | None = None, date=None) -> None:
        """The issuing organ (发文机关署名) and the date (成文日期).

        `seal=True` (a stamped document): room for the seal, the date four characters from
        the right, the issuer centred over it. `seal=False`: one blank line, the issuer two
        characters from the right, the date starting two characters right of the issuer.
        """
        issuer = issuer or self.issuer or ""
        day = date if date is not None else self.date
        day_text = day if isinstance(day, str) else cn_date(day)
        wi, wd = text_width(issuer), text_width(day_text)
        if seal:
            self.blank(3)
            date_right = 4.0
            issuer_right = max(0.0, date_right + (wd - wi) / 2)
        else:
            self.blank()
            issuer_right, date_right = 2.0, wi - wd
            if date_right < 2:
                date_right = 2.0
                issuer_right = 4 + wd - wi
        for text, right in ((issuer, issuer_right), (day_text, date_right)):
            if not text:
                continue
            p = self._add("GB Signature")
            p.paragraph_format.right_indent = Emu(int(CHAR * right))
            p.add_run(text)

    def page_break(self) -> None:
        p = self._add("GB Plain")
        p.add_run().add_break(WD_BREAK.PAGE)

    def attachment(self, title: str, number: int | None = None) -> None:
        """Start an attachment on a new page: "附件1" top left in 黑体, its title on line 3."""
        self.page_break()
        label = "附件" if number is None else f"附件{number}"
        p = self._add("GB Plain")
        run = p.add_run(label)
        _set_fonts(run._r, HEITI)
        self.blank()
        self._title_block(title)
        self.blank()
        self._counters = [0, 0, 0, 0]

    def distribution(
        self,
        *,
        cc: Sequence[str] | None = None,
        printer: str | None = None,
        printed: dt.date | str | None = None,
    ) -> None:
        """The colophon (版记) at the foot of the last page: 抄送 and 印发 between rules.

        Call it last. It is a table anchored to the bottom of the text area, so it stays
        at the foot of the page whatever precedes it.
        """
        lines = []
        if cc:
            lines.append(("抄送：" + "，".join(cc) + "。", None))
        if printer or printed:
            printed_text = printed if isinstance(printed, str) else cn_date(printed)
            lines.append((printer or "", printed_text + "印发"))
        if not lines:
            return
        table = self._doc.add_table(rows=len(lines), cols=1)
        tblpr = table._tbl.tblPr
        # Its last line on the last line of the text area. An absolute offset from the top
        # of the text area (tblpY) rather than tblpYSpec="bottom", which LibreOffice ignores.
        # At the bottom of the text area, centred on the page (LibreOffice keeps a table as
        # wide as the text area inline unless it is placed relative to the page's width).
        _put(
            tblpr,
            "w:tblpPr",
            leftFromText="0",
            rightFromText="0",
            vertAnchor="margin",
            horzAnchor="page",
            tblpXSpec="center",
            tblpYSpec="bottom",
        )
        borders = _put(tblpr, "w:tblBorders")
        borders.append(_border("w:top", 8))  # 0.35 mm ≈ 1 pt
        borders.append(_border("w:bottom", 8))
        borders.append(_border("w:insideH", 6))  # 0.25 mm ≈ 0.75 pt
        margins = _put(tblpr, "w:tblCellMar")
        for edge in ("left", "right"):
            m = OxmlElement(f"w:{edge}")
            m.set(qn("w:w"), "0")
            m.set(qn("w:type"), "dxa")
            margins.append(m)
        width = TEXT_WIDTH
        table.columns[0].width = width
        for row, (left, right) in zip(table.rows, lines, strict=True):
            cell = row.cells[0]
            cell.width = width
            p = cell.paragraphs[0]
            _set_style(p, "GB Colophon")
            p.add_run(left)
            if right:
                p.paragraph_format.tab_stops.add_tab_stop(width - CHAR, WD_TAB_ALIGNMENT.RIGHT)
                p.add_run("\t" + right)
        # a floating table is anchored to the paragraph after it
        self._add("GB Plain")

    # -- output --------------------------------------------------------------------------

    @property
    def docx(self):
        """The underlying python-docx Document, for anything this API does not cover."""
        return self._doc

    def save(self, target: str | PathLike | IO[bytes]) -> None:
        """Write the .docx to a path or a binary file object (an HttpResponse works too)."""
        core = self._doc.core_properties
        core.title = self.title.replace("\n", "")
        core.author = self.issuer or ""
        core.language = "zh-CN"
        self._doc.save(target)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.save(out)
        return out.getvalue()

    # -- internals -----------------------------------------------------------------------

    def _add(self, style: str, text: str = ""):
        p = self._doc.add_paragraph(text)
        _set_style(p, style)
        return p

    def _add_text(self, paragraph, text: str) -> None:
        paragraph.add_run(text)  # python-docx turns "\n" into a line break (w:br)

    def _masthead(self, organ: str, number: str | None, signer: str | None) -> None:
        """The 版头 (GB/T 9704-2012 §7.2): the issuing organ in red 小标宋, centred; two lines
        below it the document number — centred, or for a document sent up (with a signer) one
        character in from the left with 签发人 at the right on the same line; under them the
        red rule across the text area; the title follows two lines below the rule."""
        if self._doc.paragraphs:
            p = self._doc.paragraphs[0]
            _set_style(p, "GB Organ")
        else:
            p = self._add("GB Organ")
        run = p.add_run(organ)
        # as large as 小初 but never wider than the text area (about 12 characters of 36 pt)
        room = TEXT_WIDTH / 12700 / max(text_width(organ), 1)  # points per character
        run.font.size = Pt(min(SIZES["小初"], int(room * 0.95)))
        self.blank(2)
        line = self._add("GB Number")
        if signer:
            line.alignment = WD_ALIGN_PARAGRAPH.LEFT
            line.paragraph_format.left_indent = CHAR
            line.paragraph_format.right_indent = CHAR
            line.paragraph_format.tab_stops.add_tab_stop(
                TEXT_WIDTH - 2 * CHAR, WD_TAB_ALIGNMENT.RIGHT
            )
            line.add_run((number or "") + "\t签发人：")
            name = line.add_run(signer)
            _set_fonts(name._r, KAITI)
        else:
            line.add_run(number or "")
        # the red rule, 4 mm under the number line, as wide as the text area
        borders = _put(line._p.get_or_add_pPr(), "w:pBdr")
        rule = _border("w:bottom", 12)
        rule.set(qn("w:color"), RED)
        rule.set(qn("w:space"), "11")
        borders.append(rule)
        self.blank(2)

    def _title_block(self, title: str, *, first: bool = False) -> None:
        if first and self._doc.paragraphs:
            p = self._doc.paragraphs[0]
            _set_style(p, "GB Title")
        else:
            p = self._add("GB Title")
        self._add_text(p, title)

    def _cell(self, cell, text: str, style: str, pt: float) -> None:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        _set_style(p, style)
        self._add_text(p, text)
        if pt != SIZES["四号"]:
            for run in p.runs:
                run.font.size = Pt(pt)

    def _setup_package(self) -> None:
        doc = self._doc
        part = doc.part
        # stylesWithEffects is a Word 2010 copy of the styles; drop it so only ours count.
        for rid, rel in list(part.rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                part.drop_rel(rid)
            elif rel.reltype.endswith("/fontTable"):
                _add_font_fallbacks(rel.target_part)
        settings = doc.settings
        settings.odd_and_even_pages_header_footer = True
        lang = settings.element.find(qn("w:themeFontLang"))
        if lang is not None:
            lang.set(qn("w:val"), "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")
        compress = settings.element.find(qn("w:characterSpacingControl"))
        if compress is not None:
            compress.set(qn("w:val"), "doNotCompress")  # punctuation keeps its full cell

    def _setup_styles(self) -> None:
        styles = self._doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault"))
        for el in list(rpr_default):
            rpr_default.remove(el)
        rpr_default.append(
            parse_xml(
                f'<w:rPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:cs="{LATIN}" '
                f'w:eastAsia="{FANGSONG}" w:hint="eastAsia"/>'
                f'<w:kern w:val="2"/><w:sz w:val="{BODY_PT * 2}"/><w:szCs w:val="{BODY_PT * 2}"/>'
                f'<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>'
            )
        )
        ppr_default = defaults.find(qn("w:pPrDefault"))
        for el in list(ppr_default):
            ppr_default.remove(el)
        ppr_default.append(
            parse_xml(
                f'<w:pPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:spacing w:after="0" w:line="{LINE_PITCH_TWIPS}" w:lineRule="exact"/></w:pPr>'
            )
        )
        # Theme fonts would win over the names we give; remove them from every style.
        for rfonts in styles.element.iter(qn("w:rFonts")):
            for attr in list(rfonts.attrib):
                if attr.lower().endswith("theme"):
                    del rfonts.attrib[attr]

        normal = styles["Normal"]
        _reset_style(normal)
        _style_font(normal, FANGSONG, BODY_PT)
        _condense(normal, CONDENSE_TWENTIETHS)
        fmt = normal.paragraph_format
        _exact(fmt)
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.widow_control = False
        ppr = normal.element.get_or_add_pPr()
        for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):  # no extra space around digits
            _put(ppr, tag, val="0")

        def add(name, *, font=FANGSONG, size=BODY_PT, align=None, indent=0.0, base="Normal"):
            style = styles.add_style(name, 1)  # WD_STYLE_TYPE.PARAGRAPH
            style.base_style = styles[base]
            style.quick_style = True
            _style_font(style, font, size)
            f = style.paragraph_format
            _exact(f)
            if align is not None:
                f.alignment = align
            f.first_line_indent = Emu(int(CHAR * indent))
            return style

        title = add(
            "GB Title", font=XIAOBIAOSONG, size=SIZES["二号"], align=WD_ALIGN_PARAGRAPH.CENTER
        )
        _set_fonts(title.element, XIAOBIAOSONG, latin=XIAOBIAOSONG)
        title.paragraph_format.keep_with_next = True
        _no_grid(title)  # LibreOffice would give each 2号 line two grid lines
        organ = add(
            "GB Organ", font=XIAOBIAOSONG, size=SIZES["小初"], align=WD_ALIGN_PARAGRAPH.CENTER
        )
        _set_fonts(organ.element, XIAOBIAOSONG, latin=XIAOBIAOSONG)
        organ.font.color.rgb = RGBColor.from_string(RED)
        _exact(organ.paragraph_format, Pt(LINE_PITCH_TWIPS / 10))  # two lines: 36 pt fits
        _no_grid(organ)
        add("GB Number", align=WD_ALIGN_PARAGRAPH.CENTER)
        add("GB Body", indent=2)
        add("GB Plain")
        add("GB Recipient", align=WD_ALIGN_PARAGRAPH.LEFT)
        add("GB Signature", align=WD_ALIGN_PARAGRAPH.RIGHT)
        for name, font, align in (
            ("GB Table Text", FANGSONG, WD_ALIGN_PARAGRAPH.CENTER),
            ("GB Table Header", HEITI, WD_ALIGN_PARAGRAPH.CENTER),
        ):
            style = add(name, font=font, size=SIZES["四号"], align=align)
            _exact(style.paragraph_format, Pt(22))
            _no_grid(style)
        colophon = add("GB Colophon", size=SIZES["四号"], align=WD_ALIGN_PARAGRAPH.LEFT)
        colophon.paragraph_format.left_indent = CHAR
        colophon.paragraph_format.right_indent = CHAR

        for level, font in HEADING_FONTS.items():
            style = styles[f"Heading {level}"]
            _reset_style(style)
            _style_font(style, font, BODY_PT)
            f = style.paragraph_format
            _exact(f)
            f.first_line_indent = Emu(int(CHAR * 2))
            f.keep_with_next = True
            f.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            style.font.color.rgb = None
            _put(style.element.get_or_add_pPr(), "w:outlineLvl", val=str(level - 1))

        footer = styles["Footer"]
        _reset_style(footer)
        _style_font(footer, SONGTI, SIZES["四号"], latin=SONGTI)
        _exact(footer.paragraph_format, Pt(18))
        _no_grid(footer)

    def _setup_page(self, section) -> None:
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.gutter = Emu(0)
        section.header_distance = Mm(15)
        # the page number's top sits 7 mm below the text area: 35 - 7 mm minus its line
        section.footer_distance = Mm(35 - 7) - Pt(18)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        # page numbers "— 1 —", 4号宋体: odd pages right (one character in), even pages left
        for footer, align, side in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
        ):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            _set_style(p, "Footer")
            p.alignment = align
            setattr(p.paragraph_format, f"{side}_indent", CHAR)
            p.add_run("— ")
            _field(p, "PAGE")
            p.add_run(" —")


_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def _condense(style, twentieths: int) -> None:
    _put(style.element.get_or_add_rPr(), "w:spacing", val=str(twentieths))


def _no_grid(style) -> None:
    _put(style.element.get_or_add_pPr(), "w:snapToGrid", val="0")


def _repeat_header(row) -> None:
    _cant_split(row)
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _cant_split(row) -> None:
    row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))  # trPr: any order


def _add_font_fallbacks(part) -> None:
    """Declare our fonts in the font table with `w:altName`, the fallback Word/WPS use."""
    root = etree.fromstring(part.blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    template = parse_xml(
        '<w:font xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:altName w:val=""/><w:charset w:val="86"/><w:family w:val="modern"/>'
        '<w:pitch w:val="fixed"/></w:font>'
    )
    for name, alt in FALLBACKS.items():
        if name in known:
            continue
        font = copy.deepcopy(template)
        font.set(qn("w:name"), name)
        font.find(qn("w:altName")).set(qn("w:val"), alt)
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
