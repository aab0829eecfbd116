"""Terms of office (DOMAIN.md §4 "Terms"): officers' rights dated by the term, rights moving at
the next term, expiry alerts to the organization and its upper level, and postponement or
advancement only with a recorded upper-level approval."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.access import gate
from jiceng.access.models import RoleAssignment
from jiceng.access.services import create_user
from jiceng.demo.build import credit_code
from jiceng.demo.names import id_number
from jiceng.elections import services
from jiceng.elections.models import Committee, Post, Term, TermStatus
from jiceng.orgs.services import register_unit, set_host_units
from jiceng.orgs.services.policy import set_override
from jiceng.people.services import enrol_member, register_person
from jiceng.people.unions import join_union
from jiceng.todo.selectors import duties_for
from tests.conftest import PASSWORD, TODAY

START = dt.date(2024, 3, 1)
APPROVED = dt.date(2025, 12, 1)
_seq = iter(range(100, 999))


def member(world, name, *, org=None, stage="full", username=None):
    org = org or world.branch_a1
    person = register_person(
        world.system, org=org, name=name, id_number=id_number(dt.date(1975, 1, 1), next(_seq))
    )
    enrol_member(
        world.system,
        person,
        org=org,
        stage=stage,
        joined_on=dt.date(2000, 7, 1),
        full_on=dt.date(2001, 7, 1) if stage == "full" else None,
    )
    if username:
        create_user(
            world.system, username=username, password=PASSWORD, full_name=name, person=person
        )
    return person


def user(username):
    from jiceng.access.models import User

    return User.objects.get(username=username)


@pytest.fixture
def committee(world):
    """Branch A1's members: a secretary and an organization member with accounts, one without."""
    return {
        "secretary": member(world, "张书记", username="zhang"),
        "organization": member(world, "李组织", username="li"),
        "propaganda": member(world, "王宣传"),
    }


def start(world, committee, on=START, actor="street_a_admin", **kw):
    officers = [(committee[p], p) for p in ("secretary", "organization", "propaganda")]
    return services.start_term(
        world.users[actor],
        org=world.branch_a1,
        committee=Committee.PARTY,
        starts_on=on,
        officers=officers,
        **kw,
    )


def test_officers_rights_are_dated_by_the_term(world, committee):
    term = start(world, committee)
    assert (term.number, term.years) == (1, 3)  # a Party branch: 3 years (policy)
    assert term.ends_on == dt.date(2027, 2, 28)
    zhang, a1 = user("zhang"), world.branch_a1
    assert not gate.can(zhang, gate.MANAGE, a1, on=START - dt.timedelta(days=1))
    assert gate.can(zhang, gate.MANAGE, a1, on=START)
    assert gate.can(zhang, gate.MANAGE, a1, on=dt.date(2027, 2, 28))
    assert not gate.can(zhang, gate.MANAGE, a1, on=dt.date(2027, 3, 1))
    assert not gate.can(zhang, gate.VIEW, world.branch_a2, on=START)  # their branch only
    assert gate.can(user("li"), gate.MANAGE, a1, on=START)
    # The officer without an account is on record, with no rights to grant.
    wang = term.officers.get(post=Post.PROPAGANDA)
    assert wang.person.name == "王宣传" and wang.assignment is None
    assert RoleAssignment.objects.filter(org=a1, valid_from=START).count() == 2


def test_rights_move_to_the_next_term_by_themselves(world, committee):
    first = start(world, committee, on=dt.date(2021, 3, 1))
    assert first.ends_on == dt.date(2024, 2, 29)
    new_secretary = member(world, "赵新书记", username="zhao")
    second = services.start_term(
        world.users["street_a_admin"],
        org=world.branch_a1,
        committee=Committee.PARTY,
        starts_on=dt.date(2024, 2, 20),  # within the grace period before the end: on time
        officers=[(new_secretary, Post.SECRETARY), (committee["organization"], Post.ORGANIZATION)],
    )
    first.refresh_from_db()
    assert second.number == 2
    assert first.status == TermStatus.ENDED and first.ended_on == dt.date(2024, 2, 19)
    zhang, zhao, li, a1 = user("zhang"), user("zhao"), user("li"), world.branch_a1
    assert gate.can(zhang, gate.MANAGE, a1, on=dt.date(2024, 2, 19))
    assert not gate.can(zhang, gate.MANAGE, a1, on=dt.date(2024, 2, 20))
    assert not gate.can(zhao, gate.MANAGE, a1, on=dt.date(2024, 2, 19))
    assert gate.can(zhao, gate.MANAGE, a1, on=dt.date(2024, 2, 20))
    # Re-elected: rights continue without a gap, now dated by the second term.
    assert gate.can(li, gate.MANAGE, a1, on=dt.date(2024, 2, 19))
    assert gate.can(li, gate.MANAGE, a1, on=dt.date(2026, 1, 1))
    old = first.officers.get(post=Post.SECRETARY)
    assert old.last_day == dt.date(2024, 2, 19)


