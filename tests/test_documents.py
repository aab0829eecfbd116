"""Official documents: GB/T 9704 layout in the .docx, tables, Chinese numerals, downloads, PDF."""

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from urllib.parse import unquote

import docx
import pytest
from django.core.management import call_command
from django.utils import translation
from lxml import etree

from jiceng.documents import (
    DOCX_CONTENT_TYPE,
    DocumentError,
    OfficialDocument,
    cn_date,
    cn_number,
    docx_response,
    heading_number,
    libreoffice,
    ordinal,
    session_label,
    to_pdf,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
DAY = dt.date(2026, 11, 22)
TITLE = "关于召开示例公司工会第二次会员代表大会的请示"


def w(name):
    return f"{{{W}}}{name}"


def request_document():
    doc = OfficialDocument(TITLE, recipient="示例区总工会", issuer="示例公司工会", date=DAY)
    doc.paragraph("本届工会委员会于2021年11月选举产生，任期已满五年。")
    doc.heading(1, "会议安排")
    doc.heading(2, "时间")
    doc.heading(3, "代表。", body="拟定代表85名。")
    doc.heading(4, "产生办法")
    doc.heading(1, "委员名额")
    doc.heading(2, "委员")
    doc.table(
        ["序号", "姓名", "备注"], [[1, "王示例", None], [2, "李示例", "连任"]], widths=[20, 40, 96]
    )
    doc.attachments(["候选人名单", "代表名额分配方案"])
    doc.signature(seal=False)
    doc.distribution(cc=["示例公司党委"], printer="示例公司工会办公室", printed=DAY)
    return doc


def parts(doc):
    with zipfile.ZipFile(io.BytesIO(doc.to_bytes())) as z:
        return {
            name: etree.fromstring(z.read(name)) for name in z.namelist() if name.endswith(".xml")
        }


def style(styles_xml, name):
    (el,) = styles_xml.xpath(f"//w:style[w:name/@w:val='{name}']", namespaces=NS)
    return el


def east_asia(el):
    return el.find(f"{w('rPr')}/{w('rFonts')}").get(w("eastAsia"))


def half_points(el):
    return int(el.find(f"{w('rPr')}/{w('sz')}").get(w("val")))


def test_page_is_a4_with_the_standard_margins_and_a_22_line_grid():
    opened = docx.Document(io.BytesIO(request_document().to_bytes()))
    section = opened.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]
    grid = section._sectPr.find(w("docGrid"))
    assert grid.get(w("type")) == "lines" and grid.get(w("linePitch")) == "579"
    # 22 lines of 28.95 pt fill the 225 mm text area; a 23rd would not fit
    assert 22 * 28.95 <= 225 / 25.4 * 72 < 23 * 28.95
    normal = opened.styles["Normal"].paragraph_format
    assert (
        normal.line_spacing.pt == pytest.approx(28.95) and normal.line_spacing_rule == 4
    )  # EXACTLY


def test_fonts_and_sizes_follow_the_standard():
    styles = parts(request_document())["word/styles.xml"]
    expected = {
        "Normal": ("仿宋_GB2312", 32),  # 3号 = 16 pt = 32 half-points
        "GB Title": ("方正小标宋简体", 44),  # 2号 = 22 pt
        "GB Body": (None, None),  # inherits Normal's font
        "heading 1": ("黑体", 32),
        "heading 2": ("楷体_GB2312", 32),
        "heading 3": ("仿宋_GB2312", 32),
        "heading 4": ("仿宋_GB2312", 32),
        "footer": ("宋体", 28),  # page numbers: 4号 = 14 pt
    }
    for name, (font, size) in expected.items():
        el = style(styles, name)
        if font:
            assert east_asia(el) == font, name
            assert half_points(el) == size, name
    # heading levels carry outline levels (Word's navigation pane) and are not bold or coloured
    for level in (1, 2, 3, 4):
        el = style(styles, f"heading {level}")
        assert el.find(f"{w('pPr')}/{w('outlineLvl')}").get(w("val")) == str(level - 1)
        assert el.find(f"{w('rPr')}/{w('color')}") is None
    # body paragraphs are justified, first line indented two characters (2 × 156 mm / 28)
    body = style(styles, "GB Body").find(f"{w('pPr')}/{w('ind')}")
    assert int(body.get(w("firstLine"))) == pytest.approx(2 * 156 / 28 / 25.4 * 1440, abs=2)
    # no theme font can override the names above, and Chinese is the East Asian language
    themed = [a for el in styles.iter(w("rFonts")) for a in el.attrib if "heme" in a]
    assert themed == []
    lang = styles.find(f".//{w('rPrDefault')}//{w('lang')}")
    assert lang.get(w("eastAsia")) == "zh-CN"


