"""Shared fixtures: a small two-tree world built through the services, and users at every level."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user, system_actor
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up

PASSWORD = "s3cret-pass-word"
TODAY = dt.date.today()
LONG_AGO = dt.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow on purpose; the suite creates many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    system: object
    district: object
    street_a: object
    street_b: object
    branch_a1: object
    branch_a2: object
    branch_b1: object
    union: object
    users: dict


@pytest.fixture
def world(db):
    system = system_actor()

    def org(code, name, kind, parent=None):
        return set_up(system, code=code, name=name, kind=kind, parent=parent, founded_on=LONG_AGO)

    district = org("D", "中共青山区委员会", Kind.PARTY_COMMITTEE)
    street_a = org("SA", "中共和平街道工作委员会", Kind.PARTY_WORKING_COMMITTEE, district)
    street_b = org("SB", "中共新华街道工作委员会", Kind.PARTY_WORKING_COMMITTEE, district)
    branch_a1 = org("A1", "和平社区第一党支部", Kind.BRANCH, street_a)
    branch_a2 = org("A2", "和平社区第二党支部", Kind.BRANCH, street_a)
    branch_b1 = org("B1", "新华社区第一党支部", Kind.BRANCH, street_b)
    union = org("U", "青山区总工会", Kind.UNION_FEDERATION)

    def user(username, role, at, scope=Scope.NODE, valid_from=LONG_AGO, valid_until=None):
        u = create_user(system, username=username, password=PASSWORD, full_name=username)
        if role:
            assign_role(
                system,
                user=u,
                role=role,
                org=at,
                scope=scope,
                valid_from=valid_from,
                valid_until=valid_until,
            )
        return u

    users = {
        "district_admin": user("district_admin", Role.UPPER_ADMIN, district, Scope.SUBTREE),
        "street_a_admin": user("street_a_admin", Role.UPPER_ADMIN, street_a, Scope.SUBTREE),
        "a1_officer": user("a1_officer", Role.OFFICER, branch_a1),
        "a2_officer": user("a2_officer", Role.OFFICER, branch_a2),
        "a1_member": user("a1_member", Role.MEMBER, branch_a1),
        "viewer": user("viewer", Role.VIEWER, street_b, Scope.SUBTREE),
        "expired": user(
            "expired",
            Role.UPPER_ADMIN,
            district,
            Scope.SUBTREE,
            valid_until=TODAY,  # the last day in force was yesterday
        ),
        "future": user("future", Role.OFFICER, branch_a1, valid_from=TODAY + dt.timedelta(days=3)),
        "nobody": user("nobody", None, None),
    }
    return World(
        system, district, street_a, street_b, branch_a1, branch_a2, branch_b1, union, users
    )


@pytest.fixture
def login(client):
    """Log `user` into a fresh client (bypasses the login form and its throttle)."""

    def _login(user) -> Client:
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return _login


@pytest.fixture(autouse=True)
def audit_checkpoint_per_test(tmp_path, monkeypatch):
    """Each test its own audit checkpoint file: one left in JICENG_HOME by a test (or a sweep)
    would anchor events that the next test's database never had."""
    from jiceng.audit import keys

    monkeypatch.setattr(keys, "checkpoint_path", lambda: tmp_path / keys.CHECKPOINT_FILE)
