"""Policy as data: defaults with sources, dated subtree overrides, the page that lists them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.kernel.dated import until_after
from jiceng.orgs.services.policy import set_override
from jiceng.policy import registry
from jiceng.policy.selectors import in_force, lookup, value

KEY = "todo.due_soon_days"
D = dt.date(2026, 3, 1)


def override(world, org, v, valid_from=D, valid_until=None, actor=None):
    return set_override(
        actor or world.system,
        key=KEY,
        org=org,
        value=v,
        valid_from=valid_from,
        valid_until=valid_until,
        reason="区委组织部〔2026〕3号",
    )


def test_every_default_names_its_source():
    for d in registry.definitions().values():
        assert d.label and all(p.source for p in d.periods), d.key


def test_default_applies_without_overrides(world):
    assert value(KEY) == 14
    assert value(KEY, org=world.branch_a1, on=D) == 14


def test_override_applies_to_the_subtree_only_and_only_from_its_date(world):
    override(world, world.street_a, 7)
    assert value(KEY, org=world.branch_a1, on=D) == 7
    assert value(KEY, org=world.street_a, on=D) == 7
    assert value(KEY, org=world.branch_a1, on=D - dt.timedelta(days=1)) == 14
    assert value(KEY, org=world.branch_b1, on=D) == 14
    assert value(KEY, org=world.district, on=D) == 14


def test_the_nearest_override_wins(world):
    override(world, world.district, 10)
    override(world, world.branch_a1, 3)
    assert value(KEY, org=world.branch_a1, on=D) == 3
    assert value(KEY, org=world.branch_a2, on=D) == 10


def test_an_override_ends_on_its_last_day(world):
    override(world, world.street_a, 7, valid_until=dt.date(2026, 7, 1))
    assert value(KEY, org=world.branch_a1, on=dt.date(2026, 6, 30)) == 7
    assert value(KEY, org=world.branch_a1, on=dt.date(2026, 7, 1)) == 14


def test_in_force_lists_every_value_with_source_and_where_overridden(world):
    override(world, world.street_a, 7)
    rows = {r.key: r for r in in_force(world.branch_a1, D)}
    assert set(rows) == set(registry.definitions())
    assert rows[KEY].value == 7 and rows[KEY].overridden_at == world.street_a
    assert rows[KEY].source == "区委组织部〔2026〕3号"
    assert rows["access.login.failure_limit"].override is None
    assert "GB/T 22239" in rows["access.login.failure_limit"].source


def test_dated_default_periods_are_respected(monkeypatch):
    d = registry.Definition(
        "x.y",
        "测试",
        "",
        "test",
        (
            registry.Period(1, "旧规定", None, dt.date(2025, 1, 1)),
            registry.Period(2, "新规定", dt.date(2025, 1, 1), None),
        ),
    )
    monkeypatch.setitem(registry.definitions(), "x.y", d)
    assert value("x.y", on=dt.date(2024, 12, 31)) == 1
    assert value("x.y", on=dt.date(2025, 1, 1)) == 2
    assert lookup("x.y", on=dt.date(2025, 1, 1)).source == "新规定"


def test_bad_overrides_are_refused_with_reasons(world):
    with pytest.raises(ValidationError) as err:
        set_override(
            world.system,
            key=KEY,
            org=world.district,
            value="十四",
            valid_from=D,
            valid_until=D,
            reason=" ",
        )
    assert set(err.value.message_dict) == {"value", "valid_until", "reason"}
    with pytest.raises(ValidationError):
        set_override(
            world.system, key="no.such.key", org=world.district, value=1, valid_from=D, reason="x"
        )


def test_only_administrators_of_the_subtree_may_override(world):
    with pytest.raises(PermissionDenied):
        override(world, world.branch_a1, 1, actor=world.users["a1_officer"])
    with pytest.raises(PermissionDenied):
        override(world, world.branch_b1, 1, actor=world.users["street_a_admin"])
    override(world, world.branch_a1, 1, actor=world.users["street_a_admin"])


def test_policy_page_shows_values_sources_and_overrides(world, login):
    override(world, world.street_a, 7, valid_from=dt.date(2020, 1, 1))
    page = login(world.users["a1_officer"]).get("/orgs/A1/policy/").content.decode()
    assert "中共和平街道工作委员会" in page and "区委组织部〔2026〕3号" in page
    assert "GB/T 22239" in page


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    length=st.one_of(st.none(), st.integers(0, 2000)),
    probe=st.dates(dt.date(2019, 1, 1), dt.date(2031, 1, 1)),
)
def test_override_is_in_force_exactly_within_its_range(
    django_db_setup, django_db_blocker, start, length, probe
):
    """Property: the override's value holds on a date iff the date lies in [from, to]."""
    from django.db import transaction

    from jiceng.access.services import system_actor
    from jiceng.orgs.models import Kind
    from jiceng.orgs.services import set_up

    end = None if length is None else start + dt.timedelta(days=length)
    with django_db_blocker.unblock(), transaction.atomic():
        actor = system_actor()
        org = set_up(actor, code="H", name="假设党委", kind=Kind.PARTY_COMMITTEE)
        set_override(
            actor,
            key=KEY,
            org=org,
            value=99,
            valid_from=start,
            valid_until=until_after(end),
            reason="测试",
        )
        inside = start <= probe and (end is None or probe <= end)
        assert (value(KEY, org=org, on=probe) == 99) == inside
        transaction.set_rollback(True)


def test_a_request_reads_an_organizations_overrides_once_and_sees_its_own_writes(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiceng.policy.selectors import request_memo

    override(world, world.street_a, 7)
    with request_memo():
        with CaptureQueriesContext(connection) as read:
            assert value(KEY, org=world.branch_a1, on=D) == 7
            assert value("life.due_soon_days", org=world.branch_a1, on=D) is not None
            assert lookup(KEY, org=world.branch_a1, on=D).value == 7
        assert len(read) == 1  # three lookups, one read of the branch's overrides
        override(world, world.branch_a1, 3)  # a write in the same request is seen at once
        assert value(KEY, org=world.branch_a1, on=D) == 3
    assert value(KEY, org=world.branch_a2, on=D) == 7
