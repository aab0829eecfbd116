"""Shared setup for the benchmarks in bench/ (DESIGN.md "Benchmarks").

Every benchmark runs as `python bench/NAME.py [--scale ...] [--db sqlite|postgres]` and
prints its result last, as `NAME: <figure> ratio=<ours/floor> floor=<what the floor is>`.

`prepare()` gives each run a database of its own and fills it:

- sqlite: a fresh database file in a temporary JICENG_HOME (any JICENG_DATABASE_URL is
  ignored, so a benchmark never touches a real database);
- postgres: the script re-executes itself under scripts/with-postgres, which starts a
  throwaway server and exports JICENG_DATABASE_URL (one set beforehand is ignored, so a
  benchmark never writes into a database it did not create).

Then: migrate, build the synthetic tree (jiceng.demo.build) in one transaction, timed,
and refresh the planner's statistics.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE_NAMES = ["small", "district", "city", "province"]
_REEXEC_MARK = "JICENG_BENCH_REEXEC"


def parse_args(name: str, description: str, documented_scale: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"bench/{name}.py", description=description)
    parser.add_argument(
        "--scale",
        choices=SCALE_NAMES,
        default="small",
        help=f"size of the synthetic tree (default small; documented runs use {documented_scale})",
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--repeat", type=int, default=None, help="timed runs, best kept (default 5 small, 3 above)"
    )
    args = parser.parse_args()
    if args.repeat is None:
        args.repeat = 5 if args.scale == "small" else 3
    return args


def say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Prepared:
    vendor: str  # "sqlite" or "postgresql"
    version: str  # database server / library version
    scale: str
    organizations: int
    rows: int  # every row the build inserted
    build_seconds: float


def _with_postgres() -> None:
    """Re-run this very command under scripts/with-postgres; returns only in the re-run.

    Any JICENG_DATABASE_URL already set is ignored on purpose: a benchmark writes only into
    a database it created itself."""
    if os.environ.get(_REEXEC_MARK):
        if not os.environ.get("JICENG_DATABASE_URL"):
            sys.exit("bench: scripts/with-postgres did not export JICENG_DATABASE_URL")
        return
    os.environ.pop("JICENG_DATABASE_URL", None)
    os.environ[_REEXEC_MARK] = "1"
    wrapper = str(ROOT / "scripts" / "with-postgres")
    script = str(Path(sys.argv[0]).resolve())
    sys.stdout.flush()
    os.execv(wrapper, [wrapper, sys.executable, script, *sys.argv[1:]])


def prepare(args: argparse.Namespace) -> Prepared:
    """Database of its own, migrated, with the tree of `args.scale` built and analyzed."""
    if args.db == "postgres":
        _with_postgres()
    else:
        os.environ.pop("JICENG_DATABASE_URL", None)
    home = tempfile.mkdtemp(prefix="jiceng-bench-")
    os.environ["JICENG_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import atexit

    atexit.register(shutil.rmtree, home, ignore_errors=True)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction

    from jiceng.demo.build import build_tree
    from jiceng.orgs.models import HostLink, Organization, OrgState, Unit, UnitState

    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.exists():  # cannot happen with the databases made above
        sys.exit("bench: the database already holds organizations; benchmarks need an empty one")

    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    say(f"database: {version} ({'throwaway server' if vendor == 'postgresql' else home})")

    say(f"building the {args.scale} tree …")
    started = time.perf_counter()
    with transaction.atomic():
        _marks, organizations = build_tree(args.scale)
    build_seconds = time.perf_counter() - started
    rows = sum(m.objects.count() for m in (Organization, OrgState, Unit, UnitState, HostLink))
    say(
        f"built {organizations:,} organizations, {rows:,} rows in {build_seconds:.1f}s "
        f"({rows / build_seconds:,.0f} rows/s)"
    )

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM as well as ANALYZE, so the visibility map is set as autovacuum
        # would leave it, and autovacuum does not wake up in the middle of the timings.
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    what = "VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE"
    say(f"{what} in {time.perf_counter() - started:.1f}s")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            shown = []
            for setting in ("jit", "work_mem", "max_parallel_workers_per_gather"):
                cursor.execute(f"SHOW {setting}")
                shown.append(f"{setting}={cursor.fetchone()[0]}")
        say(f"server settings: {' '.join(shown)} (defaults of scripts/with-postgres)")
    return Prepared(vendor, version, args.scale, organizations, rows, build_seconds)


def race(contestants: dict, repeat: int) -> dict[str, float]:
    """Best time of each callable: one warm-up call each, then `repeat` rounds in which every
    contestant runs once (interleaved, so a slow spell of the machine hits them all alike)."""
    for fn in contestants.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(repeat):
        for name, fn in contestants.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    width = max(map(len, contestants))
    for name, runs in times.items():
        say(
            f"{name:<{width}}  best {min(runs) * 1000:9.2f} ms of {repeat} "
            f"({', '.join(f'{t * 1000:.2f}' for t in runs)})"
        )
    return {name: min(runs) for name, runs in times.items()}


def last_line(name: str, figure: str, ratio: float, floor: str) -> None:
    """The convention's final line: `NAME: <figure> ratio=<ours/floor> floor=<what>`."""
    say(f"{name}: {figure} ratio={ratio:.2f} floor={floor}")
