"""The to-do centre page for a district (or city) administrator, against a minimal page.

Ours:  GET /todo/ (the page named "todo:centre") through the whole stack — middleware,
       session, the gate, every app's duty plug-in, the template — as two users of the
       demo's data loaded over the tree of the scale:
       * admin: the upper administrator of the tree's root (the district committee at
         district scale, the city committee at city scale);
       * inspector: a read-only viewer over the same subtree (demo user ck's role).
       The demo's members, meetings, terms and congress are loaded into the first district
       exactly as `jiceng demo` does, so every kind of duty has rows; the rest of the tree
       is organizations and units (most of them with nobody appointed: the largest kind).
Floor: the same request path (same middleware and session) to a minimal view that answers
       the first page of the largest kind by one hand-written statement — the subtree's
       organizations that have no officer in force, ordered by path, LIMIT the page size —
       plus the count of that kind by a second statement, rendered into the site's shell
       (ui/base.html, with its menu and organization switcher, as every page is). So the
       floor is "one kind's page and its count written by hand, in the shell", the least a
       grouped, paginated to-do page can cost.
Also printed: the number of SQL queries of one request, the response size and the items
       on the page, for both users.
Timing: every page is requested N times (default 20), ours and the floor interleaved after
       one warm-up round; the median and the 95th percentile of each are reported. The ratio
       is the admin page's p95 against the floor's p95.
Target: ratio <= 2 at district and city scale on PostgreSQL; queries independent of the
       number of organizations.

    python bench/todo.py [--scale small|district|city|province] [--db sqlite|postgres]
                         [--repeat N  (requests per page, default 20)]
"""

import datetime as dt
import os
import re
import sys
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness
from member_list import timed

NAME = "todo"
REQUESTS = 20
PAGE = 50
FLOOR = """
SELECT o.code, o.name
FROM orgs_organization o
WHERE {subtree} AND o.dissolved_on IS NULL
  AND NOT EXISTS (
      SELECT 1 FROM access_roleassignment a
      WHERE a.org_id = o.id AND a.role IN ('officer', 'upper_admin')
        AND a.valid_from <= %s AND (a.valid_until IS NULL OR a.valid_until > %s))
ORDER BY o.path
{limit}"""


def landmarks():
    """The demo's landmarks in the tree just built (as build_tree chose them)."""
    from jiceng.demo.build import Landmarks
    from jiceng.orgs.models import Organization

    first = Organization.objects.filter(code__endswith="S00C00P").order_by("code").first()
    prefix = first.code.removesuffix("S00C00P")
    by_code = Organization.objects.in_bulk(
        [
            f"{prefix}P",
            f"{prefix}U",
            f"{prefix}S00P",
            f"{prefix}S00C00P",
            f"{prefix}S00C00B00",
            f"{prefix}S00C00B01",
        ],
        field_name="code",
    )
    union = (
        Organization.objects.filter(code__startswith=f"{prefix}S00E", code__endswith="U")
        .order_by("code")
        .first()
    )
    return Landmarks(
        by_code[f"{prefix}P"],
        by_code[f"{prefix}U"],
        by_code[f"{prefix}S00P"],
        by_code[f"{prefix}S00C00P"],
        by_code[f"{prefix}S00C00B00"],
        by_code[f"{prefix}S00C00B01"],
        union,
    )


def load_demo(today: dt.date) -> None:
    """What `jiceng demo` loads on top of the tree (users, members, meetings, terms, congress)."""
    from django.db import transaction

    from jiceng.access.services import system_actor
    from jiceng.congress.demo import create_demo_congress
    from jiceng.demo.build import create_demo_members, create_demo_users
    from jiceng.elections.demo import create_demo_terms
    from jiceng.life.demo import create_demo_meetings

    marks = landmarks()
    actor = system_actor()
    with transaction.atomic():
        create_demo_users(actor, marks, today)
        create_demo_members(actor, marks, today)
        create_demo_meetings(actor, marks, today)
        create_demo_terms(actor, marks, today)
        create_demo_congress(actor, marks, today)


