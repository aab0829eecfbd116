"""Filling every figure-bound clause of an assessment round for every organization of the tree,
against a hand-written floor.

Ours:  jiceng.assessment.services.refresh_evidence(user, round_) on a year-end round of the
       seed's scheme (defaults.SEED_SCHEME, its five clauses bound to every evidence source:
       meeting compliance, attendance, committee in office, development steps on time,
       proposals answered on time) opened at the root of the Party tree for last year: each
       source computes its figure for every organization of the subtree (the gate, policy,
       model instances, `Figure`s), then every assessed organization's five scores get their
       points, numerator and denominator written (Django's bulk_update), and an audit event.
Floor: one hand-written statement per source over the assessed organizations (the branches
       and general branches): committees in office by an EXISTS; the development milestones
       fetched and judged against the policy defaults in a minimal loop; proposals answered
       on time by a GROUP BY over the unions in the same host unit; compliance and attendance
       by bench/compliance.py's fastest floor shape (with its requirements VALUES list). Then
       the same points (clause points × share, to the hundredth) written by one
       UPDATE … FROM a temporary table. The floor knows the bench has no policy overrides and
       which kinds are assessed; ours must find that out. Both must give every score the same
       numerator and denominator.

Data (set-based INSERT … SELECT over the tree, on both databases): a Party committee term for
every Party organization that elects one and a union committee term for every union (one in
ten expired last year without a re-election); four people in the development pipeline per
branch with their milestones (talks, approvals and conversions, some late, one withdrawal);
a congress session, a delegate and three proposals per enterprise union (answered on time,
late, or not at all). No meetings are loaded (bench/compliance.py times those figures with
10 million attendance rows): compliance here counts the required windows, all missed.
Target: ratio <= 2 and under 5 s at city scale on PostgreSQL.

    python bench/assessment.py [--scale small|district|city|province] [--db sqlite|postgres]
                               [--repeat N]
"""

import datetime as dt
import random
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness
import compliance

NAME = "assessment"
ASSESSED = ("branch", "general_branch")  # the scheme's kinds (policy assessment.org_kinds)
PARTY_ELECTED = ("party_committee", "party_working_committee", "general_branch", "branch")
UNION_ELECTED = ("union_federation", "union", "joint_union")
VARIANTS = 97  # data patterns, chosen per organization by its id
PEOPLE = 4  # pipeline people per branch: person id = organization id * 10 + n


def _insert_select(cursor, model, exprs: dict, tail: str, params=()):
    """bench/compliance.py's INSERT … SELECT, with JSON and small integers as well."""
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
                "TextField": "''",
                "JSONField": "'{}'",
                "FileField": "''",
                "IntegerField": "0",
                "PositiveIntegerField": "0",
                "PositiveSmallIntegerField": "0",
            }[f.get_internal_type()]
        columns.append(f.column)
        values.append(value)
    quoted = ", ".join(cursor.db.ops.quote_name(c) for c in columns)
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({quoted}) SELECT {', '.join(values)} {tail}",
        params,
    )
    return cursor.rowcount


def _development_plan(year: int):
    """(variant, n, step, day) of the milestones of pipeline person n of a branch."""
    rng, first = random.Random(13), dt.date(year, 1, 1)
    rows = []
    for v in range(VARIANTS):
        day = lambda n: first + dt.timedelta(days=n)  # noqa: E731
        apply1 = day(rng.randrange(-20, 330))
        rows.append((v, 1, "apply", apply1))
        if v % 11:
            rows.append((v, 1, "talk", apply1 + dt.timedelta(days=rng.randrange(5, 45))))
        apply2 = day(rng.randrange(0, 300))
        rows += [(v, 2, "apply", apply2), (v, 2, "withdraw", apply2 + dt.timedelta(days=10))]
        admit = day(rng.randrange(-400, 250))
        rows.append((v, 3, "admit", admit))
        if v % 7:
            rows.append((v, 3, "approve", admit + dt.timedelta(days=rng.randrange(10, 120))))
        if admit.year < year:
            rows.append((v, 3, "convert", admit + dt.timedelta(days=365 + v % 3)))
        apply4 = day(rng.randrange(200, 360))
        rows.append((v, 4, "apply", apply4))
        if v % 2:
            rows.append((v, 4, "talk", apply4 + dt.timedelta(days=rng.randrange(1, 40))))
    return rows


