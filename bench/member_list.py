"""The member list page at scale: first page, the 1,000th page by cursor, and a filtered page.

Ours:  GET /people/ (the page named "people:member_list") as the upper administrator of the
       tree's root (the province committee at province scale), through the whole stack —
       middleware, session, the gate, the selector, cursor pagination on the membership id,
       the template with its filter form and navigation — for three pages:
       * first: the first page of the whole roster;
       * deep: the 1,000th page (its cursor is the id of the 49,950th member in the list's
         order, as following "next page" 999 times would give; smaller scales take their
         deepest full page);
       * filtered: the first page with the organization switcher set to one street and the
         stage filter set to probationary members.
Floor: the same request path (same middleware and session) to a minimal view per page: the
       same rows by one hand-written SQL statement (subtree by the stored path, the stage
       condition, id after the cursor, ORDER BY id LIMIT 50) joined into a bare HTML table,
       in two shapes (FLOORS: one join; the page's ids first, then their rows); each page's
       floor is the faster. Ours and both floors must list the same memberships.
       On PostgreSQL the load drops and rebuilds the secondary indexes (as pg_restore does).
Timing: every page is requested N times (default 50), ours and the floors interleaved after
       one warm-up round; the median and the 95th percentile of each are reported. The ratio
       is the worst of the three pages' p95 against its floor's p95.

Members are synthetic and written set-based (PostgreSQL: COPY; SQLite: executemany) over the
Party branches of the tree of the same scale, each branch receiving members in proportion to
its reported size, in random order (ids interleave across branches, as registrations over
the years do). Each has a person (valid citizen ID number, its keyed hash, the masked form
and real AES-GCM ciphertext; a phone likewise for 80%), a Party record and its open history
row; no milestones and no audit events (the list reads neither).
Scales (members / tree): small 2,000; district 20,000; city 100,000; province 3,000,000.
Target: p95 under 100 ms for the first and the 1,000th page at province scale on PostgreSQL.

    python bench/member_list.py [--scale small|district|city|province] [--db sqlite|postgres]
                                [--repeat N  (requests per page, default 50)]
"""

import base64
import datetime as dt
import hashlib
import hmac
import math
import os
import random
import re
import statistics
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness

NAME = "member_list"
MEMBERS = {"small": 2_000, "district": 20_000, "city": 100_000, "province": 3_000_000}
PAGE = 50
DEEP_PAGE = 1000
REQUESTS = 50
CHUNK = 50_000
CURRENT = ("applicant", "activist", "target", "probationary", "full")
# Two hand-written shapes of the same page; each page's floor is the faster of the two.
FLOORS = {
    # one join, rows in id order
    "join": """
SELECT m.id, p.name, o.name, m.stage
FROM people_partymembership m
JOIN people_person p ON p.id = m.person_id
JOIN orgs_organization o ON o.id = m.org_id
WHERE {subtree} AND m.stage IN ({stages}) AND m.id > %s
ORDER BY m.id
LIMIT %s""",
    # the page's ids first, then only its rows joined (a "deferred join")
    "deferred": """
SELECT m.id, p.name, o.name, m.stage
FROM (SELECT m.id
      FROM people_partymembership m
      JOIN orgs_organization o ON o.id = m.org_id
      WHERE {subtree} AND m.stage IN ({stages}) AND m.id > %s
      ORDER BY m.id
      LIMIT %s) page
JOIN people_partymembership m ON m.id = page.id
JOIN people_person p ON p.id = m.person_id
JOIN orgs_organization o ON o.id = m.org_id
ORDER BY m.id""",
}

