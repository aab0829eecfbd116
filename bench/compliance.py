"""Compliance and attendance of every organization of the tree, against a hand-written floor.

Ours:  jiceng.life.selectors.compliance(user, root, start=1 Jan, end=31 Dec of last year)
       for both roots of the tree (the Party committee and the union federation at the top),
       as an upper administrator of both: every organization's required windows, met and
       missed windows per meeting kind (frequencies from policy, judged per window), meetings
       held, compliance rate and attendance rate — model instances, dicts, `Figure`s.
Floor: one hand-written GROUP BY per organization and meeting kind over the held meetings
       of the year — meetings held, present and expected − leave summed from the meeting's
       counters, and the number of distinct windows (month index / frequency, from a VALUES
       list of the requirements) with a meeting whose quorum was met or had no rule — plus
       the organizations and the minimal Python that adds each organization's kinds up.
       Two shapes are timed and the fastest is the floor: the month found by a CASE on
       `starts_at` against the month boundaries, and by the database's date functions
       (PostgreSQL EXTRACT … AT TIME ZONE, SQLite strftime). The floor knows that the bench
       has no policy overrides and only whole, ended windows; ours must find that out.
       Both must give every organization the same figures.

Data (written set-based with INSERT … SELECT over the tree and a small numbers table, on both
databases; PostgreSQL drops the attendance table's foreign keys and indexes for the load and
builds them again afterwards): each Party branch and general branch gets synthetic people, Party
memberships and open membership history rows for 70 % of the members it reports (inserted
directly, without identity numbers, milestones or audit events — the figures read none of
them); each enterprise union's members are the Party members of the branch in the same
enterprise. One year of meetings, all held: for every branch monthly committee (5 members),
theme day (all) and group meetings (a third), quarterly general meetings (all), a lecture,
an organizational-life meeting and a democratic evaluation (all), heart-to-heart talks (2);
for every enterprise union quarterly committee meetings, a members' assembly and a workers'
congress. About 6 % of the meetings are left out (so windows are missed), about 1 in 23 has
a low turnout (so quorums fail). Joint unions hold none. Attendance: present ≈ 82 %, leave
≈ 8 %; counters and quorum set from the rows as the services would.
Scales (attendance rows): small ≈ 0.1 million, district ≈ 0.8 million, city ≈ 10 million.
Target: ratio <= 2 and under 3 s at city scale on PostgreSQL.

    python bench/compliance.py [--scale small|district|city|province] [--db sqlite|postgres]
                               [--repeat N]
"""

import datetime as dt
import random
import sys
import time
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness

NAME = "compliance"
BRANCH_KINDS = "('branch', 'general_branch')"  # organizations whose members are loaded
SLOTS = 64  # meeting id = organization id * SLOTS + plan slot
PER_ORG = 100  # person id = organization id * PER_ORG + n (no branch reports 100 members)
JOINED = dt.date(2010, 7, 1)
# Members on the books per branch: 70 % of what it reports (rounded up), so that the city
# tree has about 10 million attendance rows, as issue 5 sets the scale.
MEMBERS = "(reported_members * 7 + 9) / 10"


def _party_plan():
    """(kind, month, day, hour, who) of one branch's year."""
    plan = []
    for month in range(1, 13):
        plan.append(("branch_committee", month, 5, 19, "committee"))
        plan.append(("theme_day", month, 15, 9, "all"))
        plan.append(("party_group", month, 25, 19, "group"))
        if month % 3 == 2:
            plan.append(("branch_general", month, 20, 14, "all"))
    plan += [
        ("party_lecture", 7, 1, 9, "all"),
        ("life_meeting", 1, 22, 14, "all"),
        ("democratic_evaluation", 1, 24, 14, "all"),
        ("heart_to_heart", 6, 12, 16, "pair"),
    ]
    return plan


def _union_plan():
    plan = [("union_committee", month, 10, 16, "committee") for month in (3, 6, 9, 12)]
    return [*plan, ("union_assembly", 3, 18, 14, "all"), ("workers_congress", 4, 18, 9, "all")]