def _proposal_plan(year: int):
    """(variant, number, reply due, replied on or None) of an enterprise union's proposals."""
    rng, first = random.Random(17), dt.date(year, 1, 1)
    rows = []
    for v in range(VARIANTS):
        for number in (1, 2, 3):
            due = first + dt.timedelta(days=rng.randrange(-30, 380))
            late = rng.choice([None, -10, -1, 0, 3, 25])
            rows.append((v, number, due, None if late is None else due + dt.timedelta(days=late)))
    return rows


def populate(year: int, log=_harness.say) -> dict:
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from jiceng.access.services import system_actor
    from jiceng.congress.models import CongressSession, Proposal
    from jiceng.elections.models import Term
    from jiceng.people.models import Delegate, Milestone, PartyMembership, Person

    ops, started = connection.ops, time.perf_counter()
    actor = system_actor()
    created = ops.adapt_datetimefield_value(timezone.now())
    d = ops.adapt_datefield_value
    counts = {}
    with transaction.atomic(), connection.cursor() as c:
        # Terms: in office from two years back; one in ten ended in the middle of last year.
        expired, long_ = d(dt.date(year, 6, 30)), d(dt.date(year + 3, 6, 30))
        term = {
            "number": "1",
            "starts_on": "%s",
            "years": "5",
            "status": "'current'",
            "ends_on": "CASE WHEN o.id %% 10 = 0 THEN %s ELSE %s END",
            "created_at": "%s",
        }
        counts["terms"] = 0
        for committee, kinds in (("party", PARTY_ELECTED), ("union", UNION_ELECTED)):
            counts["terms"] += _insert_select(
                c,
                Term,
                {**term, "org_id": "o.id", "committee": f"'{committee}'"},
                f"FROM orgs_organization o WHERE o.kind IN {kinds!r} AND o.dissolved_on IS NULL",
                [d(dt.date(year - 2, 7, 1)), expired, long_, created],
            )
        # The development pipeline: four people per branch and their milestones.
        c.execute("CREATE TEMPORARY TABLE bench_n (n integer PRIMARY KEY)")
        c.executemany("INSERT INTO bench_n VALUES (%s)", [(n,) for n in range(1, PEOPLE + 1)])
        c.execute(
            "CREATE TEMPORARY TABLE bench_dev (v integer, n integer, step varchar(16), "
            f"day {connection.data_types['DateField']})"
        )
        c.executemany(
            "INSERT INTO bench_dev VALUES (%s, %s, %s, %s)",
            [(v, n, s, d(day)) for v, n, s, day in _development_plan(year)],
        )
        branches = f"FROM orgs_organization o JOIN bench_n n ON TRUE WHERE o.kind IN {ASSESSED!r}"
        pid = "o.id * 10 + n.n"
        counts["people"] = _insert_select(
            c,
            Person,
            {"id": pid, "name": "'申请人' || CAST(n.n AS TEXT)", "created_at": "%s"},
            branches,
            [created],
        )
        _insert_select(
            c,
            PartyMembership,
            {"id": pid, "person_id": pid, "org_id": "o.id", "stage": "'applicant'"},
            branches,
            [],
        )
        counts["milestones"] = _insert_select(
            c,
            Milestone,
            {
                "membership_id": "o.id * 10 + b.n",
                "step": "b.step",
                "on": "b.day",
                "recorded_by_id": "%s",
                "recorded_at": "%s",
            },
            f"FROM orgs_organization o JOIN bench_dev b ON b.v = o.id %% {VARIANTS} "
            f"WHERE o.kind IN {ASSESSED!r}",
            [actor.pk, created],
        )
        # Congress: a session, a delegate and three proposals per enterprise union.
        unions = "FROM orgs_organization o WHERE o.kind = 'union'"
        delegate_pid = "o.id * 10 + 9"
        _insert_select(
            c,
            Person,
            {"id": delegate_pid, "name": "'代表'", "created_at": "%s"},
            unions,
            [created],
        )
        _insert_select(
            c,
            Delegate,
            {
                "id": "o.id",
                "person_id": delegate_pid,
                "org_id": "o.id",
                "category": "'voting'",
                "valid_from": "%s",
            },
            unions,
            [d(dt.date(year - 1, 1, 1))],
        )
        _insert_select(
            c,
            CongressSession,
            {
                "id": "o.id",
                "org_id": "o.id",
                "kind": "'congress'",
                "term": "1",
                "number": "1",
                "held_on": "%s",
                "created_by_id": "%s",
                "created_at": "%s",
            },
            unions,
            [d(dt.date(year - 1, 3, 1)), actor.pk, created],
        )
        c.execute(
            "CREATE TEMPORARY TABLE bench_prop (v integer, number integer, "
            f"due {connection.data_types['DateField']}, replied "
            f"{connection.data_types['DateField']} NULL)"
        )
        c.executemany(
            "INSERT INTO bench_prop VALUES (%s, %s, %s, %s)",
            [(v, k, d(due), d(r) if r else None) for v, k, due, r in _proposal_plan(year)],
        )
        counts["proposals"] = _insert_select(
            c,
            Proposal,
            {
                "session_id": "o.id",
                "org_id": "o.id",
                "number": "b.number",
                "title": "'提案'",
                "reasons": "'理由'",
                "proposer_id": "o.id",
                "submitted_on": "%s",
                "state": "CASE WHEN b.replied IS NULL THEN 'assigned' ELSE 'replied' END",
                "reply_due": "b.due",
                "replied_on": "b.replied",
                "created_by_id": "%s",
                "created_at": "%s",
            },
            f"FROM orgs_organization o JOIN bench_prop b ON b.v = o.id %% {VARIANTS} "
            "WHERE o.kind = 'union'",
            [d(dt.date(year - 1, 3, 1)), actor.pk, created],
        )
        if connection.vendor == "postgresql":  # the explicit ids left the sequences behind
            models = [Person, PartyMembership, Delegate, CongressSession]
            for sql in ops.sequence_reset_sql(no_style(), models):
                c.execute(sql)
    _analyze()
    counts["seconds"] = time.perf_counter() - started
    log(
        f"loaded {counts['terms']:,} terms, {counts['people']:,} pipeline people with "
        f"{counts['milestones']:,} milestones, {counts['proposals']:,} proposals "
        f"in {counts['seconds']:.1f}s"
    )
    return counts


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# -- the floor -------------------------------------------------------------------------------


