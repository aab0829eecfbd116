"""The visibility gate: every user sees exactly their scope on its dates, and nothing else."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.access import gate
from jiceng.access.models import Role
from jiceng.access.services import assign_role
from jiceng.orgs import selectors
from jiceng.orgs.models import Kind
from jiceng.orgs.services import rename, set_up


def codes(user, **kw):
    return set(selectors.org_list(user, **kw).values_list("code", flat=True))


def test_upper_admin_sees_the_whole_subtree_and_nothing_outside(world):
    assert codes(world.users["district_admin"]) == {"D", "SA", "SB", "A1", "A2", "B1"}
    assert codes(world.users["street_a_admin"]) == {"SA", "A1", "A2"}


def test_node_officer_sees_only_their_branch(world):
    assert codes(world.users["a1_officer"]) == {"A1"}


def test_expired_future_and_unassigned_users_see_nothing(world):
    for name in ["expired", "future", "nobody"]:
        assert codes(world.users[name]) == set(), name


def test_assignment_counts_on_its_dates(world):
    future = world.users["future"]
    assert codes(future) == set()
    later = dt.date.today() + dt.timedelta(days=3)
    assert (
        selectors.visible_orgs(future).filter(gate.org_filter(future, on=later)).exists() is False
    )
    assert gate.can(future, gate.MANAGE, world.branch_a1, on=later)
    assert not gate.can(future, gate.MANAGE, world.branch_a1)


def test_roots_are_the_top_of_what_a_user_sees(world):
    assert codes(world.users["street_a_admin"], roots=True) == {"SA"}
    assert codes(world.system, roots=True) == {"D", "U"}


def test_sibling_officer_cannot_write_to_the_other_branch(world):
    with pytest.raises(PermissionDenied):
        rename(world.users["a2_officer"], world.branch_a1, name="改名")
    with pytest.raises(PermissionDenied):
        set_up(
            world.users["a2_officer"],
            code="X",
            name="越权支部",
            kind=Kind.BRANCH,
            parent=world.branch_a1,
        )
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.name == "和平社区第一党支部"


def test_viewer_and_member_may_read_but_not_write(world):
    assert codes(world.users["viewer"]) == {"SB", "B1"}
    with pytest.raises(PermissionDenied):
        rename(world.users["viewer"], world.branch_b1, name="改名")
    with pytest.raises(PermissionDenied):
        rename(world.users["a1_member"], world.branch_a1, name="改名")


def test_admins_cannot_grant_roles_outside_their_subtree_or_system_admin(world):
    admin = world.users["street_a_admin"]
    with pytest.raises(PermissionDenied):
        assign_role(admin, user=world.users["nobody"], role=Role.OFFICER, org=world.branch_b1)
    with pytest.raises(ValidationError):
        assign_role(admin, user=world.users["nobody"], role=Role.SYSTEM_ADMIN)
    assign_role(admin, user=world.users["nobody"], role=Role.OFFICER, org=world.branch_a2)
    assert codes(world.users["nobody"]) == {"A2"}


def test_deactivated_user_loses_everything(world):
    admin = world.users["district_admin"]
    admin.is_active = False
    admin.save()
    assert codes(admin) == set()
