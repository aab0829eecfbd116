"""One page of the member list, deep in a large roster, against a minimal page of the same rows.

Ours:  GET /people/?cursor=… (the page named "people:member_list") as the district's upper
       administrator: the whole request — middleware, session, the gate, the selector, cursor
       pagination on the membership id, the template with its filter form and navigation.
       The cursor points to the middle of the roster, so the page costs what page 1 does only
       if the pagination really has no OFFSET.
Floor: the same request path (same middleware and session) to a minimal view: the same 50
       rows fetched by one hand-written SQL statement (subtree by the stored path, current
       stages, id after the cursor, ORDER BY id LIMIT 50) and joined into a bare HTML table.
       Both pages must list the same 50 memberships.
When the member list page does not exist (no URL named "people:member_list"), the selector
`people.selectors.member_list` + `jiceng.pagination.paginate` is timed instead, against the
hand-written statement alone; the last line says which.

Scales (members): small 2,000; district 20,000; city 100,000; province 200,000, registered in
bulk through people.services.register_members over the small demo tree's branches.
Target: the page under 150 ms at every scale, and the same time at every depth.

    python bench/member_list.py [--scale small|district|city|province] [--db sqlite|postgres]
"""

import argparse
import datetime as dt
import re
import sys
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness

NAME = "member_list"
MEMBERS = {"small": 2_000, "district": 20_000, "city": 100_000, "province": 200_000}
PAGE = 50
FLOOR_SQL = """
SELECT m.id, p.name, o.name, m.stage
FROM people_partymembership m
JOIN people_person p ON p.id = m.person_id
JOIN orgs_organization o ON o.id = m.org_id
WHERE {subtree} AND m.stage IN ('applicant', 'activist', 'target',
      'probationary', 'full') AND m.id > %s
ORDER BY m.id
LIMIT %s"""


def populate(count: int) -> None:
    from jiceng.access.services import system_actor
    from jiceng.demo.names import id_number
    from jiceng.orgs.models import Kind, Organization
    from jiceng.people.services import register_members

    branches = list(Organization.objects.filter(kind=Kind.BRANCH).order_by("pk"))
    actor = system_actor()
    for first in range(0, count, 5000):
        entries = []
        for n in range(first, min(count, first + 5000)):
            born = dt.date(1950, 1, 1) + dt.timedelta(days=n // 1000)
            entries.append(
                {
                    "name": f"党员{n}",
                    "id_number": id_number(born, n % 1000),
                    "org": branches[n % len(branches)],
                    "stage": "full",
                    "joined_on": dt.date(2000, 7, 1),
                    "full_on": dt.date(2001, 7, 1),
                }
            )
        register_members(actor, entries)


def main() -> None:
    args = _harness.parse_args(NAME, __doc__.splitlines()[0], "city")
    count = MEMBERS[args.scale]
    prepared = _harness.prepare(argparse.Namespace(**{**vars(args), "scale": "small"}))

    from django.conf import settings
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import NoReverseMatch, path, reverse

    from jiceng.access.models import Role, Scope
    from jiceng.access.services import assign_role, create_user, system_actor
    from jiceng.orgs.models import Organization
    from jiceng.pagination import encode, paginate
    from jiceng.people.models import PartyMembership

    populate(count)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    root = Organization.objects.filter(parent__isnull=True, tree="party").order_by("pk").first()
    admin = create_user(system_actor(), username="bench", password="bench-pass-1234")
    assign_role(
        system_actor(),
        user=admin,
        role=Role.UPPER_ADMIN,
        org=root,
        scope=Scope.SUBTREE,
        valid_from=dt.date(2000, 1, 1),
    )
    ids = list(PartyMembership.objects.order_by("pk").values_list("pk", flat=True))
    after = ids[len(ids) // 2]
    cursor_text = encode(after)
    _harness.say(f"{len(ids):,} members under {root.code}; the page starts after id {after}")

    if connection.vendor == "postgresql":  # as orgs.paths does: LIKE on a pattern_ops index
        sql, under = FLOOR_SQL.format(subtree="o.path LIKE %s"), [root.path + "%"]
    else:  # SQLite: the half-open range of the prefix
        sql = FLOOR_SQL.format(subtree="o.path >= %s AND o.path < %s")
        under = [root.path, root.path[:-1] + "0"]

    def floor_rows():
        with connection.cursor() as cursor:
            cursor.execute(sql, [*under, after, PAGE])
            return cursor.fetchall()

    try:
        url = reverse("people:member_list")
    except NoReverseMatch:
        url = None

    if url is None:
        from jiceng.people import selectors

        def ours():
            return paginate(selectors.member_list(admin), key="id", cursor=cursor_text, limit=PAGE)

        mine = [m.pk for m in ours().items]
        theirs = [r[0] for r in floor_rows()]
        what = "selector + cursor pagination (the member list page does not exist yet)"
        floor_label = "hand-written SQL of the same page"
        contestants = {"ours: selector + paginate": ours, "floor: hand-written SQL": floor_rows}
    else:

        def minimal(request):
            rows = floor_rows()
            cells = "".join(
                f'<tr><td><a href="/people/{i}/">{name}</a></td><td>{org}</td><td>{stage}</td></tr>'
                for i, name, org, stage in rows
            )
            return HttpResponse(f"<table>{cells}</table>")

        module = types.ModuleType("bench_member_list_urls")
        module.urlpatterns = [
            path("bench-floor/", minimal),
            *__import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"]).urlpatterns,
        ]
        sys.modules[module.__name__] = module
        settings.ROOT_URLCONF = module.__name__
        client = Client(HTTP_HOST="localhost")  # an allowed host (JICENG_ALLOWED_HOSTS)
        client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")

        def ours():
            response = client.get(url, {"cursor": cursor_text})
            assert response.status_code == 200, response.status_code
            return response.content.decode()

        def floor():
            return client.get("/bench-floor/").content.decode()

        def listed(html: str) -> list[int]:
            return list(dict.fromkeys(int(i) for i in re.findall(r'href="/people/(\d+)/"', html)))

        mine, theirs = listed(ours()), listed(floor())
        what = "the member list page, one page deep in the roster"
        floor_label = "minimal view of the same rows by hand-written SQL"
        contestants = {
            "ours: GET /people/?cursor=…": ours,
            "floor: minimal page": floor,
            "ours, first page (for depth)": lambda: client.get(url).content,
        }

    if mine != theirs or len(mine) != PAGE:
        sys.exit(f"bench: ours and the floor list different rows ({len(mine)} vs {len(theirs)})")
    _harness.say(f"same {PAGE} memberships on both; timing {what}")
    best = _harness.race(contestants, args.repeat)
    ours_time, floor_time = list(best.values())[:2]  # race() keeps the order given
    vendor = "postgres" if prepared.vendor == "postgresql" else "sqlite"
    _harness.last_line(
        NAME,
        f"{ours_time * 1000:.1f}ms per page of {PAGE} among {len(ids):,} members",
        ours_time / floor_time,
        f"{floor_label} ({vendor}, {args.scale})",
    )


if __name__ == "__main__":
    main()
