"""An audited write while a big roster import runs: does the import hold up the web?

A roster import (jiceng.sheets.layer.import_sheet, members) runs in one thread; meanwhile the
main thread renames an organization through its service (an audited write, as a web request
would) again and again, each rename timed, until the import ends. Both ways are measured in
one run:

- deferred (ours): the import appends its audit events at the end of its transaction
  (`audit.services.deferred`), so the chain's lock is held for that last step only;
- held (the old way, for comparison): the events are appended chunk by chunk, so the chain's
  lock is held from the first chunk to the commit.

Figure: the longest rename while the import was writing (p50 beside it). On SQLite every
write waits for the import's whole transaction either way (one writer at a time): use
--db postgres. Bounded: at most MAX_RENAMES renames per run, loopback database only.

    python bench/import_concurrency.py [--scale small|district|city] --db postgres
"""

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness
from import_members import ROWS, write_roster

NAME = "import_concurrency"
MAX_RENAMES = 2_000


def run(path: Path, actor, org, *, deferred: bool) -> dict:
    from django.db import connections

    from jiceng.orgs.services import rename
    from jiceng.sheets import layer as sheets

    spec = sheets.get_spec("members")
    applying, finished, outcome = threading.Event(), threading.Event(), {}

    def progress(done, total, stage):
        if stage == "apply":
            applying.set()

    def importer():
        started = time.perf_counter()
        try:
            outcome["result"] = sheets.import_sheet(spec, path, actor, progress=progress)
        finally:
            outcome["seconds"] = time.perf_counter() - started
            finished.set()
            applying.set()
            connections.close_all()

    from jiceng.audit import services as audit

    appends, append, lock = [], audit._append, audit._lock_chain
    locked: list[float] = []

    def timed_lock():
        lock()
        locked.append(time.perf_counter())

    def timed_append(batch):  # from taking the chain's lock to the end of the insert
        locked.clear()
        append(batch)
        if len(batch) > 1 and locked:
            appends.append(time.perf_counter() - locked[0])

    audit._append, audit._lock_chain = timed_append, timed_lock
    original = sheets.audit_deferred
    if not deferred:
        sheets.audit_deferred = contextlib.nullcontext  # the events go in chunk by chunk
    try:
        thread = threading.Thread(target=importer)
        thread.start()
        applying.wait()
        times = []
        while not finished.is_set() and len(times) < MAX_RENAMES:
            started = time.perf_counter()
            rename(actor, org, name=f"{org.name[:40]}{len(times) % 2 or ''}")
            times.append(time.perf_counter() - started)
            time.sleep(0.05)  # a user's pace, not a flood
        thread.join()
    finally:
        sheets.audit_deferred = original
        audit._append, audit._lock_chain = append, lock
    if not outcome["result"].ok:
        sys.exit(f"bench: the import failed: {outcome['result'].summary()}")
    return {"import": outcome["seconds"], "renames": times, "appends": appends}


def main() -> None:
    args = _harness.parse_args(NAME, __doc__.splitlines()[0], "district")
    rows = ROWS[args.scale]
    prepared = _harness.prepare(argparse.Namespace(**{**vars(args), "scale": "small"}))

    from jiceng.access.services import system_actor
    from jiceng.orgs.models import Kind, Organization

    branches = sorted(Organization.objects.filter(kind=Kind.BRANCH).values_list("code", flat=True))
    org = Organization.objects.filter(kind=Kind.PARTY_COMMITTEE).order_by("pk").first()
    actor = system_actor()
    folder = Path(tempfile.mkdtemp(prefix="jiceng-concurrency-"))
    figures = {}
    for i, deferred in enumerate((False, True)):
        path = folder / f"roster{i}.xlsx"
        write_roster(path, i * rows, rows, branches)
        label = "deferred" if deferred else "held"
        got = run(path, actor, org, deferred=deferred)
        times = got["renames"]
        figures[label] = max(times) if times else 0.0
        _harness.say(
            f"{label:8}: import of {rows:,} rows {got['import']:.1f}s; {len(times)} renames "
            f"meanwhile, p50 {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms; audit appends: {len(got['appends'])}, the longest "
            f"held the lock {max(got['appends'], default=0) * 1000:.0f} ms"
            if times
            else f"{label:8}: import {got['import']:.1f}s; no rename finished meanwhile"
        )
    _harness.last_line(
        NAME,
        f"longest rename during the import {figures['deferred'] * 1000:.0f} ms "
        f"({prepared.vendor}, {rows:,} rows)",
        figures["deferred"] / max(figures["held"], 1e-9),
        f"the same with the audit lock held for the whole import ({figures['held'] * 1000:.0f} ms)",
    )


if __name__ == "__main__":
    main()
