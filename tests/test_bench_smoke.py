"""Smoke run of the benchmarks: each one runs at small scale on its own SQLite and ends with
the line the convention asks for (DESIGN.md "Benchmarks"). The figures are not checked."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHES = sorted(p.stem for p in (ROOT / "bench").glob("[a-z]*.py"))
# Keep the smoke run short: one timed run, and no peer to install.
EXTRA_ARGS = {
    "import_members": ["--repeat", "1", "--no-peer"],
    "member_list": ["--repeat", "1"],
    "compliance": ["--repeat", "1"],
    "todo": ["--repeat", "1"],
    "assessment": ["--repeat", "1"],
    "load": ["--users", "4", "--duration", "5"],
}


def test_every_benchmark_is_smoke_tested():
    expected = {"coverage", "import_members", "member_list", "tally", "compliance", "todo"}
    assert expected | {"assessment"} <= set(BENCHES)


@pytest.mark.parametrize("name", BENCHES)
def test_benchmark_runs_at_small_scale_and_reports(name, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "JICENG_DATABASE_URL"}
    env["JICENG_HOME"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the script sets up Django itself
    done = subprocess.run(
        [sys.executable, f"bench/{name}.py", "--scale", "small", *EXTRA_ARGS.get(name, [])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    assert re.match(rf"^{name}: .* ratio=\d+(\.\d+)? floor=.+$", lines[-1]), lines[-1]
