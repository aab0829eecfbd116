"""Official documents (公文) as Word files in the layout of GB/T 9704-2012, and PDF.

The API every app uses (import from `jiceng.documents`):

    doc = OfficialDocument(
        "关于召开××工会第二次代表大会的请示",   # title, 2号小标宋; "\\n" breaks the line
        recipient="××工会",                       # 主送机关 (the colon is added)
        issuer="××公司工会",                      # 发文机关署名
        date=datetime.date(2026, 11, 22),         # 成文日期 → 2026年11月22日 (or a str)
        organ="××公司工会文件",                   # 版头: 发文机关标志, red, centred (optional)
        number="××工〔2026〕3号",                 # 发文字号 under it, then the red rule
        signer="张三",                            # 签发人 (a request or report sent up)
    )
    doc.paragraph("正文……")                      # 3号仿宋, first line indented 2 characters
    doc.paragraph("2026年3月5日", label="时间：", indent=False)   # 黑体 lead-in
    doc.heading(1, "基本情况")                    # 一、基本情况 (黑体)
    doc.heading(2, "主要做法")                    # （一）主要做法 (楷体_GB2312)
    doc.heading(3, "议题。", body="正文……")       # 1.议题。正文…… (run-in, 仿宋)
    doc.heading(4, "……")                          # （1）…… (仿宋); numbers restart below
    doc.table(["姓名", "职务"], [["张三", "主席"]], widths=[40, 116])   # mm; 4号
    doc.attachments(["候选人名单", "候选人简历"])  # 附件：1. 候选人名单 / 2. 候选人简历
    doc.signature(seal=True)                      # issuer + date, room for the seal
    doc.attachment("候选人名单", number=1)        # new page: 附件1 + centred title
    doc.page_break(); doc.blank(n=1)
    doc.distribution(cc=["××党委"], printer="××办公室", printed=date)  # 版记, last
    doc.save("x.docx") / doc.save(file_obj) / doc.to_bytes()
    doc.docx                                      # the python-docx Document underneath

    to_pdf(doc_or_path_or_bytes, "x.pdf")         # LibreOffice headless; DocumentError
    pdf_bytes(doc)                                # … as bytes
    libreoffice()                                 # path of the executable or None
    docx_response(doc, "会议记录本.docx")          # HttpResponse, RFC 5987 filename
    pdf_response(data, "选举结果的报告.pdf")

Chinese numerals (`jiceng.documents.numerals`): cn_number(21) → 二十一,
cn_date(d) → 2026年11月22日, cn_date(d, chinese=True) → 二〇二六年十一月二十二日,
heading_number(2, 3) → （三）, ordinal(6, "届") → 第六届, session_label(6, 3) → 六届三次.

Layout (GB/T 9704-2012): A4; margins top 37, bottom 35, left 28, right 26 mm; a grid of
22 lines × 28 characters (exact line spacing 28.95 pt); body 3号 仿宋_GB2312; headings
一、黑体 （一）楷体_GB2312 1.（1）仿宋; page numbers "— 1 —" in 4号宋体 at the foot, odd pages
right and even pages left, one character in. Each font carries a fallback in the font table
(仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体). Paragraphs use named styles
(GB Title, GB Body, Heading 1-4, GB Signature, GB Table Text …) so users restyle in one place.

Documents carry no permission logic: the caller's selectors decide what goes in.
"""

from .http import docx_response, pdf_response
from .numerals import cn_date, cn_number, heading_number, ordinal, session_label
from .official import DOCX_CONTENT_TYPE, OfficialDocument, text_width
from .pdf import DocumentError, libreoffice, pdf_bytes, to_pdf

__all__ = [
    "DOCX_CONTENT_TYPE",
    "DocumentError",
    "OfficialDocument",
    "cn_date",
    "cn_number",
    "docx_response",
    "heading_number",
    "libreoffice",
    "ordinal",
    "pdf_bytes",
    "pdf_response",
    "session_label",
    "text_width",
    "to_pdf",
]