def test_village_and_community_branches_serve_five_years_and_policy_can_differ(world, committee):
    village = register_unit(
        world.system,
        credit_code=credit_code(7),
        name="和平村村民委员会",
        kind="village",
        ownership="collective",
        responsible_org=world.street_a,
    )
    set_host_units(world.system, world.branch_a1, units=[village], on=dt.date(2020, 1, 1))
    term = start(world, committee)
    assert term.years == 5 and term.ends_on == dt.date(2029, 2, 28)
    set_override(
        world.system,
        key="elections.term_years.branch",
        org=world.street_a,
        value=2,
        valid_from=dt.date(2020, 1, 1),
        reason="试点文件〔2020〕1号",
    )
    a2_secretary = member(world, "钱书记", org=world.branch_a2)
    term2 = services.start_term(
        world.users["street_a_admin"],
        org=world.branch_a2,
        committee=Committee.PARTY,
        starts_on=START,
        officers=[(a2_secretary, Post.SECRETARY)],
    )
    assert term2.years == 2 and term2.ends_on == dt.date(2026, 2, 28)


def test_union_and_audit_committees_and_their_rights(world):
    person = register_person(
        world.system, org=world.union, name="孙主席", id_number=id_number(dt.date(1970, 2, 2), 5)
    )
    join_union(
        world.system, person, org=world.union, member_number="U001", joined_on=dt.date(2010, 1, 1)
    )
    create_user(world.system, username="sun", password=PASSWORD, person=person)
    union = services.start_term(
        world.system,
        org=world.union,
        committee=Committee.UNION,
        starts_on=START,
        officers=[(person, Post.CHAIR)],
    )
    assert union.years == 5
    assert gate.can(user("sun"), gate.MANAGE, world.union, on=START)
    with pytest.raises(ValidationError, match="不设"):
        services.start_term(
            world.system, org=world.branch_a1, committee=Committee.UNION, starts_on=START
        )
    with pytest.raises(ValidationError, match="不是"):  # 书记 is not a post of a union committee
        services.add_officer(world.system, union, person=person, post=Post.SECRETARY, on=START)


def test_audit_committee_members_may_look_but_not_act(world):
    person = register_person(
        world.system, org=world.union, name="周经审", id_number=id_number(dt.date(1971, 3, 3), 6)
    )
    join_union(
        world.system, person, org=world.union, member_number="U002", joined_on=dt.date(2010, 1, 1)
    )
    create_user(world.system, username="zhou", password=PASSWORD, person=person)
    services.start_term(
        world.system,
        org=world.union,
        committee=Committee.AUDIT,
        starts_on=START,
        officers=[(person, Post.AUDIT_CHAIR)],
    )
    assert gate.can(user("zhou"), gate.VIEW, world.union, on=START)
    assert not gate.can(user("zhou"), gate.MANAGE, world.union, on=START)


def test_only_the_upper_level_starts_a_term_and_only_in_its_own_tree(world, committee):
    for intruder in ("a1_officer", "a2_officer", "viewer", "expired", "nobody"):
        with pytest.raises(PermissionDenied):
            start(world, committee, actor=intruder)
    assert not Term.objects.exists()


