"""Election cases end to end (DOMAIN.md §4): seed 004's union re-election — the request at least
two months ahead, the Party organization's agreement before the upper union's approval, the
nominations, 21 committee seats with a 5% surplus, the Party organization's review, the congress
with its quorum, the tally, the first plenary meetings, the new term and the election results
report — and the Party case with ceil(seats × 1.2) candidates; other organizations refused."""

import datetime as dt
import io
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from jiceng.access import gate
from jiceng.access.models import Role, Scope, User
from jiceng.access.services import assign_role, create_user
from jiceng.demo.build import credit_code
from jiceng.demo.names import SURNAMES, id_number
from jiceng.elections import documents, selectors, services
from jiceng.elections.models import (
    CaseState,
    CaseStep,
    Committee,
    ElectionCase,
    Poll,
    Post,
    RoundKind,
    Term,
)
from jiceng.orgs.models import Kind
from jiceng.orgs.services import register_unit, set_up
from jiceng.people.services import enrol_member, register_person
from jiceng.people.unions import join_union
from tests.conftest import LONG_AGO, PASSWORD

REQUEST = dt.date(2026, 3, 2)
EARLIEST = dt.date(2026, 5, 2)  # two months after the request (policy)
CONGRESS = dt.date(2026, 5, 15)
PREVIOUS = dt.date(2021, 5, 20)  # the first term: five years, ends 2026-05-19
_seq = iter(range(300, 999))


def person(world, org, name, username=None):
    p = register_person(
        world.system, org=org, name=name, id_number=id_number(dt.date(1980, 6, 1), next(_seq))
    )
    if username:
        create_user(world.system, username=username, password=PASSWORD, full_name=name, person=p)
    return p


def user(world, username, role, org, scope=Scope.NODE):
    u = create_user(world.system, username=username, password=PASSWORD, full_name=username)
    assign_role(world.system, user=u, role=role, org=org, scope=scope, valid_from=LONG_AGO)
    return u


@pytest.fixture
def company(world):
    return make_company(world)


def make_company(world):
    """示例有限公司: its Party branch (under street A) and its union (under the federation U),
    both set up in the company; 28 union members (four have accounts); the first union
    committee elected on 2021-05-20 with members[21] as its chair."""
    system = world.system
    unit = register_unit(
        system,
        credit_code=credit_code(77),
        name="示例有限公司",
        kind="enterprise",
        ownership="non_public",
        employees=400,
        responsible_org=world.street_a,
        responsible_union=world.union,
    )
    branch = set_up(
        system,
        code="CP",
        name="中共示例有限公司支部委员会",
        kind=Kind.BRANCH,
        parent=world.street_a,
        founded_on=LONG_AGO,
        units=[unit],
    )
    union = set_up(
        system,
        code="CU",
        name="示例有限公司工会",
        kind=Kind.UNION,
        parent=world.union,
        founded_on=LONG_AGO,
        units=[unit],
    )
    users = {
        "union_officer": user(world, "cu_officer", Role.OFFICER, union),
        "party_officer": user(world, "cp_officer", Role.OFFICER, branch),
        "upper_union": user(world, "u_admin", Role.UPPER_ADMIN, world.union, Scope.SUBTREE),
    }
    names = [f"{s}建国" for s in SURNAMES[:28]]
    members = []
    for i, name in enumerate(names):
        p = person(world, union, name, username=f"m{i}" if i < 3 or i == 21 else None)
        join_union(system, p, org=union, member_number=f"CU{i:04d}", joined_on=LONG_AGO)
        members.append(p)
    services.start_term(
        system,
        org=union,
        committee=Committee.UNION,
        starts_on=PREVIOUS,
        officers=[(members[21], Post.CHAIR)],
    )
    return {"unit": unit, "branch": branch, "union": union, "users": users, "members": members}


def file_union_request(company, **kw):
    fields = {
        "org": company["union"],
        "requested_on": REQUEST,
        "planned_on": CONGRESS,
        "last_congress_on": PREVIOUS,
        "delegates": 85,
        "committee_seats": 21,
        "audit_seats": 5,
        "vice_chair_posts": 2,
        "party_org": company["branch"],
    } | kw
    return services.file_request(company["users"]["union_officer"], **fields)


def sheet_lines(poll, votes: dict, present: int):
    return [
        {"name": c.name, "for": votes.get(c.name, 0), "against": present - votes.get(c.name, 0)}
        for c in selectors.ballot_sheet(poll)
    ]