def _insert_select(cursor, model, exprs: dict, tail: str, params=()):
    """INSERT INTO model's table every column: `exprs` gives some as SQL; nullable columns
    get NULL, the others the empty value of their type."""
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in exprs:
            value = exprs[f.column]
        elif f.primary_key or f.null:
            continue
        else:
            value = {
                "BooleanField": "FALSE",
                "CharField": "''",
                "FileField": "''",
                "TextField": "''",
                "PositiveIntegerField": "0",
                "IntegerField": "0",
            }[f.get_internal_type()]
        columns.append(f.column)
        values.append(value)
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} {tail}",
        params,
    )
    return cursor.rowcount


class _Unindexed:
    """PostgreSQL: drop a table's foreign keys, unique constraints and secondary indexes for
    a bulk load, and build them again afterwards (the usual bulk-load practice)."""

    def __init__(self, cursor, table: str):
        self.cursor, self.table = cursor, table

    def __enter__(self):
        c = self.cursor
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
            [self.table],
        )
        self.constraints = c.fetchall()
        c.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [self.table, self.table],
        )
        self.indexes = c.fetchall()
        for name, _definition in self.constraints:
            c.execute(f'ALTER TABLE {self.table} DROP CONSTRAINT "{name}"')
        for name, _definition in self.indexes:
            c.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        for _name, definition in self.indexes:
            self.cursor.execute(definition)
        for name, definition in self.constraints:
            self.cursor.execute(f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}')
        return False


# Meeting ids and person ids are arithmetic, so attendance and the meetings' counters follow
# from the same expressions. "%%": every statement below is run with parameters.
WHO = (
    "(p.who = 'all' OR (p.who = 'committee' AND n.n <= 5) "
    "OR (p.who = 'group' AND n.n %% 3 = p.month %% 3) OR (p.who = 'pair' AND n.n <= 2))"
)
HELD = "(h.org_id * 7 + p.seq * 13) %% 17 <> 0"  # about 6 % of the plan is left out
ATTENDEES = (
    "FROM bench_host h JOIN bench_plan p ON p.family = h.family "
    f"JOIN bench_n n ON n.n <= h.members WHERE {WHO} AND {HELD}"
)


def _presence(mid: str) -> tuple[str, str]:
    """SQL conditions "present" and "on leave" for attendee n.n of meeting `mid`: present
    ≈ 82 %, on leave ≈ 8 %; one meeting in 23 has a low turnout (present ≈ 35 %)."""
    r = f"(n.r + ({mid}) * 37 %% 100) %% 100"
    present = f"{r} < CASE WHEN ({mid}) %% 23 = 0 THEN 35 ELSE 82 END"
    return present, f"{r} >= 82 AND {r} < 90"


def _quorum_sql(kinds) -> str:
    """quorum_met from the counters, by the policy of each kind (all members vote here)."""
    from jiceng.policy.selectors import value as policy_value

    cases = []
    for kind in sorted(kinds):
        try:
            ratio = policy_value(f"life.kind.{kind}.quorum")
        except KeyError:
            continue
        try:
            strict = policy_value(f"life.kind.{kind}.quorum_strict")
        except KeyError:
            strict = policy_value("life.quorum_strict")
        q = Fraction(str(ratio)).limit_denominator(100)
        compare = ">" if strict else ">="
        cases.append(f"WHEN '{kind}' THEN k.pr * {q.denominator} {compare} k.e * {q.numerator}")
    return f"CASE p.kind {' '.join(cases)} ELSE NULL END"


