"""Organizational life in the to-do centre: meetings due soon and overdue, meetings to confirm,
minutes to write, leave to decide, open tasks, and members not seen for six months (flagged
to their own secretary only). Dates are passed in (`today=`), so the tests hold on any day."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiceng.life import services
from jiceng.life.activity import last_activity
from jiceng.people.services import enrol_member, register_person
from jiceng.todo.selectors import duties_for
from tests.test_life_services import People, at, general

TODAY = timezone.localdate()
QUARTERS = ["第一季度", "第二季度", "第三季度", "第四季度"]


def quarter_end(day: dt.date) -> dt.date:
    month = (day.month - 1) // 3 * 3 + 3
    first_after = dt.date(day.year + (month == 12), month % 12 + 1, 1)
    return first_after - dt.timedelta(days=1)


def life_duties(user, today, kind=None):
    found = [i for i in duties_for(user, today=today) if i.duty.kind.startswith("life.")]
    return [i for i in found if kind is None or i.duty.kind == kind]


def titles(user, today, kind):
    return [i.duty.title for i in life_duties(user, today, kind)]


@pytest.fixture
def people(world):
    return People(world)


@pytest.fixture
def a1(world, people):
    found = {n: people.add(n, world.branch_a1) for n in ["甲", "乙", "丙", "丁"]}
    found["外支部"] = people.add("外支部", world.branch_b1)
    return found


def test_the_quarters_general_meeting_is_due_soon_then_overdue(world, a1):
    officer = world.users["a1_officer"]
    end = quarter_end(TODAY)
    judge = max(TODAY, end - dt.timedelta(days=3))
    quarter = QUARTERS[(end.month - 1) // 3]
    due = life_duties(officer, judge, "life.meeting_due")
    assert f"{quarter}党员大会尚未召开（应于 {end} 前召开）" in [i.duty.title for i in due]
    assert f"{end.month}月支委会尚未召开（应于 {end} 前召开）" in [i.duty.title for i in due]
    assert {i.urgency for i in due} == {"due_soon"}
    assert {i.duty.org.code for i in due} == {"A1"}  # B1 is not theirs

    after = end + dt.timedelta(days=6)
    missed = life_duties(officer, after, "life.meeting_missed")
    assert f"{quarter}党员大会未按期召开（应于 {end} 前召开）" in [i.duty.title for i in missed]
    assert {i.urgency for i in missed} == {"overdue"}
    # a month later the gap is for the compliance view, not the to-do list
    later = life_duties(officer, end + dt.timedelta(days=40), "life.meeting_missed")
    assert not [i for i in later if quarter in i.duty.title]
    # another branch's officer sees none of A1's duties
    assert not [i for i in life_duties(world.users["a2_officer"], judge) if i.duty.org.code == "A1"]


def test_a_general_meeting_held_with_quorum_meets_the_quarter(world, a1, people):
    officer = world.users["a1_officer"]
    end = quarter_end(TODAY)
    judge = max(TODAY, end - dt.timedelta(days=3))
    m = general(world, day=TODAY)
    for name in ["甲", "乙", "丙"]:
        services.sign_in(people.users[name], code=m.sign_in_code, now=at(TODAY, 14))
    services.mark_held(officer, m, now=at(TODAY, 15))
    due = titles(officer, judge, "life.meeting_due")
    assert not [t for t in due if "党员大会" in t]
    assert [t for t in due if "支委会" in t]  # other kinds are still due
    assert last_activity([world.branch_a1.pk, world.branch_b1.pk]) == {world.branch_a1.pk: TODAY}


def test_meetings_over_but_unconfirmed_and_minutes_missing(world, a1, people):
    officer = world.users["a1_officer"]
    yesterday = TODAY - dt.timedelta(days=1)
    m = general(world, day=yesterday, topic="昨天的党员大会")
    assert titles(officer, TODAY, "life.meeting_unconfirmed") == [
        f"“昨天的党员大会”（{yesterday}）已结束，请登记为已召开或取消。"
    ]
    services.mark_held(officer, m)
    assert titles(officer, TODAY, "life.meeting_unconfirmed") == []
    missing = life_duties(officer, TODAY, "life.minutes_missing")
    assert [i.duty.title for i in missing] == [
        f"请填写“昨天的党员大会”（{yesterday}）的会议记录，{m.freezes_on} 后锁定。"
    ]
    assert missing[0].duty.due == m.freezes_on and missing[0].duty.url == f"/life/meetings/{m.pk}/"
    services.save_minutes(officer, m, content="学习条例")
    assert titles(officer, TODAY, "life.minutes_missing") == []


def test_pending_leave_is_a_duty_until_decided(world, a1, people):
    officer = world.users["a1_officer"]
    m = general(world)
    services.request_leave(people.users["丁"], m, reason="值班")
    leave_titles = titles(officer, TODAY, "life.leave_pending")
    assert len(leave_titles) == 1 and "丁" in leave_titles[0] and "值班" in leave_titles[0]
    assert not life_duties(world.users["a2_officer"], TODAY, "life.leave_pending")
    with pytest.raises(PermissionDenied):
        services.decide_leave(world.users["a2_officer"], m.leave_requests.get(), approve=True)
    services.decide_leave(officer, m.leave_requests.get(), approve=True)
    assert titles(officer, TODAY, "life.leave_pending") == []


def test_open_action_items_are_duties_until_closed(world, a1, people):
    officer = world.users["a1_officer"]
    m = general(world, day=TODAY)
    due = TODAY + dt.timedelta(days=3)
    item = services.add_action_item(officer, m, text="整理党员档案", owner=a1["乙"], due_on=due)
    found = life_duties(officer, TODAY, "life.action_open")
    assert [i.duty.title for i in found] == [
        f"“第四季度党员大会”交办任务：整理党员档案（责任人：乙，{due} 前完成）"
    ]
    assert found[0].urgency == "due_soon"
    assert (
        life_duties(officer, due + dt.timedelta(days=1), "life.action_open")[0].urgency == "overdue"
    )
    services.close_action_item(people.users["乙"], item, follow_up="已整理")
    assert life_duties(officer, TODAY, "life.action_open") == []


def test_members_absent_six_months_are_flagged_to_their_secretary(world, a1, people):
    officer = world.users["a1_officer"]
    u = people.users
    first = general(world, day=TODAY, topic="第一次")
    for name in ["甲", "丙"]:
        services.sign_in(u[name], code=first.sign_in_code, now=at(TODAY, 14))
    services.mark_held(officer, first, now=at(TODAY, 15))
    later = TODAY + dt.timedelta(days=200)
    newcomer = register_person(world.system, org=world.branch_a1, name="新党员")
    enrol_member(
        world.system,
        newcomer,
        org=world.branch_a1,
        stage="full",
        joined_on=TODAY + dt.timedelta(days=100),
        full_on=TODAY + dt.timedelta(days=100),
    )
    second = general(world, day=later, topic="第二次")
    services.sign_in(u["丙"], code=second.sign_in_code, now=at(later, 14))
    services.mark_held(officer, second, now=at(later, 15))

    flagged = titles(officer, later, "life.member_inactive")
    assert sorted(flagged) == sorted(
        [
            f"甲 自 {TODAY} 以来未参加组织生活（已超过 6 个月），请了解情况（仅为提醒，由支部研究决定）。",
            "乙 已超过 6 个月未参加组织生活，请了解情况（仅为提醒，由支部研究决定）。",
            "丁 已超过 6 个月未参加组织生活，请了解情况（仅为提醒，由支部研究决定）。",
        ]
    )  # 丙 came; the newcomer was first expected only lately
    assert titles(officer, TODAY, "life.member_inactive") == []  # not six months yet
    # the flag reaches the branch's own secretary, not every upper level, nor another branch
    assert titles(world.users["street_a_admin"], later, "life.member_inactive") == []
    assert titles(world.users["a2_officer"], later, "life.member_inactive") == []


def test_a_branch_that_holds_no_meetings_is_flagged_itself(world, people):
    """Its members are never flagged absent (they were expected at nothing), so the gap must
    show as the branch's own missed meetings, to its secretary and the upper level."""
    for name in ["二甲", "二乙"]:
        people.add(name, world.branch_a2)
    later = TODAY + dt.timedelta(days=200)
    month_end = later.replace(day=1) - dt.timedelta(days=1)
    secretary, street = world.users["a2_officer"], world.users["street_a_admin"]
    assert titles(secretary, later, "life.member_inactive") == []
    expected = f"{month_end.month}月支委会未按期召开（应于 {month_end} 前召开）"
    missed = life_duties(secretary, later, "life.meeting_missed")
    assert expected in [i.duty.title for i in missed if i.duty.org.code == "A2"]
    assert {i.urgency for i in missed} == {"overdue"}
    from_street = life_duties(street, later, "life.meeting_missed")
    assert expected in [i.duty.title for i in from_street if i.duty.org.code == "A2"]
    # A1's secretary is not told about A2
    assert not [i for i in life_duties(world.users["a1_officer"], later) if i.duty.org.code == "A2"]
