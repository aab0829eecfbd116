"""The to-do centre: each app's duties, for the organizations a user manages, most urgent first."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.access.models import Role
from jiceng.access.services import assign_role, create_token, create_user
from jiceng.kernel import duties as registry
from jiceng.kernel.duties import OVERDUE, Duty
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.todo.selectors import centre, duties_for

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


def test_members_and_lapsed_users_owe_nothing_and_see_no_duties(world):
    assert duties_for(world.users["a1_member"]) == []
    assert duties_for(world.users["expired"]) == []
    assert duties_for(world.users["nobody"]) == []


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


# -- scale: bounded queries, pages, groups, filters, export, the inspector ----------------------


def _branches(world, n: int, *, start: int = 0, parent=None):
    """`n` branches nobody can act for, each too big (a duty per branch of two more kinds)."""
    for i in range(start, start + n):
        set_up(
            world.system,
            code=f"X{i:03d}",
            name=f"测试第{i}党支部",
            kind=Kind.BRANCH,
            parent=parent or world.street_b,
            founded_on=dt.date(2020, 1, 1),
            reported_members=120,
        )


def _queries(user, **filters) -> int:
    with CaptureQueriesContext(connection) as captured:
        centre(user, **filters)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_organizations(world):
    admin = world.users["district_admin"]
    _branches(world, 5)
    few = _queries(admin)
    _branches(world, 40, start=5)
    many = _queries(admin)
    found = centre(admin)
    assert {g.kind: g.count for g in found.groups}["access.no_officer"] == 47  # SB, B1, 45 new
    assert many == few, f"{few} queries for 11 organizations, {many} for 51"


def test_the_rendered_page_costs_the_same_queries_for_more_organizations(world, login):
    """Duties load only the organization columns they show: no lazy load per listed item."""
    client = login(world.users["district_admin"])
    _branches(world, 5)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/todo/").status_code == 200
    _branches(world, 40, start=5)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/todo/").status_code == 200
    assert len(many) == len(few)


def _shown(items) -> list[tuple]:
    return [
        (i.duty.kind, i.duty.title, i.duty.due, str(i.duty.url), i.duty.org.pk, i.urgency)
        for i in items
    ]


@pytest.mark.parametrize(
    "filters",
    [{}, {"kind": "orgs.oversized_branch"}, {"urgency": "open"}, {"urgency": OVERDUE}],
)
def test_a_page_and_the_groups_are_those_of_the_full_list(world, filters):
    _branches(world, 60)
    admin = world.users["district_admin"]
    full = [
        i
        for i in duties_for(admin)
        if filters.get("kind", i.duty.kind) == i.duty.kind
        and filters.get("urgency", i.urgency) == i.urgency
    ]
    for page in (1, 2, 3):
        found = centre(admin, page=page, **filters)
        assert _shown(found.items) == _shown(full[(found.page - 1) * 50 : found.page * 50])
        assert found.count == len(full)
    listed = [i for i in duties_for(admin) if filters.get("urgency", i.urgency) == i.urgency]
    groups = {g.kind: (g.count, g.overdue) for g in centre(admin, **filters).groups}
    expected = {
        kind: (
            sum(1 for i in listed if i.duty.kind == kind),
            sum(1 for i in listed if i.duty.kind == kind and i.urgency == OVERDUE),
        )
        for kind in {i.duty.kind for i in listed}
    }
    assert groups == expected


def test_the_centre_pages_groups_and_counts_every_kind(world, login):
    _branches(world, 60)
    admin = world.users["district_admin"]
    first = centre(admin)
    groups = {g.kind: g for g in first.groups}
    assert groups["access.no_officer"].count == 62 and not groups["access.no_officer"].capped
    assert groups["orgs.oversized_branch"].count == 60
    assert first.count > 120 and first.pages == -(-first.count // 50)
    assert len(first.items) == 50
    last = centre(admin, page=first.pages)
    assert len(last.items) == first.count - 50 * (first.pages - 1)
    seen = {id(i) for i in first.items}
    assert not seen & {id(i) for i in last.items}
    page = login(admin).get("/todo/").content.decode()
    assert "没有负责人的组织" in page and ">62<" in page.replace(" ", "")
    assert page.count("jc-duty-") == 50 and 'id="next-page"' in page
    second = login(admin).get("/todo/", {"page": 2}).content.decode()
    assert 'id="previous-page"' in second


def test_the_centre_filters_by_kind_urgency_and_subtree(world, login):
    _branches(world, 3)
    admin = world.users["district_admin"]
    kind = centre(admin, kind="access.no_officer")
    assert kind.count == 5 and {i.duty.kind for i in kind.items} == {"access.no_officer"}
    assert len(kind.groups) > 1  # the other kinds stay listed, to switch to
    overdue = centre(admin, urgency="overdue")
    assert overdue.items and {i.urgency for i in overdue.items} == {"overdue"}
    street_a = centre(admin, org=world.street_a)
    assert street_a.items and all(i.duty.org.code in {"SA", "A1", "A2"} for i in street_a.items)
    page = login(admin).get("/todo/", {"org": "SA", "kind": "access.no_officer"})
    assert "测试第0党支部" not in page.content.decode()
    assert login(admin).get("/todo/", {"org": "NOPE"}).status_code == 404


def test_the_inspector_sees_the_subtree_read_only(world, login):
    inspector = world.users["viewer"]  # a read-only viewer over street B, like demo user ck
    found = centre(inspector)
    assert found.read_only and found.items
    assert {i.duty.org.code for i in found.items} <= {"SB", "B1"}
    assert not any(i.actionable for i in found.items)
    page = login(inspector).get("/todo/").content.decode()
    assert "新华社区第一党支部" in page and "只读" in page and "jc-act" not in page
    assert ">All<" not in page and "下载 Excel 表格" in page  # every label in Chinese
    managed = login(world.users["district_admin"]).get("/todo/").content.decode()
    assert "jc-act" in managed and 'id="read-only"' not in managed


def test_the_centre_exports_every_listed_item_as_xlsx(world, login):
    _branches(world, 60)
    set_up(
        world.system,
        code="EVIL",
        name="=HYPERLINK(1)支部",
        kind=Kind.BRANCH,
        parent=world.street_b,
        founded_on=dt.date(2020, 1, 1),
    )
    response = login(world.users["district_admin"]).get(
        "/todo/export.xlsx", {"kind": "access.no_officer"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.values)
    assert rows[0][:5] == ("紧急程度", "期限", "类别", "事项", "组织")
    assert len(rows) - 1 == 63  # not one page: all of them
    assert {r[2] for r in rows[1:]} == {"没有负责人的组织"}
    evil = next(r for r in rows[1:] if r[5] == "EVIL")
    assert not str(evil[4]).startswith("=")  # neutralized by the sheets layer's writer


@pytest.fixture
def bearer(world):
    def _bearer(name):
        _t, raw = create_token(world.system, user=world.users[name])
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


@pytest.mark.parametrize("who", ["district_admin", "viewer"])
def test_the_api_gives_pages_groups_and_filters(client, world, bearer, who):
    _branches(world, 60)
    got = client.get("/api/v1/todo", {"kind": "access.no_officer", "page": 2}, **bearer(who))
    assert got.status_code == 200, got.content
    body = got.json()
    assert {"items", "groups", "count", "page", "pages", "next", "read_only"} <= set(body)
    assert body["page"] == 2 and body["read_only"] == (who == "viewer")
    no_officer = next(g for g in body["groups"] if g["kind"] == "access.no_officer")
    assert no_officer["label"] == "没有负责人的组织"
    assert no_officer["count"] == 62  # SB, B1 and the new ones: all under street B
    assert len(body["items"]) == body["count"] - 50 and body["next"] is None
    assert {i["kind"] for i in body["items"]} == {"access.no_officer"}
    assert all(i["actionable"] != body["read_only"] for i in body["items"])


def test_the_policy_snapshot_answers_as_the_per_organization_lookup(world):
    from jiceng.orgs.services.policy import set_override
    from jiceng.policy.selectors import Snapshot, value

    key = "orgs.branch.max_members"
    set_override(
        world.system,
        key=key,
        org=world.street_a,
        value=60,
        valid_from=dt.date(2020, 1, 1),
        reason="街道",
    )
    set_override(
        world.system,
        key=key,
        org=world.branch_a1,
        value=40,
        valid_from=dt.date(2021, 1, 1),
        reason="支部",
    )
    set_override(
        world.system,
        key=key,
        org=world.branch_a1,
        value=30,
        valid_from=dt.date(2022, 1, 1),
        reason="后调",
    )
    ended = TODAY - dt.timedelta(days=1)
    set_override(
        world.system,
        key=key,
        org=world.branch_b1,
        value=10,
        valid_from=dt.date(2020, 1, 1),
        valid_until=ended,
        reason="已过期",
    )
    snapshot = Snapshot(TODAY)
    orgs = [world.district, world.street_a, world.branch_a1, world.branch_a2, world.branch_b1]
    assert [snapshot.value(key, o) for o in orgs] == [value(key, org=o, on=TODAY) for o in orgs]
    assert [snapshot.value(key, o) for o in orgs] == [50, 60, 30, 60, 50]
    assert snapshot.lowest(key) == 30 and snapshot.highest(key) == 60


def test_a_kind_beyond_the_cap_still_shows_its_full_count(world):
    from jiceng.orgs.services.policy import set_override

    _branches(world, 20)
    set_override(
        world.system,
        key="todo.max_items_per_source",
        org=world.district,
        value=5,
        valid_from=dt.date(2020, 1, 1),
        reason="测试",
    )
    found = centre(world.users["district_admin"], org=world.district, kind="access.no_officer")
    groups = {g.kind: g for g in found.groups}
    assert groups["access.no_officer"].count == 22 and not groups["access.no_officer"].capped
    assert found.count == 5  # only the first five are listed
    assert groups["orgs.oversized_branch"].count == 5 and groups["orgs.oversized_branch"].capped
