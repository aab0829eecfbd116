"""Every node's coverage figure for the whole tree in one call, against a hand-written floor.

Ours:  jiceng.stats.selectors.rollup("party_coverage_non_public", on) for the whole tree.
Floor: the same GROUP BY written by hand — the qualifying unit states in force on the date,
       per path (on that date) of their responsible Party organization, and how many of
       them host a Party organization on that date — run on the raw cursor and fetched,
       plus the same minimal rollup along the stored path that `rollup` does in Python.
       Three hand-written statements are timed and the fastest is the floor: the covered
       test as a correlated EXISTS per unit, as a hash-joined set of covered units, and
       grouped per responsible organization first (covered by a WHERE EXISTS semi-join)
       with the path joined afterwards. So the floor is "the best database work we know
       how to write by hand + the unavoidable rollup"; every shape's time is printed.

Targets: ratio <= 1.5 on both databases; under 2 s for the province tree on PostgreSQL.
Documented run: --scale province --db postgres (docs/benchmarks.md has every scale on
both databases). Default: --scale small --db sqlite, so `make bench` stays quick.

    python bench/coverage.py [--scale small|district|city|province] [--db sqlite|postgres]
"""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness

NAME = "coverage"
METRIC = "party_coverage_non_public"

# Written for this metric: non-public enterprises, Party tree, units scoped by their
# responsible Party organization. Portable SQL; the same text runs on both databases.
_IN_FORCE = "{t}.valid_from <= %(on)s AND ({t}.valid_until IS NULL OR {t}.valid_until > %(on)s)"
_UNITS = f"""
FROM orgs_unitstate us
JOIN orgs_orgstate os ON os.org_id = us.responsible_org_id AND {_IN_FORCE.format(t="os")}"""
_QUALIFIES = f"""
WHERE {_IN_FORCE.format(t="us")}
  AND us.kind = %(kind)s AND us.ownership = %(ownership)s
GROUP BY os.path"""

FLOORS = {
    "correlated EXISTS": f"""
SELECT os.path, COUNT(*),
       SUM(CASE WHEN EXISTS (
               SELECT 1 FROM orgs_hostlink h JOIN orgs_organization o ON o.id = h.org_id
               WHERE h.unit_id = us.unit_id AND o.tree = %(tree)s AND {_IN_FORCE.format(t="h")}
           ) THEN 1 ELSE 0 END)
{_UNITS}
{_QUALIFIES}""",
    "hash-joined covered set": f"""
SELECT os.path, COUNT(*), COUNT(c.unit_id)
{_UNITS}
LEFT JOIN (SELECT DISTINCT h.unit_id
           FROM orgs_hostlink h JOIN orgs_organization o ON o.id = h.org_id
           WHERE o.tree = %(tree)s AND {_IN_FORCE.format(t="h")}) c ON c.unit_id = us.unit_id
{_QUALIFIES}""",
    "per organization, semi-joined": f"""
WITH den AS (
    SELECT us.responsible_org_id AS org_id, COUNT(*) AS n
    FROM orgs_unitstate us
    WHERE {_IN_FORCE.format(t="us")} AND us.kind = %(kind)s AND us.ownership = %(ownership)s
    GROUP BY us.responsible_org_id
), num AS (
    SELECT us.responsible_org_id AS org_id, COUNT(*) AS n
    FROM orgs_unitstate us
    WHERE {_IN_FORCE.format(t="us")} AND us.kind = %(kind)s AND us.ownership = %(ownership)s
      AND EXISTS (SELECT 1 FROM orgs_hostlink h JOIN orgs_organization o ON o.id = h.org_id
                  WHERE h.unit_id = us.unit_id AND o.tree = %(tree)s AND {_IN_FORCE.format(t="h")})
    GROUP BY us.responsible_org_id
)
SELECT os.path, SUM(den.n), SUM(COALESCE(num.n, 0))
FROM den
LEFT JOIN num ON num.org_id = den.org_id
JOIN orgs_orgstate os ON os.org_id = den.org_id AND {_IN_FORCE.format(t="os")}
GROUP BY os.path""",
}


def floor_rows(sql: str, on) -> list[tuple[str, int, int]]:
    """One hand-written GROUP BY alone: [(path, denominator, numerator), …]."""
    from django.db import connection

    params = {"on": on, "tree": "party", "kind": "enterprise", "ownership": "non_public"}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def path_rollup(rows) -> dict[int, tuple[int, int]]:
    """The minimal rollup along the stored path: {org id: (numerator, denominator)}."""
    num, den = Counter(), Counter()
    for path, d, n in rows:
        for segment in path.strip("/").split("/"):
            pk = int(segment)
            num[pk] += n
            den[pk] += d
    return {pk: (num[pk], den[pk]) for pk in den}


def main() -> None:
    args = _harness.parse_args(NAME, __doc__.splitlines()[0], "province on PostgreSQL")
    prepared = _harness.prepare(args)

    from django.utils import timezone

    from jiceng.orgs.models import Tree
    from jiceng.stats.metrics import METRICS
    from jiceng.stats.selectors import rollup

    metric = METRICS[METRIC]
    if metric.tree != Tree.PARTY or metric.scope_field != "responsible_org":
        sys.exit(f"bench: the hand-written floor no longer matches the metric {METRIC}")
    on = timezone.localdate()

    def ours():
        return rollup(METRIC, on)

    floors = {
        name: (lambda sql=sql: path_rollup(floor_rows(sql, on))) for name, sql in FLOORS.items()
    }

    # The same answer first: every node's numerator and denominator, not just the root's.
    mine = {pk: (f.numerator, f.denominator) for pk, f in ours().items()}
    for name, floor in floors.items():
        theirs = floor()
        if mine != theirs:
            differ = len(set(mine.items()) ^ set(theirs.items()))
            sys.exit(f"bench: ours and the floor ({name}) disagree on {differ} nodes")
    rows = floor_rows(FLOORS["correlated EXISTS"], on)
    den, num = sum(r[1] for r in rows), sum(r[2] for r in rows)
    if not den:
        sys.exit("bench: the tree has no qualifying units; nothing would be measured")
    _harness.say(
        f"same figures for all {len(mine):,} nodes with units below them "
        f"({len(rows):,} paths): {num:,}/{den:,} non-public enterprises covered on {on}"
    )

    best = _harness.race(
        {"ours: rollup()": ours, **{f"floor: {name} + rollup": fn for name, fn in floors.items()}},
        args.repeat,
    )
    rollup_alone = _harness.race({"path rollup alone": lambda: path_rollup(rows)}, args.repeat)
    ours_time = best.pop("ours: rollup()")
    floor_label, floor_time = min(best.items(), key=lambda item: item[1])
    shape = floor_label.removeprefix("floor: ").removesuffix(" + rollup")
    _harness.say(
        f"floor is the {shape} statement; the path rollup in it costs "
        f"{rollup_alone['path rollup alone'] * 1000:.2f} ms"
    )

    vendor = "postgres" if prepared.vendor == "postgresql" else "sqlite"
    _harness.last_line(
        NAME,
        f"{ours_time:.3f}s for {prepared.organizations:,} organizations",
        ours_time / floor_time,
        f"fastest hand-written SQL GROUP BY ({shape}) + path rollup ({vendor}, {prepared.scale})",
    )


if __name__ == "__main__":
    main()