def test_font_table_names_a_fallback_for_each_office_font():
    fonts = parts(request_document())["word/fontTable.xml"]
    alt = {
        f.get(w("name")): f.find(w("altName")).get(w("val"))
        for f in fonts.findall(w("font"))
        if f.find(w("altName")) is not None
    }
    assert alt["仿宋_GB2312"] == "仿宋"
    assert alt["楷体_GB2312"] == "楷体"
    assert alt["方正小标宋简体"] == "宋体"


def test_headings_are_numbered_by_level_and_restart_under_a_higher_one():
    opened = docx.Document(io.BytesIO(request_document().to_bytes()))
    headings = [
        (p.style.name, p.text) for p in opened.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "一、会议安排"),
        ("Heading 2", "（一）时间"),
        ("Heading 3", "1.代表。拟定代表85名。"),
        ("Heading 4", "（1）产生办法"),
        ("Heading 1", "二、委员名额"),
        ("Heading 2", "（一）委员"),
    ]
    assert [heading_number(level, 12) for level in (1, 2, 3, 4)] == [
        "十二、",
        "（十二）",
        "12.",
        "（12）",
    ]


def test_title_recipient_attachments_and_signature_are_laid_out_in_order():
    opened = docx.Document(io.BytesIO(request_document().to_bytes()))
    texts = [p.text for p in opened.paragraphs]
    assert texts[0] == TITLE and opened.paragraphs[0].style.name == "GB Title"
    assert texts[1] == ""  # one blank line under the title
    assert texts[2] == "示例区总工会："
    start = texts.index("附件：1.候选人名单")
    assert texts[start - 1] == ""  # one blank line before the attachment note
    assert texts[start + 1] == "2.代表名额分配方案"
    assert texts[start + 2 : start + 5] == ["", "示例公司工会", "2026年11月22日"]
    issuer, date = opened.paragraphs[start + 3], opened.paragraphs[start + 4]
    assert issuer.style.name == date.style.name == "GB Signature"
    # without a seal the date starts two characters right of the issuer's first character;
    # here the date (7 characters wide) is longer than the issuer (6), so the date sits two
    # characters from the right and the issuer moves left to keep the offset
    char = 156 / 28
    assert date.paragraph_format.right_indent.mm == pytest.approx(2 * char, abs=0.1)
    issuer_start = 28 - issuer.paragraph_format.right_indent.mm / char - 6
    date_start = 28 - 2 - 7
    assert date_start - issuer_start == pytest.approx(2, abs=0.02)
    # a longer issuer keeps two characters on its right
    doc = OfficialDocument(TITLE, issuer="示例有限公司工会委员会", date=DAY)
    doc.signature(seal=False)
    issuer, date = docx.Document(io.BytesIO(doc.to_bytes())).paragraphs[-2:]
    assert issuer.paragraph_format.right_indent.mm == pytest.approx(2 * char, abs=0.1)
    assert date.paragraph_format.right_indent.mm == pytest.approx((11 - 7 - 2 + 2) * char, abs=0.1)