def test_officers_must_be_full_members_of_the_organization(world, committee):
    probationary = member(world, "周预备", stage="probationary")
    other_branch = member(world, "吴他支部", org=world.branch_a2)
    for person, text in ((probationary, "周预备"), (other_branch, "吴他支部")):
        with pytest.raises(ValidationError, match=text):
            services.start_term(
                world.users["street_a_admin"],
                org=world.branch_a1,
                committee=Committee.PARTY,
                starts_on=START,
                officers=[(person, Post.SECRETARY)],
            )
    with pytest.raises(ValidationError, match="已有书记"):
        services.start_term(
            world.users["street_a_admin"],
            org=world.branch_a1,
            committee=Committee.PARTY,
            starts_on=START,
            officers=[
                (committee["secretary"], Post.SECRETARY),
                (committee["organization"], Post.SECRETARY),
            ],
        )


def test_expiry_alert_to_the_organization_and_its_upper_level(world, committee, login):
    starts = TODAY - dt.timedelta(days=3 * 365 - 60)  # ends in about two months
    term = start(world, committee, on=starts)
    own = f"第1届支部委员会将于 {term.ends_on} 任期届满，请做好换届准备"
    upper = f"和平社区第一党支部第1届支部委员会将于 {term.ends_on} 任期届满，请做好换届准备"
    officer_titles = [i.duty.title for i in duties_for(user("zhang"))]
    assert any(own in t for t in officer_titles), officer_titles
    street_titles = [i.duty.title for i in duties_for(world.users["street_a_admin"])]
    assert any(upper in t for t in street_titles), street_titles
    # Shown in the to-do centre itself.
    body = login(world.users["street_a_admin"]).get("/todo/").content.decode()
    assert upper in body
    # Another street hears nothing of it.
    assert not any("换届" in i.duty.title for i in duties_for(world.users["viewer"]))


def test_no_alert_long_before_the_end(world, committee):
    start(world, committee, on=TODAY - dt.timedelta(days=365))
    titles = [i.duty.title for i in duties_for(world.users["street_a_admin"])]
    assert not any("换届" in t for t in titles)


def test_a_subtree_can_be_warned_earlier_by_policy(world, committee):
    start(world, committee, on=TODAY - dt.timedelta(days=3 * 365 - 240))  # ends in ~8 months
    assert not [i for i in duties_for(world.users["street_a_admin"]) if "换届" in i.duty.title]
    set_override(
        world.system,
        key="elections.term.expiry_notice_months",
        org=world.street_a,
        value=12,
        valid_from=TODAY - dt.timedelta(days=1),
        reason="本街道提前一年部署换届",
    )
    street = [
        i.duty.title for i in duties_for(world.users["street_a_admin"]) if "换届" in i.duty.title
    ]
    assert street and "和平社区第一党支部" in street[0]


def test_an_overdue_term_is_an_overdue_duty(world, committee):
    term = start(world, committee, on=TODAY - dt.timedelta(days=3 * 365 + 30))
    items = [i for i in duties_for(world.users["street_a_admin"]) if "换届" in i.duty.title]
    assert items and items[0].urgency == "overdue"
    assert f"已于 {term.ends_on} 任期届满，尚未换届" in items[0].duty.title


def test_postponement_needs_a_recorded_approval(world, committee):
    term = start(world, committee)
    admin = world.users["street_a_admin"]
    new_end = dt.date(2027, 8, 31)
    with pytest.raises(ValidationError, match="上级批准"):
        services.change_term_end(admin, term, new_end=new_end)
    with pytest.raises(ValidationError, match="上级组织"):
        services.change_term_end(
            admin,
            term,
            new_end=new_end,
            approved_by=world.branch_b1,
            document_number="新华街道党工委〔2027〕2号",
            approved_on=APPROVED,
        )
    with pytest.raises(ValidationError, match="12 个月"):
        services.change_term_end(
            admin,
            term,
            new_end=dt.date(2028, 6, 30),
            approved_by=world.street_a,
            document_number="和平街道党工委〔2027〕3号",
            approved_on=APPROVED,
        )
    with pytest.raises(PermissionDenied):
        services.change_term_end(
            world.users["a1_officer"],
            term,
            new_end=new_end,
            approved_by=world.street_a,
            document_number="和平街道党工委〔2027〕3号",
            approved_on=APPROVED,
        )
    term.refresh_from_db()
    assert term.ends_on == dt.date(2027, 2, 28)
    change = services.change_term_end(
        admin,
        term,
        new_end=new_end,
        approved_by=world.street_a,
        document_number="和平街道党工委〔2027〕3号",
        approved_on=APPROVED,
        reason="村（社区）“两委”统一换届",
    )
    term.refresh_from_db()
    assert term.ends_on == new_end and change.kind == "postpone"
    assert (change.old_end, change.approved_by, change.recorded_by) == (
        dt.date(2027, 2, 28),
        world.street_a,
        admin,
    )
    # The officers' rights follow the approved end.
    assert gate.can(user("zhang"), gate.MANAGE, world.branch_a1, on=dt.date(2027, 8, 31))
    assert not gate.can(user("zhang"), gate.MANAGE, world.branch_a1, on=dt.date(2027, 9, 1))


