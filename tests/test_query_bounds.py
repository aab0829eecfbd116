"""Query bounds of the pages and API lists the load mix requests (bench/load.py).

Each is requested twice, with a few rows and with several times more (members, meetings,
child organizations): the number of queries must not grow with the rows, and must stay
below the page's bound. The gate reads a user's role assignments once per request.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.demo.names import id_number
from jiceng.life import services as life
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.people.services import enrol_member, register_person
from tests.conftest import LONG_AGO, PASSWORD

# (route, user, bound): one query above the count measured when the bound was set.
ROUTES = [
    ("/orgs/D/", "district_admin", 13),  # +1 since issue 13: the titles on the page
    ("/orgs/A1/", "a1_officer", 14),
    ("/people/", "district_admin", 9),
    ("/life/orgs/A1/", "a1_officer", 7),
    ("/stats/", "district_admin", 25),
    ("/api/v1/orgs", "district_admin", 5),
    ("/api/v1/people/members", "district_admin", 7),
    ("/api/v1/life/meetings?org=A1", "a1_officer", 6),
]


class Grower:
    """Adds members, meetings and child organizations to the conftest world."""

    def __init__(self, world):
        self.world = world
        self.serial = 500
        self.secretary = None

    def add(self, n: int) -> None:
        w = self.world
        for _ in range(n):
            self.serial += 1
            person = register_person(
                w.system,
                org=w.branch_a1,
                name=f"党员{self.serial}",
                id_number=id_number(dt.date(1980, 1, 1), self.serial),
            )
            enrol_member(
                w.system, person, org=w.branch_a1, stage="full", joined_on=dt.date(2005, 7, 1)
            )
            if self.secretary is None:
                self.secretary = person
            starts = timezone.now() - dt.timedelta(days=self.serial % 300 + 1)
            life.schedule_meeting(
                w.users["a1_officer"],
                w.branch_a1,
                kind="branch_committee",
                topic=f"支委会 {self.serial}",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=1),
                place="党群服务中心",
                host=self.secretary,
                recorder=self.secretary,
                attendees=[self.secretary],
            )
            set_up(
                w.system,
                code=f"X{self.serial}",
                name=f"第{self.serial}党支部",
                kind=Kind.BRANCH,
                parent=w.street_a,
                founded_on=LONG_AGO,
            )
            set_up(
                w.system,
                code=f"Y{self.serial}",
                name=f"第{self.serial}党小组支部",
                kind=Kind.BRANCH,
                parent=w.district,
                founded_on=LONG_AGO,
            )


def _count(client, path) -> tuple[int, list[str]]:
    client.get(path)  # warm: sessions, translations, first-use caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured), [q["sql"] for q in captured.captured_queries]


@pytest.fixture
def grown(world):
    grower = Grower(world)
    grower.add(2)
    return grower


@pytest.mark.parametrize(("path", "username", "bound"), ROUTES)
def test_queries_do_not_grow_with_rows_and_stay_bounded(grown, login, path, username, bound):
    client = login(grown.world.users[username])
    few, _ = _count(client, path)
    grown.add(6)
    many, sqls = _count(client, path)
    assert many == few, f"{path}: {few} queries with few rows, {many} with more"
    assert many <= bound, f"{path}: {many} queries (bound {bound}):\n" + "\n".join(sqls)


@pytest.mark.parametrize(("path", "username", "bound"), ROUTES)
def test_role_assignments_are_read_once_per_request(grown, login, path, username, bound):
    client = login(grown.world.users[username])
    _, sqls = _count(client, path)
    own = re.compile(r'FROM "access_roleassignment".* WHERE .*"access_roleassignment"."user_id" = ')
    reads = [s for s in sqls if own.search(s)]
    assert len(reads) <= 1, f"{path}: the user's role assignments read {len(reads)} times"


def test_an_assignment_made_during_the_request_is_seen_at_once(world, login):
    """The per-request memory must not hide a write made in the same request."""
    from jiceng.access import gate
    from jiceng.access.middleware import AssignmentCacheMiddleware

    user = create_user(world.system, username="newcomer", password=PASSWORD)
    seen = {}

    def view(request):
        seen["before"] = gate.can(user, gate.VIEW, world.branch_a1)
        assign_role(world.system, user=user, role=Role.OFFICER, org=world.branch_a1)
        seen["after"] = gate.can(user, gate.VIEW, world.branch_a1)
        return None

    AssignmentCacheMiddleware(view)(object())
    assert seen == {"before": False, "after": True}
    assert gate._request_cache.get() is None  # nothing is kept after the request


def test_the_cache_is_per_request(world):
    from jiceng.access import gate
    from jiceng.access.middleware import AssignmentCacheMiddleware

    viewer = world.users["viewer"]
    answers = []

    def view(request):
        answers.append(gate.can(viewer, gate.VIEW, world.branch_b1))
        return None

    AssignmentCacheMiddleware(view)(object())
    assign_role(
        world.system, user=viewer, role=Role.VIEWER, org=world.district, scope=Scope.SUBTREE
    )
    AssignmentCacheMiddleware(
        lambda r: answers.append(gate.can(viewer, gate.VIEW, world.branch_a1))
    )(object())
    assert answers == [True, True]
