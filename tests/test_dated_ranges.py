"""One date-range convention: every dated table is [valid_from, valid_until), `valid_until`
the first day no longer in force; users still see the last day in force."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from jiceng.access import gate
from jiceng.access.models import RoleAssignment
from jiceng.access.services import create_user
from jiceng.demo.build import credit_code
from jiceng.demo.names import id_number
from jiceng.elections import services as elections
from jiceng.elections.models import Committee, Officer, Post
from jiceng.kernel.dated import DatedRange, last_day_before, until_after
from jiceng.orgs.models import HostLink, OrgState, UnitState
from jiceng.orgs.services import register_unit, set_host_units
from jiceng.orgs.services.policy import set_override
from jiceng.people.delegates import seat_delegate
from jiceng.people.floating import record_outflow
from jiceng.people.models import Delegate, FloatingRecord, MembershipState, Stage
from jiceng.people.services import enrol_member, register_person
from jiceng.people.unions import join_union
from jiceng.policy import registry
from jiceng.policy.models import PolicyOverride
from jiceng.policy.selectors import value
from tests.conftest import PASSWORD

D = dt.date(2025, 7, 1)  # the day a range ends: the first day it is no longer in force
DAY = dt.timedelta(days=1)
START = dt.date(2024, 3, 1)
POLICY_KEY = "todo.due_soon_days"


def party_member(world, name: str, seq: int, username: str | None = None):
    person = register_person(
        world.system,
        org=world.branch_a1,
        name=name,
        id_number=id_number(dt.date(1980, 1, 1), seq),
    )
    membership = enrol_member(
        world.system,
        person,
        org=world.branch_a1,
        stage=Stage.FULL,
        joined_on=dt.date(2000, 7, 1),
        full_on=dt.date(2001, 7, 1),
    )
    if username:
        create_user(
            world.system, username=username, password=PASSWORD, full_name=name, person=person
        )
    return membership


def one_row_of_each(world) -> dict:
    """A row of every dated table, built through the services."""
    unit = register_unit(
        world.system,
        credit_code=credit_code(41),
        name="和平社区居民委员会",
        kind="community",
        ownership="collective",
        responsible_org=world.street_a,
    )
    set_host_units(world.system, world.branch_a1, units=[unit], on=dt.date(2020, 1, 1))
    m = party_member(world, "甲", 41)
    floating = record_outflow(
        world.users["a1_officer"], m, place="深圳", since=dt.date(2024, 1, 1), contact_person="王"
    )
    term = elections.start_term(
        world.users["street_a_admin"],
        org=world.branch_a1,
        committee=Committee.PARTY,
        starts_on=START,
        officers=[(party_member(world, "乙", 42).person, Post.SECRETARY)],
    )
    worker = register_person(
        world.system, org=world.union, name="会员", id_number=id_number(dt.date(1985, 1, 1), 43)
    )
    join_union(
        world.system, worker, org=world.union, member_number="M1", joined_on=dt.date(2020, 1, 1)
    )
    override = set_override(
        world.system,
        key=POLICY_KEY,
        org=world.district,
        value=9,
        valid_from=dt.date(2024, 1, 1),
        reason="测试",
    )
    return {
        OrgState: OrgState.objects.filter(org=world.branch_a1).first(),
        UnitState: UnitState.objects.filter(unit=unit).first(),
        HostLink: HostLink.objects.filter(unit=unit).first(),
        MembershipState: m.states.first(),
        FloatingRecord: floating,
        RoleAssignment: world.users["a1_officer"].assignments.first(),
        PolicyOverride: override,
        Officer: term.officers.first(),
        Delegate: seat_delegate(
            world.system, worker, org=world.union, category="voting", valid_from=START
        ),
    }


DATED_MODELS = [
    OrgState,
    UnitState,
    HostLink,
    MembershipState,
    FloatingRecord,
    RoleAssignment,
    PolicyOverride,
    Officer,
    Delegate,
]


@pytest.mark.parametrize("model", DATED_MODELS, ids=lambda m: m.__name__)
def test_a_row_ending_on_d_is_in_force_the_day_before_and_not_on_d(world, model):
    row = one_row_of_each(world)[model]
    assert isinstance(row, DatedRange)
    model.objects.filter(pk=row.pk).update(valid_from=D - 30 * DAY, valid_until=D)
    row.refresh_from_db()
    assert model.objects.in_force(D - DAY).filter(pk=row.pk).exists()
    assert not model.objects.in_force(D).filter(pk=row.pk).exists()
    assert not model.objects.in_force(D - 31 * DAY).filter(pk=row.pk).exists()
    assert row.in_force_on(D - DAY) and not row.in_force_on(D)
    assert row.last_day == D - DAY


def test_every_dated_model_derives_from_the_one_base():
    dated = {
        m
        for m in global_apps.get_models()
        if {"valid_from", "valid_until"} <= {f.name for f in m._meta.get_fields()}
    }
    assert dated == set(DATED_MODELS)
    assert all(issubclass(m, DatedRange) for m in dated)


def test_an_empty_range_is_refused_but_a_one_day_range_is_not():
    row = PolicyOverride(valid_from=D, valid_until=D)
    with pytest.raises(ValidationError) as err:
        DatedRange.clean(row)
    assert set(err.value.message_dict) == {"valid_until"}
    DatedRange.clean(PolicyOverride(valid_from=D, valid_until=D + DAY))
    assert PolicyOverride(valid_from=D, valid_until=D + DAY).last_day == D
    assert until_after(None) is None and last_day_before(None) is None


# -- the data migrations ----------------------------------------------------------------------

CONVERSIONS = [
    ("jiceng.access.migrations.0002_assignment_valid_until", RoleAssignment),
    ("jiceng.policy.migrations.0002_override_valid_until", PolicyOverride),
    ("jiceng.elections.migrations.0005_officer_valid_until", Officer),
]


@pytest.mark.parametrize("module, model", CONVERSIONS, ids=lambda c: getattr(c, "__name__", ""))
def test_the_data_migration_moves_an_inclusive_end_one_day_later_and_back(world, module, model):
    migration = importlib.import_module(module)
    row = one_row_of_each(world)[model]
    open_ended = model.objects.filter(valid_until__isnull=True).exclude(pk=row.pk).count()
    model.objects.filter(pk=row.pk).update(valid_from=D - 30 * DAY, valid_until=D - DAY)
    migration.inclusive_to_exclusive(global_apps, None)  # the old last day was D - 1
    row.refresh_from_db()
    assert row.valid_until == D and row.last_day == D - DAY
    assert model.objects.filter(valid_until__isnull=True).count() == open_ended  # untouched
    migration.exclusive_to_inclusive(global_apps, None)
    row.refresh_from_db()
    assert row.valid_until == D - DAY


# PostgreSQL runs DDL inside the test's transaction (and its audit table refuses the flush a
# transactional test ends with); SQLite alters tables only outside a transaction.
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.django_db(transaction=not ON_POSTGRES)
def test_migrating_role_assignments_forward_and_back_converts_the_end():
    executor = MigrationExecutor(connection)
    executor.migrate([("access", "0001_initial")])
    old = executor.loader.project_state(("access", "0001_initial")).apps
    user = old.get_model("access", "User").objects.create(username="old")
    old.get_model("access", "RoleAssignment").objects.create(
        user=user, role="system_admin", valid_from=D - 30 * DAY, valid_to=D - DAY
    )
    # The old check allowed a one-day range, from = to; it must survive as [from, from + 1).
    old.get_model("access", "RoleAssignment").objects.create(
        user=user, role="system_admin", valid_from=D, valid_to=D
    )
    if ON_POSTGRES:
        with connection.cursor() as cursor:  # no pending FK checks while tables are altered
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("access", "0002_assignment_valid_until")])
        ends = dict(RoleAssignment.objects.values_list("valid_from", "valid_until"))
        assert ends == {D - 30 * DAY: D, D: D + DAY}
        assert RoleAssignment.objects.get(valid_from=D - 30 * DAY).last_day == D - DAY
        executor = MigrationExecutor(connection)
        executor.migrate([("access", "0001_initial")])
        back = executor.loader.project_state(("access", "0001_initial")).apps
        ends = dict(
            back.get_model("access", "RoleAssignment").objects.values_list("valid_from", "valid_to")
        )
        assert ends == {D - 30 * DAY: D - DAY, D: D}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


# -- policy default periods -------------------------------------------------------------------


def test_a_policy_period_ends_the_day_before_its_until(monkeypatch):
    d = registry._definition(
        "test",
        "x.y",
        {
            "label": "测试",
            "periods": [
                {"until": D, "value": 1, "source": "旧规定"},
                {"from": D, "value": 2, "source": "新规定"},
            ],
        },
    )
    monkeypatch.setitem(registry.definitions(), "x.y", d)
    assert value("x.y", on=D - DAY) == 1
    assert value("x.y", on=D) == 2


def test_an_override_ending_on_d_gives_way_to_the_default_on_d(world):
    default = value(POLICY_KEY, org=world.branch_a1, on=D)
    set_override(
        world.system,
        key=POLICY_KEY,
        org=world.street_a,
        value=default + 5,
        valid_from=D - 30 * DAY,
        valid_until=D,
        reason="测试",
    )
    assert value(POLICY_KEY, org=world.branch_a1, on=D - DAY) == default + 5
    assert value(POLICY_KEY, org=world.branch_a1, on=D) == default


# -- officers: rights end the day the next term starts; users still see the last day ---------


def test_the_officers_rights_end_the_day_the_next_term_starts(world, login, capsys):
    secretary = party_member(world, "张书记", 51, username="zhang").person
    successor = party_member(world, "赵书记", 52, username="zhao").person
    admin = world.users["street_a_admin"]
    first = elections.start_term(
        admin,
        org=world.branch_a1,
        committee=Committee.PARTY,
        starts_on=START,
        officers=[(secretary, Post.SECRETARY)],
    )
    officer = first.officers.get()
    # Appointed for the term: rights until the day after its scheduled last day.
    assert officer.assignment.valid_until == first.ends_on + DAY
    next_start = dt.date(2027, 1, 15)  # a little before the scheduled end (2027-02-28)
    elections.start_term(
        admin,
        org=world.branch_a1,
        committee=Committee.PARTY,
        starts_on=next_start,
        officers=[(successor, Post.SECRETARY)],
    )
    officer.refresh_from_db()
    officer.assignment.refresh_from_db()
    assert officer.valid_until == next_start and officer.assignment.valid_until == next_start
    assert officer.last_day == next_start - DAY
    zhang = officer.assignment.user
    assert gate.can(zhang, gate.MANAGE, world.branch_a1, on=next_start - DAY)
    assert not gate.can(zhang, gate.MANAGE, world.branch_a1, on=next_start)

    # The page, the API and the CLI show the last day in office, as before.
    last = (next_start - DAY).isoformat()
    page = login(admin).get(reverse("elections:org", args=["A1"])).content.decode()
    assert f'张书记 <span class="text-muted">(至 {last})</span>' in page
    data = login(admin).get("/api/v1/elections/terms", {"org": "A1"}).json()
    rows = [o for t in data["items"] for o in t["officers"] if o["name"] == "张书记"]
    assert [o["valid_to"] for o in rows] == [last]
    capsys.readouterr()
    call_command("elections", "term", "show", "--org", "A1", "--as", "street_a_admin")
    assert f"至 {last}" in capsys.readouterr().out


def test_ending_an_officer_keeps_the_day_the_user_gave_as_the_last_day(world):
    secretary = party_member(world, "张书记", 61, username="zhang").person
    term = elections.start_term(
        world.users["street_a_admin"],
        org=world.branch_a1,
        committee=Committee.PARTY,
        starts_on=START,
        officers=[(secretary, Post.SECRETARY)],
    )
    officer = elections.end_officer(
        world.users["street_a_admin"], term.officers.get(), on=START, reason="调动"
    )
    assert officer.valid_until == START + DAY and officer.last_day == START
    assert gate.can(officer.assignment.user, gate.MANAGE, world.branch_a1, on=START)
    assert not gate.can(officer.assignment.user, gate.MANAGE, world.branch_a1, on=START + DAY)
