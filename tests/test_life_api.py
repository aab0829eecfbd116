"""The organizational-life API: what a member and an officer see and do through it."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from jiceng.life import services
from tests.test_life_services import People, general

TODAY = timezone.localdate()


@pytest.fixture
def people(world):
    return People(world)


@pytest.fixture
def a1(world, people):
    return {n: people.add(n, world.branch_a1) for n in ["甲", "乙", "丙"]}


def body(response):
    return json.loads(response.content)


def live_meeting(world):
    """A meeting of A1 whose sign-in window is open now."""
    now = timezone.now()
    return services.schedule_meeting(
        world.users["a1_officer"],
        world.branch_a1,
        kind="branch_general",
        topic="正在开的党员大会",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=1),
    )


def test_a_member_signs_in_through_the_api_once(world, a1, people, login):
    m = live_meeting(world)
    member = login(people.users["甲"])
    response = member.post(
        "/api/v1/life/sign-in", {"code": m.sign_in_code}, content_type="application/json"
    )
    assert response.status_code == 201
    data = body(response)
    assert (data["presence"], data["method"], data["meeting"]["present"]) == ("present", "code", 1)
    again = member.post(
        "/api/v1/life/sign-in", {"token": m.sign_in_token}, content_type="application/json"
    )
    assert again.status_code == 201 and body(again)["meeting"]["present"] == 1
    wrong = member.post("/api/v1/life/sign-in", {"code": "12"}, content_type="application/json")
    assert wrong.status_code == 400 and "签到码" in body(wrong)["fields"]["code"][0]
    mine = body(member.get("/api/v1/life/my-meetings"))
    assert [(i["topic"], i["my_presence"]) for i in mine["items"]] == [
        ("正在开的党员大会", "present")
    ]


def test_the_sign_in_code_is_shown_to_officers_and_the_recorder_only(world, a1, people, login):
    m = general(world, recorder=a1["乙"])
    url = f"/api/v1/life/meetings/{m.pk}"
    as_member = body(login(people.users["甲"]).get(url))
    assert as_member["sign_in"] is None
    assert {a["name"] for a in as_member["attendance"]} == {"甲", "乙", "丙"}
    as_recorder = body(login(people.users["乙"]).get(url))
    assert as_recorder["sign_in"]["code"] == m.sign_in_code
    as_officer = body(login(world.users["a1_officer"]).get(url))
    assert as_officer["sign_in"]["token"] == m.sign_in_token
    assert as_officer["expected"] == 3 and as_officer["absent"] is None  # not held yet
    assert login(world.users["a2_officer"]).get(url).status_code == 404


def test_leave_is_asked_through_the_api(world, a1, people, login):
    m = general(world)
    member = login(people.users["丙"])
    response = member.post(
        f"/api/v1/life/meetings/{m.pk}/leave", {"reason": "出差"}, content_type="application/json"
    )
    assert response.status_code == 201 and body(response)["decision"] == "pending"
    twice = member.post(
        f"/api/v1/life/meetings/{m.pk}/leave", {"reason": "出差"}, content_type="application/json"
    )
    assert twice.status_code == 400 and body(twice)["code"] == "invalid"
    officer_view = body(login(world.users["a1_officer"]).get(f"/api/v1/life/meetings/{m.pk}"))
    assert [x["name"] for x in officer_view["leave_requests"]] == ["丙"]


def test_meetings_and_compliance_of_an_organization(world, a1, login):
    general(world)
    general(world, topic="第二次")
    officer = login(world.users["street_a_admin"])
    page = body(officer.get("/api/v1/life/meetings", {"org": "SA", "subtree": "true", "limit": 1}))
    assert len(page["items"]) == 1 and page["next"]
    rest = body(
        officer.get("/api/v1/life/meetings", {"org": "SA", "subtree": True, "cursor": page["next"]})
    )
    assert len(rest["items"]) == 1
    assert body(officer.get("/api/v1/life/meetings", {"org": "SA"}))["items"] == []  # own only
    found = body(officer.get("/api/v1/life/compliance", {"org": "SA"}))
    rows = {r["org"]["code"]: r for r in found["rows"]}
    assert {"A1", "A2"} <= set(rows)
    kinds = {k["kind"]: k for k in rows["A1"]["kinds"]}
    assert (
        kinds["branch_general"]["every"] == 3
        and kinds["branch_general"]["kind_label"] == "党员大会"
    )
    assert found["start"] == f"{TODAY.year}-01-01"
    bad = officer.get(
        "/api/v1/life/compliance", {"org": "SA", "start": "2026-05-01", "end": "2026-01-01"}
    )
    assert bad.status_code == 400
    assert (
        login(world.users["a2_officer"]).get("/api/v1/life/compliance", {"org": "A1"}).status_code
        == 404
    )


def test_compliance_for_a_period_with_meetings_held_by_kind(world, a1, people, login):
    from tests.test_life_services import at

    m = general(world, day=TODAY)
    for name in ("甲", "乙"):
        services.sign_in(people.users[name], code=m.sign_in_code, now=at(TODAY, 14))
    services.mark_held(world.users["a1_officer"], m, now=at(TODAY, 15))
    period = f"{TODAY.year}-{TODAY.month:02d}"
    street = login(world.users["street_a_admin"])
    found = body(street.get("/api/v1/life/compliance", {"org": "SA", "period": period}))
    assert (found["period"], found["start"]) == (period, f"{period}-01")
    rows = {r["org"]["code"]: r for r in found["rows"]}
    assert rows["A1"]["held_by_kind"] == {"branch_general": 1}
    assert rows["A2"]["held_by_kind"] == {}
    totals = found["totals"]
    assert totals["held_by_kind"] == {"branch_general": 1} and totals["meetings_held"] == 1
    assert totals["attendance"] == {"numerator": 2, "denominator": 3, "rate": 66.7}
    assert totals["organizations"] >= 2
    quarter = f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}"
    assert body(street.get("/api/v1/life/compliance", {"org": "A1", "period": quarter}))["totals"][
        "held_by_kind"
    ] == {"branch_general": 1}
    both = street.get(
        "/api/v1/life/compliance", {"org": "SA", "period": period, "end": period + "-28"}
    )
    assert both.status_code == 400
    assert street.get("/api/v1/life/compliance", {"org": "SA", "period": "2026Q5"}).status_code in (
        400,
        422,
    )
    other = login(world.users["a2_officer"]).get(
        "/api/v1/life/compliance", {"org": "A1", "period": period}
    )
    assert other.status_code == 404


def test_a_member_lists_and_closes_their_own_tasks_through_the_api(world, a1, people, login):
    m = live_meeting(world)
    officer = world.users["a1_officer"]
    services.mark_held(officer, m)
    mine = services.add_action_item(officer, m, text="走访困难党员", owner=a1["甲"], due_on=TODAY)
    services.add_action_item(officer, m, text="整理档案", owner=a1["乙"], due_on=TODAY)
    member = login(people.users["甲"])
    listed = body(member.get("/api/v1/life/my-tasks"))
    assert [(i["text"], i["meeting_topic"]) for i in listed["items"]] == [
        ("走访困难党员", "正在开的党员大会")
    ]
    # Another member's task is not theirs to close: the same 404 as a task that does not exist.
    other = services.add_action_item(officer, m, text="联系社区", owner=a1["丙"], due_on=TODAY)
    refused = member.post(
        f"/api/v1/life/my-tasks/{other.pk}/close", {}, content_type="application/json"
    )
    assert refused.status_code == 404
    done = member.post(
        f"/api/v1/life/my-tasks/{mine.pk}/close",
        {"follow_up": "已走访3户"},
        content_type="application/json",
    )
    assert done.status_code == 200 and body(done)["closed_on"] == str(TODAY)
    assert body(member.get("/api/v1/life/my-tasks"))["items"] == []
    closed = body(member.get("/api/v1/life/my-tasks?closed=true"))["items"]
    assert [(i["text"], i["follow_up"]) for i in closed] == [("走访困难党员", "已走访3户")]
