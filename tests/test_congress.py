"""Workers' congress (DOMAIN.md §5): sessions numbered 届/次, attendance by category and the
quorum from policy, resolutions, the proposal workflow (seconders, order of steps, deadlines,
satisfaction, figures), rationalization proposals rewarded by band, and other unions refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.congress import selectors, services
from jiceng.congress.models import CongressSession, Proposal, ProposalState
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.orgs.services.policy import set_override
from jiceng.people.delegates import seat_delegate
from jiceng.people.models import Person
from jiceng.todo.selectors import duties_for
from tests.conftest import LONG_AGO, PASSWORD

TODAY = timezone.localdate()
HELD = dt.date(2025, 2, 25)  # 004:L338: the 六届一次 congress was held on 2月25日
TERM_FROM = dt.date(2024, 1, 1)


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as err:
        call(*args, **kwargs)
    return " ".join(m for ms in err.value.message_dict.values() for m in ms)


class Hospital:
    """The hospital union of seed 004 with its officer, and a second union for intruders."""

    def __init__(self, world):
        self.system = world.system
        self.union = set_up(
            world.system,
            code="HU",
            name="第二人民医院工会",
            kind=Kind.UNION,
            parent=world.union,
            founded_on=LONG_AGO,
        )
        self.other = set_up(
            world.system,
            code="OU",
            name="纺织厂工会",
            kind=Kind.UNION,
            parent=world.union,
            founded_on=LONG_AGO,
        )
        self.officer = self.user("hu_officer", self.union)
        self.intruder = self.user("ou_officer", self.other)
        self.serial = 0

    def user(self, name, org, person=None, role=Role.OFFICER):
        u = create_user(self.system, username=name, password=PASSWORD, person=person)
        if role:
            assign_role(
                self.system, user=u, role=role, org=org, scope=Scope.NODE, valid_from=LONG_AGO
            )
        return u

    def seat(self, n, category="voting", org=None, **kw):
        people = Person.objects.bulk_create(
            [Person(name=f"代表{self.serial + i:03d}") for i in range(n)]
        )
        self.serial += n
        return [
            seat_delegate(
                self.system,
                p,
                org=org or self.union,
                category=category,
                valid_from=kw.get("valid_from", TERM_FROM),
                valid_until=kw.get("valid_until"),
            )
            for p in people
        ]

    def session(self, term=6, number=1, held_on=HELD, org=None):
        return services.create_session(
            self.officer if org is None else self.system,
            org or self.union,
            term=term,
            number=number,
            held_on=held_on,
            place="门诊楼五楼会议室",
        )

    def attend(self, session, present_voting, **headcounts):
        """`present_voting` voting delegates present, every other delegate present."""
        roll = list(session.roll.order_by("id"))
        voting = [e.pk for e in roll if e.category == "voting"][:present_voting]
        others = [e.pk for e in roll if e.category != "voting"]
        services.record_attendance(
            self.officer, session, present=voting + others, headcounts=headcounts
        )
        session.refresh_from_db()
        return session


@pytest.fixture
def h(world):
    return Hospital(world)


def test_a_session_is_numbered_by_term_and_session(h):
    session = h.session(term=6, number=3, held_on=dt.date(2026, 2, 26))
    assert session.label == "六届三次"
    assert session.title == "六届三次职工代表大会"
    assert "六届三次" in refused(h.session, term=6, number=3)  # recorded once


def test_attendance_by_category_adds_up_to_99_and_is_quorate(h):
    """004:L338: 院领导、职工代表、列席代表、特邀代表共99人参加了本次大会."""
    h.seat(80, "voting")
    h.seat(12, "non_voting")
    h.seat(6, "invited")
    session = h.session()
    h.attend(session, 72, leaders=9)
    att = selectors.attendance(h.officer, session)
    rows = {r["key"]: (r["due"], r["present"]) for r in att["rows"]}
    assert rows["voting"] == (80, 72)
    assert rows["non_voting"] == (12, 12)
    assert rows["invited"] == (6, 6)
    assert rows["leaders"] == (None, 9)
    assert att["total"] == 99
    q = att["quorum"]
    # life.kind.workers_congress.quorum (0.6667, 《企业民主管理规定》: 三分之二以上) of 80 = 54.
    assert (q["base"], q["present"], q["needed"], q["met"]) == (80, 72, 54, True)


def test_fewer_than_two_thirds_of_the_voting_delegates_is_not_quorate(h, world):
    h.seat(9, "voting")
    h.seat(5, "invited")  # invited delegates do not make a quorum
    session = h.session()
    h.attend(session, 6)  # exactly two thirds: "三分之二以上" includes it
    assert selectors.quorum(session)["met"] is True
    h.attend(session, 5)
    q = selectors.quorum(session)
    assert (q["present"], q["needed"], q["met"]) == (5, 6, False)
    message = refused(
        services.add_resolution,
        h.officer,
        session,
        text="关于专家楼建设的决议",
        votes_for=5,
        votes_against=0,
        abstentions=0,
    )
    assert "未达到法定人数" in message and "6" in message
    # The quorum is policy: a subtree override to 4/5 from before the session applies to it.
    set_override(
        world.system,
        key="life.kind.workers_congress.quorum",
        org=h.union,
        value=0.8,
        valid_from=dt.date(2025, 1, 1),
        reason="院工会〔2025〕1号",
    )
    h.attend(session, 7)
    assert selectors.quorum(session)["needed"] == 8
    assert selectors.quorum(session)["met"] is False


def test_the_roll_is_the_seats_in_force_on_the_day(h):
    h.seat(3, "voting")
    h.seat(1, "voting", valid_until=dt.date(2025, 1, 1))  # ended before the session
    h.seat(1, "voting", valid_from=dt.date(2025, 6, 1))  # begins after it
    session = h.session()
    assert session.roll.count() == 3


def test_a_resolution_passes_with_more_than_half_of_all_voting_delegates(h):
    h.seat(10, "voting")
    session = h.session()
    h.attend(session, 8)
    passed = services.add_resolution(
        h.officer, session, text="同意《医院工作报告》", votes_for=6, votes_against=1, abstentions=1
    )
    failed = services.add_resolution(
        h.officer, session, text="关于二医人誓词的议案", votes_for=5, votes_against=2, abstentions=1
    )
    assert passed.adopted is True
    assert failed.adopted is False  # 5 of 10 delegates is not more than half
    message = refused(
        services.add_resolution,
        h.officer,
        session,
        text="x",
        votes_for=9,
        votes_against=0,
        abstentions=0,
    )
    assert "到会代表只有 8 名" in message
    report = services.add_report(h.officer, session, title="医院工作报告", reporter="院长")
    services.decide_report(h.officer, report, adopted=True)
    report.refresh_from_db()
    assert report.adopted is True


# -- proposals ------------------------------------------------------------------------------


@pytest.fixture
def congress(h):
    """A session with ten voting delegates (all present) and two invited ones."""
    delegates = h.seat(10, "voting")
    invited = h.seat(2, "invited")
    session = h.session()
    h.attend(session, 10, leaders=3)
    h.delegates, h.invited, h.s = delegates, invited, session
    return h


def propose(h, proposer=0, seconders=(1, 2), on=HELD, **kw):
    return services.submit_proposal(
        h.officer,
        h.s,
        proposer=h.delegates[proposer],
        seconders=[h.delegates[i] for i in seconders],
        title=kw.get("title", "关于改善职工食堂的提案"),
        reasons="食堂就餐拥挤，菜品单一。",
        measures="增加窗口，延长供餐时间。",
        on=on,
    )


def step(h, p, key, on, **data):
    note = data.pop("note", "")
    return services.take_proposal_step(h.officer, p, key, on=on, data=data, note=note)


def test_fewer_seconders_than_policy_are_refused(congress, world):
    h = congress
    message = refused(propose, h, seconders=(1,))
    assert "至少 2 名" in message and "附议" in message
    assert "不是本次大会的代表" in refused(
        services.submit_proposal,
        h.officer,
        h.s,
        proposer=h.delegates[0],
        seconders=[h.delegates[1], h.invited[0]],
        title="t",
        reasons="r",
        on=HELD,
    )
    # The proposer cannot second their own proposal.
    assert "至少 2 名" in refused(propose, h, seconders=(0, 1))
    assert Proposal.objects.count() == 0
    set_override(
        world.system,
        key="congress.proposal.min_seconders",
        org=h.union,
        value=1,
        valid_from=dt.date(2025, 1, 1),
        reason="院工会提案工作办法",
    )
    p = propose(h, seconders=(1,))
    assert p.number == 1 and p.state == ProposalState.SUBMITTED


def test_the_workflow_refuses_out_of_order_steps_in_chinese(congress):
    h = congress
    p = propose(h)
    d = dt.date(2025, 3, 10)
    assert "请先登记“立案" in refused(
        step, h, p, "assign", d, department="总务科", leader="王副院长"
    )
    assert "请先登记“分类" in refused(step, h, p, "accept", d)
    assert "不能进行“承办部门答复”" in refused(step, h, p, "reply", d, reply="已增设窗口")
    assert "请选择提案分类" in refused(step, h, p, "sort", d, category="食堂")  # not a category
    step(h, p, "sort", d, category="职工生活与福利")
    assert "理由" in refused(step, h, p, "convert", d)
    step(h, p, "accept", d)
    assert "责任领导" in refused(step, h, p, "assign", d, department="总务科")
    p = step(h, p, "assign", d, department="总务科", leader="王副院长")
    assert p.reply_due == d + dt.timedelta(days=60)  # congress.proposal.reply_days
    assert "“年中督导”" in refused(step, h, p, "feedback", d, satisfaction="satisfied")
    assert "不得早于“交办”" in refused(step, h, p, "reply", dt.date(2025, 3, 1), reply="…")
    step(h, p, "follow_up", dt.date(2025, 4, 1), note="电话督办")
    step(h, p, "follow_up", dt.date(2025, 4, 20), note="现场督办")  # as many as needed
    step(h, p, "reply", dt.date(2025, 4, 30), reply="已增设两个窗口。")
    step(h, p, "mid_year", dt.date(2025, 6, 28), note="已办结")
    assert "满意度" in refused(step, h, p, "feedback", dt.date(2025, 12, 20))
    p = step(h, p, "feedback", dt.date(2025, 12, 20), satisfaction="satisfied")
    assert p.state == ProposalState.CLOSED and p.satisfaction == "satisfied"
    p = step(h, p, "excellent", dt.date(2025, 12, 30))
    assert p.excellent
    assert "已登记" in refused(step, h, p, "excellent", dt.date(2025, 12, 31))
    assert [s.step for s in p.steps.all()] == [
        "submit", "sort", "accept", "assign", "follow_up", "follow_up", "reply", "mid_year",
        "feedback", "excellent",
    ]  # fmt: skip


def test_a_proposal_converted_to_an_opinion_keeps_its_reason(congress):
    h = congress
    p = propose(h)
    step(h, p, "sort", dt.date(2025, 3, 1), category="其他")
    p = step(h, p, "convert", dt.date(2025, 3, 2), reason="属于个人诉求，转有关科室参考")
    assert p.state == ProposalState.OPINION and p.opinion_reason.startswith("属于个人诉求")
    assert "不能进行" in refused(step, h, p, "accept", dt.date(2025, 3, 3))


def test_overdue_reply_and_unassigned_proposals_are_duties(congress):
    h = congress
    late = propose(h, title="关于停车位的提案")
    step(h, late, "sort", dt.date(2025, 3, 1), category="职工生活与福利")
    step(h, late, "accept", dt.date(2025, 3, 1))
    step(h, late, "assign", dt.date(2025, 3, 5), department="保卫科", leader="李副院长")
    waiting = propose(h, title="关于职工体检的提案")
    items = duties_for(h.officer, today=dt.date(2025, 5, 10))
    by_kind = {i.duty.kind: i for i in items}
    reply = by_kind["congress.reply"]
    assert reply.urgency == "overdue" and reply.duty.due == dt.date(2025, 5, 4)
    assert "保卫科" in reply.duty.title and "关于停车位的提案" in reply.duty.title
    unassigned = by_kind["congress.unassigned"]
    assert "关于职工体检的提案" in unassigned.duty.title
    assert unassigned.duty.due == HELD + dt.timedelta(days=30)
    assert unassigned.duty.url == f"/congress/proposals/{waiting.pk}/"
    # The other union's officer sees none of it.
    assert not [
        i
        for i in duties_for(h.intruder, today=dt.date(2025, 5, 10))
        if i.duty.kind.startswith("congress.")
    ]
    # Replied: the duty is gone and the mid-year check is due instead.
    step(h, late, "reply", dt.date(2025, 5, 12), reply="已协调增加车位。")
    kinds = {i.duty.kind for i in duties_for(h.officer, today=dt.date(2025, 5, 20))}
    assert "congress.reply" not in kinds and "congress.mid_year" in kinds


def test_the_proposer_records_their_own_satisfaction(congress):
    h = congress
    proposer = h.delegates[0]
    me = h.user("daibiao", h.union, person=proposer.person, role=None)
    p = propose(h)
    d = dt.date(2025, 3, 10)
    step(h, p, "sort", d, category="经营管理")
    step(h, p, "accept", d)
    step(h, p, "assign", d, department="医务科", leader="张副院长")
    step(h, p, "reply", dt.date(2025, 4, 1), reply="已落实。")
    step(h, p, "mid_year", dt.date(2025, 6, 1))
    # The proposer sees their proposal but may not take the union's steps.
    assert selectors.get_proposal(me, p.pk) == p
    with pytest.raises(PermissionDenied):
        step_as = services.take_proposal_step
        step_as(me, p, "excellent", on=d)
    p = services.take_proposal_step(
        me, p, "feedback", on=dt.date(2025, 12, 1), data={"satisfaction": "basically_satisfied"}
    )
    assert p.satisfaction == "basically_satisfied"
    f = selectors.figures(h.officer, h.s, on=dt.date(2025, 12, 31))
    assert (f["responses"], f["satisfied"], f["satisfaction_rate"]) == (1, 1, 1.0)
    # Another delegate does not see it.
    other = h.user("other_daibiao", h.union, person=h.delegates[5].person, role=None)
    with pytest.raises(Proposal.DoesNotExist):
        selectors.get_proposal(other, p.pk)


def test_42_proposals_of_the_hospital_congress_give_the_figures(h):
    """004:L342: 本次会议共收集提案42件 — sorted, 36 accepted and 6 converted to opinions; 30
    replied (25 by the deadline), 6 still owed; feedback 20 satisfied, 7 basically, 3 not."""
    delegates = h.seat(40, "voting")
    session = h.session()
    h.attend(session, 36, leaders=9)
    categories = [
        "改革发展",
        "经营管理",
        "劳动报酬与分配",
        "安全生产与劳动保护",
        "职工生活与福利",
        "民主管理",
        "其他",
    ]
    sort_on, assign_on = dt.date(2025, 3, 10), dt.date(2025, 3, 15)
    answers = ["satisfied"] * 20 + ["basically_satisfied"] * 7 + ["dissatisfied"] * 3
    for i in range(42):
        p = services.submit_proposal(
            h.officer,
            session,
            proposer=delegates[i % 40],
            seconders=[delegates[(i + 1) % 40], delegates[(i + 2) % 40]],
            title=f"提案{i + 1}",
            reasons="理由",
            on=HELD,
        )
        p = services.take_proposal_step(
            h.officer, p, "sort", on=sort_on, data={"category": categories[i % 7]}
        )
        if i >= 36:
            services.take_proposal_step(
                h.officer, p, "convert", on=sort_on, data={"reason": "转为意见建议"}
            )
            continue
        services.take_proposal_step(h.officer, p, "accept", on=sort_on)
        p = services.take_proposal_step(
            h.officer, p, "assign", on=assign_on, data={"department": "院办", "leader": "院长"}
        )
        if i >= 30:
            continue  # reply still owed, past its deadline
        replied = (
            p.reply_due - dt.timedelta(days=1) if i < 25 else p.reply_due + dt.timedelta(days=3)
        )
        services.take_proposal_step(h.officer, p, "reply", on=replied, data={"reply": "已办理"})
        services.take_proposal_step(h.officer, p, "mid_year", on=dt.date(2025, 6, 30))
        services.take_proposal_step(
            h.officer, p, "feedback", on=dt.date(2025, 12, 20), data={"satisfaction": answers[i]}
        )
    f = selectors.figures(h.officer, session, on=dt.date(2025, 12, 31))
    assert f["total"] == 42
    assert sum(n for _c, n in f["by_category"]) == 42
    assert dict(f["by_category"])["改革发展"] == 6
    assert (f["accepted"], f["opinions"]) == (36, 6)
    assert {k: n for k, _label, n in f["by_state"]} == {"opinion": 6, "assigned": 6, "closed": 30}
    assert (f["replies_due"], f["on_time"], f["overdue"]) == (36, 25, 6)
    assert f["on_time_rate"] == pytest.approx(25 / 36)
    assert (f["responses"], f["satisfied"]) == (30, 27)
    assert f["satisfaction_rate"] == pytest.approx(0.9)
    assert selectors.attendance(h.officer, session)["total"] == 36 + 9


# -- rationalization proposals ----------------------------------------------------------------


PANEL = "张工、李工、王工"


def test_a_rationalization_proposal_is_rewarded_by_its_benefit_band(h, world):
    def through(title, benefit):
        s = services.submit_suggestion(
            h.officer,
            h.union,
            title=title,
            content="…",
            submitter_name="刘师傅",
            on=dt.date(2026, 3, 1),
        )
        services.take_suggestion_step(
            h.officer, s, "adopt", on=dt.date(2026, 3, 10), data={"panel": PANEL}
        )
        services.take_suggestion_step(
            h.officer, s, "implement", on=dt.date(2026, 4, 1), note="已实施"
        )
        return services.take_suggestion_step(
            h.officer, s, "reward", on=dt.date(2026, 6, 1), data={"benefit": benefit}
        )

    assert through("节电改造", "60000").reward == Decimal(2000)
    assert through("复印纸双面打印", "9999.99").reward == Decimal(200)
    assert through("安全标识", "0").reward == Decimal(200)
    big = through("锅炉余热回收", "500000")
    assert (big.benefit, big.reward, big.state) == (
        Decimal("500000.00"),
        Decimal(10000),
        "rewarded",
    )
    assert selectors.suggestion_figures(h.officer, h.union)["rewards"] == Decimal(12400)
    set_override(
        world.system,
        key="congress.suggestion.reward_bands",
        org=h.union,
        value=[{"benefit_from": 0, "reward": 100}, {"benefit_from": 50000, "reward": 3000}],
        valid_from=dt.date(2026, 1, 1),
        reason="院工会合理化建议奖励办法",
    )
    assert through("门诊排队优化", "60000").reward == Decimal(3000)


def test_the_review_panel_and_its_reasons_are_required(h):
    s = services.submit_suggestion(
        h.officer,
        h.union,
        title="食堂节水",
        content="…",
        submitter_name="赵阿姨",
        on=dt.date(2026, 3, 1),
    )
    assert "至少 3 名" in refused(
        services.take_suggestion_step,
        h.officer,
        s,
        "adopt",
        on=dt.date(2026, 3, 2),
        data={"panel": "张工、李工"},
    )
    assert "理由" in refused(
        services.take_suggestion_step,
        h.officer,
        s,
        "reject",
        on=dt.date(2026, 3, 2),
        data={"panel": PANEL},
    )
    assert "不能进行“按经济效益奖励”" in refused(
        services.take_suggestion_step,
        h.officer,
        s,
        "reward",
        on=dt.date(2026, 3, 2),
        data={"benefit": "1"},
    )
    s = services.take_suggestion_step(
        h.officer,
        s,
        "reject",
        on=dt.date(2026, 3, 2),
        data={"panel": PANEL, "reason": "已有同类措施"},
    )
    assert (s.state, s.decision_reason, s.panel) == ("rejected", "已有同类措施", PANEL)
    assert "姓名" in refused(
        services.submit_suggestion, h.officer, h.union, title="t", content="c", submitter_name=" "
    )


# -- across organizations ------------------------------------------------------------------------


def test_other_unions_can_neither_read_nor_write(congress, world):
    h = congress
    p = propose(h)
    s = services.submit_suggestion(
        h.officer, h.union, title="t", content="c", submitter_name="某人"
    )
    for intruder in (
        h.intruder,
        world.users["a1_officer"],
        world.users["viewer"],
        world.users["expired"],
    ):
        with pytest.raises(CongressSession.DoesNotExist):
            selectors.get_session(intruder, h.s.pk)
        with pytest.raises(Proposal.DoesNotExist):
            selectors.get_proposal(intruder, p.pk)
        assert not selectors.proposals(intruder).exists()
        with pytest.raises(PermissionDenied):
            selectors.figures(intruder, h.s)
        with pytest.raises(PermissionDenied):
            services.take_proposal_step(intruder, p, "sort", on=HELD, data={"category": "其他"})
        with pytest.raises(PermissionDenied):
            propose_as(intruder, h)
        with pytest.raises(PermissionDenied):
            services.record_attendance(intruder, h.s, present=[])
        with pytest.raises(PermissionDenied):
            services.take_suggestion_step(intruder, s, "adopt", on=HELD, data={"panel": PANEL})
        with pytest.raises(PermissionDenied):
            services.create_session(intruder, h.union, term=7, number=1, held_on=HELD)
    # A delegate of another union's congress cannot be named in this one.
    foreign = h.seat(1, "voting", org=h.other)[0]
    assert "不是本次大会" in refused(
        services.submit_proposal, h.officer, h.s, proposer=foreign,
        seconders=h.delegates[1:3], title="t", reasons="r", on=HELD,
    )  # fmt: skip
    # A Party organization holds no workers' congress.
    assert "基层工会" in refused(
        services.create_session, world.system, world.branch_a1, term=1, number=1, held_on=HELD
    )


def propose_as(user, h):
    return services.submit_proposal(
        user,
        h.s,
        proposer=h.delegates[0],
        seconders=h.delegates[1:3],
        title="t",
        reasons="r",
        on=HELD,
    )
