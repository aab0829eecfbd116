"""Role assignments can be listed and ended, audited, within one's scope (issue #12 item 2)."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from jiceng.access import gate
from jiceng.access.models import Role, RoleAssignment
from jiceng.access.services import assign_role, create_token, end_role
from jiceng.audit.models import AuditEvent
from tests.conftest import LONG_AGO, TODAY


def assignment_of(world, name) -> RoleAssignment:
    return RoleAssignment.objects.get(user=world.users[name])


@pytest.fixture
def api(world, client):
    """GET and POST on /api/v1 as a named user (bearer token)."""

    def call(name, method, path, body=None):
        _t, raw = create_token(world.system, user=world.users[name])
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if method == "get":
            return client.get("/api/v1" + path, body or {}, **headers)
        return client.post("/api/v1" + path, body or {}, content_type="application/json", **headers)

    return call


# -- the service ----------------------------------------------------------------------------


def test_an_administrator_ends_an_officers_role_on_a_day_and_it_is_audited(world):
    a = assignment_of(world, "a1_officer")
    last = TODAY + dt.timedelta(days=5)
    end_role(world.users["street_a_admin"], a, last_day=last)
    officer = world.users["a1_officer"]
    assert gate.can(officer, gate.MANAGE, world.branch_a1, on=last)
    assert not gate.can(officer, gate.MANAGE, world.branch_a1, on=last + dt.timedelta(days=1))
    event = AuditEvent.objects.filter(action="access.role.end").latest("id")
    assert event.actor_name == "street_a_admin"
    assert event.before["valid_until"] is None
    assert event.after["valid_until"] == str(last + dt.timedelta(days=1))


def test_the_default_end_is_today_the_last_day_in_force(world):
    a = end_role(world.users["district_admin"], assignment_of(world, "a2_officer"))
    assert a.last_day == TODAY
    assert not gate.can(
        world.users["a2_officer"], gate.VIEW, world.branch_a2, on=TODAY + dt.timedelta(days=1)
    )


def test_an_end_before_the_start_is_refused(world):
    a = assignment_of(world, "a1_officer")
    with pytest.raises(ValidationError) as refused:
        end_role(world.users["street_a_admin"], a, last_day=LONG_AGO - dt.timedelta(days=1))
    assert "last_day" in refused.value.message_dict
    a.refresh_from_db()
    assert a.valid_until is None
    assert not AuditEvent.objects.filter(action="access.role.end").exists()


def test_ending_never_extends_a_role(world):
    a = end_role(world.users["street_a_admin"], assignment_of(world, "a1_officer"), last_day=TODAY)
    with pytest.raises(ValidationError):
        end_role(world.users["street_a_admin"], a, last_day=TODAY + dt.timedelta(days=30))
    a.refresh_from_db()
    assert a.last_day == TODAY


def test_an_officer_ends_a_members_role_at_their_branch_but_not_an_administrators(world):
    a1_admin = assign_role(
        world.system, user=world.users["nobody"], role=Role.UPPER_ADMIN, org=world.branch_a1
    )
    end_role(world.users["a1_officer"], assignment_of(world, "a1_member"), last_day=TODAY)
    with pytest.raises(PermissionDenied):
        end_role(world.users["a1_officer"], a1_admin, last_day=TODAY)


@pytest.mark.parametrize("intruder", ["a2_officer", "viewer", "a1_member", "expired", "nobody"])
def test_nobody_ends_a_role_outside_what_they_manage(world, intruder):
    a = assignment_of(world, "a1_officer")
    with pytest.raises(PermissionDenied):
        end_role(world.users[intruder], a, last_day=TODAY)
    a.refresh_from_db()
    assert a.valid_until is None


# -- the API --------------------------------------------------------------------------------


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {
        (row["user"], row["org"]["code"] if row["org"] else None)
        for row in response.json()["items"]
    }


def test_the_list_shows_the_roles_of_the_organizations_one_manages(world, api):
    seen = listed(api("street_a_admin", "get", "/assignments"))
    assert {("a1_officer", "A1"), ("a2_officer", "A2"), ("a1_member", "A1")} <= seen
    assert ("viewer", "SB") not in seen and ("district_admin", "D") not in seen
    assert listed(api("a2_officer", "get", "/assignments")) == {("a2_officer", "A2")}
    assert listed(api("viewer", "get", "/assignments")) == set()
    assert listed(api("nobody", "get", "/assignments")) == set()


def test_the_list_hides_ended_roles_unless_asked(world, api):
    end_role(world.system, assignment_of(world, "a1_member"), last_day=TODAY - dt.timedelta(days=1))
    assert ("a1_member", "A1") not in listed(api("street_a_admin", "get", "/assignments"))
    everything = api("street_a_admin", "get", "/assignments", {"ended": "true", "org": "A1"})
    assert ("a1_member", "A1") in listed(everything)


def test_ending_through_the_api_answers_the_last_day(world, api):
    a = assignment_of(world, "a1_officer")
    response = api("street_a_admin", "post", f"/assignments/{a.pk}/end", {"last_day": str(TODAY)})
    assert response.status_code == 200
    assert response.json()["valid_to"] == str(TODAY)
    a.refresh_from_db()
    assert a.last_day == TODAY


def test_the_api_refuses_an_end_before_the_start(world, api):
    a = assignment_of(world, "a1_officer")
    response = api("street_a_admin", "post", f"/assignments/{a.pk}/end", {"last_day": "2019-12-31"})
    assert response.status_code == 400
    assert "last_day" in response.json()["fields"]
    a.refresh_from_db()
    assert a.valid_until is None


@pytest.mark.parametrize("intruder", ["a2_officer", "viewer", "expired", "nobody"])
def test_the_api_refuses_ending_a_role_of_another_organization(world, api, intruder):
    a = assignment_of(world, "a1_officer")
    response = api(intruder, "post", f"/assignments/{a.pk}/end", {"last_day": str(TODAY)})
    assert response.status_code == 404
    assert "A1" not in response.content.decode()
    a.refresh_from_db()
    assert a.valid_until is None


def test_the_api_refuses_an_officer_ending_an_administrators_role(world, api):
    a1_admin = assign_role(
        world.system, user=world.users["nobody"], role=Role.UPPER_ADMIN, org=world.branch_a1
    )
    response = api("a1_officer", "post", f"/assignments/{a1_admin.pk}/end", {})
    assert response.status_code == 403
    a1_admin.refresh_from_db()
    assert a1_admin.valid_until is None


# -- the CLI --------------------------------------------------------------------------------


def test_roles_list_and_end_from_the_command_line(world, capsys):
    call_command("roles", "list", "--org", "A1", "--format", "json", "--as", "street_a_admin")
    rows = json.loads(capsys.readouterr().out)
    officer = next(r for r in rows if r["user"] == "a1_officer")
    assert officer["last_day"] is None
    last = str(TODAY + dt.timedelta(days=2))
    call_command("roles", "end", str(officer["id"]), "--last-day", last, "--as", "street_a_admin")
    assert json.loads(capsys.readouterr().out)["last_day"] == last
    event = AuditEvent.objects.filter(action="access.role.end").latest("id")
    assert event.actor_name == "street_a_admin"


def test_roles_end_refuses_out_of_scope_and_before_start(world, capsys):
    a = assignment_of(world, "a1_officer")
    with pytest.raises(CommandError):
        call_command("roles", "end", str(a.pk), "--as", "a2_officer")
    with pytest.raises(CommandError):
        call_command("roles", "end", str(a.pk), "--last-day", "2019-01-01")
    a.refresh_from_db()
    assert a.valid_until is None


# -- the demo: officers' rights come from their terms ---------------------------------------


@pytest.fixture
def demo(db):
    from jiceng.access.services import system_actor
    from jiceng.demo.build import load

    load(system_actor(), "small", TODAY)


def test_the_demo_officers_hold_rights_for_their_terms_only(demo):
    from jiceng.access.models import User
    from jiceng.elections.models import Officer

    for username in ("sq", "zb", "zb2", "gh"):
        user = User.objects.get(username=username)
        roles = list(RoleAssignment.objects.filter(user=user))
        assert roles, username
        terms = {
            (o.term.org_id, o.term.starts_on, o.term.ends_on)
            for o in Officer.objects.filter(person=user.person).select_related("term")
        }
        assert terms, username
        for a in roles:  # dated, and exactly the dates of a term they were elected for
            assert a.valid_until is not None, (username, a)
            assert (a.org_id, a.valid_from, a.last_day) in terms, (username, a)
            assert gate.can(user, gate.MANAGE, a.org)
            assert not gate.can(user, gate.VIEW, a.org, on=a.valid_until)


def test_the_demo_secretaries_still_manage_what_they_did(demo):
    from jiceng.access.models import User
    from jiceng.orgs.models import Organization

    sq, zb, zb2 = (User.objects.get(username=u) for u in ("sq", "zb", "zb2"))
    branch = Organization.objects.get(pk=RoleAssignment.objects.get(user=zb).org_id)
    sibling = Organization.objects.get(pk=RoleAssignment.objects.get(user=zb2).org_id)
    assert branch != sibling and branch.parent_id == sibling.parent_id
    assert gate.can(sq, gate.MANAGE, branch) and gate.can(sq, gate.MANAGE, sibling)
    assert not gate.can(zb, gate.MANAGE, sibling)