def _subtree(path: str, vendor: str) -> tuple[str, list]:
    if vendor == "postgresql":
        return "o.path LIKE %s", [path + "%"]
    return "o.path >= %s AND o.path < %s", [path, path[:-1] + "0"]


def floor(round_id: int, root_path: str, year: int, vendor: str, req: dict, shape: str) -> dict:
    """{(org id, source): (numerator, denominator)} as the floor computes them; writes the
    points of every figure-bound score of the round."""
    from django.db import connection

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    on = end
    where, params = _subtree(root_path, vendor)
    assessed = f"o.kind IN {ASSESSED!r} AND {where}"
    figures = {}
    with connection.cursor() as c:
        c.execute(
            "SELECT o.id, CASE WHEN EXISTS (SELECT 1 FROM elections_term t WHERE t.org_id = o.id "
            "AND t.committee = 'party' AND t.starts_on <= %s AND ((t.ended_on IS NULL AND "
            f"t.ends_on >= %s) OR t.ended_on >= %s)) THEN 1 ELSE 0 END "
            f"FROM orgs_organization o WHERE {assessed}",
            [on, on, on, *params],
        )
        for org_id, ok in c.fetchall():
            figures[(org_id, "elections.terms_in_order")] = (ok, 1)
        # Development: the policy defaults (the bench has no overrides).
        days = {"talk": ("apply", 30), "approve": ("admit", 90), "convert": ("admit", 365)}
        c.execute(
            'SELECT m.membership_id, pm.org_id, m.step, m."on" FROM people_milestone m '
            "JOIN people_partymembership pm ON pm.id = m.membership_id "
            f'JOIN orgs_organization o ON o.id = pm.org_id WHERE {assessed} AND m."on" <= %s '
            "AND m.step IN ('apply', 'talk', 'admit', 'approve', 'convert', 'withdraw', "
            "'suspend', 'remove', 'decease') ORDER BY m.membership_id",
            [*params, on],
        )
        people = {}
        for membership, org_id, step, day in c.fetchall():
            if isinstance(day, str):
                day = dt.date.fromisoformat(day)
            steps = people.setdefault(membership, (org_id, {}))[1]
            steps[step] = min(day, steps.get(step, day))
        for org_id, steps in people.values():
            for step, (anchor, n) in days.items():
                if anchor not in steps:
                    continue
                due = steps[anchor] + dt.timedelta(days=n)
                gone = min(
                    (steps[e] for e in ("withdraw", "suspend", "remove", "decease") if e in steps),
                    default=None,
                )
                if not start <= due <= end or (gone is not None and gone < due):
                    continue
                taken = steps.get(step)
                k = figures.get((org_id, "people.development_on_time"), (0, 0))
                ok = (taken is not None and taken <= due) or (taken is None and due > on)
                figures[(org_id, "people.development_on_time")] = (k[0] + ok, k[1] + 1)
        live = "{0}.valid_from <= %s AND ({0}.valid_until IS NULL OR {0}.valid_until > %s)"
        c.execute(
            "SELECT hp.org_id, COUNT(*), SUM(CASE WHEN p.replied_on IS NOT NULL AND "
            "p.replied_on <= %s THEN CASE WHEN p.replied_on <= p.reply_due THEN 1 ELSE 0 END "
            "WHEN p.reply_due > %s THEN 1 ELSE 0 END) FROM congress_proposal p "
            "JOIN orgs_hostlink hu ON hu.org_id = p.org_id "
            "JOIN orgs_hostlink hp ON hp.unit_id = hu.unit_id "
            f"JOIN orgs_organization o ON o.id = hp.org_id WHERE {assessed} "
            f"AND p.reply_due >= %s AND p.reply_due <= %s AND {live.format('hu')} "
            f"AND {live.format('hp')} GROUP BY hp.org_id",
            [on, on, *params, start, end, on, on, on, on],
        )
        for org_id, due, ok in c.fetchall():
            figures[(org_id, "congress.proposals_on_time")] = (int(ok), due)
    kinds = compliance.floor(shape, year, vendor, req)
    for org_id, (required, met, _held, present, net) in kinds.items():
        figures[(org_id, "life.compliance")] = (met, required)
        figures[(org_id, "life.attendance")] = (present, net)
    _write(round_id, figures)
    return figures


