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

from jiceng.access.models import User
from jiceng.elections import selectors, services
from jiceng.elections.models import (
    Ballot,
    BallotCorrection,
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
    body = page(client.get(reverse("orgs:org_detail", args=["CU"])))
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
        reverse("elections:poll_ballot", args=[poll.pk]),
        reverse("elections:poll_ballot_correct", args=[poll.pk]),
        reverse("elections:poll_vote", args=[poll.pk]),
        reverse("elections:poll_create", args=["CU"]),
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


# -- standalone polls, paper ballots one by one, electronic voting, officers ----------------


def _ballot(candidates, marks: str, prefix: str = "", **extra) -> dict:
    """The ballot form's fields: a mark (Y/N/-) per candidate, in ballot order."""
    p = f"{prefix}-" if prefix else ""
    return {f"{p}c{c.pk}": m for c, m in zip(candidates, marks, strict=True)} | {
        f"{p}{k}": v for k, v in extra.items()
    }


def test_a_branch_polls_its_general_meeting_with_paper_ballots(world, branch_members, login):
    client = login(world.users["a1_officer"])
    body = page(client.get(reverse("elections:org", args=["A1"])))
    new_url = reverse("elections:poll_create", args=["A1"])
    assert new_url in body
    names = [m.name for m in branch_members[:3]]
    missing = client.post(new_url, {"title": "支部委员会选举", "seats": "2", "entitled": "10"})
    assert missing.status_code == 200 and "请填写候选人" in page(missing)
    response = client.post(
        new_url,
        {
            "title": "支部委员会选举",
            "committee": "party",
            "seats": "2",
            "entitled": "10",
            "held_on": "2026-03-20",
            "candidates": "、".join(names),
        },
    )
    poll = Poll.objects.get(org=world.branch_a1, title="支部委员会选举")
    assert response.status_code == 302 and response["Location"] == reverse(
        "elections:poll", args=[poll.pk]
    )
    assert (poll.case, poll.system, poll.seats, poll.electronic) == (None, "party", 2, False)
    sheet = selectors.ballot_sheet(poll)
    ballot_url = reverse("elections:poll_ballot", args=[poll.pk])
    entry = page(client.get(ballot_url))
    assert "逐张录入选票" in entry and all(n in entry for n in names)
    assert 'class="btn-check"' in entry  # buttons for a phone, not a table of numbers
    for marks in ("YY-", "YNY", "Y-Y", "-YY"):
        assert client.post(ballot_url, _ballot(sheet, marks)).status_code == 302
    # A written-in name and a void ballot; a name already on the ballot cannot be written in.
    assert client.post(ballot_url, _ballot(sheet, "Y--", w0="外来人")).status_code == 302
    assert client.post(ballot_url, _ballot(sheet, "---", void="on")).status_code == 302
    clash = client.post(ballot_url, _ballot(sheet, "Y--", w0=sheet[1].name))
    assert clash.status_code == 200 and "是选票上的候选人" in page(clash)
    assert "已逐张录入选票 6 张" in page(client.get(reverse("elections:poll", args=[poll.pk])))

    # "-YY" was entered by mistake; it should have been "NYY".
    fix_url = reverse("elections:poll_ballot_correct", args=[poll.pk])
    wrong = client.post(
        fix_url, _ballot(sheet, "NNN", "old") | _ballot(sheet, "NYY", "new") | {"reason": "x"}
    )
    assert wrong.status_code == 200 and "没有按这样的标记录入的选票" in page(wrong)
    no_reason = client.post(fix_url, _ballot(sheet, "-YY", "old") | _ballot(sheet, "NYY", "new"))
    assert no_reason.status_code == 200 and "这个字段是必填项" in page(no_reason)
    fixed = client.post(
        fix_url,
        _ballot(sheet, "-YY", "old") | _ballot(sheet, "NYY", "new") | {"reason": "录入时看错"},
    )
    assert fixed.status_code == 302
    (correction,) = BallotCorrection.objects.filter(poll=poll)
    assert (correction.old_marks, correction.new_marks, correction.reason) == (
        "-YY",
        "NYY",
        "录入时看错",
    )
    assert correction.corrected_by == world.users["a1_officer"]

    # The result counts every ballot: 5 valid (one void), the correction applied.
    body = page(client.get(reverse("elections:poll", args=[poll.pk])))
    assert "录入时看错" in body and "-YY" in body and "NYY" in body
    lines = {
        line["name"]: line for line in selectors.result(world.users["a1_officer"], poll)["lines"]
    }
    assert (lines[sheet[0].name]["for_votes"], lines[sheet[0].name]["against"]) == (4, 1)
    assert lines["外来人"]["for_votes"] == 1
    assert f"{lines[sheet[1].name]['for_votes']} / {lines[sheet[1].name]['against']}" in body

    # Another branch's officer sees none of it and cannot enter a ballot.
    intruder = login(world.users["a2_officer"])
    assert intruder.get(ballot_url).status_code == 404
    assert intruder.post(ballot_url, _ballot(sheet, "YYY")).status_code == 404
    assert intruder.post(fix_url, {}).status_code == 404
    assert intruder.get(reverse("elections:poll_create", args=["A1"])).status_code == 404
    # A member of the branch may look but not count.
    member = login(world.users["a1_member"])
    assert member.get(new_url).status_code == 403
    assert member.post(ballot_url, _ballot(sheet, "YYY")).status_code == 403
    assert Ballot.objects.filter(poll=poll).count() == 6


def test_a_union_poll_voted_electronically_once_and_secretly(world, company, login):
    officer = login(company["users"]["union_officer"])
    members = company["members"]
    names = [m.name for m in members[3:6]]
    response = officer.post(
        reverse("elections:poll_create", args=["CU"]),
        {
            "title": "工会委员补选",
            "committee": "union",
            "seats": "1",
            "entitled": "5",
            "held_on": "2026-03-20",
            "candidates": " ".join(names),
            "electronic": "on",
        },
    )
    poll = Poll.objects.get(org__code="CU", title="工会委员补选")
    assert response.status_code == 302 and poll.electronic and poll.system == "union"
    detail = page(officer.get(reverse("elections:poll", args=[poll.pk])))
    assert (
        "开放电子投票名单" in detail
        and reverse("elections:poll_ballot", args=[poll.pk]) not in detail
    )
    roll_url = reverse("elections:poll_roll", args=[poll.pk])
    unknown = officer.post(roll_url, {"voters": f"{members[0].name} 查无此人"})
    assert unknown.status_code == 200 and "查无此人不是示例有限公司工会的工会会员" in page(unknown)
    assert (
        officer.post(roll_url, {"voters": f"{members[0].name} {members[1].name}"}).status_code
        == 302
    )

    vote_url = reverse("elections:poll_vote", args=[poll.pk])
    voter = login(User.objects.get(username="m0"))
    ballot = page(voter.get(vote_url))
    assert all(n in ballot for n in names) and "只能投一次" in ballot
    sheet = selectors.ballot_sheet(poll)
    assert voter.post(vote_url, _ballot(sheet, "Y--")).status_code == 302
    again = voter.post(vote_url, _ballot(sheet, "-Y-"))
    assert again.status_code == 200 and "您已在本轮投票中投过票" in page(again)
    assert selectors.counts_of(poll).valid == 1
    # The voter sees no count and no one's ballot: the poll's page is not theirs to see.
    assert voter.get(reverse("elections:poll", args=[poll.pk])).status_code == 404
    assert "赞成 / 不赞成 / 弃权" not in page(voter.get(vote_url))
    # A member not on the roll, and another organization's officer: nothing to see or cast.
    outsider = login(User.objects.get(username="m2"))
    assert outsider.get(vote_url).status_code == 404
    assert outsider.post(vote_url, _ballot(sheet, "Y--")).status_code == 404
    a2 = login(world.users["a2_officer"])
    assert a2.get(vote_url).status_code == 404
    # The officer may see the page but is not on the roll: refused.
    assert "只有选民名单上的人员才能投票" in page(officer.get(vote_url))
    assert officer.post(vote_url, _ballot(sheet, "Y--")).status_code == 403
    assert selectors.counts_of(poll).valid == 1
    second = login(User.objects.get(username="m1"))
    assert second.post(vote_url, _ballot(sheet, "N--")).status_code == 302
    # While voting is open even the officer sees only how many voted: counts watched after
    # each vote would tell who voted how.
    detail = page(officer.get(reverse("elections:poll", args=[poll.pk])))
    assert "电子投票进行中：已有 2 人投票" in detail and "1 / 1 / 0" not in detail
    sealed = selectors.result(company["users"]["union_officer"], poll)
    assert sealed["lines"] == [] and not sealed["declared"]
    services.close_poll(company["users"]["union_officer"], poll)
    result = selectors.result(company["users"]["union_officer"], Poll.objects.get(pk=poll.pk))
    first = next(line for line in result["lines"] if line["name"] == sheet[0].name)
    assert (first["for_votes"], first["against"]) == (1, 1)


def test_the_upper_level_adds_an_officer_and_ends_a_post(world, branch_members, login):
    secretary, member, newcomer = branch_members[:3]
    term = services.start_term(
        world.system,
        org=world.branch_a1,
        committee="party",
        starts_on=dt.date(2025, 3, 1),
        officers=[(secretary, Post.SECRETARY), (member, Post.MEMBER)],
    )
    upper = login(world.users["street_a_admin"])
    body = page(upper.get(reverse("elections:org", args=["A1"])))
    assert "增补班子成员" in body and "班子成员离任" in body
    assert '<option value="organization">' in body and '<option value="chair">' not in body
    add_url = reverse("elections:officer_add", args=["A1"])
    data = {"committee": "party", "post": "organization", "name": newcomer.name, "on": "2026-01-05"}
    stranger = upper.post(add_url, data | {"name": "查无此人"})
    assert stranger.status_code == 200 and "查无此人不是和平社区第一党支部的正式党员" in page(
        stranger
    )
    assert upper.post(add_url, data).status_code == 302
    added = term.officers.get(person=newcomer)
    assert (added.post, added.valid_from) == ("organization", dt.date(2026, 1, 5))
    twice = upper.post(add_url, data)
    assert twice.status_code == 200 and "已在本届委员会任职" in page(twice)

    end_url = reverse("elections:officer_end", args=["A1"])
    leaving = term.officers.get(person=member)
    no_reason = upper.post(end_url, {"officer": leaving.pk, "on": "2026-02-01", "reason": ""})
    assert no_reason.status_code == 200 and "这个字段是必填项" in page(no_reason)
    ok = upper.post(end_url, {"officer": leaving.pk, "on": "2026-02-01", "reason": "工作调动"})
    assert ok.status_code == 302
    leaving.refresh_from_db()
    assert leaving.last_day == dt.date(2026, 2, 1)
    assert "2026-02-01" in page(upper.get(reverse("elections:org", args=["A1"])))

    # The branch's own officer may not; another branch's officer does not even see the branch.
    own = login(world.users["a1_officer"])
    assert own.post(add_url, data | {"post": "propaganda"}).status_code == 403
    assert (
        own.post(end_url, {"officer": added.pk, "on": "2026-02-01", "reason": "x"}).status_code
        == 403
    )
    other = login(world.users["a2_officer"])
    assert other.post(add_url, data | {"post": "propaganda"}).status_code == 404
    assert (
        other.post(end_url, {"officer": added.pk, "on": "2026-02-01", "reason": "x"}).status_code
        == 404
    )
    added.refresh_from_db()
    assert added.valid_until is None and term.officers.count() == 3


def test_the_request_form_takes_audit_vice_chairs_and_proposed_officers(world, company, login):
    """The request form: audit vice-chair posts and the officers the Party organization agreed
    to; the case page shows them and offers the request addressed to the Party organization
    first, then to the upper union."""
    from tests.test_election_case import docx_text

    members = company["members"]
    officer = login(company["users"]["union_officer"])
    form = page(officer.get(reverse("elections:case_file", args=["CU"])))
    assert "经审副主任名额" in form and "拟定工会主席" in form and "拟定经审副主任" in form
    proposed = {
        "audit_seats": "3",
        "audit_vice_chair_posts": "1",
        "proposed_chair": members[0].name,
        "proposed_vice_chair": members[1].name,
        "proposed_audit_chair": members[10].name,
        "proposed_audit_vice_chair": members[11].name,
    }
    too_many = _file(
        officer, **proposed | {"proposed_vice_chair": f"{members[1].name}、{members[2].name}"}
    )
    assert too_many.status_code == 200 and "副主席：名额 1 名，却拟定了 2 人" in page(too_many)
    crowded = _file(officer, **proposed | {"audit_vice_chair_posts": "3"})
    assert crowded.status_code == 200 and "不能多于经费审查委员会委员名额（3 名）" in page(crowded)
    assert not ElectionCase.objects.filter(org__code="CU").exists()
    assert _file(officer, **proposed).status_code == 302
    case = ElectionCase.objects.get(org__code="CU")
    assert case.audit_vice_chair_posts == 1
    assert case.proposed_officers["audit_vice_chair"] == [members[11].name]

    body = page(officer.get(reverse("elections:case", args=[case.pk])))
    assert "经审主任 1 名，经审副主任 1 名" in body
    assert f"经审副主任：{members[11].name}" in body  # the proposed officers
    assert "报中共示例有限公司支部委员会的请示（.docx）" in body
    assert "报青山区总工会的请示（.docx）" in body
    url = reverse("elections:case_request_docx", args=[case.pk])
    to_party = officer.get(url + "?to=party")
    assert to_party.status_code == 200
    text = docx_text(to_party.content)
    assert "中共示例有限公司支部委员会：" in text and "请予审定，简历附后。" in text
    text = docx_text(officer.get(url).content)
    assert "青山区总工会：" in text
    assert f"拟定工会主席为{members[0].name}、副主席为{members[1].name}" in text
    assert officer.get(url + "?to=nobody").status_code == 404
    # Another organization's officer learns nothing about the case.
    assert login(world.users["a2_officer"]).get(url + "?to=party").status_code == 404
