"""Formation checks land in the to-do centre of the responsible upper organization."""

import datetime as dt

from jiceng.demo.build import credit_code
from jiceng.life.services import mark_held
from jiceng.orgs.models import Kind
from jiceng.orgs.services import register_unit, set_up, update_flags
from jiceng.orgs.services.policy import set_override
from jiceng.todo.selectors import duties_for

START = dt.date(2020, 1, 1)


def kinds_for(user, kind):
    return [i.duty for i in duties_for(user) if i.duty.kind == kind]


def enterprise(world, n, **fields):
    return register_unit(
        world.system,
        credit_code=credit_code(n),
        name=f"企业{n}",
        kind="enterprise",
        ownership="non_public",
        on=START,
        **{"responsible_org": world.street_a, **fields},
    )


def test_units_that_should_have_a_party_org_and_have_none(world):
    enterprise(world, 1, employees=150)  # ≥100 employees
    enterprise(world, 2, employees=20, party_members=3)  # ≥3 members
    enterprise(world, 3, employees=20, party_members=2)  # neither
    covered = enterprise(world, 4, employees=500)
    set_up(
        world.system,
        code="E4P",
        name="企业4党支部",
        kind=Kind.BRANCH,
        parent=world.street_a,
        units=[covered],
        founded_on=START,
    )
    duties = kinds_for(world.users["street_a_admin"], "orgs.should_form_party_org")
    assert sorted(d.title.split(" ")[0][:3] for d in duties) == ["企业1", "企业2"]
    assert all(d.org == world.street_a for d in duties)
    assert kinds_for(world.users["a1_officer"], "orgs.should_form_party_org") == []


def test_a_subtree_override_changes_the_rule_only_there(world):
    enterprise(world, 1, employees=80)
    set_override(
        world.system,
        key="orgs.party.should_form_min_employees",
        org=world.street_a,
        value=50,
        valid_from=START,
        reason="街道党工委〔2024〕1号",
    )
    assert len(kinds_for(world.users["street_a_admin"], "orgs.should_form_party_org")) == 1
    enterprise(world, 2, employees=80, responsible_org=world.street_b)
    titles = [d.title for d in kinds_for(world.system, "orgs.should_form_party_org")]
    assert any("企业1" in t for t in titles) and not any("企业2" in t for t in titles)


def test_oversized_branches_and_branches_without_committee(world):
    update_flags(world.system, world.branch_a1, reported_members=55, has_committee=True)
    update_flags(world.system, world.branch_a2, reported_members=9, has_committee=False)
    admin = world.users["street_a_admin"]
    [oversized] = kinds_for(admin, "orgs.oversized_branch")
    assert "55" in oversized.title and oversized.org == world.street_a
    [committee] = kinds_for(admin, "orgs.needs_committee")
    assert "和平社区第二党支部" in committee.title


def test_units_needing_a_union(world):
    register_unit(
        world.system,
        credit_code=credit_code(7),
        name="大厂",
        kind="enterprise",
        ownership="non_public",
        employees=30,
        responsible_union=world.union,
        on=START,
    )
    register_unit(
        world.system,
        credit_code=credit_code(8),
        name="小厂",
        kind="enterprise",
        ownership="non_public",
        employees=24,
        responsible_union=world.union,
        on=START,
    )
    titles = [d.title for d in kinds_for(world.system, "orgs.should_form_union")]
    assert len(titles) == 1 and "大厂" in titles[0]


def test_empty_shell_check_waits_for_activity_records(world, monkeypatch):
    from jiceng.orgs import activity

    monkeypatch.setattr(activity, "_providers", lambda: [])
    assert kinds_for(world.system, "orgs.empty_shell") == []


def test_a_branch_that_held_a_meeting_is_no_empty_shell(world):
    from tests.test_life_services import at, general

    yesterday = dt.date.today() - dt.timedelta(days=1)
    meeting = general(world, day=yesterday)
    mark_held(world.users["a1_officer"], meeting, now=at(yesterday, 17))
    flagged = {d.url for d in kinds_for(world.users["street_a_admin"], "orgs.empty_shell")}
    assert "/orgs/A2/" in flagged and "/orgs/A1/" not in flagged


def test_empty_shells_once_activity_is_recorded(world, monkeypatch):
    from jiceng.orgs import activity

    today = dt.date.today()
    recent = {world.branch_a1.pk: today - dt.timedelta(days=20)}
    monkeypatch.setattr(activity, "_providers", lambda: [lambda ids: recent])
    flagged = {
        d.title.split(" ")[0] for d in kinds_for(world.users["street_a_admin"], "orgs.empty_shell")
    }
    assert any("第二" in t for t in flagged) and not any("第一" in t for t in flagged)