def populate(year: int, log=_harness.say) -> dict:
    """People, memberships, a year of meetings and their attendance (see the docstring)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from jiceng.access.services import system_actor
    from jiceng.life.models import Attendance, Meeting
    from jiceng.people.models import MembershipState, PartyMembership, Person

    ops = connection.ops
    postgres = connection.vendor == "postgresql"
    actor = system_actor()
    created = ops.adapt_datetimefield_value(timezone.now())
    joined = ops.adapt_datefield_value(JOINED)
    types = connection.data_types
    counts = {}
    started = time.perf_counter()

    def roomy(c):  # PostgreSQL: memory for the load's sorts, hashes and index builds only
        if postgres:
            c.execute("SET LOCAL work_mem = '256MB'")
            c.execute("SET LOCAL maintenance_work_mem = '512MB'")

    plans = [("party", p) for p in _party_plan()] + [("union", p) for p in _union_plan()]
    assert len(plans) < SLOTS
    with transaction.atomic(), connection.cursor() as c:
        roomy(c)
        c.execute("CREATE TEMPORARY TABLE bench_n (n integer PRIMARY KEY, r integer NOT NULL)")
        rng = random.Random(2026)
        c.executemany(
            "INSERT INTO bench_n VALUES (%s, %s)",
            [(n, rng.randrange(100)) for n in range(1, PER_ORG)],
        )
        c.execute(
            "CREATE TEMPORARY TABLE bench_host (org_id bigint PRIMARY KEY, "
            "people_org bigint NOT NULL, members integer NOT NULL, family varchar(8) NOT NULL)"
        )
        c.execute(
            f"INSERT INTO bench_host SELECT id, id, {MEMBERS}, 'party' "
            f"FROM orgs_organization WHERE kind IN {BRANCH_KINDS} AND reported_members > 0",
            [],
        )
        c.execute(
            "INSERT INTO bench_host SELECT uo.id, MIN(h.org_id), MIN(h.members), 'union' "
            "FROM orgs_organization uo "
            "JOIN orgs_hostlink u ON u.org_id = uo.id "
            "JOIN orgs_hostlink p ON p.unit_id = u.unit_id "
            "JOIN bench_host h ON h.org_id = p.org_id "
            "WHERE uo.kind = 'union' GROUP BY uo.id",
            [],
        )
        stamp, day = types["DateTimeField"], types["DateField"]
        c.execute(
            "CREATE TEMPORARY TABLE bench_plan (seq integer PRIMARY KEY, "
            "family varchar(8) NOT NULL, kind varchar(32) NOT NULL, month integer NOT NULL, "
            f"who varchar(12) NOT NULL, starts_at {stamp} NOT NULL, ends_at {stamp} NOT NULL, "
            f"opens {stamp} NOT NULL, closes {stamp} NOT NULL, freezes_on {day} NOT NULL)"
        )
        rows = []
        for seq, (family, (kind, month, day_of_month, hour, who)) in enumerate(plans):
            starts = timezone.make_aware(dt.datetime(year, month, day_of_month, hour))
            ends = starts + dt.timedelta(hours=2)
            rows.append(
                (
                    seq,
                    family,
                    kind,
                    month,
                    who,
                    ops.adapt_datetimefield_value(starts),
                    ops.adapt_datetimefield_value(ends),
                    ops.adapt_datetimefield_value(starts - dt.timedelta(minutes=30)),
                    ops.adapt_datetimefield_value(ends + dt.timedelta(minutes=30)),
                    ops.adapt_datefield_value(ends.date() + dt.timedelta(days=7)),
                )
            )
        c.executemany(f"INSERT INTO bench_plan VALUES ({', '.join(['%s'] * 10)})", rows)

        members = "FROM bench_host h JOIN bench_n n ON n.n <= h.members WHERE h.family = 'party'"
        pid = f"h.org_id * {PER_ORG} + n.n"
        counts["people"] = _insert_select(
            c,
            Person,
            {"id": pid, "name": "'党员' || CAST(n.n AS TEXT)", "created_at": "%s"},
            members,
            [created],
        )
        party = {"stage": "'full'", "category": "'working'", "org_id": "h.org_id"}
        _insert_select(
            c,
            PartyMembership,
            {"id": pid, "person_id": pid, "joined_on": "%s", "full_on": "%s", **party},
            members,
            [joined, joined],
        )
        _insert_select(
            c,
            MembershipState,
            {"membership_id": pid, "valid_from": "%s", **party},
            members,
            [joined],
        )
        log(
            f"{counts['people']:,} people, memberships and history rows ({time.perf_counter() - started:.1f}s)"
        )

        # Each meeting's counters, from the attendance it is about to get.
        mid = f"h.org_id * {SLOTS} + p.seq"
        present, leave = _presence(mid)
        c.execute(
            f"CREATE TEMPORARY TABLE bench_counts AS SELECT {mid} AS id, COUNT(*) AS e, "
            f"SUM(CASE WHEN {present} THEN 1 ELSE 0 END) AS pr, "
            f"SUM(CASE WHEN {leave} THEN 1 ELSE 0 END) AS lv "
            f"{ATTENDEES} GROUP BY h.org_id, p.seq",
            [],
        )
        c.execute("CREATE UNIQUE INDEX bench_counts_id ON bench_counts (id)", [])
        counts["meetings"] = _insert_select(
            c,
            Meeting,
            {
                "id": mid,
                "org_id": "h.org_id",
                "kind": "p.kind",
                "topic": "p.kind",
                "starts_at": "p.starts_at",
                "ends_at": "p.ends_at",
                "status": "'held'",
                "sign_in_code": "'000000'",
                "sign_in_token": f"'bench-' || CAST({mid} AS TEXT)",
                "sign_in_opens": "p.opens",
                "sign_in_closes": "p.closes",
                "freezes_on": "p.freezes_on",
                "expected_count": "k.e",
                "present_count": "k.pr",
                "leave_count": "k.lv",
                "quorum_met": _quorum_sql({p[1][0] for p in plans}),
                "created_by_id": "%s",
                "created_at": "%s",
            },
            "FROM bench_host h JOIN bench_plan p ON p.family = h.family "
            f"JOIN bench_counts k ON k.id = {mid} WHERE {HELD}",
            [actor.pk, created],
        )
        if postgres:  # the explicit ids left the sequences behind
            for sql in ops.sequence_reset_sql(no_style(), [Person, PartyMembership, Meeting]):
                c.execute(sql)
        log(
            f"{counts['meetings']:,} meetings with their counters ({time.perf_counter() - started:.1f}s)"
        )

    # Attendance, in chunks of organizations; PostgreSQL builds the indexes and foreign keys
    # of the table once, afterwards.
    present, leave = _presence("m.id")
    exprs = {
        "meeting_id": "m.id",
        "person_id": f"h.people_org * {PER_ORG} + n.n",
        "presence": f"CASE WHEN {present} THEN 'present' WHEN {leave} THEN 'leave' "
        "ELSE 'expected' END",
        "signed_at": f"CASE WHEN {present} THEN m.starts_at END",
        "method": f"CASE WHEN {present} THEN 'code' ELSE '' END",
    }
    tail = (
        f"FROM life_meeting m JOIN bench_plan p ON p.seq = m.id %% {SLOTS} "
        "JOIN bench_host h ON h.org_id = m.org_id JOIN bench_n n ON n.n <= h.members "
        f"WHERE {WHO} AND m.org_id >= %s AND m.org_id < %s"
    )
    with connection.cursor() as c:
        c.execute("SELECT MIN(org_id), MAX(org_id) FROM bench_host")
        low, high = c.fetchone()
        step = max(1, (high - low + 1) // 20)
        total = 0

        def load():
            nonlocal total
            for first in range(low, high + 1, step):
                with transaction.atomic():
                    total += _insert_select(c, Attendance, exprs, tail, [first, first + step])

        if postgres:
            with transaction.atomic():
                roomy(c)
                with _Unindexed(c, Attendance._meta.db_table):
                    load()
        else:
            load()
        counts["attendance"] = total
        log(f"{total:,} attendance rows ({time.perf_counter() - started:.1f}s)")
        c.execute(
            "SELECT (SELECT SUM(expected_count) FROM life_meeting), "
            "(SELECT SUM(present_count) FROM life_meeting), "
            "(SELECT SUM(leave_count) FROM life_meeting), COUNT(*), "
            "SUM(CASE WHEN presence = 'present' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN presence = 'leave' THEN 1 ELSE 0 END) FROM life_attendance"
        )
        sums = c.fetchone()
        if tuple(sums[:3]) != tuple(sums[3:]):
            sys.exit(
                f"bench: the meetings' counters {sums[:3]} disagree with attendance {sums[3:]}"
            )
        c.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    counts["seconds"] = time.perf_counter() - started
    return counts


# -- the floor -------------------------------------------------------------------------------


def requirements():
    """{(organization kind, meeting kind): months} from the policy defaults."""
    from jiceng.life.selectors import EVERY
    from jiceng.policy.registry import definitions

    found = {}
    for key, d in definitions().items():
        if key.startswith(EVERY) and d.periods[-1].value:
            org_kind, kind = key[len(EVERY) :].split(".", 1)
            found[(org_kind, kind)] = int(d.periods[-1].value)
    return found


SHAPES = [
    "distinct windows, month by CASE",
    "distinct windows, month by date function",
    "windows grouped, then organizations",
    "month bit mask",
]


def _month_sql(by_case: bool, year: int, vendor: str) -> tuple[str, list]:
    """SQL for the month (0-11) in which meeting `m` starts, local time, and its parameters."""
    from django.db import connection
    from django.utils import timezone

    if by_case:
        bounds = _bounds(year)
        return "CASE " + " ".join(f"WHEN m.starts_at < %s THEN {i}" for i in range(12)) + " END", (
            bounds[1:13]
        )
    if vendor == "postgresql":
        zone = timezone.get_current_timezone_name()
        return f"(EXTRACT(MONTH FROM m.starts_at AT TIME ZONE '{zone}')::int - 1)", []
    offset = timezone.localtime(timezone.make_aware(dt.datetime(year, 6, 1))).utcoffset()
    hours = int(offset.total_seconds() // 3600)
    assert connection.vendor == "sqlite"
    return f"(CAST(strftime('%%m', m.starts_at, '{hours:+d} hours') AS INTEGER) - 1)", []


def _bounds(year: int) -> list:
    from django.db import connection
    from django.utils import timezone

    return [
        connection.ops.adapt_datetimefield_value(
            timezone.make_aware(dt.datetime(year + i // 12, i % 12 + 1, 1))
        )
        for i in range(13)
    ]


def floor_sql(shape: str, year: int, vendor: str, req: dict) -> tuple[str, list]:
    """One statement of the floor. Its rows: (org id, held, present, expected − leave, met
    windows) per organization and meeting kind, or per organization ("windows grouped"), or
    with the month mask in place of the met windows ("month bit mask")."""
    values = ", ".join(f"('{o}', '{k}', {months})" for (o, k), months in sorted(req.items()))
    ok = "(m.quorum_met IS NULL OR m.quorum_met)"
    base = """
