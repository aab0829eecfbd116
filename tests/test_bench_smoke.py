"""Smoke run of the benchmarks: each one runs at small scale on its own SQLite and ends with
the line the convention asks for (DESIGN.md "Benchmarks"). The figures are not checked."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAST_LINE = re.compile(r"^coverage: .* ratio=\d+(\.\d+)? floor=.+$")


def test_coverage_bench_runs_and_reports(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "JICENG_DATABASE_URL"}
    env["JICENG_HOME"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the script sets up Django itself
    done = subprocess.run(
        [sys.executable, "bench/coverage.py", "--scale", "small"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    assert LAST_LINE.match(lines[-1]), lines[-1]


def test_import_members_bench_runs_and_reports(tmp_path):
    """Small scale, one timed run, without the peer (installing it is not for the test run)."""
    env = {k: v for k, v in os.environ.items() if k != "JICENG_DATABASE_URL"}
    env["JICENG_HOME"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    argv = ["--scale", "small", "--repeat", "1", "--no-peer"]
    done = subprocess.run(
        [sys.executable, "bench/import_members.py", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert re.match(r"^import_members: .* ratio=\d+(\.\d+)? floor=.+$", last), last