def test_sealed_signature_centres_the_issuer_over_a_date_four_characters_in():
    doc = OfficialDocument(TITLE, issuer="示例有限公司工会委员会", date=DAY)
    doc.signature()
    opened = docx.Document(io.BytesIO(doc.to_bytes()))
    issuer, date = opened.paragraphs[-2:]
    char = 156 / 28
    assert date.paragraph_format.right_indent.mm == pytest.approx(4 * char, abs=0.1)
    # centres agree: right indent + half the width is the same for both lines
    assert issuer.paragraph_format.right_indent.mm + 11 / 2 * char == pytest.approx(
        date.paragraph_format.right_indent.mm + 7 / 2 * char, abs=0.1
    )


def test_page_numbers_are_a_page_field_between_dashes_outside_aligned():
    xml = parts(request_document())
    settings = xml["word/settings.xml"]
    assert settings.find(w("evenAndOddHeaders")) is not None
    doc_xml = xml["word/document.xml"]
    refs = {
        ref.get(w("type")): ref.get(
            "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        )
        for ref in doc_xml.iter(w("footerReference"))
    }
    assert set(refs) == {"default", "even"}
    opened = docx.Document(io.BytesIO(request_document().to_bytes()))
    section = opened.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        (p,) = footer.paragraphs
        instr = "".join(t.text for t in p._p.iter(w("instrText")))
        assert instr.strip() == "PAGE"
        assert p.text == "— 1 —"
        assert p._p.find(f"{w('pPr')}/{w('jc')}").get(w("val")) == align
        # one character in from the outside edge
        indent = getattr(p.paragraph_format, f"{align}_indent")
        assert indent.mm == pytest.approx(156 / 28, abs=0.1)


def test_a_table_round_trips_with_its_header_widths_and_empty_cells():
    opened = docx.Document(io.BytesIO(request_document().to_bytes()))
    table = opened.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells == [["序号", "姓名", "备注"], ["1", "王示例", ""], ["2", "李示例", "连任"]]
    assert [round(col.width.mm) for col in table.columns] == [20, 40, 96]
    assert table.rows[0]._tr.find(f"{w('trPr')}/{w('tblHeader')}") is not None  # repeats
    assert table.rows[0].cells[0].paragraphs[0].style.name == "GB Table Header"
    with pytest.raises(ValueError):
        OfficialDocument(TITLE).table(["a", "b"], [["only one"]])


def test_colophon_sits_between_rules_at_the_foot_of_the_page():
    opened = docx.Document(io.BytesIO(request_document().to_bytes()))
    colophon = opened.tables[-1]
    assert [row.cells[0].text for row in colophon.rows] == [
        "抄送：示例公司党委。",
        "示例公司工会办公室\t2026年11月22日印发",
    ]
    pos = colophon._tbl.tblPr.find(w("tblpPr"))
    assert pos.get(w("vertAnchor")) == "margin" and pos.get(w("tblpYSpec")) == "bottom"


def test_chinese_numerals_dates_and_ordinals():
    assert [cn_number(n) for n in (0, 7, 10, 11, 20, 21, 100, 101, 110, 1005, 2026, 10000, 10010)] == [
        "零", "七", "十", "十一", "二十", "二十一", "一百", "一百零一", "一百一十",
        "一千零五", "二千零二十六", "一万", "一万零一十",
    ]  # fmt: skip
    assert cn_date(DAY) == "2026年11月22日"
    assert cn_date(dt.date(2027, 1, 5)) == "2027年1月5日"  # no padding (GB/T 9704-2012)
    assert cn_date(DAY, chinese=True) == "二〇二六年十一月二十二日"
    assert cn_date(dt.date(2030, 10, 1), chinese=True) == "二〇三〇年十月一日"
    assert cn_date(None) == "年　月　日"
    assert ordinal(6, "届") == "第六届" and ordinal(2, "次") == "第二次"
    assert session_label(6, 3) == "六届三次"
    assert session_label(12, 1) == "十二届一次"


def test_save_writes_to_a_path_or_a_stream(tmp_path):
    doc = request_document()
    doc.save(tmp_path / "a.docx")
    stream = io.BytesIO()
    doc.save(stream)
    for source in (tmp_path / "a.docx", io.BytesIO(stream.getvalue())):
        opened = docx.Document(source)
        assert opened.paragraphs[0].text == TITLE
        assert opened.core_properties.title == TITLE


def test_download_response_has_the_word_type_and_a_chinese_filename():
    response = docx_response(request_document(), "选举结果的报告")
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    encoded = re.search(r"filename\*=utf-8''(\S+)", disposition).group(1)
    assert unquote(encoded) == "选举结果的报告.docx"
    assert docx.Document(io.BytesIO(response.content)).paragraphs[0].text == TITLE


def test_pdf_without_libreoffice_is_refused_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert libreoffice() is None
    with translation.override("zh-hans"), pytest.raises(DocumentError) as err:
        to_pdf(request_document(), tmp_path / "x.pdf")
    assert "未安装 LibreOffice" in err.value.message
    assert not (tmp_path / "x.pdf").exists()


def fake_libreoffice(monkeypatch, tmp_path, script):
    path = tmp_path / "soffice"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    monkeypatch.setattr("jiceng.documents.pdf.libreoffice", lambda: str(path))


def test_pdf_conversion_that_hangs_is_stopped_and_reported(monkeypatch, tmp_path):
    fake_libreoffice(monkeypatch, tmp_path, "sleep 30")
    with translation.override("zh-hans"), pytest.raises(DocumentError) as err:
        to_pdf(request_document(), tmp_path / "x.pdf", timeout=0.5)
    assert "未能生成 PDF" in err.value.message


def test_pdf_conversion_that_fails_says_why(monkeypatch, tmp_path):
    fake_libreoffice(
        monkeypatch, tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1"
    )
    with translation.override("zh-hans"), pytest.raises(DocumentError) as err:
        to_pdf(request_document(), tmp_path / "x.pdf")
    assert err.value.message == (
        "LibreOffice 无法将文档转换为 PDF：Error: source file could not be loaded"
    )
    assert not (tmp_path / "x.pdf").exists()


def test_sample_command_writes_a_document(tmp_path):
    call_command("document", "sample", "-o", str(tmp_path / "sample.docx"))
    opened = docx.Document(tmp_path / "sample.docx")
    assert "请示" in opened.paragraphs[0].text
    assert any(p.text.startswith("附件：1.") for p in opened.paragraphs)


@pytest.mark.skipif(
    not libreoffice(), reason="LibreOffice is not installed (make test installs it)"
)
def test_pdf_through_libreoffice_keeps_the_title_and_the_grid(tmp_path):
    doc = OfficialDocument(TITLE, recipient="示例区总工会", issuer="示例公司工会", date=DAY)
    doc.paragraph("正" * 80)  # 26 characters after the indent, then 28, then the rest
    doc.page_break()
    for i in range(30):
        doc.paragraph(f"第{i + 1:02d}段" + "文" * 10)
    pdf = to_pdf(doc, tmp_path / "请示.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        assert len(re.findall(rb"/Type\s*/Page[^s]", data)) == 3
        return

    def text(page):
        args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page)]
        out = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True, text=True)
        return out.stdout

    first = text(1)
    assert TITLE in re.sub(r"\s", "", first)
    lines = [line.strip() for line in first.splitlines() if "正" in line]
    assert [len(line) for line in lines] == [26, 28, 26]  # 28 characters to the line
    # 22 lines to the page: page 2 holds paragraphs 1-22, page 3 the rest
    second = [re.sub(r"\s", "", line) for line in text(2).splitlines() if line.strip()]
    assert second[0].startswith("第01段") and second[21].startswith("第22段")
    assert len(second) == 23 and second[-1] == "—2—"  # 22 lines, then the page number
    assert re.sub(r"\s", "", text(3)).startswith("第23段")

    def page_number_column(page):
        (line,) = [line for line in text(page).splitlines() if "—" in line]
        return len(line) - len(line.lstrip())

    # outside: even pages on the left, odd pages on the right
    assert page_number_column(2) < 10 < page_number_column(3)
