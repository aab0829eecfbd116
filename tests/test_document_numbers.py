"""The 版头 of documents sent up (GB/T 9704-2012 §7.2): the issuing organ in red, centred; the
document number (发文字号), given per organization and year in sequence when an officer first
downloads the final version (drafts show 〔  〕号); the signer (签发人) of a request; the seal
area (issuer and date under room for the seal)."""

import datetime as dt
import io
import re
import shutil
import subprocess

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from jiceng.access.models import Role
from jiceng.audit.models import AuditEvent
from jiceng.documents import OfficialDocument, libreoffice, to_pdf
from jiceng.elections import documents, services
from jiceng.orgs.models import DocumentNumber
from jiceng.orgs.services import issue_number, prefix_of
from tests.test_election_case import file_union_request, make_company, user

YEAR = timezone.localdate().year


def paragraphs(data: bytes):
    return [p for p in docx.Document(io.BytesIO(data)).paragraphs]


def masthead_doc(**kw):
    doc = OfficialDocument(
        "关于召开示例有限公司工会\n第二次会员代表大会的请示",
        recipient="青山区总工会",
        issuer="示例有限公司工会",
        date=dt.date(2026, 3, 2),
        organ="示例有限公司工会文件",
        number="示例工〔2026〕3号",
        **kw,
    )
    doc.paragraph("正文。")
    doc.signature(seal=True)
    return doc


def test_the_masthead_puts_the_organ_in_red_then_number_signer_and_red_rule():
    found = paragraphs(masthead_doc(signer="张三").to_bytes())
    organ = found[0]
    assert organ.text == "示例有限公司工会文件" and organ.style.name == "GB Organ"
    assert str(organ.style.font.color.rgb) == "FF0000"
    assert organ.style.paragraph_format.alignment == 1  # centred
    number = next(p for p in found if "〔2026〕" in p.text)
    assert number.text == "示例工〔2026〕3号\t签发人：张三"
    rule = number._p.pPr.find(docx.oxml.ns.qn("w:pBdr")).find(docx.oxml.ns.qn("w:bottom"))
    assert rule.get(docx.oxml.ns.qn("w:color")) == "FF0000"
    texts = [p.text for p in found]
    title = texts.index("关于召开示例有限公司工会\n第二次会员代表大会的请示")
    assert texts.index(number.text) < title  # the 版头 above the title, two lines between
    assert texts[title - 2 : title] == ["", ""]
    # the seal area: three blank lines, the issuer, the date, last
    assert texts[-5:] == ["", "", "", "示例有限公司工会", "2026年3月2日"]


def test_without_a_signer_the_number_is_centred_alone():
    found = paragraphs(masthead_doc().to_bytes())
    number = next(p for p in found if "〔2026〕" in p.text)
    assert number.text == "示例工〔2026〕3号" and "签发人" not in number.text


@pytest.mark.skipif(not libreoffice(), reason="LibreOffice is not installed")
def test_the_masthead_survives_libreoffice(tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    pdf = to_pdf(masthead_doc(signer="张三"), tmp_path / "请示.pdf")
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    lines = [re.sub(r"\s", "", line) for line in out.splitlines() if line.strip()]
    assert lines[0] == "示例有限公司工会文件"
    assert lines[1] == "示例工〔2026〕3号签发人：张三"
    assert lines[2].startswith("关于召开示例有限公司工会")


def test_the_prefix_is_short():
    class Org:
        pass

    for name, kind, expected in [
        ("中共示例有限公司支部委员会", "branch", "示例党支"),
        ("示例有限公司工会", "union", "示例工"),
        ("中共和平街道工作委员会", "party_working_committee", "和平党工委"),
    ]:
        Org.name, Org.kind = name, kind
        assert prefix_of(Org) == expected


def test_a_draft_request_shows_empty_brackets_and_room_for_the_signer(world):
    company = make_company(world)
    case = file_union_request(company)
    texts = [p.text for p in paragraphs(documents.request_document(case).to_bytes())]
    assert texts[0] == "示例有限公司工会文件"
    assert any(t.startswith("示例工〔  〕号\t签发人：") for t in texts)
    assert not DocumentNumber.objects.exists()


def test_the_final_download_numbers_each_document_once_in_sequence(world, login):
    company = make_company(world)
    case = file_union_request(company)
    officer = company["users"]["union_officer"]
    client = login(officer)
    url = reverse("elections:case_request_docx", args=[case.pk])
    page = client.get(reverse("elections:case", args=[case.pk])).content.decode()
    assert 'id="download-request-final"' in page

    def number_line(response):
        assert response.status_code == 200
        return next(p.text for p in paragraphs(response.content) if "号\t签发人" in p.text)

    draft = number_line(client.get(url))
    assert draft.startswith("示例工〔  〕号")
    first = number_line(client.get(url + "?final=1"))
    # the chair of the union committee in office signs (members[21] since 2021)
    assert first == f"示例工〔{YEAR}〕1号\t签发人：{company['members'][21].name}"
    assert number_line(client.get(url + "?final=1")) == first  # the same number again
    party = number_line(client.get(url + "?to=party&final=1"))
    assert party.startswith(f"示例工〔{YEAR}〕2号")  # another document: the next number
    report = services.issue_case_number(officer, case, "report")
    assert report["number"] == f"示例工〔{YEAR}〕3号" and report["signer"] is None
    events = AuditEvent.objects.filter(action="orgs.document_number.issue")
    assert events.count() == 3

    # Another organization counts from 1 on its own.
    other = issue_number(
        company["users"]["party_officer"], company["branch"], key="x:1", title="请示"
    )
    assert str(other) == f"示例党支〔{YEAR}〕1号"


def test_only_an_officer_issues_a_number(world, login):
    company = make_company(world)
    case = file_union_request(company)
    viewer = user(world, "cu_viewer", Role.VIEWER, company["union"])
    client = login(viewer)
    url = reverse("elections:case_request_docx", args=[case.pk])
    assert client.get(url).status_code == 200  # the draft
    page = client.get(reverse("elections:case", args=[case.pk])).content.decode()
    assert 'id="download-request-final"' not in page
    assert client.get(url + "?final=1").status_code == 403
    with pytest.raises(PermissionDenied):
        issue_number(viewer, company["union"], key="x", title="请示")
    assert not DocumentNumber.objects.exists()