def main() -> None:
    args = _harness.parse_args(NAME, __doc__.splitlines()[0], "district and city")
    given = any(a == "--repeat" or a.startswith("--repeat=") for a in sys.argv[1:])
    requests = args.repeat if given else REQUESTS
    prepared = _harness.prepare(args)

    import time

    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    load_demo(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    _harness.say(f"demo data loaded and analyzed in {time.perf_counter() - started:.1f}s")
    where = f"{'postgres' if prepared.vendor == 'postgresql' else 'sqlite'}, {args.scale}"
    measure(requests, where, prepared.organizations)


def measure(requests: int, where: str, organizations: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.http import HttpResponse
    from django.template import engines
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import path, reverse
    from django.utils import timezone

    from jiceng.access.models import Role, Scope, User
    from jiceng.access.services import assign_role, create_user, system_actor
    from jiceng.orgs.models import Organization

    root = Organization.objects.filter(parent__isnull=True, tree="party").order_by("pk").first()
    today = timezone.localdate()
    users = {}
    for label, role in (("admin", Role.UPPER_ADMIN), ("inspector", Role.VIEWER)):
        user = create_user(system_actor(), username=f"bench-{label}", password=None)
        assign_role(
            system_actor(),
            user=user,
            role=role,
            org=root,
            scope=Scope.SUBTREE,
            valid_from=dt.date(2000, 1, 1),
        )
        users[label] = User.objects.get(pk=user.pk)

    if connection.vendor == "postgresql":
        subtree, params = "o.path LIKE %s", [root.path + "%"]
    else:
        subtree, params = "o.path >= %s AND o.path < %s", [root.path, root.path[:-1] + "0"]
    page_sql = FLOOR.format(subtree=subtree, limit="LIMIT %s")
    count_sql = f"SELECT COUNT(*) FROM ({FLOOR.format(subtree=subtree, limit='')}) k"

    shell = engines["django"].from_string(
        '{% extends "ui/base.html" %}{% block content %}{{ body|safe }}{% endblock %}'
    )

    def floor_view(request):
        with connection.cursor() as cursor:
            cursor.execute(page_sql, [*params, today, today, PAGE])
            rows = cursor.fetchall()
            cursor.execute(count_sql, [*params, today, today])
            (total,) = cursor.fetchone()
        items = "".join(
            f'<li><a href="/orgs/{code}/">{name}</a> 没有负责人</li>' for code, name in rows
        )
        body = f'<p>{total} 个组织没有负责人</p><ul id="floor">{items}</ul>'
        return HttpResponse(shell.render({"body": body}, request))

    module = types.ModuleType("bench_todo_urls")
    module.urlpatterns = [
        path("bench-floor/todo/", floor_view),
        *__import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"]).urlpatterns,
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    url = reverse("todo:centre")

    def get(user, address):
        client = Client(HTTP_HOST="localhost")  # an allowed host (JICENG_ALLOWED_HOSTS)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

        def fn():
            response = client.get(address)
            assert response.status_code == 200, response.status_code
            return response.content

        return fn

    contestants = {
        "ours admin": get(users["admin"], url),
        "ours inspector": get(users["inspector"], url),
        "floor": get(users["admin"], "/bench-floor/todo/"),
    }
    shape = {}
    for label, fn in contestants.items():
        with CaptureQueriesContext(connection) as queries:
            body = fn()
        items = len(re.findall(rb'class="list-group-item jc-duty-|<li><a href="/orgs/', body))
        shape[label] = (len(queries), len(body) / 1024, items)
        _harness.say(
            f"{label:<15} {len(queries):5d} queries  {len(body) / 1024:8.1f} KB  "
            f"{items:4d} items on the page"
        )
    if os.environ.get("JICENG_BENCH_PROFILE"):  # where the page's time goes, for the next fix
        profile(users["admin"])
        with CaptureQueriesContext(connection) as queries:
            contestants["ours admin"]()
        for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:6]:
            _harness.say(f"{q['time']}s {q['sql'][:600]}")
    result = timed(contestants, requests)
    p95 = result["ours admin"][1]
    floor = result["floor"][1]
    queries, kb, items = shape["ours admin"]
    _harness.last_line(
        NAME,
        f"p95 {p95 * 1000:.1f}ms admin, {result['ours inspector'][1] * 1000:.1f}ms inspector, "
        f"{queries} queries, {kb:.0f} KB, {items} items on the page, "
        f"{organizations:,} organizations",
        p95 / floor,
        f"minimal page of the largest kind (no officer) and its count by hand-written SQL, p95 "
        f"({where})",
    )


def profile(user) -> None:
    import cProfile
    import pstats

    from jiceng.todo.selectors import centre

    profiler = cProfile.Profile()
    profiler.runcall(centre, user)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