def _write(round_id: int, figures: dict) -> None:
    """Points of every figure-bound score whose figure changed, by one UPDATE from a
    temporary table."""
    from django.db import connection, transaction

    hundredth = Decimal("0.01")
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "SELECT s.id, e.org_id, c.evidence, c.points, s.auto_points, s.auto_numerator, "
            "s.auto_denominator FROM assessment_score s "
            "JOIN assessment_entry e ON e.id = s.entry_id "
            "JOIN assessment_clause c ON c.id = s.clause_id "
            "WHERE e.round_id = %s AND c.evidence <> ''",
            [round_id],
        )
        rows = []
        for score_id, org_id, source, points, *before in c.fetchall():
            n, den = figures.get((org_id, source), (None, None))
            value = None
            if den:
                share = min(Decimal(n) / Decimal(den), Decimal(1))
                value = (Decimal(points) * share).quantize(hundredth, ROUND_HALF_UP)
            if before[0] is not None:
                before[0] = Decimal(before[0]).quantize(hundredth)
            if [value, n, den] != before:  # only what changed is written, as ours does
                rows.append((score_id, value, n, den))
        if not rows:
            return
        c.execute("DROP TABLE IF EXISTS bench_points")
        c.execute(
            "CREATE TEMPORARY TABLE bench_points (id bigint PRIMARY KEY, points numeric(6, 2), "
            "n integer, d integer)"
        )
        c.executemany("INSERT INTO bench_points VALUES (%s, %s, %s, %s)", rows)
        c.execute(
            "UPDATE assessment_score SET auto_points = b.points, auto_numerator = b.n, "
            "auto_denominator = b.d FROM bench_points b WHERE assessment_score.id = b.id"
        )


def _breakdown(user, root, year: int, floor_fn) -> None:
    """Where the time goes: each source of ours alone, and the floor without its UPDATE."""
    from jiceng.assessment import evidence
    from jiceng.assessment.defaults import SEED_SCHEME

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    keys = sorted({c.get("evidence", "") for b in SEED_SCHEME["blocks"] for c in b["clauses"]})[1:]
    parts = []
    for key in keys:
        started = time.perf_counter()
        evidence.compute_all(user, root, [key], start, end, end)
        parts.append(f"{key} {1000 * (time.perf_counter() - started):.0f} ms")
    global _write
    real, _write = _write, lambda *a: None
    try:
        started = time.perf_counter()
        floor_fn()
        parts.append(f"floor without the UPDATE {1000 * (time.perf_counter() - started):.0f} ms")
    finally:
        _write = real
    _harness.say("breakdown: " + ", ".join(parts))