def tally(actor, poll, votes: dict, present: int, *, close=True):
    services.record_attendance(actor, poll, present=present, issued=present, returned=present)
    services.enter_sheet(
        actor, poll, label="第一计票组", ballots=present, lines=sheet_lines(poll, votes, present)
    )
    if close:
        services.close_poll(actor, poll)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append("|".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_seed_004_union_case_end_to_end(world, company, tmp_path):
    officer = company["users"]["union_officer"]
    party = company["users"]["party_officer"]
    upper = company["users"]["upper_union"]
    union, members = company["union"], company["members"]

    # 1. The request: a congress less than two months after it is refused.
    with pytest.raises(ValidationError) as refused:
        file_union_request(company, planned_on=dt.date(2026, 4, 30))
    assert "2 个月" in str(refused.value) and "2026-05-02" in str(refused.value)
    case = file_union_request(company)
    assert (case.state, case.system, case.term_number, case.congress_number) == (
        CaseState.REQUESTED,
        "union",
        2,
        2,
    )
    assert case.upper_org == world.union and case.party_org == company["branch"]
    assert documents.years_elapsed(case) == 4  # 2021-05-20 → 2026-05-15: four full years

    # 2. Approvals: the upper union first is refused; only the Party organization may agree.
    with pytest.raises(ValidationError) as early:
        services.approve(upper, case, "approve_upper", on=dt.date(2026, 3, 5), document_number="1")
    assert "本级党组织" in str(early.value) and "中共示例有限公司支部委员会" in str(early.value)
    with pytest.raises(PermissionDenied):  # the union cannot agree on the Party's behalf
        services.approve(
            officer,
            case,
            "approve_party",
            on=dt.date(2026, 3, 5),
            document_number="示党〔2026〕3号",
        )
    services.approve(
        party, case, "approve_party", on=dt.date(2026, 3, 5), document_number="示党〔2026〕3号"
    )
    with pytest.raises(PermissionDenied):  # the Party branch cannot approve for the upper union
        services.approve(
            party, case, "approve_upper", on=dt.date(2026, 3, 9), document_number="青工〔2026〕8号"
        )
    with pytest.raises(ValidationError, match="不得早于"):
        services.approve(
            upper, case, "approve_upper", on=dt.date(2026, 3, 4), document_number="青工〔2026〕8号"
        )
    services.approve(
        upper, case, "approve_upper", on=dt.date(2026, 3, 9), document_number="青工〔2026〕8号"
    )
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    approvals = list(CaseStep.objects.filter(case=case, approved_by__isnull=False))
    assert [
        (a.step, a.approved_by.code, a.document_number, a.on, a.recorded_by) for a in approvals
    ] == [
        ("approve_party", "CP", "示党〔2026〕3号", dt.date(2026, 3, 5), party),
        ("approve_upper", "U", "青工〔2026〕8号", dt.date(2026, 3, 9), upper),
    ]

    # 3. The request as a document.
    request_text = docx_text(documents.request_document(case).to_bytes())
    for expected in (
        "关于召开示例有限公司工会",
        "第二次会员代表大会的请示",
        "青山区总工会：",
        "2021年5月20日",
        "已满四年",
        "2026年5月15日",
        "85名",
        "按照比例",
        "拟设委员21名",
        "提名候选人23名，差额2名",
        "经费审查委员会拟设委员5名",
        "主席1人、副主席2人",
        "主任1人",
        "中共示例有限公司支部委员会",
    ):
        assert expected in request_text, expected

    # 4. Nominations: each group's counts, tallied per nominee.
    committee_names = [m.name for m in members[:23]]
    audit_names = [m.name for m in members[23:28]]
    services.record_nominations(
        officer,
        case,
        committee=Committee.UNION,
        group="第一代表团",
        counts=[(n, 30) for n in committee_names] + [("外单位人", 2)],
        on=dt.date(2026, 3, 20),
    )
    services.record_nominations(
        officer,
        case,
        committee=Committee.UNION,
        group="第二代表团",
        counts=[(n, 25) for n in committee_names[:10]],
        on=dt.date(2026, 3, 20),
    )
    services.record_nominations(
        officer,
        case,
        committee=Committee.AUDIT,
        group="第一代表团",
        counts=[(n, 28) for n in audit_names],
        on=dt.date(2026, 3, 20),
    )
    tallies = selectors.nomination_tallies(case)
    top = tallies[Committee.UNION][0]
    assert top["total"] == 55 and top["groups"] == {"第一代表团": 30, "第二代表团": 25}
    assert {"name": "外单位人", "total": 2, "groups": {"第一代表团": 2}} in tallies[Committee.UNION]

    # 5. The list: 21 seats need 23 candidates (not under 5%: 22 would be 4.8%); 22 is refused;
    # the audit list may be 5 for 5.
    with pytest.raises(ValidationError) as short:
        services.propose_slate(
            officer,
            case,
            slates={Committee.UNION: members[:22], Committee.AUDIT: members[23:28]},
            on=dt.date(2026, 3, 25),
        )
    assert "至少 23 名" in str(short.value)
    services.propose_slate(
        officer,
        case,
        slates={Committee.UNION: members[:23], Committee.AUDIT: members[23:28]},
        on=dt.date(2026, 3, 25),
    )
    checks = {s.committee: s for s in selectors.slate_check(case, on=dt.date(2026, 3, 25))}
    assert (checks["union"].required, checks["union"].ok) == (23, True)
    assert (checks["audit"].required, checks["audit"].ok) == (5, True)
    # The Party organization reviews the list (not the upper union, not the union itself).
    with pytest.raises(PermissionDenied):
        services.approve(
            upper, case, "review_slate", on=dt.date(2026, 4, 1), document_number="青工〔2026〕9号"
        )
    services.approve(
        party, case, "review_slate", on=dt.date(2026, 4, 1), document_number="示党〔2026〕5号"
    )

    # 6. The congress: not before two months after the request, not without 2/3 present.
    with pytest.raises(ValidationError, match="2026-05-02"):
        services.hold_congress(officer, case, held_on=dt.date(2026, 4, 28), entitled=85, present=80)
    with pytest.raises(ValidationError, match="三分之二"):
        services.hold_congress(officer, case, held_on=CONGRESS, entitled=85, present=56)
    polls = services.hold_congress(officer, case, held_on=CONGRESS, entitled=85, present=80)
    case.refresh_from_db()
    assert case.state == CaseState.VOTING and (case.held_on, case.present) == (CONGRESS, 80)
    by_committee = {p.committee: p for p in polls}
    committee_poll, audit_poll = by_committee["union"], by_committee["audit"]
    assert (committee_poll.seats, committee_poll.entitled, committee_poll.present) == (21, 85, 80)
    assert committee_poll.candidates.count() == 23 and committee_poll.case == case
    assert (audit_poll.seats, audit_poll.entitled, audit_poll.candidates.count()) == (5, 85, 5)
    assert committee_poll.title == "第二届工会委员会委员选举"

    # The first plenary cannot meet before the congress's results are declared.
    with pytest.raises(ValidationError, match="尚未宣布"):
        services.hold_plenary(officer, case, held_on=CONGRESS, candidates={})

    # 7. The tally: 21 candidates pass half of the 85 due to attend (43 votes), two do not.
    votes = {n: 60 + i for i, n in enumerate(committee_names[:21])}
    votes[committee_names[21]] = 42  # not more than half of 85: not elected
    votes[committee_names[22]] = 30
    tally(officer, committee_poll, votes, 80)
    tally(officer, audit_poll, {n: 70 for n in audit_names}, 80)
    elected = selectors.members_elected(case, Committee.UNION)
    assert len(elected) == 21 and committee_names[21] not in {e["name"] for e in elected}

    # 8. The first plenary meetings: the chair and vice-chairs by the new committee, the audit
    # chair by the audit committee — candidates must be members just elected.
    chair, vices, audit_chair = committee_names[0], committee_names[1:3], audit_names[0]
    with pytest.raises(ValidationError, match="未当选"):
        services.hold_plenary(
            officer,
            case,
            held_on=CONGRESS,
            candidates={
                "chair": [committee_names[21]],
                "vice_chair": vices,
                "audit_chair": [audit_chair],
            },
        )
    plenary = services.hold_plenary(
        officer,
        case,
        held_on=CONGRESS,
        candidates={"chair": [chair], "vice_chair": vices, "audit_chair": [audit_chair]},
    )
    posts = {p.post: p for p in plenary}
    assert (posts["chair"].entitled, posts["chair"].seats) == (21, 1)
    assert (posts["vice_chair"].seats, posts["audit_chair"].entitled) == (2, 5)
    with pytest.raises(PermissionDenied):  # the union does not begin its own term
        services.begin_term(officer, case, starts_on=CONGRESS)
    tally(officer, posts["chair"], {chair: 21}, 21)
    tally(officer, posts["vice_chair"], {vices[0]: 20, vices[1]: 19}, 21)
    tally(officer, posts["audit_chair"], {audit_chair: 5}, 5)

    # 9. The new term begins with the officers elected; rights move by themselves.
    terms = services.begin_term(upper, case, starts_on=CONGRESS)
    case.refresh_from_db()
    assert case.state == CaseState.DONE
    new = {t.committee: t for t in terms}
    assert (new["union"].number, new["union"].case, new["union"].starts_on) == (2, case, CONGRESS)
    officers = {o.person.name: o.post for o in new["union"].officers.select_related("person")}
    assert len(officers) == 21 and officers[chair] == Post.CHAIR
    assert sorted(n for n, p in officers.items() if p == Post.VICE_CHAIR) == sorted(vices)
    audit_officers = {o.person.name: o.post for o in new["audit"].officers.select_related("person")}
    assert len(audit_officers) == 5 and audit_officers[audit_chair] == Post.AUDIT_CHAIR
    first = Term.objects.get(org=union, committee="union", number=1)
    assert first.ended_on == CONGRESS - dt.timedelta(days=1)
    m0 = User.objects.get(username="m0")  # the new chair (members[0]) gains rights from the start
    assert gate.can(m0, gate.MANAGE, union, on=CONGRESS)
    assert not gate.can(m0, gate.MANAGE, union, on=CONGRESS - dt.timedelta(days=1))
    old_chair = User.objects.get(username="m21")  # not re-elected: rights end the day before
    assert gate.can(old_chair, gate.MANAGE, union, on=CONGRESS - dt.timedelta(days=1))
    assert not gate.can(old_chair, gate.MANAGE, union, on=CONGRESS)

    # 10. The election results report: every field of seed 004 with its value.
    path = tmp_path / "report.docx"
    call_command(
        "elections", "case", "report", "--case", str(case.pk), "-o", str(path), "--as", "u_admin"
    )
    doc = Document(str(path))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "关于示例有限公司工会第二次会员代表大会" in body  # the unit and the congress number
    assert "选举结果的报告" in body
    assert "青山区总工会：" in body  # to the upper union
    assert "我单位于2026年5月15日召开了工会第二次会员代表大会" in body  # the date
    assert "共有80名代表参加会议" in body  # delegates present
    ordered = [e["name"] for e in elected]
    assert f"由{'、'.join(ordered)}等21名同志组成的第二届工会委员会" in body
    assert "等5名同志组成的第二届经费审查委员会（名单附后）" in body
    assert f"民主选举{chair}同志为工会主席" in body
    assert f"{vices[0]}同志、{vices[1]}同志为工会副主席" in body
    assert f"民主选举{audit_chair}同志为经审主任" in body
    assert "附件：1.第二届工会委员会委员名单" in body.replace(" ", "")
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    committee_table = next(t for t in tables if len(t) == 22)  # header + 21 members (attached)
    assert [row[1] for row in committee_table[1:]] == ordered
    assert {row[1]: row[3] for row in committee_table[1:]}[chair] == "主席"
    assert {row[1]: row[4] for row in committee_table[1:]}[chair] == "60"
    audit_table = next(t for t in tables if len(t) == 6)
    assert sorted(row[1] for row in audit_table[1:]) == sorted(audit_names)
    assert {row[1]: row[3] for row in audit_table[1:]}[audit_chair] == "主任"

    notice = docx_text(documents.results_notice(case).to_bytes())
    assert "选举结果的通知" in notice and f"主席：{chair}" in notice.replace(" ", "")


def test_a_poll_that_fills_too_few_seats_holds_the_plenary_back(world, company):
    officer = company["users"]["union_officer"]
    party, upper = company["users"]["party_officer"], company["users"]["upper_union"]
    members = company["members"]
    case = file_union_request(company, committee_seats=5, audit_seats=0, vice_chair_posts=1)
    services.approve(party, case, "approve_party", on=dt.date(2026, 3, 3), document_number="1号")
    services.approve(upper, case, "approve_upper", on=dt.date(2026, 3, 4), document_number="2号")
    services.record_nominations(
        officer,
        case,
        committee="union",
        group="全体",
        counts=[(m.name, 9) for m in members[:6]],
        on=dt.date(2026, 3, 20),
    )
    services.propose_slate(officer, case, slates={"union": members[:6]}, on=dt.date(2026, 3, 25))
    services.approve(party, case, "review_slate", on=dt.date(2026, 3, 30), document_number="3号")
    (poll,) = services.hold_congress(officer, case, held_on=CONGRESS, entitled=85, present=70)
    names = [c.name for c in selectors.ballot_sheet(poll)]
    tally(officer, poll, {n: (60 if i < 4 else 30) for i, n in enumerate(names)}, 70)
    with pytest.raises(ValidationError, match="剩余 1"):
        services.hold_plenary(officer, case, held_on=CONGRESS, candidates={"chair": [names[0]]})
    extra = services.next_round(officer, poll, kind=RoundKind.ADDITIONAL, candidates=names[4:])
    assert (extra.case, extra.seats, extra.round, extra.committee) == (case, 1, 2, "union")
    tally(officer, extra, {names[4]: 50, names[5]: 20}, 70)
    assert len(selectors.members_elected(case, "union")) == 5
    services.hold_plenary(
        officer, case, held_on=CONGRESS, candidates={"chair": [names[0]], "vice_chair": [names[1]]}
    )


@pytest.fixture
def branch_members(world):
    return make_branch_members(world)


def make_branch_members(world):
    """Branch A1's 40 full members; the first two have accounts."""
    found = []
    for i in range(40):
        p = person(
            world, world.branch_a1, f"{SURNAMES[i]}党员", username=f"p{i}" if i < 2 else None
        )
        enrol_member(
            world.system, p, org=world.branch_a1, stage="full", joined_on=dt.date(2000, 7, 1)
        )
        found.append(p)
    return found


def test_party_case_needs_ceil_of_seats_times_1_2(world, branch_members):
    officer, upper = world.users["a1_officer"], world.users["street_a_admin"]
    case = services.file_request(
        officer,
        org=world.branch_a1,
        requested_on=REQUEST,
        planned_on=dt.date(2026, 4, 10),  # one month is enough for the Party (policy)
        last_congress_on=dt.date(2023, 4, 1),
        delegates=40,
        committee_seats=7,
        vice_chair_posts=1,
        congress_kind="members",
    )
    assert (case.system, case.upper_org, case.party_org) == ("party", world.street_a, None)
    # The Party case has no same-level step: the upper Party organization approves.
    with pytest.raises(PermissionDenied):
        services.approve(officer, case, "approve_upper", on=REQUEST, document_number="x")
    services.approve(
        upper, case, "approve_upper", on=dt.date(2026, 3, 4), document_number="和组〔2026〕4号"
    )
    services.record_nominations(
        officer,
        case,
        committee="party",
        group="第一党小组",
        counts=[(m.name, 5) for m in branch_members[:10]],
        on=dt.date(2026, 3, 10),
    )
    assert math.ceil(7 * 1.2) == 9
    with pytest.raises(ValidationError, match="至少 9 名"):
        services.propose_slate(
            officer, case, slates={"party": branch_members[:8]}, on=dt.date(2026, 3, 15)
        )
    services.propose_slate(
        officer, case, slates={"party": branch_members[:9]}, on=dt.date(2026, 3, 15)
    )
    with pytest.raises(PermissionDenied):  # the candidate list is approved by the upper level
        services.approve(
            officer, case, "review_slate", on=dt.date(2026, 3, 20), document_number="x"
        )
    services.approve(
        upper, case, "review_slate", on=dt.date(2026, 3, 20), document_number="和组〔2026〕6号"
    )
    # More than 4/5 of the 40 entitled must be present: 32 is not more than 32.
    with pytest.raises(ValidationError, match="五分之四"):
        services.hold_congress(officer, case, held_on=dt.date(2026, 4, 10), entitled=40, present=32)
    (poll,) = services.hold_congress(
        officer, case, held_on=dt.date(2026, 4, 10), entitled=40, present=36
    )
    assert (poll.system, poll.seats, poll.candidates.count()) == ("party", 7, 9)
    names = [c.name for c in selectors.ballot_sheet(poll)]
    tally(officer, poll, {n: (30 if i < 7 else 10) for i, n in enumerate(names)}, 36)
    elected = [e["name"] for e in selectors.members_elected(case, "party")]
    secretary, deputy = elected[0], elected[1]
    plenary = services.hold_plenary(
        officer,
        case,
        held_on=dt.date(2026, 4, 10),
        candidates={"secretary": [secretary], "deputy_secretary": [deputy]},  # uncontested
    )
    for p in plenary:
        tally(officer, p, {secretary: 7, deputy: 7}, 7)
    terms = services.begin_term(
        upper,
        case,
        starts_on=dt.date(2026, 4, 10),
        divisions={"organization": elected[2], "propaganda": elected[3]},
    )
    (term,) = terms
    posts = {o.person.name: o.post for o in term.officers.select_related("person")}
    assert posts[secretary] == Post.SECRETARY and posts[deputy] == Post.DEPUTY_SECRETARY
    assert posts[elected[2]] == Post.ORGANIZATION and posts[elected[4]] == Post.MEMBER
    assert term.years == 3  # a branch committee: three years (policy)
    case.refresh_from_db()
    report = docx_text(documents.results_report(case).to_bytes())
    assert "应到会有选举权的党员40名，实到会36名" in report
    assert f"选举{secretary}同志为书记，{deputy}同志为副书记" in report
    assert "和平街道工作委员会：" in report


def test_other_organizations_cannot_read_or_write_a_case(world, company, login):
    case = file_union_request(company)
    a2 = world.users["a2_officer"]
    with pytest.raises(ElectionCase.DoesNotExist):
        selectors.get_case(a2, case.pk)
    assert not selectors.cases_of(a2, company["union"]).exists()
    for step in ("approve_party", "approve_upper"):
        with pytest.raises(PermissionDenied):
            services.approve(a2, case, step, on=REQUEST, document_number="越权")
    with pytest.raises(PermissionDenied):
        services.record_nominations(a2, case, committee="union", group="越权", counts=[("张三", 1)])
    with pytest.raises(PermissionDenied):
        services.file_request(
            a2,
            org=company["union"],
            requested_on=REQUEST,
            planned_on=CONGRESS,
            delegates=10,
            committee_seats=3,
            party_org=company["branch"],
        )
    # The Party branch sees the case it must agree to; a sibling branch sees nothing.
    assert selectors.get_case(company["users"]["party_officer"], case.pk) == case
    with pytest.raises(CommandError):
        call_command(
            "elections",
            "case",
            "report",
            "--case",
            str(case.pk),
            "-o",
            "/dev/null",
            "--as",
            "a2_officer",
        )
    assert Poll.objects.filter(case=case).count() == 0


def test_the_party_organization_must_be_the_unions_own(world, company):
    with pytest.raises(ValidationError, match="不是示例有限公司工会所在单位的党组织"):
        file_union_request(company, party_org=world.branch_a2)
    with pytest.raises(ValidationError, match="已有"):
        file_union_request(company)
        file_union_request(company)


def test_the_command_files_approves_and_proposes(world, company, capsys, tmp_path):
    members = company["members"]
    call_command(
        "elections",
        "case",
        "create",
        "--org",
        "CU",
        "--requested-on",
        "2026-03-02",
        "--planned-on",
        "2026-05-15",
        "--last-congress-on",
        "2021-05-20",
        "--delegates",
        "85",
        "--committee-seats",
        "3",
        "--audit-seats",
        "0",
        "--party-org",
        "CP",
        "--as",
        "cu_officer",
    )
    case = ElectionCase.objects.get(org__code="CU")
    assert f"已登记换届选举案 {case.pk}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="本级党组织"):
        call_command(
            "elections",
            "case",
            "approve",
            "--case",
            str(case.pk),
            "--step",
            "approve_upper",
            "--document",
            "青工〔2026〕8号",
            "--on",
            "2026-03-09",
            "--as",
            "u_admin",
        )
    call_command(
        "elections",
        "case",
        "approve",
        "--case",
        str(case.pk),
        "--step",
        "approve_party",
        "--document",
        "示党〔2026〕3号",
        "--on",
        "2026-03-05",
        "--as",
        "cp_officer",
    )
    call_command(
        "elections",
        "case",
        "approve",
        "--case",
        str(case.pk),
        "--step",
        "approve_upper",
        "--document",
        "青工〔2026〕8号",
        "--on",
        "2026-03-09",
        "--as",
        "u_admin",
    )
    services.record_nominations(
        company["users"]["union_officer"],
        case,
        committee="union",
        group="全体",
        counts=[(m.name, 3) for m in members[:4]],
    )
    names = [m.name for m in members[:4]]
    call_command(
        "elections",
        "case",
        "slate",
        "--case",
        str(case.pk),
        "--union",
        ",".join(names),
        "--as",
        "cu_officer",
    )
    out = capsys.readouterr().out
    assert "工会委员会：应选 3 名，候选人 4 名" in out
    case.refresh_from_db()
    assert case.state == CaseState.SLATE_PROPOSED
    call_command("elections", "case", "show", "--case", str(case.pk), "--as", "cu_officer")
    out = capsys.readouterr().out
    assert "青工〔2026〕8号" in out and "党组织审核候选人名单" in out
    with pytest.raises(CommandError, match="尚未全部宣布"):
        call_command(
            "elections", "case", "report", "--case", str(case.pk), "-o", str(tmp_path / "r.docx")
        )
    request = tmp_path / "request.docx"
    call_command(
        "elections",
        "case",
        "report",
        "--case",
        str(case.pk),
        "--kind",
        "request",
        "-o",
        str(request),
        "--as",
        "cu_officer",
    )
    assert "拟设委员3名" in docx_text(request.read_bytes())


def test_a_request_waiting_for_approval_is_a_duty_of_the_approver(world, company):
    from jiceng.elections.duties import cases_waiting
    from jiceng.orgs.models import Organization

    case = file_union_request(company)

    def titles(*codes):
        return [
            d.title for d in cases_waiting(Organization.objects.filter(code__in=codes), REQUEST)
        ]

    assert titles("CP") == ["示例有限公司工会：待本级党组织同意（大会拟于 2026-05-15 召开）。"]
    assert titles("U") == []  # the upper union waits for the Party organization's agreement
    services.approve(
        company["users"]["party_officer"], case, "approve_party", on=REQUEST, document_number="1号"
    )
    assert titles("CP") == [] and len(titles("U")) == 1


def test_audit_vice_chair_and_officers_proposed_with_the_party_agreement(world, company):
    """Seed 004: the request states the audit chair and vice-chair posts (经审主任、副主任名额)
    and may name the officers the Party organization agreed to (拟定工会主席为×××…，简历附后);
    it goes to the Party organization first, then to the upper union. The audit committee's
    first plenary elects its vice-chair, who appears in the report and the notice and, in the
    new term, only reviews (like the audit committee's members)."""
    officer = company["users"]["union_officer"]
    party, upper = company["users"]["party_officer"], company["users"]["upper_union"]
    union, members = company["union"], company["members"]
    names = [m.name for m in members]
    chair, vice, audit_chair, audit_vice = names[3], names[4], names[0], names[1]
    fields = {"committee_seats": 3, "audit_seats": 3, "vice_chair_posts": 1}

    # Refusals, in Chinese.
    with pytest.raises(ValidationError) as refused:
        file_union_request(company, **fields, audit_chair_posts=1, audit_vice_chair_posts=3)
    assert "经审主任、副主任（4 名）不能多于经费审查委员会委员名额（3 名）" in str(refused.value)
    with pytest.raises(ValidationError, match="须同时设经审主任"):
        file_union_request(company, **fields, audit_chair_posts=0, audit_vice_chair_posts=1)
    with pytest.raises(ValidationError) as refused:
        file_union_request(company, **fields, proposed_officers={"vice_chair": [vice, names[5]]})
    assert "副主席：名额 1 名，却拟定了 2 人" in str(refused.value)
    with pytest.raises(ValidationError, match="拟定人选的姓名不能为空"):
        file_union_request(company, **fields, proposed_officers={"chair": ["  "]})
    with pytest.raises(ValidationError, match="同时被拟定为"):
        file_union_request(
            company, **fields, proposed_officers={"chair": [chair], "vice_chair": [chair]}
        )
    with pytest.raises(ValidationError, match="只有工会的请示"):
        services.file_request(
            world.users["a1_officer"],
            org=world.branch_a1,
            requested_on=REQUEST,
            planned_on=CONGRESS,
            delegates=30,
            committee_seats=5,
            proposed_officers={"chair": ["某某"]},
        )
    assert not ElectionCase.objects.filter(org=union).exists()

    case = file_union_request(
        company,
        **fields,
        audit_vice_chair_posts=1,
        proposed_officers={
            "chair": [chair],
            "vice_chair": [f" {vice} "],
            "audit_chair": [audit_chair],
            "audit_vice_chair": [audit_vice],
        },
    )
    assert (case.audit_chair_posts, case.audit_vice_chair_posts) == (1, 1)
    assert case.proposed_officers["vice_chair"] == [vice]

    # To the upper union (the default), copied to the Party organization.
    upper_text = docx_text(documents.request_document(case).to_bytes())
    assert "青山区总工会：" in upper_text
    assert "经费审查委员会拟设主任1人、副主任1人" in upper_text
    assert "|经审副主任|1|" in upper_text  # the table of posts
    assert (
        f"经中共示例有限公司支部委员会研究同意，拟定工会主席为{chair}、副主席为{vice}、"
        f"经审主任为{audit_chair}、经审副主任为{audit_vice}，简历附后。"
    ) in upper_text
    assert "附件：工会主席、副主席、经审主任、经审副主任人选简历" in upper_text.replace(" ", "")
    assert "抄送：中共示例有限公司支部委员会" in upper_text
    # First to the same-level Party organization: addressed to it, asking it to agree.
    party_text = docx_text(documents.request_document(case, to="party").to_bytes())
    assert "中共示例有限公司支部委员会：" in party_text and "青山区总工会：" not in party_text
    assert f"示例有限公司工会委员会建议工会主席为{chair}" in party_text
    assert "请予审定，简历附后。" in party_text and "研究同意" not in party_text
    assert "抄送" not in party_text

    # Through the congress to the first plenary meetings: the audit committee elects its vice-chair.
    services.approve(party, case, "approve_party", on=dt.date(2026, 3, 3), document_number="1号")
    services.approve(upper, case, "approve_upper", on=dt.date(2026, 3, 4), document_number="2号")
    services.record_nominations(
        officer,
        case,
        committee="union",
        group="全体",
        counts=[(n, 9) for n in names[3:7]],
        on=dt.date(2026, 3, 20),
    )
    services.propose_slate(
        officer,
        case,
        slates={"union": members[3:7], "audit": members[0:3]},
        on=dt.date(2026, 3, 25),
    )
    services.approve(party, case, "review_slate", on=dt.date(2026, 3, 30), document_number="3号")
    polls = {
        p.committee: p
        for p in services.hold_congress(officer, case, held_on=CONGRESS, entitled=85, present=70)
    }
    tally(officer, polls["union"], {n: 60 for n in names[3:6]}, 70)
    tally(officer, polls["audit"], {n: 60 for n in names[0:3]}, 70)
    with pytest.raises(ValidationError, match="经审副主任"):  # its vice-chair is elected too
        services.hold_plenary(
            officer,
            case,
            held_on=CONGRESS,
            candidates={"chair": [chair], "vice_chair": [vice], "audit_chair": [audit_chair]},
        )
    with pytest.raises(ValidationError, match="同时"):  # one person, one post
        services.hold_plenary(
            officer,
            case,
            held_on=CONGRESS,
            candidates={
                "chair": [chair],
                "vice_chair": [vice],
                "audit_chair": [audit_chair],
                "audit_vice_chair": [audit_chair],
            },
        )
    plenary = services.hold_plenary(
        officer,
        case,
        held_on=CONGRESS,
        candidates={
            "chair": [chair],
            "vice_chair": [vice],
            "audit_chair": [audit_chair],
            "audit_vice_chair": [audit_vice],
        },
    )
    posts = {p.post: p for p in plenary}
    assert (posts["audit_vice_chair"].committee, posts["audit_vice_chair"].entitled) == ("audit", 3)
    assert posts["audit_vice_chair"].title == "第二届经费审查委员会经审副主任选举"
    tally(officer, posts["chair"], {chair: 3}, 3)
    tally(officer, posts["vice_chair"], {vice: 3}, 3)
    tally(officer, posts["audit_chair"], {audit_chair: 3}, 3)
    tally(officer, posts["audit_vice_chair"], {audit_vice: 3}, 3)

    # The report and the notice name the audit vice-chair.
    report = docx_text(documents.results_report(case).to_bytes())
    assert (
        f"经费审查委员会第一次全体会议上，民主选举{audit_chair}同志为经审主任，"
        f"{audit_vice}同志为经审副主任。"
    ) in report
    assert f"|{audit_vice}|" in report and "|副主任|" in report
    notice = docx_text(documents.results_notice(case).to_bytes()).replace(" ", "")
    assert f"主任：{audit_chair}" in notice and f"副主任：{audit_vice}" in notice

    # The new term: the vice-chair is an officer of the audit committee, who only reviews.
    terms = {t.committee: t for t in services.begin_term(upper, case, starts_on=CONGRESS)}
    audit_officers = {
        o.person.name: o.post for o in terms["audit"].officers.select_related("person")
    }
    assert audit_officers == {
        audit_chair: Post.AUDIT_CHAIR,
        audit_vice: Post.AUDIT_VICE_CHAIR,
        names[2]: Post.MEMBER,
    }
    m1 = User.objects.get(username="m1")  # members[1], the audit vice-chair
    assert gate.can(m1, gate.VIEW, union, on=CONGRESS)
    assert not gate.can(m1, gate.MANAGE, union, on=CONGRESS)