# Shares per thousand of all records (stages include exits), categories, education, floating.
STAGES = {
    "full": 880,
    "probationary": 35,
    "target": 12,
    "activist": 25,
    "applicant": 18,
    "transferred_out": 15,
    "deceased": 10,
    "withdrawn": 3,
    "removed": 1,
    "suspended": 1,
}
CATEGORIES = {"working": 420, "retired": 330, "farmer": 150, "student": 30, "other": 70}
EDUCATION = {
    "postgraduate": 60,
    "bachelor": 330,
    "college": 220,
    "secondary_vocational": 90,
    "high_school": 150,
    "junior_or_less": 150,
}
FLOATING = {"": 965, "outflow": 25, "inflow": 10}
# Region codes python-stdnum accepts for every birth year from 1945 to 2004 (it checks the
# code against the county list of the birth year): the city districts of Beijing, Tianjin and
# Shanghai.
REGIONS = [
    *(f"1101{d:02d}" for d in range(1, 10)),
    *(f"1201{d:02d}" for d in range(1, 14)),
    *(f"3101{d:02d}" for d in (1, *range(3, 11))),
]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
BORN_FROM = dt.date(1945, 1, 1)
BORN_DAYS = (dt.date(2005, 1, 1) - BORN_FROM).days
ID_SPACE = BORN_DAYS * 1000  # (birth date, sequence number) pairs
ID_STEP = 7_919_113  # coprime with ID_SPACE: k -> k * ID_STEP mod ID_SPACE is a bijection
assert math.gcd(ID_STEP, ID_SPACE) == 1


def _table(shares: dict[str, int]) -> list[str]:
    table = [value for value, n in shares.items() for _ in range(n)]
    assert len(table) == 1000
    return table


def _allot(weights: list[tuple[int, int]], count: int) -> list[int]:
    """`count` organization ids, each org's share proportional to its weight (largest
    remainder), in random order."""
    total = sum(w for _, w in weights)
    exact = [(org, count * w / total) for org, w in weights]
    shares = {org: int(x) for org, x in exact}
    short = count - sum(shares.values())
    for org, _x in sorted(exact, key=lambda t: t[1] - int(t[1]), reverse=True)[:short]:
        shares[org] += 1
    slots = [org for org, n in shares.items() for _ in range(n)]
    random.Random(7).shuffle(slots)
    return slots