def test_early_reelection_needs_an_approved_advancement(world, committee):
    term = start(world, committee)
    admin = world.users["street_a_admin"]
    new_secretary = member(world, "赵新书记", username="zhao")
    early = dt.date(2026, 3, 1)

    def next_term():
        return services.start_term(
            admin,
            org=world.branch_a1,
            committee=Committee.PARTY,
            starts_on=early,
            officers=[(new_secretary, Post.SECRETARY)],
        )

    with pytest.raises(ValidationError, match="提前换届"):
        next_term()
    services.change_term_end(
        admin,
        term,
        new_end=dt.date(2026, 3, 31),
        approved_by=world.street_a,
        document_number="和平街道党工委〔2026〕8号",
        approved_on=dt.date(2026, 1, 10),
    )
    second = next_term()
    assert second.number == 2
    assert not gate.can(user("zhang"), gate.MANAGE, world.branch_a1, on=early)
    assert gate.can(user("zhao"), gate.MANAGE, world.branch_a1, on=early)


def test_by_election_and_leaving_office(world, committee):
    term = start(world, committee)
    deputy = member(world, "陈副书记", username="chen")
    officer = services.add_officer(
        world.users["street_a_admin"],
        term,
        person=deputy,
        post=Post.DEPUTY_SECRETARY,
        on=dt.date(2025, 5, 1),
    )
    chen = user("chen")
    assert not gate.can(chen, gate.MANAGE, world.branch_a1, on=dt.date(2025, 4, 30))
    assert gate.can(chen, gate.MANAGE, world.branch_a1, on=dt.date(2025, 5, 1))
    services.end_officer(
        world.users["street_a_admin"], officer, on=dt.date(2025, 12, 31), reason="工作调动"
    )
    assert not gate.can(chen, gate.MANAGE, world.branch_a1, on=dt.date(2026, 1, 1))


def test_terms_from_the_command_line_and_the_api(world, committee, capsys, login):
    call_command(
        "elections",
        "term",
        "start",
        "--org",
        "A1",
        "--on",
        "2024-03-01",
        "--officer",
        "书记=张书记",
        "--officer",
        "organization=李组织",
        "--as",
        "street_a_admin",
    )
    assert "第1届支部委员会" in capsys.readouterr().out
    call_command("elections", "term", "show", "--org", "A1", "--as", "a1_officer")
    out = capsys.readouterr().out
    assert "书记：张书记" in out and "2027-02-28 届满" in out
    with pytest.raises(CommandError, match=r"无权|没有这个组织"):
        call_command("elections", "term", "show", "--org", "A1", "--as", "a2_officer")
    with pytest.raises(CommandError):
        call_command(
            "elections",
            "term",
            "start",
            "--org",
            "A1",
            "--on",
            "2027-03-01",
            "--officer",
            "书记=张书记",
            "--as",
            "a1_officer",
        )
    data = json.loads(
        login(world.users["a1_officer"]).get("/api/v1/elections/terms", {"org": "A1"}).content
    )
    assert [o["name"] for o in data["items"][0]["officers"]] == ["张书记", "李组织"]
    assert data["items"][0]["ends_on"] == "2027-02-28"
    refused = login(world.users["a2_officer"]).get("/api/v1/elections/terms", {"org": "A1"})
    assert refused.status_code == 404