FROM life_meeting m
JOIN orgs_organization o ON o.id = m.org_id
LEFT JOIN req r ON r.org_kind = o.kind AND r.kind = m.kind
WHERE m.status = 'held' AND m.starts_at >= %s AND m.starts_at < %s"""
    bounds = _bounds(year)
    if shape == "month bit mask":
        month, month_params = _month_sql(False, year, vendor)
        bit = f"CASE WHEN {ok} THEN CAST(1 AS bigint) << {month} ELSE 0 END"
        mask = f"BIT_OR({bit})" if vendor == "postgresql" else f"SUM(DISTINCT {bit})"
        sql = f"""
WITH req(org_kind, kind, every) AS (VALUES {values})
SELECT m.org_id, COUNT(*), SUM(m.present_count), SUM(m.expected_count - m.leave_count),
       {mask}, r.every
{base}
GROUP BY m.org_id, m.kind, r.every"""
        return sql, [*month_params, bounds[0], bounds[12]]
    month, month_params = _month_sql(shape.endswith("by CASE") or "grouped" in shape, year, vendor)
    if shape == "windows grouped, then organizations":
        sql = f"""
WITH req(org_kind, kind, every) AS (VALUES {values}),
windows AS (
    SELECT m.org_id, COUNT(*) AS held, SUM(m.present_count) AS present,
           SUM(m.expected_count - m.leave_count) AS net,
           MAX(CASE WHEN r.every IS NOT NULL AND {ok} THEN 1 ELSE 0 END) AS met
    {base}
    GROUP BY m.org_id, m.kind, {month} / r.every
)
SELECT org_id, SUM(held), SUM(present), SUM(net), SUM(met) FROM windows GROUP BY org_id"""
        return sql, [bounds[0], bounds[12], *month_params]  # the month is in the GROUP BY
    sql = f"""
