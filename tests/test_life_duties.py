"""Organizational life in the to-do centre: meetings due soon and overdue, meetings to confirm,
minutes to write, leave to decide, open tasks, and members not seen for six months (flagged
to their own secretary only). Dates are passed in (`today=`), so the tests hold on any day."""

import datetime as dt
import itertools

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


# -- the set-based judgement against the compliance table it replaced --------------------------


def _by_compliance(user, orgs, today, policy):
    """The duty as it was computed before (one `compliance` row per organization of each
    managed subtree, in Python): the oracle the set-based query must agree with."""
    from jiceng.life import selectors
    from jiceng.life.duties import KIND_LABELS, _month_index, window_label

    managed = set(orgs.values_list("pk", flat=True))
    first_of_month = today.replace(day=1)
    start = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    found = []
    for root in orgs.exclude(parent__in=orgs).order_by("path"):
        for row in selectors.compliance(user, root, start=start, end=today, on=today):
            org = row["org"]
            if org.pk not in managed:
                continue
            for k in row["kinds"]:
                kind = KIND_LABELS.get(k["kind"], k["kind"])
                current = k["current"]
                if k["missed_windows"]:
                    end = (current["start"] if current else first_of_month) - dt.timedelta(1)
                    first = _month_index(end) - k["every"] + 1
                    begin = dt.date(first // 12, first % 12 + 1, 1)
                    label = window_label(begin, end)
                    title = f"{label}{kind}未按期召开（应于 {end} 前召开）"
                    found.append((org.code, "life.meeting_missed", title, end))
                due = k["due"]
                soon = int(policy.value("life.due_soon_days", org))
                if current and not k["current_met"] and due and (due - today).days <= soon:
                    label = window_label(current["start"], current["end"])
                    title = f"{label}{kind}尚未召开（应于 {due} 前召开）"
                    found.append((org.code, "life.meeting_due", title, due))
    return found


def test_required_meetings_judged_in_the_database_agree_with_compliance(world):
    """Several kinds of requirement (branches' general, committee, group … meetings; a union's
    committee and assembly), met, missed and failed for quorum, an override of the frequency
    from mid-year under one street and of `life.due_soon_days` on one branch, a branch founded
    mid-year and one dissolved later: every item and count equals the compliance table's."""
    from jiceng.access import gate
    from jiceng.access.models import Role, Scope
    from jiceng.access.services import assign_role, create_user
    from jiceng.kernel.duties import Total
    from jiceng.life.duties import _required_meeting_duties
    from jiceng.life.models import MeetingKind
    from jiceng.orgs.models import Kind, Organization
    from jiceng.orgs.services import set_up
    from jiceng.orgs.services.policy import set_override
    from jiceng.policy.selectors import Snapshot
    from tests.test_life_compliance import meet

    year = 2025
    set_override(
        world.system,
        key="life.every.branch.branch_general",
        org=world.street_a,
        value=1,
        valid_from=dt.date(year, 7, 1),
        reason="和平街道〔2025〕12号",
    )
    set_override(
        world.system,
        key="life.due_soon_days",
        org=world.branch_a2,
        value=40,
        valid_from=dt.date(year, 1, 1),
        reason="支部决定",
    )
    late = set_up(
        world.system,
        code="A3",
        name="和平社区第三党支部",
        kind=Kind.BRANCH,
        parent=world.street_a,
        founded_on=dt.date(year, 8, 20),
    )
    going = set_up(
        world.system,
        code="B2",
        name="新华社区第二党支部",
        kind=Kind.BRANCH,
        parent=world.street_b,
        founded_on=dt.date(2010, 1, 1),
    )
    Organization.objects.filter(pk=going.pk).update(dissolved_on=dt.date(year, 11, 15))
    union = set_up(
        world.system,
        code="UB",
        name="和平社区工会",
        kind=Kind.UNION,
        parent=world.union,
        founded_on=dt.date(2010, 1, 1),
    )
    general, committee = MeetingKind.BRANCH_GENERAL, MeetingKind.BRANCH_COMMITTEE
    for month in (2, 5, 7, 9, 10):
        meet(world, world.branch_a1, general, dt.date(year, month, 10), quorum_met=True)
        meet(world, world.branch_a1, committee, dt.date(year, month, 12))
    meet(world, world.branch_a2, general, dt.date(year, 6, 3), quorum_met=False)
    meet(world, world.branch_b1, general, dt.date(year, 5, 3))
    meet(world, world.branch_b1, general, dt.date(year, 11, 3))
    meet(world, late, committee, dt.date(year, 9, 3))
    meet(world, union, MeetingKind.UNION_COMMITTEE, dt.date(year, 9, 3))

    union_admin = create_user(world.system, username="u_admin", password="x" * 12, full_name="工")
    assign_role(
        world.system,
        user=union_admin,
        role=Role.UPPER_ADMIN,
        org=world.union,
        scope=Scope.SUBTREE,
        valid_from=dt.date(2010, 1, 1),
    )
    days = [dt.date(year, 6, 28), dt.date(year, 7, 3), dt.date(year, 9, 25), dt.date(year, 10, 1)]
    days += [
        dt.date(year, 11, 20),
        dt.date(year, 12, 1),
        dt.date(year, 12, 30),
        dt.date(year + 1, 1, 2),
    ]
    compared = 0
    for admin, today in itertools.product([world.users["district_admin"], union_admin], days):
        orgs = Organization.objects.filter(gate.org_filter(admin, gate.OVERSEE))
        policy = Snapshot(today)
        expected = _by_compliance(admin, orgs, today, policy)
        rows = list(_required_meeting_duties(admin, orgs, today, policy, 10_000))
        got = [(d.org.code, d.kind, d.title, d.due) for d in rows if not isinstance(d, Total)]
        assert sorted(got) == sorted(expected), today
        totals = {t.kind: t.count for t in rows if isinstance(t, Total)}
        for kind in ("life.meeting_missed", "life.meeting_due"):
            assert totals[kind] == sum(e[1] == kind for e in expected), (today, kind)
            capped = list(_required_meeting_duties(admin, orgs, today, policy, 2))
            listed = [d for d in capped if not isinstance(d, Total) and d.kind == kind]
            assert len(listed) == min(2, totals[kind])
            assert {(d.org.code, d.kind, d.title, d.due) for d in listed} <= set(expected)
            assert Total(kind, totals[kind]) in capped
        compared += len(expected)
        if (
            today == dt.date(year, 12, 1) and admin != union_admin
        ):  # 30 days left: only A2 (40 days) is told already
            due = {e[0] for e in expected if e[1] == "life.meeting_due" and "党员大会" in e[2]}
            assert due == {"A2"}
    assert compared > 30  # the fixture exercises both kinds on most days
