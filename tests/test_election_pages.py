"""Elections pages: an organization's terms (officers, expiry, starting a term and postponing it
with an approval), filing a request, the case page's next step with refusals in Chinese, the
candidate list with its surplus check, a poll's ballot PDF, figures, tally batch, correction
(who, when, old, new) and result explained, the first plenary meetings and the new term, the
documents — and other organizations refused with 404."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from jiceng.elections import selectors, services
from jiceng.elections.models import (
    CaseState,
    ElectionCase,
    Poll,
    Post,
    TallyCorrection,
    Term,
    TermChange,
)
from tests.test_election_case import (
    CONGRESS,
    PREVIOUS,
    REQUEST,
    make_branch_members,
    make_company,
)


@pytest.fixture
def company(world):
    return make_company(world)


@pytest.fixture
def branch_members(world):
    return make_branch_members(world)


def page(response) -> str:
    return response.content.decode()


def test_the_organization_page_links_to_its_elections(world, company, login):
    client = login(company["users"]["union_officer"])
    body = page(client.get(reverse("ui:org_detail", args=["CU"])))
    assert reverse("elections:org", args=["CU"]) in body
    body = page(client.get(reverse("elections:org", args=["CU"])))
    assert "第1届工会委员会" in body
    term = Term.objects.get(org__code="CU", number=1)
    chair = term.officers.get().person.name
    assert chair in body and "2026-05-19" in body  # the officer and the expiry date
    assert "报送换届选举请示" in body  # the officer may file a request
    assert "登记新一届任职" not in body  # starting a term is the upper level's act


def test_the_upper_level_starts_and_postpones_terms(world, branch_members, login):
    client = login(world.users["street_a_admin"])
    url = reverse("elections:term_start", args=["A1"])
    names = [m.name for m in branch_members[:3]]
    response = client.post(
        url,
        {
            "committee": "party",
            "starts_on": "2024-03-01",
            "officers": f"书记 {names[0]}\n组织委员 {names[1]}\n委员 {names[2]}",
        },
    )
    assert response.status_code == 302
    term = Term.objects.get(org=world.branch_a1, committee="party")
    assert {o.post for o in term.officers.all()} == {"secretary", "organization", "member"}
    assert term.ends_on == dt.date(2027, 2, 28)
    body = page(client.get(reverse("elections:org", args=["A1"])))
    assert "延期或提前换届" in body and names[0] in body
    change = reverse("elections:term_change", args=["A1"])
    refused = client.post(
        change,
        {"committee": "party", "new_end": "2027-08-31", "approved_by": "SA", "approved_on": ""},
    )
    assert refused.status_code == 200 and "这个字段是必填项" in page(refused)
    ok = client.post(
        change,
        {
            "committee": "party",
            "new_end": "2027-08-31",
            "approved_by": "SA",
            "document_number": "和组〔2026〕12号",
            "approved_on": "2026-10-10",
            "reason": "配合村社换届",
        },
    )
    assert ok.status_code == 302
    assert TermChange.objects.get(term=term).document_number == "和组〔2026〕12号"
    # The branch's own officer sees the term but may not start one.
    officer = login(world.users["a1_officer"])
    assert officer.post(url, {"committee": "party", "starts_on": "2027-03-01"}).status_code == 403


def _file(client, **extra):
    data = {
        "requested_on": REQUEST.isoformat(),
        "last_congress_on": PREVIOUS.isoformat(),
        "planned_on": CONGRESS.isoformat(),
        "congress_kind": "delegates",
        "delegates": "85",
        "delegate_method": "按照比例，自下而上民主推荐产生",
        "committee_seats": "3",
        "audit_seats": "1",
        "chair_posts": "1",
        "vice_chair_posts": "1",
        "party_org": "CP",
    } | extra
    return client.post(reverse("elections:case_file", args=["CU"]), data)


def test_a_union_case_through_its_pages(world, company, login):
    members = company["members"]
    officer = login(company["users"]["union_officer"])
    party = login(company["users"]["party_officer"])
    upper = login(company["users"]["upper_union"])

    form = officer.get(reverse("elections:case_file", args=["CU"]))
    assert "中共示例有限公司支部委员会" in page(form)  # the unit's Party organization offered
    early = _file(officer, planned_on="2026-04-01")
    assert early.status_code == 200 and "不足 2 个月" in page(early)
    response = _file(officer)
    case = ElectionCase.objects.get(org__code="CU")
    assert response.status_code == 302 and response["Location"] == reverse(
        "elections:case", args=[case.pk]
    )
    case_url = reverse("elections:case", args=[case.pk])
    body = page(officer.get(case_url))
    assert "须先报本级党组织（中共示例有限公司支部委员会）同意，再报上级工会审批" in body
    assert "step-form-approve_party" not in body  # the union cannot agree for the Party

    # The upper union tries first: refused, in Chinese, on the form.
    step = reverse("elections:case_step", args=[case.pk])
    refused = upper.post(
        step,
        {
            "step": "approve_upper",
            "approve_upper-on": "2026-03-09",
            "approve_upper-document_number": "8号",
        },
    )
    assert refused.status_code == 200 and "请示须先报本级党组织" in page(refused)
    # The case waits for the Party branch, not yet for the upper union.
    assert "待本组织审批" in page(party.get(reverse("elections:org", args=["CP"])))
    assert "待本组织审批" not in page(upper.get(reverse("elections:org", args=["U"])))
    # The Party branch sees the case it must agree to, and agrees.
    assert "step-form-approve_party" in page(party.get(case_url))
    assert (
        party.post(
            step,
            {
                "step": "approve_party",
                "approve_party-on": "2026-03-05",
                "approve_party-document_number": "示党〔2026〕3号",
            },
        ).status_code
        == 302
    )
    assert (
        upper.post(
            step,
            {
                "step": "approve_upper",
                "approve_upper-on": "2026-03-09",
                "approve_upper-document_number": "青工〔2026〕8号",
            },
        ).status_code
        == 302
    )
    body = page(officer.get(case_url))
    assert "示党〔2026〕3号" in body and "青工〔2026〕8号" in body and "cp_officer" in body

    # Nominations and the list, with the surplus check.
    slate_url = reverse("elections:case_slate", args=[case.pk])
    lines = "\n".join(f"{m.name} {20 - i}" for i, m in enumerate(members[:5]))
    assert (
        officer.post(
            slate_url,
            {
                "form": "nomination",
                "committee": "union",
                "group": "第一代表团",
                "counts": lines,
                "on": "2026-03-20",
            },
        ).status_code
        == 302
    )
    short = officer.post(
        slate_url,
        {
            "form": "slate",
            "names_union": " ".join(m.name for m in members[:3]),
            "names_audit": members[10].name,
            "on": "2026-03-25",
        },
    )
    assert short.status_code == 200 and "候选人须至少 4 名" in page(short)
    assert (
        officer.post(
            slate_url,
            {
                "form": "slate",
                "names_union": "、".join(m.name for m in members[:4]),
                "names_audit": members[10].name,
                "on": "2026-03-25",
            },
        ).status_code
        == 302
    )
    body = page(officer.get(slate_url))
    assert "符合" in body and "可等额" in body and "推荐 20 票" in body
    assert (
        party.post(
            step,
            {
                "step": "review_slate",
                "review_slate-on": "2026-04-01",
                "review_slate-document_number": "示党〔2026〕5号",
            },
        ).status_code
        == 302
    )

    # The congress: a quorum refusal on the form, then the polls.
    refused = officer.post(
        step,
        {
            "step": "congress",
            "congress-held_on": CONGRESS.isoformat(),
            "congress-entitled": "85",
            "congress-present": "50",
        },
    )
    assert refused.status_code == 200 and "三分之二" in page(refused)
    assert (
        officer.post(
            step,
            {
                "step": "congress",
                "congress-held_on": CONGRESS.isoformat(),
                "congress-entitled": "85",
                "congress-present": "80",
            },
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.state == CaseState.VOTING
    committee_poll = Poll.objects.get(case=case, committee="union")

    # The poll: ballot PDF, figures, a tally batch on the tellers' screen, a correction.
    poll_url = reverse("elections:poll", args=[committee_poll.pk])
    pdf = officer.get(reverse("elections:poll_ballots", args=[committee_poll.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert (
        officer.post(
            reverse("elections:poll_attendance", args=[committee_poll.pk]),
            {"present": "80", "issued": "80", "returned": "80"},
        ).status_code
        == 302
    )
    tally_url = reverse("elections:poll_tally", args=[committee_poll.pk])
    screen = officer.get(tally_url)
    assert 'inputmode="numeric"' in page(screen) and "另选人" in page(screen)
    candidates = selectors.ballot_sheet(committee_poll)
    data = {"label": "第一计票组", "ballots": "80", "invalid": "0"}
    for i, c in enumerate(candidates):
        data[f"c{c.pk}_for"] = str(70 - i * 10)  # 70, 60, 50, 40: the last is not elected
        data[f"c{c.pk}_against"] = "5"
    data["w0_name"] = "外单位人"
    data["w0_for"] = "1"
    assert officer.post(tally_url, data).status_code == 302
    sheet = committee_poll.sheets.get()
    first = candidates[0]
    line = sheet.lines.get(candidate=first)
    correction = {
        f"s{sheet.pk}-sheet": str(sheet.pk),
        "sheet": str(sheet.pk),
        f"s{sheet.pk}-ballots": "80",
        f"s{sheet.pk}-invalid": "0",
        f"s{sheet.pk}-reason": "第一计票组复核",
    }
    for ln in sheet.lines.all():
        correction[f"s{sheet.pk}-l{ln.pk}_for_votes"] = str(ln.for_votes)
        if not ln.write_in:
            correction[f"s{sheet.pk}-l{ln.pk}_against"] = str(ln.against)
            correction[f"s{sheet.pk}-l{ln.pk}_abstain"] = str(ln.abstain)
    correction[f"s{sheet.pk}-l{line.pk}_for_votes"] = "71"
    correction[f"s{sheet.pk}-l{line.pk}_abstain"] = str(line.abstain - 1)
    assert (
        officer.post(
            reverse("elections:poll_correct", args=[committee_poll.pk]), correction
        ).status_code
        == 302
    )
    fix = TallyCorrection.objects.get(field="for_votes")
    assert (fix.old, fix.new, fix.corrected_by) == (70, 71, company["users"]["union_officer"])
    body = page(officer.get(poll_url))
    assert "第一计票组复核" in body and "cu_officer" in body and ">70<" in body and ">71<" in body
    assert "得赞成票 71 票，超过应到会人数 85 人的半数，当选。" in body  # provisional
    partial = page(officer.get(poll_url + "?part=result", HTTP_HX_REQUEST="true"))
    assert partial.startswith('<div id="poll-result"') and "every 15s" in partial  # htmx refresh
    assert (
        officer.post(reverse("elections:poll_close", args=[committee_poll.pk])).status_code == 302
    )
    body = page(officer.get(poll_url))
    assert "已宣布" in body and "得赞成票 40 票，未超过应到会人数 85 人的半数" in body
    assert "更正本批次" not in body  # counting has ended

    audit_poll = Poll.objects.get(case=case, committee="audit")
    services.record_attendance(
        company["users"]["union_officer"], audit_poll, present=80, issued=80, returned=80
    )
    services.enter_sheet(
        company["users"]["union_officer"],
        audit_poll,
        label="一",
        ballots=80,
        lines=[{"name": members[10].name, "for": 75, "against": 5}],
    )
    services.close_poll(company["users"]["union_officer"], audit_poll)

    # The first plenary meetings through the case page, then the new term by the upper union.
    elected = [e["name"] for e in selectors.members_elected(case, "union")]
    assert len(elected) == 3
    assert (
        officer.post(
            step,
            {
                "step": "plenary",
                "plenary-held_on": CONGRESS.isoformat(),
                "plenary-post_chair": elected[0],
                "plenary-post_vice_chair": elected[1],
                "plenary-post_audit_chair": members[10].name,
            },
        ).status_code
        == 302
    )
    for poll in Poll.objects.filter(case=case).exclude(post=""):
        n = poll.entitled
        services.record_attendance(
            company["users"]["union_officer"], poll, present=n, issued=n, returned=n
        )
        services.enter_sheet(
            company["users"]["union_officer"],
            poll,
            label="一",
            ballots=n,
            lines=[{"name": c.name, "for": n} for c in poll.candidates.all()],
        )
        services.close_poll(company["users"]["union_officer"], poll)
    body = page(officer.get(case_url))
    assert "由以下组织办理：" in body and "青山区总工会" in body  # begin_term is the upper level's
    assert (
        upper.post(
            step, {"step": "begin_term", "begin_term-starts_on": CONGRESS.isoformat()}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.state == CaseState.DONE
    assert (
        Term.objects.get(org__code="CU", committee="union", number=2)
        .officers.get(post=Post.CHAIR)
        .person.name
        == elected[0]
    )

    # The documents, downloaded from the case page.
    body = page(officer.get(case_url))
    report_url = reverse("elections:case_report_docx", args=[case.pk])
    assert report_url in body
    response = officer.get(report_url)
    assert "attachment" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "共有80名代表参加会议" in text and f"民主选举{elected[0]}同志为工会主席" in text
    request = officer.get(reverse("elections:case_request_docx", args=[case.pk]))
    assert "请示" in "\n".join(p.text for p in Document(io.BytesIO(request.content)).paragraphs)
    assert officer.get(reverse("elections:case_notice_docx", args=[case.pk])).status_code == 200


def test_the_report_waits_for_the_plenary(world, company, login):
    case = services.file_request(
        company["users"]["union_officer"],
        org=company["union"],
        requested_on=REQUEST,
        planned_on=CONGRESS,
        delegates=50,
        committee_seats=3,
        party_org=company["branch"],
    )
    client = login(company["users"]["union_officer"])
    assert client.get(reverse("elections:case_request_docx", args=[case.pk])).status_code == 200
    assert client.get(reverse("elections:case_report_docx", args=[case.pk])).status_code == 404


@pytest.mark.parametrize("intruder", ["a2_officer", "viewer", "nobody"])
def test_other_organizations_get_404(world, company, login, intruder):
    case = services.file_request(
        company["users"]["union_officer"],
        org=company["union"],
        requested_on=REQUEST,
        planned_on=CONGRESS,
        delegates=50,
        committee_seats=3,
        party_org=company["branch"],
    )
    poll = services.create_poll(
        company["users"]["union_officer"],
        org=company["union"],
        title="试投票",
        seats=1,
        entitled=10,
        held_on=CONGRESS,
        candidates=["张三", "李四"],
    )
    client = login(world.users[intruder])
    for url in (
        reverse("elections:org", args=["CU"]),
        reverse("elections:case", args=[case.pk]),
        reverse("elections:case_slate", args=[case.pk]),
        reverse("elections:case_request_docx", args=[case.pk]),
        reverse("elections:poll", args=[poll.pk]),
        reverse("elections:poll_ballots", args=[poll.pk]),
        reverse("elections:poll_tally", args=[poll.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "示例有限公司" not in page(response)
    posted = client.post(
        reverse("elections:case_step", args=[case.pk]),
        {
            "step": "approve_party",
            "approve_party-on": "2026-03-05",
            "approve_party-document_number": "x",
        },
    )
    assert posted.status_code == 404
    assert client.post(reverse("elections:poll_close", args=[poll.pk])).status_code == 404
    assert ElectionCase.objects.get(pk=case.pk).state == CaseState.REQUESTED
