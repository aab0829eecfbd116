"""The organization lifecycle: dated, audited, history kept, bad input refused."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.audit.models import AuditEvent
from jiceng.demo.build import credit_code
from jiceng.orgs.models import Kind, Organization, OrgState, Unit, UnitKind, in_force_on
from jiceng.orgs.services import (
    dissolve,
    merge,
    move,
    register_unit,
    rename,
    set_host_units,
    set_up,
    split,
    update_unit,
)
from jiceng.orgs.services.units import credit_code_problem

D = dt.date.today()
BEFORE = D - dt.timedelta(days=1)


def unit(world, n, **fields):
    defaults = {
        "name": f"测试企业{n}有限公司",
        "kind": UnitKind.ENTERPRISE,
        "ownership": "non_public",
        "employees": 120,
        "responsible_org": world.street_a,
    }
    return register_unit(
        world.system, credit_code=credit_code(n), on=dt.date(2020, 1, 1), **{**defaults, **fields}
    )


def tree_on(org, day):
    path = OrgState.objects.get(in_force_on(day), org=org).path
    return set(
        OrgState.objects.filter(in_force_on(day), path__startswith=path).values_list(
            "org__code", flat=True
        )
    )


def test_move_rewrites_the_subtree_paths_and_keeps_history(world):
    group = set_up(
        world.system,
        code="A1G",
        name="第一党小组",
        kind=Kind.PARTY_GROUP,
        parent=world.branch_a1,
        founded_on=dt.date(2020, 1, 1),
    )
    move(world.users["district_admin"], world.branch_a1, new_parent=world.street_b, on=D)
    world.branch_a1.refresh_from_db()
    group.refresh_from_db()
    assert world.branch_a1.path.startswith(world.street_b.path)
    assert group.path.startswith(world.branch_a1.path) and group.depth == 3
    assert {"A1", "A1G"} <= tree_on(world.street_b, D)
    assert "A1" not in tree_on(world.street_a, D)
    assert {"A1", "A1G"} <= tree_on(world.street_a, BEFORE)  # as of yesterday: the old place


def test_move_refuses_a_cycle_and_writes_nothing(world):
    before = world.district.path
    with pytest.raises(ValidationError) as err:
        move(world.system, world.district, new_parent=world.branch_a1, on=D)
    assert set(err.value.message_dict) == {"new_parent"}
    world.district.refresh_from_db()
    assert world.district.path == before
    with pytest.raises(ValidationError):
        move(world.system, world.street_a, new_parent=world.street_a, on=D)


def test_move_refuses_crossing_trees_and_needs_rights_on_both_ends(world):
    with pytest.raises(ValidationError):
        move(world.system, world.branch_a1, new_parent=world.union, on=D)
    with pytest.raises(PermissionDenied):
        move(world.users["street_a_admin"], world.branch_a1, new_parent=world.street_b, on=D)


def test_a_duplicate_code_is_refused(world):
    with pytest.raises(ValidationError) as err:
        set_up(world.system, code="A1", name="重复支部", kind=Kind.BRANCH, parent=world.street_a)
    assert "A1" in err.value.message_dict["code"][0]
    assert Organization.objects.filter(code="A1").count() == 1


def test_rename_is_dated_and_the_old_name_stays_in_history(world):
    rename(world.users["a1_officer"], world.branch_a1, name="和平社区联合党支部", on=D)
    assert (
        OrgState.objects.get(in_force_on(BEFORE), org=world.branch_a1).name == "和平社区第一党支部"
    )
    assert OrgState.objects.get(in_force_on(D), org=world.branch_a1).name == "和平社区联合党支部"


def test_a_change_dated_before_the_last_one_is_refused(world):
    rename(world.users["a1_officer"], world.branch_a1, name="新名称", on=D)
    with pytest.raises(ValidationError) as err:
        rename(world.users["a1_officer"], world.branch_a1, name="更早", on=BEFORE)
    assert "on" in err.value.message_dict


def test_dissolve_needs_no_active_subordinates_and_closes_history(world):
    with pytest.raises(ValidationError):
        dissolve(world.system, world.street_a, on=D)
    dissolve(world.users["street_a_admin"], world.branch_a2, on=D, reason="党员转入第一支部")
    world.branch_a2.refresh_from_db()
    assert world.branch_a2.dissolved_on == D
    assert "A2" in tree_on(world.street_a, BEFORE) and "A2" not in tree_on(world.street_a, D)


def test_merge_moves_subordinates_and_host_units_then_dissolves(world):
    u = unit(world, 1)
    set_host_units(world.system, world.branch_a2, units=[u], on=dt.date(2020, 1, 2))
    merge(world.users["street_a_admin"], [world.branch_a2], into=world.branch_a1, on=D)
    world.branch_a2.refresh_from_db()
    assert world.branch_a2.dissolved_on == D
    assert list(
        world.branch_a1.host_links.filter(valid_until__isnull=True).values_list(
            "unit_id", flat=True
        )
    ) == [u.pk]


def test_split_creates_a_sibling_with_the_units_handed_over(world):
    u1, u2 = unit(world, 1), unit(world, 2)
    set_host_units(world.system, world.branch_a1, units=[u1, u2], on=dt.date(2020, 1, 2))
    [new] = split(
        world.users["street_a_admin"],
        world.branch_a1,
        on=D,
        parts=[{"code": "A1B", "name": "和平社区第一党支部（二）", "units": [u2]}],
    )
    assert new.parent == world.street_a
    assert set(
        new.host_links.filter(valid_until__isnull=True).values_list("unit_id", flat=True)
    ) == {u2.pk}
    assert set(
        world.branch_a1.host_links.filter(valid_until__isnull=True).values_list(
            "unit_id", flat=True
        )
    ) == {u1.pk}


def test_a_joint_branch_covers_at_most_five_units(world):
    units = [unit(world, n) for n in range(1, 7)]
    with pytest.raises(ValidationError) as err:
        set_host_units(world.system, world.branch_a1, units=units, on=D)
    assert "5" in err.value.message_dict["units"][0]
    set_host_units(world.system, world.branch_a1, units=units[:5], on=D)
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.formation_mode == "joint"


@pytest.mark.parametrize("code", ["91110000600037341X", "12345", "911100006000373410"])
def test_invalid_credit_codes_are_refused_with_a_reason(world, code):
    assert credit_code_problem(code)
    with pytest.raises(ValidationError) as err:
        register_unit(
            world.system,
            credit_code=code,
            name="坏代码公司",
            kind="enterprise",
            ownership="non_public",
            responsible_org=world.street_a,
        )
    assert "credit_code" in err.value.message_dict
    assert not Unit.objects.filter(name="坏代码公司").exists()


def test_unit_changes_are_dated(world):
    u = unit(world, 3, employees=40)
    update_unit(world.system, u, employees=150, on=dt.date(2024, 1, 1))
    assert u.states.get(in_force_on(dt.date(2023, 6, 1))).employees == 40
    assert u.states.get(in_force_on(dt.date(2024, 6, 1))).employees == 150


def test_units_are_written_only_by_managers_of_the_responsible_org(world):
    with pytest.raises(PermissionDenied):
        register_unit(
            world.users["a2_officer"],
            credit_code=credit_code(9),
            name="越权公司",
            kind="enterprise",
            ownership="non_public",
            responsible_org=world.street_b,
        )


def test_every_lifecycle_step_is_audited(world):
    move(world.system, world.branch_a1, new_parent=world.street_b, on=D)
    event = AuditEvent.objects.latest("id")
    assert event.action == "orgs.org.move"
    assert event.before["parent"] == "SA" and event.after["parent"] == "SB"