def _drop_secondary_indexes(cursor, tables: list[str]) -> list[str]:
    """PostgreSQL: drop the tables' indexes (but the primary keys), unique and foreign-key
    constraints, and return the statements that restore them, as pg_restore does: one sorted
    build per index after the load instead of millions of random inserts into each, and each
    foreign key checked in one pass instead of by a trigger per row at commit."""
    keys, uniques, indexes = [], [], []
    for table in tables:
        cursor.execute(
            "SELECT contype, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        for kind, name, definition in cursor.fetchall():
            (keys if kind == "f" else uniques).append((table, name, definition))
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT EXISTS (SELECT 1 FROM "
            "pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)",
            [table],
        )
        indexes += cursor.fetchall()
    for table, name, _definition in keys + uniques:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [d for _name, d in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in uniques + keys
    ]


def populate(count: int, log=print) -> None:
    """`count` synthetic members over the Party branches, written set-based (see the docstring)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from jiceng.demo.names import GIVEN, SURNAMES
    from jiceng.orgs.models import BRANCH_KINDS, Organization
    from jiceng.people import crypto
    from jiceng.people.models import MembershipState, PartyMembership, Person
    from jiceng.people.services import ID_CONTEXT, PHONE_CONTEXT

    started = time.perf_counter()
    weights = list(
        Organization.objects.filter(kind__in=BRANCH_KINDS, tree="party")
        .order_by("pk")
        .values_list("pk", "reported_members")
    )
    slots = _allot([(org, max(w, 1)) for org, w in weights], count)
    log(f"allotting {count:,} members over {len(weights):,} Party branches …")

    postgres = connection.vendor == "postgresql"
    yes, no = ("t", "f") if postgres else ("1", "0")
    seal = AESGCM(crypto._keys()[0]).encrypt
    hash_key = crypto._keys()[1]
    assert crypto.lookup_hash("1", "x") == hmac.digest(hash_key, b"x:1", hashlib.sha256).hex()

    def lookup(value: str, context: str) -> str:  # crypto.lookup_hash with the key held
        return hmac.digest(hash_key, f"{context}:{value}".encode(), hashlib.sha256).hex()

    def encrypt(plain: str, context: bytes) -> str:  # crypto.encrypt with the cipher held
        nonce = os.urandom(12)
        sealed = seal(nonce, plain.encode(), context)
        return f"{crypto.VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    id_context, phone_context = ID_CONTEXT.encode(), PHONE_CONTEXT.encode()
    stages, categories = _table(STAGES), _table(CATEGORIES)
    educations, floatings = _table(EDUCATION), _table(FLOATING)
    today = timezone.localdate()
    now = timezone.now()
    created = now.isoformat() if postgres else now.replace(tzinfo=None).isoformat(" ")
    first_person = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_member = (
        PartyMembership.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    rng = random.Random(2026)
    bits = rng.getrandbits

    def rows(k: int, org: int):
        r = bits(64)
        j = (k * ID_STEP + 12_345) % ID_SPACE
        born = BORN_FROM + dt.timedelta(days=j // 1000)
        seq = j % 1000
        region = REGIONS[(r >> 40) % len(REGIONS)]
        body = f"{region}{born:%Y%m%d}{seq:03d}"
        number = (
            body
            + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
        )
        given = GIVEN[(r >> 8) % len(GIVEN)]
        if (r >> 16) % 10 < 6:
            given += GIVEN[(r >> 20) % len(GIVEN)]
        name = SURNAMES[r % len(SURNAMES)] + given
        if (r >> 50) % 10 < 8:
            phone = f"1{3 + (r >> 26) % 6}{(k * 7_919 + (r >> 30) % 1000) % 10**9:09d}"
            phone_cells = (
                encrypt(phone, phone_context),
                lookup(phone, PHONE_CONTEXT),
                phone[:3] + "****" + phone[-4:],
            )
        else:
            phone_cells = ("", "", "")
        person = (
            str(first_person + k),
            name,
            "male" if seq % 2 else "female",
            born.isoformat(),
            "01",
            educations[(r >> 12) % 1000],
            "",
            "",
            None,
            None,
            encrypt(number, id_context),
            lookup(number, ID_CONTEXT),
            number[:3] + "*" * 11 + number[-4:],
            *phone_cells,
            created,
        )
        stage = stages[(r >> 22) % 1000]
        category = categories[(r >> 32) % 1000]
        floating = floatings[(r >> 42) % 1000] if stage in ("full", "probationary") else ""
        if stage in ("applicant", "activist", "target"):
            joined = full = None
            since = today - dt.timedelta(days=30 + (r >> 52) % 900)
        elif stage == "probationary":
            joined = since = today - dt.timedelta(days=1 + (r >> 52) % 360)
            full = None
        else:
            year = min(born.year + 22 + (r >> 52) % 25, today.year - 2)
            joined = since = dt.date(year, 1 + (r >> 56) % 12, 1)
            full = dt.date(year + 1, joined.month, 1)
        flag = (r >> 58) % 64
        membership = (
            str(first_member + k),
            str(first_person + k),
            str(org),
            stage,
            category,
            "",
            floating,
            yes if category == "working" and flag < 6 else no,  # dual check-in
            yes if flag == 7 else no,  # hardship
            yes if joined and joined.year < 1976 else no,  # veteran (50 years)
            yes if flag == 8 else no,  # reserve cadre
            yes if category == "working" and flag == 9 else no,  # without a post
            no,
            yes if floating and flag == 10 else no,  # left hanging
            yes if floating and flag == 11 else no,  # unreachable
            joined and joined.isoformat(),
            full and full.isoformat(),
        )
        state = (
            str(first_member + k),
            since.isoformat(),
            None,
            str(org),
            stage,
            category,
            "",
            floating,
        )
        return person, membership, state

    tables = [
        (
            Person._meta.db_table,
            [
                "id",
                "name",
                "gender",
                "birth_date",
                "ethnicity",
                "education",
                "occupation",
                "post",
                "employer_id",
                "residence_id",
                "id_number_encrypted",
                "id_number_hash",
                "id_number_masked",
                "phone_encrypted",
                "phone_hash",
                "phone_masked",
                "created_at",
            ],
        ),
        (
            PartyMembership._meta.db_table,
            [
                "id",
                "person_id",
                "org_id",
                "stage",
                "category",
                "composition",
                "floating",
                "dual_checkin",
                "hardship",
                "veteran",
                "reserve_cadre",
                "without_post",
                "never_reported",
                "left_hanging",
                "unreachable",
                "joined_on",
                "full_on",
            ],
        ),
        (
            MembershipState._meta.db_table,
            [
                "membership_id",
                "valid_from",
                "valid_until",
                "org_id",
                "stage",
                "category",
                "composition",
                "floating",
            ],
        ),
    ]

    def write(cursor, table: str, columns: list[str], chunk: list[tuple]) -> None:
        names = ", ".join(columns)
        if postgres:  # COPY text format: none of the values holds a tab, newline or backslash
            data = "".join(
                "\t".join("\\N" if v is None else v for v in row) + "\n" for row in chunk
            )
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(data)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", chunk)

    with transaction.atomic(), connection.cursor() as cursor:
        restore = _drop_secondary_indexes(cursor, [t for t, _ in tables]) if postgres else []
        for first in range(0, count, CHUNK):
            made = [rows(k, slots[k]) for k in range(first, min(count, first + CHUNK))]
            for i, (table, columns) in enumerate(tables):
                write(cursor, table, columns, [r[i] for r in made])
            done = first + len(made)
            if done % 500_000 == 0 or done == count:
                elapsed = time.perf_counter() - started
                log(f"  {done:,} members in {elapsed:.0f}s")
        if restore:
            log(f"  rebuilding {len(restore)} indexes and constraints …")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for sql in restore:
            cursor.execute(sql)
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Person, PartyMembership, MembershipState]
        ):
            cursor.execute(sql)
    elapsed = time.perf_counter() - started
    log(
        f"wrote {count:,} members ({3 * count:,} rows) in {elapsed:.1f}s ({count / elapsed:,.0f}/s)"
    )


def percentile(runs: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (p95 of 50 runs: the 48th fastest)."""
    ranked = sorted(runs)
    return ranked[max(0, math.ceil(q * len(ranked)) - 1)]


def timed(contestants: dict, requests: int) -> dict[str, tuple[float, float]]:
    """Median and p95 of each callable: one warm-up round, then `requests` rounds in which
    every contestant runs once (interleaved, so a slow spell of the machine hits them all)."""
    for fn in contestants.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(requests):
        for name, fn in contestants.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    width = max(map(len, contestants))
    result = {}
    for name, runs in times.items():
        median, p95 = statistics.median(runs), percentile(runs, 0.95)
        result[name] = (median, p95)
        _harness.say(
            f"{name:<{width}}  median {median * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
            f"best {min(runs) * 1000:7.1f}  worst {max(runs) * 1000:7.1f}  ({requests} requests)"
        )
    return result


def main() -> None:
    args = _harness.parse_args(NAME, __doc__.splitlines()[0], "province")
    given = any(a == "--repeat" or a.startswith("--repeat=") for a in sys.argv[1:])
    requests = args.repeat if given else REQUESTS
    count = MEMBERS[args.scale]
    prepared = _harness.prepare(args)
    populate(count, _harness.say)

    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    _harness.say(f"statistics refreshed in {time.perf_counter() - started:.1f}s")
    measure(
        count,
        requests,
        f"{'postgres' if prepared.vendor == 'postgresql' else 'sqlite'}, {args.scale}",
    )


def measure(count: int, requests: int, where: str) -> None:
    """Time the three pages and their floors on the populated database (see the docstring)."""
    from django.conf import settings
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import path, reverse

    from jiceng.access.models import Role, Scope, User
    from jiceng.access.services import assign_role, create_user, system_actor
    from jiceng.kernel.pagination import decode, encode
    from jiceng.orgs.models import Kind, Organization
    from jiceng.people.models import PartyMembership

    root = Organization.objects.filter(parent__isnull=True, tree="party").order_by("pk").first()
    streets = Organization.objects.filter(kind=Kind.PARTY_WORKING_COMMITTEE).order_by("pk")
    street = streets[streets.count() // 2]
    admin = User.objects.filter(username="bench").first()
    if admin is None:  # a re-run on a kept database reuses it
        admin = create_user(system_actor(), username="bench", password="bench-pass-1234")
        assign_role(
            system_actor(),
            user=admin,
            role=Role.UPPER_ADMIN,
            org=root,
            scope=Scope.SUBTREE,
            valid_from=dt.date(2000, 1, 1),
        )

    def floor_statement(shape, org, stages):
        if connection.vendor == "postgresql":  # as orgs.paths does: LIKE on a pattern_ops index
            where, params = "o.path LIKE %s", [org.path + "%"]
        else:  # SQLite: the half-open range of the prefix
            where, params = "o.path >= %s AND o.path < %s", [org.path, org.path[:-1] + "0"]
        marks = ", ".join(["%s"] * len(stages))
        return FLOORS[shape].format(subtree=where, stages=marks), [*params, *stages]

    listed_count = PartyMembership.objects.filter(stage__in=CURRENT).count()
    deep = min(DEEP_PAGE, listed_count // PAGE)
    with connection.cursor() as cursor:  # the id the page before the deep one ends with
        sql, params = floor_statement("join", root, CURRENT)
        sql = sql.replace("LIMIT %s", "LIMIT 1 OFFSET %s")
        cursor.execute(sql, [*params, 0, (deep - 1) * PAGE - 1])
        after = cursor.fetchone()[0]
    _harness.say(
        f"{count:,} records ({listed_count:,} in the Party or the pipeline) under {root.code}; "
        f"page {deep:,} starts after id {after}; filtered: street {street.code}, probationary"
    )
    # page: (query string of ours, (organization, stages, after) of the floors)
    pages = {
        "first": ({}, (root, CURRENT, 0)),
        "deep": ({"cursor": encode(after)}, (root, CURRENT, after)),
        "filtered": ({"stage": "probationary"}, (street, ("probationary",), 0)),
    }

    def minimal_view(shape, org, stages, after):
        sql, params = floor_statement(shape, org, stages)

        def view(request):
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, after, PAGE])
                rows = cursor.fetchall()
            cells = "".join(
                f'<tr><td><a href="/people/{i}/">{name}</a></td><td>{o}</td><td>{stage}</td></tr>'
                for i, name, o, stage in rows
            )
            return HttpResponse(f"<table>{cells}</table>")

        return view

    module = types.ModuleType("bench_member_list_urls")
    module.urlpatterns = [
        *(
            path(f"bench-floor/{shape}/{label}/", minimal_view(shape, *floor))
            for label, (_query, floor) in pages.items()
            for shape in FLOORS
        ),
        *__import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"]).urlpatterns,
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    url = reverse("people:member_list")

    def logged_in() -> Client:
        client = Client(HTTP_HOST="localhost")  # an allowed host (JICENG_ALLOWED_HOSTS)
        client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
        return client

    province, narrowed = logged_in(), logged_in()
    switched = narrowed.post(reverse("ui:switch"), {"org": street.code})
    assert switched.status_code == 302, switched.status_code

    def get(client, address, query):
        def fn():
            response = client.get(address, query)
            assert response.status_code == 200, response.status_code
            return response.content.decode()

        return fn

    def listed(html: str) -> list[int]:
        return list(dict.fromkeys(int(i) for i in re.findall(r'href="/people/(\d+)/"', html)))

    contestants = {}
    for label, (query, _floor) in pages.items():
        client = narrowed if label == "filtered" else province
        contestants[f"ours     {label}"] = get(client, url, query)
        for shape in FLOORS:
            contestants[f"{shape:<8} {label}"] = get(client, f"/bench-floor/{shape}/{label}/", {})
    for label in pages:
        html = contestants[f"ours     {label}"]()
        mine = listed(html)
        if not mine or (label != "filtered" and len(mine) != PAGE):
            sys.exit(f"bench: {label}: ours lists {len(mine)} memberships")
        for shape in FLOORS:
            if listed(contestants[f"{shape:<8} {label}"]()) != mine:
                sys.exit(f"bench: {label}: ours and the {shape} floor list different rows")
        _harness.say(f"{label}: the same {len(mine)} memberships on ours and both floors")
        if label == "first":  # its "next page" link carries the cursor of its last row
            link = re.search(r'href="[^"]*cursor=([^"&]+)[^"]*" id="next-page"', html)
            assert link and decode(link.group(1)) == mine[-1], "the next-page link is wrong"

    result = timed(contestants, requests)
    p95 = {label: result[f"ours     {label}"][1] for label in pages}
    floor = {label: min(result[f"{shape:<8} {label}"][1] for shape in FLOORS) for label in pages}
    ratios = {label: p95[label] / floor[label] for label in pages}
    worst = max(ratios, key=ratios.get)
    _harness.last_line(
        NAME,
        f"p95 {p95['first'] * 1000:.1f}ms first, {p95['deep'] * 1000:.1f}ms page {deep:,}, "
        f"{p95['filtered'] * 1000:.1f}ms filtered, per page of {PAGE} among {count:,} members",
        ratios[worst],
        "minimal page of the same rows by the faster of two hand-written statements, p95; "
        f"worst page: {worst} ({where})",
    )


if __name__ == "__main__":
    main()
