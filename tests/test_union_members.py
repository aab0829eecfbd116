"""Union members, delegates and development plans."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiceng.demo.build import credit_code
from jiceng.demo.names import id_number
from jiceng.orgs.services import register_unit
from jiceng.people.models import Stage
from jiceng.people.selectors import plan_progress, union_membership_rate
from jiceng.people.services import (
    apply,
    enrol_member,
    join_union,
    register_person,
    seat_delegate,
    set_plan,
    take_step,
)


def person(world, n, org=None):
    return register_person(
        world.system,
        org=org or world.union,
        name=f"会员{n}",
        id_number=id_number(dt.date(1988, 1, 1), n),
    )


def test_union_membership_rate_is_members_over_employees(world):
    register_unit(
        world.system,
        credit_code=credit_code(1),
        name="厂",
        kind="enterprise",
        ownership="non_public",
        employees=8,
        responsible_union=world.union,
    )
    for n in range(1, 7):
        join_union(
            world.system,
            person(world, n),
            org=world.union,
            member_number=f"M{n:04d}",
            joined_on=dt.date(2024, 1, 1),
        )
    assert union_membership_rate(world.system, world.union) == {
        "members": 6,
        "employees": 8,
        "rate": 75.0,
    }


def test_member_numbers_are_unique_and_unions_only(world):
    join_union(
        world.system,
        person(world, 1),
        org=world.union,
        member_number="M1",
        joined_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as err:
        join_union(
            world.system,
            person(world, 2),
            org=world.branch_a1,
            member_number="M1",
            joined_on=dt.date(2024, 1, 1),
        )
    assert {"org", "member_number"} <= set(err.value.message_dict)


def test_delegates_by_category(world):
    seat = seat_delegate(
        world.system,
        person(world, 3),
        org=world.union,
        category="invited",
        term_from=dt.date(2024, 1, 1),
        term_until=dt.date(2029, 1, 1),
    )
    assert seat.get_category_display()
    with pytest.raises(ValidationError):
        seat_delegate(
            world.system,
            person(world, 4),
            org=world.union,
            category="observer",
            term_from=dt.date(2024, 1, 1),
        )


def test_plan_progress_counts_admissions_in_the_subtree(world):
    plan = set_plan(world.system, org=world.street_a, first_year=2024, last_year=2024, target=4)
    intro = []
    for n in (11, 12):
        p = register_person(
            world.system,
            org=world.branch_a1,
            name=f"介绍人{n}",
            id_number=id_number(dt.date(1970, 1, 1), n),
        )
        enrol_member(
            world.system,
            p,
            org=world.branch_a1,
            stage=Stage.FULL,
            joined_on=dt.date(2000, 1, 1),
            full_on=dt.date(2001, 1, 1),
        )
        intro.append(p.pk)
    p = register_person(
        world.system, org=world.branch_a1, name="新人", id_number=id_number(dt.date(1995, 1, 1), 13)
    )
    m = apply(world.system, p, org=world.branch_a1, on=dt.date(2023, 1, 1))
    steps = [
        ("talk", {}),
        ("activist", {}),
        ("target", {}),
        ("introducers", {"introducers": intro}),
        ("review", {}),
        ("training", {"hours": 24}),
        ("notice", {"days": 5}),
        ("pre_review", {}),
        ("admit", {}),
    ]
    on = dt.date(2023, 1, 2)
    for step, data in steps:
        if step == "target":
            on += dt.timedelta(days=366)
        take_step(world.system, m, step, on=on, data=data)
        on += dt.timedelta(days=1)
    progress = plan_progress(world.system, plan)
    assert (progress["admitted"], progress["target"], progress["rate"]) == (1, 4, 25.0)
    with pytest.raises(ValidationError):
        set_plan(world.system, org=world.street_a, first_year=2025, last_year=2031, target=1)
