"""The to-do centre: each app's duties, for the organizations a user manages, most urgent first."""

import datetime as dt

from jiceng.access.models import Role
from jiceng.access.services import assign_role, create_user
from jiceng.kernel import duties as registry
from jiceng.kernel.duties import OVERDUE, Duty
from jiceng.todo.selectors import duties_for

TODAY = dt.date.today()


def test_apps_contribute_duty_sources():
    assert "access" in {label for label, _ in registry.sources()}


def test_an_organization_without_officer_is_a_duty_for_its_upper_level(world):
    missing = {
        i.duty.org.code
        for i in duties_for(world.users["district_admin"])
        if i.duty.kind == "access.no_officer"
    }
    assert missing == {"SB", "B1"}  # a viewer is no officer; A1, A2 and SA have someone
    assert not [
        i for i in duties_for(world.users["street_a_admin"]) if i.duty.kind == "access.no_officer"
    ]  # street B is not theirs


def test_expiring_appointments_come_first_with_their_date(world):
    soon = TODAY + dt.timedelta(days=5)
    temp = create_user(world.system, username="temp", password=None)
    assign_role(
        world.system,
        user=temp,
        role=Role.OFFICER,
        org=world.branch_a2,
        valid_from=dt.date(2020, 1, 1),
        valid_until=soon + dt.timedelta(days=1),  # the last day in force: soon
    )
    items = duties_for(world.users["street_a_admin"])
    # overdue duties (meetings missed) come before it; it leads everything merely due soon
    items = [i for i in items if i.urgency != "overdue"]
    assert items[0].duty.kind == "access.assignment_expiring"
    assert items[0].duty.due == soon and items[0].urgency == "due_soon"


def test_members_and_viewers_owe_nothing_and_see_no_duties(world):
    assert duties_for(world.users["a1_member"]) == []
    assert duties_for(world.users["viewer"]) == []
    assert duties_for(world.users["expired"]) == []


def test_overdue_sorts_before_due_soon_before_undated():
    org = object()
    duties = [
        Duty(org, "无期限", "x"),
        Duty(org, "下周", "x", due=TODAY + dt.timedelta(days=7)),
        Duty(org, "昨天", "x", due=TODAY - dt.timedelta(days=1)),
        Duty(org, "上月", "x", due=TODAY - dt.timedelta(days=30)),
    ]
    ordered = sorted(duties, key=lambda d: registry.sort_key(d, TODAY, 14))
    assert [d.title for d in ordered] == ["上月", "昨天", "下周", "无期限"]
    assert ordered[0].urgency(TODAY, 14) == OVERDUE


def test_the_centre_page_lists_duties_in_chinese(world, login):
    page = login(world.users["district_admin"]).get("/todo/").content.decode()
    assert "待办中心" in page and "新华社区第一党支部" in page


def test_the_switcher_narrows_the_centre_to_one_subtree(world, login):
    client = login(world.users["district_admin"])
    assert "新华社区第一党支部" in client.get("/todo/").content.decode()
    client.post("/switch/", {"org": "SA"})
    page = client.get("/todo/").content.decode()
    assert "新华社区第一党支部" not in page and "中共和平街道工作委员会" in page