WITH req(org_kind, kind, every) AS (VALUES {values})
SELECT m.org_id, COUNT(*), SUM(m.present_count), SUM(m.expected_count - m.leave_count),
       COUNT(DISTINCT CASE WHEN {ok} THEN {month} / r.every END)
{base}
GROUP BY m.org_id, m.kind"""
    return sql, [*month_params, bounds[0], bounds[12]]


def floor(shape: str, year: int, vendor: str, req: dict) -> dict:
    """{org id: (required, met, held, present, expected - leave)} for every organization with
    a requirement or a held meeting."""
    from django.db import connection

    sql, params = floor_sql(shape, year, vendor, req)
    per_kind = defaultdict(int)
    for (org_kind, _kind), months in req.items():
        per_kind[org_kind] += 12 // months
    hits = {}  # (months, mask) -> windows met
    with connection.cursor() as c:
        c.execute("SELECT id, kind FROM orgs_organization WHERE dissolved_on IS NULL")
        result = {pk: [per_kind[kind], 0, 0, 0, 0] for pk, kind in c.fetchall() if kind in per_kind}
        c.execute(sql, params)
        masks = shape == "month bit mask"
        for org_id, held, present, net, met, *every in c.fetchall():
            if masks:  # count the windows the month mask hits
                months, mask = every[0], int(met or 0)
                met = hits.get((months, mask))
                if met is None:
                    window = (1 << (months or 12)) - 1
                    met = hits[(months, mask)] = (
                        sum(1 for w in range(0, 12, months) if mask >> w & window) if months else 0
                    )
            row = result.get(org_id)
            if row is None:
                row = result[org_id] = [0, 0, 0, 0, 0]
            row[1] += met
            row[2] += held
            row[3] += present
            row[4] += net
    return {pk: tuple(row) for pk, row in result.items()}


def main() -> None:
    args = _harness.parse_args(NAME, __doc__.splitlines()[0], "city on PostgreSQL")
    prepared = _harness.prepare(args)

    from django.utils import timezone

    from jiceng.access.models import Role, Scope
    from jiceng.access.services import assign_role, create_user, system_actor
    from jiceng.life.selectors import compliance
    from jiceng.orgs.models import Organization
    from jiceng.policy.models import PolicyOverride

    today = timezone.localdate()
    year = today.year - 1
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if PolicyOverride.objects.filter(key__startswith="life.").exists():
        sys.exit("bench: the floor assumes the policy defaults; the database has overrides")
    counts = populate(year)
    _harness.say(
        f"loaded {counts['people']:,} people, {counts['meetings']:,} meetings, "
        f"{counts['attendance']:,} attendance rows in {counts['seconds']:.1f}s"
    )

    roots = list(Organization.objects.filter(parent__isnull=True).order_by("code"))
    actor = system_actor()
    user = create_user(actor, username="bench-city", password=None, full_name="市委组织部")
    for root in roots:
        assign_role(
            actor,
            user=user,
            role=Role.UPPER_ADMIN,
            org=root,
            scope=Scope.SUBTREE,
            valid_from=dt.date(2000, 1, 1),
        )

    def ours():
        rows = []
        for root in roots:
            rows += compliance(user, root, start=start, end=end, on=today)
        return rows

    vendor = prepared.vendor
    req = requirements()
    floors = {shape: (lambda shape=shape: floor(shape, year, vendor, req)) for shape in SHAPES}

    mine = {
        r["org"].pk: (
            r["required"],
            r["met_windows"],
            r["meetings_held"],
            r["attendance"].numerator,
            r["attendance"].denominator,
        )
        for r in ours()
    }
    for shape, fn in floors.items():
        theirs = fn()
        if mine != theirs:
            differ = [pk for pk in set(mine) | set(theirs) if mine.get(pk) != theirs.get(pk)]
            sample = [(pk, mine.get(pk), theirs.get(pk)) for pk in differ[:5]]
            sys.exit(
                f"bench: ours and the floor ({shape}) disagree on {len(differ)} organizations: {sample}"
            )
    required = sum(v[0] for v in mine.values())
    met = sum(v[1] for v in mine.values())
    present = sum(v[3] for v in mine.values())
    net = sum(v[4] for v in mine.values())
    _harness.say(
        f"same figures for all {len(mine):,} organizations with requirements: "
        f"{met:,}/{required:,} windows met ({100 * met / required:.1f} %), attendance "
        f"{present:,}/{net:,} ({100 * present / net:.1f} %), {year}"
    )

    best = _harness.race(
        {"ours: compliance()": ours, **{f"floor: {shape}": fn for shape, fn in floors.items()}},
        args.repeat,
    )
    ours_time = best.pop("ours: compliance()")
    floor_label, floor_time = min(best.items(), key=lambda item: item[1])
    shape = floor_label.removeprefix("floor: ")
    db = "postgres" if vendor == "postgresql" else "sqlite"
    _harness.last_line(
        NAME,
        f"{ours_time:.3f}s for {len(mine):,} organizations, {counts['attendance']:,} attendance rows",
        ours_time / floor_time,
        f"hand-written SQL GROUP BY per organization and kind ({shape}) + sums ({db}, {prepared.scale})",
    )


if __name__ == "__main__":
    main()