def main() -> None:
    args = _harness.parse_args(NAME, __doc__.splitlines()[0], "city on PostgreSQL")
    prepared = _harness.prepare(args)

    from django.utils import timezone

    from jiceng.access.models import Role, Scope
    from jiceng.access.services import assign_role, create_user, system_actor
    from jiceng.assessment import services
    from jiceng.assessment.defaults import SEED_SCHEME
    from jiceng.assessment.models import Score
    from jiceng.orgs.models import Organization
    from jiceng.policy.models import PolicyOverride

    year = timezone.localdate().year - 1
    if PolicyOverride.objects.exists():
        sys.exit("bench: the floor assumes the policy defaults; the database has overrides")
    populate(year)
    root = Organization.objects.filter(parent__isnull=True, tree="party").order_by("code").first()
    actor = system_actor()
    user = create_user(actor, username="bench-city", password=None, full_name="市委组织部")
    assign_role(
        actor,
        user=user,
        role=Role.UPPER_ADMIN,
        org=root,
        scope=Scope.SUBTREE,
        valid_from=dt.date(2000, 1, 1),
    )
    opened = dt.date(year + 1, 1, 5)
    scheme = services.save_scheme(
        user,
        root,
        code=SEED_SCHEME["code"],
        name=SEED_SCHEME["name"],
        cycle="year_end",
        blocks=SEED_SCHEME["blocks"],
    )
    services.publish_scheme(user, scheme, on=opened)
    started = time.perf_counter()
    round_ = services.open_round(user, scheme, root, str(year), on=opened)
    entries = round_.entries.count()
    _analyze()  # the round's new scores, as autovacuum would
    bound = Score.objects.filter(entry__round=round_).exclude(clause__evidence="")
    _harness.say(
        f"opened the round for {entries:,} organizations ({bound.count():,} figure-bound "
        f"scores) in {time.perf_counter() - started:.1f}s"
    )

    def ours():
        services.refresh_evidence(user, round_, on=dt.date(year, 12, 31))

    def written():
        return {
            (org, source): (n, d)
            for org, source, n, d in bound.values_list(
                "entry__org_id", "clause__evidence", "auto_numerator", "auto_denominator"
            )
        }

    vendor = prepared.vendor
    req = compliance.requirements()
    shape = compliance.SHAPES[0]

    def theirs():
        return floor(round_.pk, root.path, year, vendor, req, shape)

    ours()
    mine = written()
    figures = theirs()
    expected = {k: figures.get(k, (None, None)) for k in mine}
    if mine != expected or written() != mine:
        differ = [k for k in mine if mine[k] != expected[k]]
        sample = [(k, mine[k], expected[k]) for k in differ[:5]]
        sys.exit(f"bench: ours and the floor disagree on {len(differ)} scores: {sample}")
    per_source = {}
    for (_org, source), (n, d) in mine.items():
        if d:
            a, b = per_source.get(source, (0, 0))
            per_source[source] = (a + n, b + d)
    _harness.say(
        f"same figures for all {len(mine):,} scores: "
        + ", ".join(f"{s} {n:,}/{d:,}" for s, (n, d) in sorted(per_source.items()))
    )
    _breakdown(user, root, year, lambda: floor(round_.pk, root.path, year, vendor, req, shape))

    def first_fill(fn) -> float:
        """Time `fn` when every score is empty, as on the day a round opens."""
        bound.update(auto_points=None, auto_numerator=None, auto_denominator=None)
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    first = {"ours": first_fill(ours), "floor": first_fill(theirs)}
    _harness.say(
        f"first fill (every score written): ours {first['ours']:.2f}s, floor "
        f"{first['floor']:.2f}s, ratio {first['ours'] / first['floor']:.2f}"
    )
    best = _harness.race(
        {"ours: refresh_evidence()": ours, "floor: SQL + UPDATE": theirs}, args.repeat
    )
    db = "postgres" if vendor == "postgresql" else "sqlite"
    _harness.last_line(
        NAME,
        f"{best['ours: refresh_evidence()']:.3f}s for {entries:,} organizations, "
        f"{len(mine):,} scores",
        best["ours: refresh_evidence()"] / best["floor: SQL + UPDATE"],
        f"hand-written SQL per source + one UPDATE ({db}, {prepared.scale})",
    )


if __name__ == "__main__":
    main()
