"""The paper ballot (选票) as a PDF: candidates in their places on the sheet, a box under each
name for the mark, boxes for written-in names, and the voting instructions.

Drawn with reportlab and its built-in Chinese CID font (STSong-Light), so no font file is
needed; a PDF reader supplies the glyphs. The ballot carries no number or code of any kind:
nothing printed on it can be matched to a voter.
"""

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
COLUMNS = 6  # names per row
CELL_W, NAME_H, MARK_H = 28 * mm, 10 * mm, 12 * mm


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text into lines no wider than `width` (any character may end a line)."""
    lines, current = [], ""
    for char in text:
        if current and pdfmetrics.stringWidth(current + char, font, size) > width:
            lines.append(current)
            current = "　" + char if lines else char
        else:
            current += char
    return [*lines, current] if current else lines


def instructions(poll, write_in_boxes: int) -> list[str]:
    lines = [
        "说明：1. 赞成的，在其姓名下方空格内划“○”；不赞成的，划“×”；弃权的，不划任何符号。",
        f"2. 本次应选 {poll.seats} 名，赞成的人数等于或少于应选人数的为有效票，多于应选人数的为无效票。",
    ]
    if write_in_boxes:
        lines.append("3. 如另选他人，在“另选人”栏内写上其姓名，并在下方空格内划“○”。")
    lines.append("请用黑色或蓝色笔填写，符号要准确，字迹要清楚，无法辨认的为废票。")
    return lines


def render(poll, candidates, *, copies: int = 1, compress: bool = True) -> bytes:
    """`copies` ballots of `poll`, one per page, candidates in the given (sheet) order."""
    font = _font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1 if compress else 0)
    pdf.setTitle(f"{poll.org.name}{poll.title}选票")
    width, height = A4
    write_in_boxes = poll.seats if poll.kind != "revote" else 0
    names = [c.name for c in candidates] + ["另选人"] * write_in_boxes
    for _copy in range(max(1, copies)):
        y = height - 25 * mm
        pdf.setFont(font, 18)
        pdf.drawCentredString(width / 2, y, f"{poll.org.name}")
        y -= 10 * mm
        round_text = f"（第{poll.round}轮）" if poll.round > 1 else ""
        pdf.drawCentredString(width / 2, y, f"{poll.title}选票{round_text}")
        y -= 12 * mm
        left = (width - COLUMNS * CELL_W) / 2
        pdf.setFont(font, 13)
        for start in range(0, len(names), COLUMNS):
            row = names[start : start + COLUMNS]
            if y - NAME_H - MARK_H < 50 * mm:
                pdf.showPage()
                pdf.setFont(font, 13)
                y = height - 25 * mm
            for k, name in enumerate(row):
                x = left + k * CELL_W
                pdf.rect(x, y - NAME_H, CELL_W, NAME_H)
                pdf.rect(x, y - NAME_H - MARK_H, CELL_W, MARK_H)
                if name != "另选人":
                    pdf.drawCentredString(x + CELL_W / 2, y - NAME_H + 3.2 * mm, name)
                else:
                    pdf.setFont(font, 9)
                    pdf.drawString(x + 1.5 * mm, y - 3.5 * mm, "另选人")
                    pdf.setFont(font, 13)
            y -= NAME_H + MARK_H
        y -= 10 * mm
        pdf.setFont(font, 10.5)
        for text in instructions(poll, write_in_boxes):
            for part in _wrap(text, font, 10.5, COLUMNS * CELL_W):
                pdf.drawString(left, y, part)
                y -= 6.5 * mm
        pdf.showPage()
    pdf.save()
    return out.getvalue()
