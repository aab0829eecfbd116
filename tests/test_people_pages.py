"""Member pages and the people API: list and filters, masked identity and logged reveal, the
member's next steps (with the refusal and its date), recording a step, the pipeline board,
"my record", union members, and intruders refused with 404."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_token, create_user
from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.orgs.services.policy import set_override
from jiceng.people import selectors, views
from jiceng.people.delegates import seat_delegate
from jiceng.people.models import Category, Floating, Milestone, PartyMembership, Person, Stage
from jiceng.people.services import apply, enrol_member, register_person, set_plan, take_step
from jiceng.people.unions import join_union
from tests.conftest import LONG_AGO, PASSWORD

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def people(world):
    """Branch A1: three full members (one in hardship, one a woman floating out), an applicant,
    an activist of 100 days and a development target; branch A2 and B1: one member each."""
    system = world.system
    serial = iter(range(101, 999, 2))

    def person(name, born=dt.date(1980, 1, 1), org=None, phone=None):
        n = next(serial)
        return register_person(
            system,
            org=org or world.branch_a1,
            name=name,
            id_number=id_number(born, n),
            phone=phone or f"1390000{n:04d}",
        )

    def member(name, org=None, **kw):
        p = person(name, org=org, born=kw.pop("born", dt.date(1975, 3, 3)))
        return enrol_member(
            system,
            p,
            org=org or world.branch_a1,
            stage=Stage.FULL,
            joined_on=dt.date(2001, 7, 1),
            full_on=dt.date(2002, 7, 1),
            **kw,
        )

    ns = SimpleNamespace(
        full1=member("甲正式", hardship=True),
        full2=member("乙正式", category="retired", veteran=True),
        full3=member("丙正式", floating="outflow"),
        other_a2=member("丁二支部", org=world.branch_a2),
        other_b1=member("戊新华", org=world.branch_b1),
    )
    ns.applicant = apply(system, person("己申请", born=dt.date(1998, 5, 5)), org=world.branch_a1)
    ns.activist = apply(
        system,
        person("庚积极", born=dt.date(1995, 6, 6)),
        org=world.branch_a1,
        on=TODAY - 140 * DAY,
    )
    take_step(system, ns.activist, "talk", on=TODAY - 130 * DAY)
    take_step(system, ns.activist, "activist", on=TODAY - 100 * DAY)
    ns.target = apply(
        system,
        person("辛对象", born=dt.date(1994, 4, 4)),
        org=world.branch_a1,
        on=TODAY - 500 * DAY,
    )
    take_step(system, ns.target, "talk", on=TODAY - 490 * DAY)
    take_step(system, ns.target, "activist", on=TODAY - 450 * DAY)
    take_step(system, ns.target, "target", on=TODAY - 80 * DAY)
    return ns


def api(world, name):
    _t, raw = create_token(world.system, user=world.users[name])
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- The member list ------------------------------------------------------------------------


def test_the_list_shows_visible_members_with_masked_identity(world, login, people):
    html = page(login(world.users["a1_officer"]).get(reverse("people:member_list")))
    for name in ("甲正式", "乙正式", "丙正式", "己申请", "庚积极", "辛对象"):
        assert name in html
    assert "丁二支部" not in html and "戊新华" not in html  # other branches
    p = people.full1.person
    assert p.id_number_masked in html and p.phone_masked in html
    clear = id_number(dt.date(1975, 3, 3), 101)
    assert clear not in html and "*" in p.id_number_masked


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stage": "applicant"}, {"己申请"}),
        ({"stage": "activist"}, {"庚积极"}),
        ({"category": "retired"}, {"乙正式"}),
        ({"floating": "any"}, {"丙正式"}),
        ({"floating": "outflow"}, {"丙正式"}),
        ({"flag": ["hardship"]}, {"甲正式"}),
        ({"flag": ["hardship", "veteran"]}, set()),
        ({"flag": ["veteran"]}, {"乙正式"}),
        ({"q": "积极"}, {"庚积极"}),
        ({"org": "A2"}, {"丁二支部"}),
        ({"stage": "bogus", "category": "retired"}, {"乙正式"}),  # invalid input is ignored
    ],
)
def test_list_filters(world, login, people, query, expected):
    names = {"甲正式", "乙正式", "丙正式", "丁二支部", "己申请", "庚积极", "辛对象", "戊新华"}
    html = page(login(world.users["street_a_admin"]).get(reverse("people:member_list"), query))
    assert {n for n in names if n in html} == expected


def test_list_finds_a_whole_id_number_and_filters_by_gender(world, login, people):
    client = login(world.users["a1_officer"])
    number = id_number(dt.date(1975, 3, 3), 103)  # 乙正式's, as typed
    html = page(client.get(reverse("people:member_list"), {"q": number}))
    assert "乙正式" in html and "甲正式" not in html
    gender = people.applicant.person.gender
    html = page(client.get(reverse("people:member_list"), {"gender": gender}))
    assert "己申请" in html
    exits = page(client.get(reverse("people:member_list"), {"stage": "all"}))
    assert "己申请" in exits


def test_list_pages_by_cursor_without_overlap(world, login, people, monkeypatch):
    monkeypatch.setattr(views, "MEMBER_LIMIT", 4)
    client = login(world.users["a1_officer"])
    first = page(client.get(reverse("people:member_list")))
    assert 'id="next-page"' in first
    url = first.split('id="next-page"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = page(client.get(url.replace("&amp;", "&")))
    names = ["甲正式", "乙正式", "丙正式", "己申请", "庚积极", "辛对象"]
    assert [n for n in names if n in first] == names[:4]
    assert [n for n in names if n in second] == names[4:]
    assert 'id="next-page"' not in second
    assert client.get(reverse("people:member_list"), {"cursor": "%%%"}).status_code == 404


def test_the_switcher_narrows_the_list(world, login, people):
    client = login(world.users["street_a_admin"])
    client.post(reverse("ui:switch"), {"org": "A2"})
    html = page(client.get(reverse("people:member_list")))
    assert "丁二支部" in html and "甲正式" not in html


def test_the_list_shows_stage_category_and_board_links(world, login, people):
    html = page(login(world.users["district_admin"]).get(reverse("people:member_list")))
    row = html.split("乙正式", 1)[1].split("</tr>", 1)[0]
    assert str(Stage.FULL.label) in row and str(Category.RETIRED.label) in row
    floating = html.split("丙正式", 1)[1].split("</tr>", 1)[0]
    assert str(Floating.OUTFLOW.label) in floating
    links = html.split('id="board-links"', 1)[1].split("</div>", 1)[0]
    assert reverse("people:pipeline_board", args=["D"]) in links
    assert reverse("people:pipeline_board", args=["SA"]) not in links  # only the top


def test_a_page_costs_the_same_queries_however_many_members(world, login, people):
    client = login(world.users["district_admin"])
    url = reverse("people:member_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(12):
        p = register_person(
            world.system,
            org=world.branch_b1,
            name=f"新增{n}",
            id_number=id_number(dt.date(1970, 2, 2), 200 + 2 * n),
        )
        enrol_member(
            world.system,
            p,
            org=world.branch_b1,
            stage=Stage.FULL,
            joined_on=dt.date(2001, 7, 1),
            full_on=dt.date(2002, 7, 1),
        )
    with CaptureQueriesContext(connection) as more:
        html = page(client.get(url))
    assert "新增11" in html
    assert len(more.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    ("who", "switch", "query"),
    [
        ("district_admin", None, {}),
        ("district_admin", "SA", {}),
        ("district_admin", "SA", {"stage": "probationary"}),
        ("district_admin", None, {"stage": "all", "category": "retired"}),
        ("district_admin", None, {"org": "A2"}),
        ("street_a_admin", None, {"floating": "any"}),
        ("a1_officer", None, {}),
        ("a1_officer", None, {"org": "A2"}),  # not theirs: nothing
        ("viewer", None, {}),
        ("expired", None, {}),
    ],
)
def test_the_list_is_the_same_by_organization_ids_or_by_the_path(
    world, login, people, monkeypatch, who, switch, query
):
    """Small scopes filter by a list of organization ids, large ones join on the stored path
    (selectors.SCOPE_IDS); both must list exactly the same members."""
    client = login(world.users[who])
    if switch:
        client.post(reverse("ui:switch"), {"org": switch})

    def rows(html):
        return html.split('id="members"', 1)[1].split("</table>", 1)[0]

    listed = rows(page(client.get(reverse("people:member_list"), query)))
    monkeypatch.setattr(selectors, "SCOPE_IDS", 0)  # every scope is "large"
    joined = rows(page(client.get(reverse("people:member_list"), query)))
    assert listed == joined
    with CaptureQueriesContext(connection) as seen:
        page(client.get(reverse("people:member_list"), query))
    if who in ("district_admin", "street_a_admin", "viewer") and "org" not in query:
        # a subtree scope over more than SCOPE_IDS organizations: the join on the path
        assert any('"path"' in q["sql"] and "people_partymembership" in q["sql"] for q in seen)


def test_top_organizations_are_the_tops_of_what_the_user_sees(world):
    from jiceng.orgs.selectors import org_list

    system = world.system
    both = create_user(system, username="both", password=PASSWORD, full_name="both")
    assign_role(system, user=both, role=Role.OFFICER, org=world.district, valid_from=LONG_AGO)
    assign_role(
        system,
        user=both,
        role=Role.UPPER_ADMIN,
        org=world.street_a,
        scope=Scope.SUBTREE,
        valid_from=LONG_AGO,
    )
    admin = create_user(system, username="root", password=PASSWORD, full_name="root")
    assign_role(system, user=admin, role=Role.SYSTEM_ADMIN, org=None, valid_from=LONG_AGO)
    for user in [*world.users.values(), both, admin]:
        assert selectors.top_orgs(user) == list(org_list(user, roots=True)), user.username
    assert [o.code for o in selectors.top_orgs(both)] == ["D"]
    assert {o.code for o in selectors.top_orgs(admin)} == {"D", "U"}


# --- The member page: identity, reveal ------------------------------------------------------


def test_member_page_shows_masked_identity(world, login, people):
    p = people.full1.person
    html = page(
        login(world.users["a1_officer"]).get(
            reverse("people:member_detail", args=[people.full1.pk])
        )
    )
    assert p.id_number_masked in html and p.phone_masked in html
    assert id_number(dt.date(1975, 3, 3), 101) not in html
    assert 'id="reveal-id-number"' in html  # the officer may reveal


def test_the_branch_officer_reveals_once_and_it_is_logged(world, login, people):
    client = login(world.users["a1_officer"])
    url = reverse("people:member_reveal", args=[people.full1.pk])
    response = client.post(url, {"field": "id_number"})
    assert response.status_code == 200
    assert id_number(dt.date(1975, 3, 3), 101) in page(response)
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_name, event.after) == (
        "people.person.reveal",
        "a1_officer",
        {"field": "id_number"},
    )
    # With htmx: only the value, for the page to swap in.
    partial = client.post(url, {"field": "phone"}, HTTP_HX_REQUEST="true")
    assert "<html" not in page(partial) and people.full1.person.phone_masked not in page(partial)
    assert AuditEvent.objects.filter(action="people.person.reveal").count() == 2
    # A plain GET reveals nothing.
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("who", ["a1_member", "street_a_viewer"])
def test_reveal_is_refused_to_members_and_viewers(world, login, people, who):
    if who == "street_a_viewer":
        user = create_user(world.system, username=who, password=PASSWORD)
        assign_role(
            world.system,
            user=user,
            role=Role.VIEWER,
            org=world.street_a,
            scope=Scope.SUBTREE,
            valid_from=LONG_AGO,
        )
    else:
        user = world.users[who]
    client = login(user)
    detail = page(client.get(reverse("people:member_detail", args=[people.full1.pk])))
    assert "甲正式" in detail and 'id="reveal-id-number"' not in detail
    before = AuditEvent.objects.filter(action="people.person.reveal").count()
    response = client.post(
        reverse("people:member_reveal", args=[people.full1.pk]), {"field": "id_number"}
    )
    assert response.status_code == 403
    assert id_number(dt.date(1975, 3, 3), 101) not in page(response)
    assert AuditEvent.objects.filter(action="people.person.reveal").count() == before


# --- The member page: next steps, recording a step -----------------------------------------


def test_an_early_step_shows_the_reason_and_the_date(world, login, people):
    html = page(
        login(world.users["a1_officer"]).get(
            reverse("people:member_detail", args=[people.activist.pk])
        )
    )
    possible_from = str(TODAY - 100 * DAY + 365 * DAY)
    assert 'id="step-target" data-possible="no"' in html
    step = html.split('id="step-target"')[1].split("</li>")[0]
    assert possible_from in step and "积极分子" in step  # the Chinese reason, with its date
    assert 'id="step-form-target"' not in html  # nothing to record yet
    assert 'id="step-form-withdraw"' in html  # the exits are always possible


def test_recording_a_step_through_the_page(world, login, people):
    client = login(world.users["a1_officer"])
    detail = reverse("people:member_detail", args=[people.applicant.pk])
    html = page(client.get(detail))
    assert 'id="step-form-talk"' in html and 'id="step-form-activist"' not in html
    response = client.post(
        reverse("people:member_step", args=[people.applicant.pk]),
        {"step": "talk", "talk-on": TODAY.isoformat(), "talk-note": "支部书记谈话"},
    )
    assert response.status_code == 302 and response["Location"] == detail
    talk = Milestone.objects.get(membership=people.applicant, step="talk")
    assert (talk.on, talk.note, talk.recorded_by) == (
        TODAY,
        "支部书记谈话",
        world.users["a1_officer"],
    )
    html = page(client.get(detail))
    assert 'id="step-form-activist"' in html and "支部书记谈话" in html  # timeline


def test_a_refused_step_shows_the_reason_on_its_field(world, login, people):
    client = login(world.users["a1_officer"])
    url = reverse("people:member_step", args=[people.target.pk])
    response = client.post(url, {"step": "training", "training-on": TODAY, "training-hours": "8"})
    html = page(response)
    assert response.status_code == 200
    field = html.split('name="training-hours"')[1].split("</div>")[0]
    assert "24" in field and "invalid-feedback" in field
    assert not Milestone.objects.filter(membership=people.target, step="training").exists()
    # Introducers: two full members of the branch, chosen from a list.
    ids = [people.full1.person_id, people.full2.person_id]
    assert f'value="{ids[0]}"' in page(
        client.get(reverse("people:member_detail", args=[people.target.pk]))
    )
    ok = client.post(
        url, {"step": "introducers", "introducers-on": TODAY, "introducers-introducers": ids}
    )
    assert ok.status_code == 302
    assert Milestone.objects.get(membership=people.target, step="introducers").data == {
        "introducers": ids
    }
    future = client.post(url, {"step": "review", "review-on": TODAY + DAY})
    assert "invalid-feedback" in page(future).split('name="review-on"')[1].split("</div>")[0]


def test_readers_see_no_forms_and_may_not_record(world, login, people):
    client = login(world.users["a1_member"])
    html = page(client.get(reverse("people:member_detail", args=[people.applicant.pk])))
    assert 'id="step-talk"' in html and 'id="step-form-talk"' not in html
    response = client.post(
        reverse("people:member_step", args=[people.applicant.pk]),
        {"step": "talk", "talk-on": TODAY.isoformat()},
    )
    assert response.status_code == 403
    assert not Milestone.objects.filter(membership=people.applicant, step="talk").exists()


def test_the_timeline_merges_milestones_states_and_union_membership(world, login, people):
    grant = create_user(world.system, username="both", password=PASSWORD)
    for org in (world.branch_a1, world.union):
        assign_role(world.system, user=grant, role=Role.VIEWER, org=org, valid_from=LONG_AGO)
    join_union(
        world.system,
        people.target.person,
        org=world.union,
        member_number="U-0001",
        joined_on=TODAY - 10 * DAY,
    )
    html = page(login(grant).get(reverse("people:member_detail", args=[people.target.pk])))
    timeline = html.split('id="timeline"')[1]
    assert "U-0001" in timeline and "青山区总工会" in timeline
    order = [timeline.index(s) for s in ("U-0001", "timeline-milestone", "timeline-state")]
    assert order == sorted(order)  # newest first: union (10 days ago), target (80 days ago)
    # The branch officer cannot see the union, so the union membership is not shown to them.
    officer = page(
        login(world.users["a1_officer"]).get(
            reverse("people:member_detail", args=[people.target.pk])
        )
    )
    assert "U-0001" not in officer


# --- The pipeline board ---------------------------------------------------------------------


def test_the_pipeline_board_has_a_column_per_stage(world, login, people):
    html = page(login(world.users["a1_officer"]).get(reverse("people:pipeline_board", args=["A1"])))
    columns = {
        stage: html.split(f'id="column-{stage}"')[1].split("</section>")[0]
        for stage in ("applicant", "activist", "target", "probationary")
    }
    assert "己申请" in columns["applicant"] and "庚积极" in columns["activist"]
    assert "辛对象" in columns["target"] and "甲正式" not in html
    due = str(people.applicant.milestones.get(step="apply").on + 30 * DAY)
    assert due in columns["applicant"]  # the talk is due within 30 days of the application
    assert str(TODAY - 100 * DAY + 365 * DAY) in columns["activist"]  # target possible from
    assert 'id="register-applicant"' in html


def test_registering_an_applicant_on_the_board(world, login, people):
    client = login(world.users["a1_officer"])
    url = reverse("people:pipeline_board", args=["A1"])
    number = id_number(dt.date(2000, 2, 2), 555)
    response = client.post(
        url, {"name": "壬新人", "id_number": number, "phone": "13700001111", "on": TODAY}
    )
    assert response.status_code == 302
    m = PartyMembership.objects.get(person__name="壬新人")
    assert (m.org, m.stage) == (world.branch_a1, Stage.APPLICANT)
    assert m.person.id_number_masked != number and number not in m.person.id_number_encrypted
    assert "壬新人" in page(client.get(url)).split('id="column-applicant"')[1]


def test_a_refused_application_leaves_no_person_behind(world, login, people):
    client = login(world.users["a1_officer"])
    url = reverse("people:pipeline_board", args=["A1"])
    young = id_number(TODAY.replace(year=TODAY.year - 16) - 30 * DAY, 557)
    html = page(client.post(url, {"name": "癸少年", "id_number": young, "on": TODAY}))
    field = html.split('name="on"')[1].split("</div>")[0]
    assert "invalid-feedback" in field and "18" in field
    assert not Person.objects.filter(name="癸少年").exists()
    bad = page(client.post(url, {"name": "癸少年", "id_number": "110105198001010000", "on": TODAY}))
    assert "invalid-feedback" in bad.split('name="id_number"')[1].split("</div>")[0]
    assert not Person.objects.filter(name="癸少年").exists()


def test_the_board_is_read_only_for_readers(world, login, people):
    client = login(world.users["a1_member"])
    url = reverse("people:pipeline_board", args=["A1"])
    html = page(client.get(url))
    assert "己申请" in html and 'id="register-applicant"' not in html
    response = client.post(url, {"name": "越权", "id_number": id_number(dt.date(1990, 1, 1), 9)})
    assert response.status_code == 403 and not Person.objects.filter(name="越权").exists()


def test_the_board_shows_the_development_plan(world, login, people):
    set_plan(
        world.system, org=world.branch_a1, first_year=TODAY.year, last_year=TODAY.year, target=4
    )
    html = page(login(world.users["a1_officer"]).get(reverse("people:pipeline_board", args=["A1"])))
    plans = html.split('id="plans"')[1].split("</div>\n</div>")[0]
    assert str(TODAY.year) in plans and "4" in plans and "progress-bar" in plans


def test_the_board_and_union_pages_need_the_right_tree(world, login, people):
    client = login(world.users["district_admin"])
    assert client.get(reverse("people:union_members", args=["A1"])).status_code == 404
    admin = login(world.system)
    assert admin.get(reverse("people:pipeline_board", args=["U"])).status_code == 404


# --- My record ------------------------------------------------------------------------------


def test_my_record_for_a_user_linked_to_a_person(world, login, people):
    user = world.users["a1_member"]
    user.person = people.full2.person
    user.save()
    join_union(
        world.system,
        people.full2.person,
        org=world.union,
        member_number="U-0009",
        joined_on=dt.date(2010, 1, 1),
    )
    html = page(login(user).get(reverse("people:my_record")))
    record = html.split('id="party-record"')[1].split("</section>")[0]
    assert "和平社区第一党支部" in record and "2001-07-01" in record
    assert "U-0009" in html and people.full2.person.id_number_masked in html
    assert 'id="my-life"' in html and 'id="no-person"' not in html
    assert "近六个月：已召开的 0 次会议中出席 0 次" in html
    assert id_number(dt.date(1975, 3, 3), 103) not in html


def test_my_record_without_a_person(world, login):
    html = page(login(world.users["nobody"]).get(reverse("people:my_record")))
    assert 'id="no-person"' in html


def test_my_record_shows_the_milestones_of_an_applicant(world, login, people):
    user = world.users["a2_officer"]
    user.person = people.activist.person
    user.save()
    html = page(login(user).get(reverse("people:my_record")))
    milestones = html.split('id="my-milestones"')[1].split("</ol>")[0]
    dates = [str(TODAY - n * DAY) for n in (100, 130, 140)]  # newest first
    assert [milestones.index(d) for d in dates] == sorted(milestones.index(d) for d in dates)


# --- Union members --------------------------------------------------------------------------


def test_union_members_delegates_and_pages(world, login, monkeypatch):
    system = world.system
    for n in range(1, 4):
        p = register_person(
            system, org=world.union, name=f"会员{n}", id_number=id_number(dt.date(1990, 1, 1), n)
        )
        join_union(
            system,
            p,
            org=world.union,
            member_number=f"M{n:03d}",
            joined_on=dt.date(2024, 1, n),
            migrant_worker=n == 2,
        )
        seat_delegate(
            system,
            p,
            org=world.union,
            category="invited" if n == 3 else "voting",
            valid_from=dt.date(2024, 1, 1),
        )
    monkeypatch.setattr(views, "UNION_LIMIT", 2)
    client = login(world.system)
    html = page(client.get(reverse("people:union_members", args=["U"])))
    assert "M001" in html and "M002" in html and "M003" not in html
    voting = html.split('id="delegates-voting"')[1].split("</li>")[0]
    assert ">2<" in voting and "会员1" in voting
    assert ">1<" in html.split('id="delegates-invited"')[1].split("</li>")[0]
    url = html.split('id="next-page"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = page(client.get(url.replace("&amp;", "&")))
    assert "M003" in second and "M001" not in second


# --- API --------------------------------------------------------------------------------------


def test_api_lists_members_masked_with_filters_and_cursor(client, world, people):
    headers = api(world, "a1_officer")
    url = "/api/v1/people/members"
    data = json.loads(client.get(url, {"limit": 4}, **headers).content)
    names = [i["name"] for i in data["items"]]
    assert names == ["甲正式", "乙正式", "丙正式", "己申请"] and data["next"]
    rest = json.loads(client.get(url, {"limit": 4, "cursor": data["next"]}, **headers).content)
    assert [i["name"] for i in rest["items"]] == ["庚积极", "辛对象"] and rest["next"] is None
    first = data["items"][0]
    assert first["id_number"] == people.full1.person.id_number_masked and "*" in first["phone"]
    assert first["flags"] == ["hardship"] and first["org"]["code"] == "A1"
    only = json.loads(client.get(url, {"stage": "activist"}, **headers).content)
    assert [i["name"] for i in only["items"]] == ["庚积极"]
    flags = json.loads(client.get(url + "?flag=veteran", **headers).content)
    assert [i["name"] for i in flags["items"]] == ["乙正式"]
    bad = client.get(url, {"stage": "nonsense"}, **headers)
    assert bad.status_code == 400 and "stage" in json.loads(bad.content)["fields"]
    bad_cursor = client.get(url, {"cursor": "!!"}, **headers)
    assert bad_cursor.status_code == 400


def test_api_member_detail_with_milestones_and_next_steps(client, world, people):
    response = client.get(f"/api/v1/people/members/{people.activist.pk}", **api(world, "a1_member"))
    data = json.loads(response.content)
    assert [m["step"] for m in data["milestones"]] == ["apply", "talk", "activist"]
    target = next(s for s in data["next_steps"] if s["step"] == "target")
    assert target["possible"] is False
    assert target["possible_from"] == str(TODAY - 100 * DAY + 365 * DAY)
    assert target["possible_from"] in target["reasons"][0]


def test_api_records_a_step_or_says_why_not(client, world, people):
    headers = api(world, "a1_officer")
    url = f"/api/v1/people/members/{people.activist.pk}/steps"
    refused = client.post(url, {"step": "target"}, content_type="application/json", **headers)
    body = json.loads(refused.content)
    assert refused.status_code == 400 and set(body) == {"code", "message", "fields"}
    assert str(TODAY - 100 * DAY + 365 * DAY) in body["fields"]["step"][0]
    url = f"/api/v1/people/members/{people.applicant.pk}/steps"
    ok = client.post(
        url,
        {"step": "talk", "on": TODAY.isoformat(), "note": "谈话"},
        content_type="application/json",
        **headers,
    )
    assert ok.status_code == 201
    assert "talk" in [m["step"] for m in json.loads(ok.content)["milestones"]]
    future = client.post(
        url,
        {"step": "activist", "on": (TODAY + DAY).isoformat()},
        content_type="application/json",
        **headers,
    )
    assert future.status_code == 400 and "on" in json.loads(future.content)["fields"]
    member = client.post(
        url, {"step": "activist"}, content_type="application/json", **api(world, "a1_member")
    )
    assert member.status_code == 403


def test_api_composition(client, world, people):
    response = client.get(
        "/api/v1/people/composition", {"org": "SA"}, **api(world, "street_a_admin")
    )
    data = json.loads(response.content)
    assert data["org"]["code"] == "SA" and data["total"] == 4  # three in A1, one in A2
    assert data["stage"] == {"full": 4} and data["category"]["retired"] == 1
    past = client.get(
        "/api/v1/people/composition",
        {"org": "SA", "on": "2000-01-01"},
        **api(world, "street_a_admin"),
    )
    assert json.loads(past.content)["total"] == 0
    refused = client.get("/api/v1/people/composition", {"org": "SA"}, **api(world, "a2_officer"))
    assert refused.status_code == 404


# --- Intruders ----------------------------------------------------------------------------------


@pytest.mark.parametrize("intruder", ["a2_officer", "viewer", "nobody"])
def test_intruders_get_404_for_a1_members(client, world, login, people, intruder):
    browser = login(world.users[intruder])
    pk = people.full1.pk
    for response in (
        browser.get(reverse("people:member_detail", args=[pk])),
        browser.post(reverse("people:member_reveal", args=[pk]), {"field": "id_number"}),
        browser.post(
            reverse("people:member_step", args=[pk]), {"step": "suspend", "suspend-on": TODAY}
        ),
        browser.get(reverse("people:pipeline_board", args=["A1"])),
        browser.post(reverse("people:pipeline_board", args=["A1"]), {"name": "越权"}),
    ):
        assert response.status_code == 404 and "甲正式" not in page(response)
    assert "甲正式" not in page(browser.get(reverse("people:member_list")))
    headers = api(world, intruder)
    for response in (
        client.get(f"/api/v1/people/members/{pk}", **headers),
        client.post(
            f"/api/v1/people/members/{pk}/steps",
            {"step": "suspend"},
            content_type="application/json",
            **headers,
        ),
    ):
        assert response.status_code == 404 and "甲正式" not in page(response)
    listed = json.loads(client.get("/api/v1/people/members", **headers).content)
    assert "甲正式" not in json.dumps(listed, ensure_ascii=False)
    assert not AuditEvent.objects.filter(
        action__in=["people.person.reveal", "people.party.suspend"]
    ).exists()
    people.full1.refresh_from_db()
    assert people.full1.stage == Stage.FULL


# --- Category and flags; the photo -----------------------------------------------------------


def test_the_officer_edits_category_and_flags_on_the_member_page(world, login, people):
    client = login(world.users["a1_officer"])
    m = people.full1  # in hardship
    detail = reverse("people:member_detail", args=[m.pk])
    form = page(client.get(detail)).split('id="edit-membership"')[1].split("</form>")[0]
    assert "修改人员类别和标记" in form and "空挂" in form and "失联" in form
    checked = [
        c.split('value="')[1].split('"')[0] for c in form.split("<input")[1:] if "checked" in c
    ]
    assert checked == ["hardship"]
    response = client.post(
        reverse("people:member_edit", args=[m.pk]),
        {
            "membership-category": "retired",
            "membership-composition": "社区",
            "membership-flags": ["dual_checkin", "left_hanging", "unreachable"],
            "membership-on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302 and response["Location"] == detail
    m.refresh_from_db()
    assert (m.category, m.composition, m.hardship) == ("retired", "社区", False)
    assert (m.dual_checkin, m.left_hanging, m.unreachable) == (True, True, True)
    assert m.states.get(valid_until__isnull=True).category == "retired"  # history from today
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_name) == ("people.party.update", "a1_officer")
    assert event.before["hardship"] is True and event.after["unreachable"] is True
    flags = page(client.get(detail)).split('id="flags"')[1].split("</div>")[0]
    assert "空挂" in flags and "失联" in flags and "困难党员" not in flags
    # A date in the future is refused on its field, and nothing changes.
    refused = client.post(
        reverse("people:member_edit", args=[m.pk]),
        {"membership-category": "farmer", "membership-on": (TODAY + DAY).isoformat()},
    )
    assert refused.status_code == 400 and "日期不得晚于今天" in page(refused)
    m.refresh_from_db()
    assert m.category == "retired"


@pytest.mark.parametrize("who", ["a1_member", "a2_officer", "viewer"])
def test_others_may_not_edit_category_and_flags(world, login, people, who):
    client = login(world.users[who])
    pk = people.full1.pk
    html = page(client.get(reverse("people:member_detail", args=[pk])))
    assert 'id="edit-membership"' not in html and 'id="upload-photo"' not in html
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("people:member_edit", args=[pk]),
        {"membership-category": "farmer", "membership-on": TODAY.isoformat()},
    )
    assert response.status_code == (403 if who == "a1_member" else 404)
    people.full1.refresh_from_db()
    assert people.full1.category == "working" and AuditEvent.objects.count() == before


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def upload(client, pk, data: bytes, name="照片.png"):
    return client.post(
        reverse("people:member_photo_upload", args=[pk]),
        {"photo-photo": SimpleUploadedFile(name, data, content_type="image/png")},
    )


def test_an_officer_uploads_a_photo_shown_through_a_checked_view(
    world, login, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.users["a1_officer"])
    pk = people.full1.pk
    assert upload(client, pk, PNG).status_code == 302
    person = Person.objects.get(pk=people.full1.person_id)
    assert person.photo_type == "image/png" and "照片" not in person.photo.name
    assert (tmp_path / person.photo.name).read_bytes() == PNG
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.after) == (
        "people.person.set_photo",
        {"photo": True, "type": "image/png", "size": len(PNG)},
    )
    url = reverse("people:member_photo", args=[pk])
    assert f'src="{url}"' in page(client.get(reverse("people:member_detail", args=[pk])))
    shown = login(world.users["a1_member"]).get(url)  # a reader of the branch sees it
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == PNG
    assert shown["X-Content-Type-Options"] == "nosniff"
    # A JPEG (whatever the name says) replaces it; the old file is gone.
    old = tmp_path / person.photo.name
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert upload(client, pk, JPEG, name="photo.png").status_code == 302
    person.refresh_from_db()
    assert person.photo_type == "image/jpeg" and person.photo.name.endswith(".jpg")
    assert not old.exists()


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"GIF89a" + b"\x00" * 100, "照片须为 JPG 或 PNG 格式的图片"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "照片须为 JPG 或 PNG 格式的图片"),
        (PNG + b"\x00" * (2 * 1024 * 1024), "照片不能超过 2.0 MB"),
    ],
)
def test_a_wrong_or_too_big_photo_is_refused(
    world, login, people, settings, tmp_path, data, needle
):
    settings.MEDIA_ROOT = tmp_path
    response = upload(login(world.users["a1_officer"]), people.full1.pk, data)
    assert response.status_code == 400 and needle in page(response)
    assert not Person.objects.get(pk=people.full1.person_id).photo
    assert (
        not list(tmp_path.rglob("*.*"))
        and not AuditEvent.objects.filter(action="people.person.set_photo").exists()
    )


def test_the_photo_size_limit_is_policy(world, login, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    set_override(
        world.system,
        key="people.person.photo_max_bytes",
        org=world.street_a,
        value=100,
        valid_from=LONG_AGO,
        reason="测试",
    )
    response = upload(login(world.users["a1_officer"]), people.full1.pk, PNG)
    assert response.status_code == 400 and "照片不能超过 100 B" in page(response)


@pytest.mark.parametrize("intruder", ["a2_officer", "viewer", "nobody"])
def test_another_organizations_user_gets_404_for_the_photo(
    world, login, people, settings, tmp_path, intruder
):
    settings.MEDIA_ROOT = tmp_path
    pk = people.full1.pk
    assert upload(login(world.users["a1_officer"]), pk, PNG).status_code == 302
    browser = login(world.users[intruder])
    assert browser.get(reverse("people:member_photo", args=[pk])).status_code == 404
    assert upload(browser, pk, JPEG).status_code == 404
    assert Person.objects.get(pk=people.full1.person_id).photo_type == "image/png"
    reader = login(world.users["a1_member"])  # sees the member, may not change the photo
    assert upload(reader, pk, JPEG).status_code == 403


# --- Correcting an ID number ------------------------------------------------------------------


def test_an_officer_corrects_an_id_number_audited_masked(world, login, people):
    m = people.full1
    old_masked = m.person.id_number_masked
    url = reverse("people:member_id_number", args=[m.pk])
    client = login(world.users["a1_officer"])
    html = page(client.get(reverse("people:member_detail", args=[m.pk])))
    assert 'id="correct-id-number"' in html and "更正身份证号码" in html and old_masked in html
    new = id_number(dt.date(1976, 4, 4), 7)
    response = client.post(url, {"identity-id_number": new}, follow=True)
    assert "身份证号码已更正。" in page(response)
    m.person.refresh_from_db()
    assert m.person.birth_date == dt.date(1976, 4, 4)
    assert m.person.id_number_masked == new[:3] + "*" * 11 + new[-4:]
    event = AuditEvent.objects.filter(action="people.person.update").latest("id")
    assert event.before["id_number"] == old_masked
    assert event.after["id_number"] == m.person.id_number_masked
    assert new not in json.dumps([event.before, event.after])
    again = client.post(url, {"identity-id_number": new}, follow=True)
    assert "没有任何改动。" in page(again) and AuditEvent.objects.latest("id") == event


def test_a_bad_or_taken_id_number_is_refused_in_chinese(world, login, people):
    m = people.full1
    before = m.person.id_number_hash
    url = reverse("people:member_id_number", args=[m.pk])
    client = login(world.users["a1_officer"])
    good = id_number(dt.date(1976, 4, 4), 9)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(url, {"identity-id_number": wrong})
    assert response.status_code == 400
    assert "该公民身份号码的校验码有误，请核对。" in page(response)
    assert 'id="correct-id-number" open' in page(response)
    taken = client.post(url, {"identity-id_number": clear_id_number(people.full2)})
    assert taken.status_code == 400
    m.person.refresh_from_db()
    assert m.person.id_number_hash == before


def clear_id_number(m) -> str:
    from jiceng.people import crypto
    from jiceng.people.services import ID_CONTEXT

    return crypto.decrypt(m.person.id_number_encrypted, ID_CONTEXT)


def test_only_the_members_officers_may_correct_the_id_number(world, login, people):
    m = people.full1
    url = reverse("people:member_id_number", args=[m.pk])
    new = {"identity-id_number": id_number(dt.date(1976, 4, 4), 11)}
    assert login(world.users["a2_officer"]).post(url, new).status_code == 404
    member = login(world.users["a1_member"])
    assert 'id="correct-id-number"' not in page(
        member.get(reverse("people:member_detail", args=[m.pk]))
    )
    assert member.post(url, new).status_code == 403
    before = m.person.id_number_hash
    m.person.refresh_from_db()
    assert m.person.id_number_hash == before


# --- Basic details ----------------------------------------------------------------------------


def _units(world):
    from jiceng.demo.build import credit_code
    from jiceng.orgs.models import UnitKind
    from jiceng.orgs.services import register_unit

    def unit(n, name, kind, org):
        return register_unit(
            world.system,
            credit_code=credit_code(n),
            on=LONG_AGO,
            name=name,
            kind=kind,
            ownership="non_public",
            employees=20,
            responsible_org=org,
        )

    return SimpleNamespace(
        firm=unit(31, "和平机械有限公司", UnitKind.ENTERPRISE, world.branch_a1),
        community=unit(32, "和平社区居民委员会", UnitKind.COMMUNITY, world.branch_a1),
        elsewhere=unit(33, "新华商贸有限公司", UnitKind.ENTERPRISE, world.branch_b1),
    )


def details(**kw):
    fields = {"ethnicity": "", "education": "", "occupation": "", "post": ""}
    fields |= {"employer": "", "residence": "", "phone": "", **kw}
    return {f"details-{k}": v for k, v in fields.items()}


def test_an_officer_edits_the_basic_details_shown_on_the_page(world, login, people):
    units = _units(world)
    m = people.full1
    phone_before = m.person.phone_masked
    detail = reverse("people:member_detail", args=[m.pk])
    url = reverse("people:member_details", args=[m.pk])
    client = login(world.users["a1_officer"])
    form = page(client.get(detail)).split('id="edit-details"')[1].split("</form>")[0]
    assert "编辑基本信息" in form and "满族" in form and "大学本科" in form
    assert phone_before in form and "留空则不变" in form
    posted = details(
        ethnicity="11",
        education="bachelor",
        occupation="工程师",
        post="车间主任",
        employer=units.firm.credit_code,
        residence=units.community.credit_code,
    )
    response = client.post(url, posted, follow=True)
    html = page(response)
    assert "基本信息已保存。" in html
    person_block = html.split('id="person"')[1].split("</dl>")[0]
    for shown in (
        "满族",
        "大学本科",
        "工程师 · 车间主任",
        "和平机械有限公司",
        "和平社区居民委员会",
    ):
        assert shown in person_block
    m.person.refresh_from_db()
    assert (m.person.employer, m.person.residence) == (units.firm, units.community)
    assert m.person.phone_masked == phone_before  # left empty: unchanged
    event = AuditEvent.objects.filter(action="people.person.update").latest("id")
    assert event.actor_name == "a1_officer"
    assert event.after["ethnicity"] == "11" and event.after["employer"] == units.firm.pk
    assert "phone" not in event.after
    # The same values again change nothing; a new phone is checked, stored masked.
    again = client.post(url, posted, follow=True)
    assert "没有任何改动。" in page(again)
    assert AuditEvent.objects.filter(action="people.person.update").latest("id") == event
    client.post(url, {**posted, "details-phone": "13911112222"})
    m.person.refresh_from_db()
    assert m.person.phone_masked == "139****2222"
    last = AuditEvent.objects.filter(action="people.person.update").latest("id")
    assert last.after == {"phone": "139****2222"} and "13911112222" not in str(last.before)


def test_bad_basic_details_are_refused_on_their_fields_in_chinese(world, login, people):
    units = _units(world)
    m = people.full1
    url = reverse("people:member_details", args=[m.pk])
    client = login(world.users["a1_officer"])
    before = AuditEvent.objects.count()
    refused = client.post(url, details(ethnicity="99", occupation="工程师"))
    assert refused.status_code == 400
    html = page(refused)
    assert "请从 GB 3304 民族列表中选择民族。" in html and 'id="edit-details" open' in html
    hidden = client.post(url, details(employer=units.elsewhere.credit_code))
    assert hidden.status_code == 400 and units.elsewhere.credit_code in page(hidden)
    not_a_community = client.post(url, details(residence=units.firm.credit_code))
    assert "居住社区须为社区或村。" in page(not_a_community)
    bad_phone = client.post(url, details(phone="12345"))
    assert bad_phone.status_code == 400
    m.person.refresh_from_db()
    assert (m.person.ethnicity, m.person.occupation, m.person.employer) == ("", "", None)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("who", "status"), [("a2_officer", 404), ("a1_member", 403)])
def test_only_the_members_officers_may_edit_the_basic_details(world, login, people, who, status):
    m = people.full1
    client = login(world.users[who])
    if status == 403:
        html = page(client.get(reverse("people:member_detail", args=[m.pk])))
        assert 'id="edit-details"' not in html
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("people:member_details", args=[m.pk]), details(ethnicity="11", post="主任")
    )
    assert response.status_code == status
    m.person.refresh_from_db()
    assert (m.person.ethnicity, m.person.post) == ("", "")
    assert AuditEvent.objects.count() == before
