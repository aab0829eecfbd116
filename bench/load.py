"""Load test: N simulated users with think time against `jiceng serve`, loopback only.

Setup: a database of its own (SQLite in a temporary JICENG_HOME, or a throwaway PostgreSQL
by scripts/with-postgres, as every benchmark here), filled by `jiceng demo --no-serve
--scale S` (the tree, the demo logins, members, meetings, terms, congress), then ANALYZE.
The server is `jiceng serve` started as a child process on a free port of 127.0.0.1 with
the chosen shape (--server gunicorn|waitress, --workers, --threads); nothing else is
contacted, and the server is stopped at the end.

Users: each simulated user signs in as one of the demo logins (round robin over officers,
upper administrators, the inspector and the system administrator), then until the end of
the run picks a request from a fixed mix (MIX below: home, organization page, member list,
meeting list, statistics, the API lists, and the to-do centre as a page and in the API),
sends it over its own keep-alive connection, and waits a think time drawn uniformly from
[--think-min, --think-max] seconds. Users start spread over the first think interval.

Report: per route and overall, requests, req/s, p50/p95/p99 in ms and errors (a status of
400 or above, or no answer). The to-do centre is reported apart from the mix's overall
figure (another piece of work rewrites it). The last line follows the benchmarks'
convention: `load: p95=… ms ratio=<p95 / 300 ms> floor=target p95 300 ms`.

    python bench/load.py [--scale small|district|city] [--db sqlite|postgres]
                         [--users 50] [--duration 60] [--server gunicorn|waitress]
                         [--workers N] [--threads M]
Documented run: python bench/load.py --scale district --db postgres (docs/benchmarks.md).
"""

import argparse
import http.client
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness

NAME = "load"
TARGET_P95 = 0.300
TODO = {"todo page", "todo api"}
# (route name, weight, path template): {org} is the user's own organization's code.
MIX = [
    ("home", 1, "/"),
    ("org page", 2, "/orgs/{org}/"),
    ("member list", 2, "/people/"),
    ("meeting list", 2, "/life/orgs/{org}/"),
    ("stats", 1, "/stats/"),
    ("api orgs", 2, "/api/v1/orgs"),
    ("api members", 1, "/api/v1/people/members"),
    ("api meetings", 1, "/api/v1/life/meetings?org={org}"),
    ("todo page", 1, "/todo/"),
    ("todo api", 1, "/api/v1/todo"),
]
# Demo logins that do the office work the mix stands for (jiceng.demo.build.DEMO_USERS).
LOGINS = ["qu", "jd", "sq", "zb", "zb2", "ck", "admin", "zgh", "gh"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/load.py", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["small", "district", "city"], default="small")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=None, help="threads per process")
    parser.add_argument(
        "--without-todo",
        action="store_true",
        help="leave the to-do centre (page and API) out of the mix",
    )
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_database(args, env: dict) -> dict[str, str]:
    """Fill the database with the demo at `args.scale`; return each login's organization code."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "demo", "--no-serve", "--scale", args.scale],
        env=env,
        cwd=_harness.ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _harness.say(f"seeded the {args.scale} demo in {time.perf_counter() - started:.1f}s")
    import django

    django.setup()
    from django.db import connection, connections

    from jiceng.access.models import RoleAssignment

    codes = {}
    for a in RoleAssignment.objects.filter(user__username__in=LOGINS).select_related("org"):
        codes.setdefault(a.user.username, a.org.code if a.org else None)
    fallback = next(c for c in codes.values() if c)  # the system administrator has no org
    codes = {name: code or fallback for name, code in codes.items()}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            _harness.say(f"database: PostgreSQL {cursor.fetchone()[0]} (throwaway server)")
        else:
            _harness.say("database: SQLite (WAL)")
    connections.close_all()
    return codes


def start_server(args, env: dict, port: int, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "jiceng.cli", "serve", "--port", str(port)]
    command += ["--server", args.server]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(command, env=env, cwd=_harness.ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"bench: the server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("bench: the server did not answer within 60 s")


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server process and its children (gunicorn's workers),
    from /proc: how much work the requests cost, whatever else the machine was doing."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


class User:
    """One browser: its own keep-alive connection and cookies."""

    def __init__(self, port: int, username: str, org: str):
        self.port, self.username, self.org = port, username, org
        self.cookies: dict[str, str] = {}
        self.conn = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def log_in(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"login page: {status}")
        form = {
            "username": self.username,
            "password": "jiceng2026",
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
        status, _ = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username} could not sign in ({status})")


def run_user(user: User, args, rng: random.Random, start_at: float, stop_at: float, out):
    time.sleep(max(0.0, start_at - time.monotonic()))
    mix = [m for m in MIX if not (args.without_todo and m[0] in TODO)]
    names = [m[0] for m in mix]
    weights = [m[1] for m in mix]
    paths = {m[0]: m[2] for m in mix}
    while time.monotonic() < stop_at:
        route = rng.choices(names, weights)[0]
        path = paths[route].format(org=user.org)
        began = time.perf_counter()
        try:
            status, _ = user.request("GET", path)
            error = str(status) if status >= 400 else ""
        except Exception as exc:
            error = type(exc).__name__
        out.append((route, time.perf_counter() - began, error))
        time.sleep(rng.uniform(args.think_min, args.think_max))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def report(results: list, seconds: float) -> float:
    by_route = defaultdict(list)
    errors = defaultdict(lambda: defaultdict(int))
    for route, elapsed, error in results:
        by_route[route].append(elapsed)
        if error:
            errors[route][error] += 1
    _harness.say(
        f"{'route':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  errors"
    )

    def line(name, times, errs):
        said = ", ".join(f"{k}×{v}" for k, v in sorted(errs.items())) or "0"
        _harness.say(
            f"{name:<16}{len(times):>9}{len(times) / seconds:>8.1f}"
            f"{percentile(times, 0.5) * 1000:>9.0f}{percentile(times, 0.95) * 1000:>9.0f}"
            f"{percentile(times, 0.99) * 1000:>9.0f}  {said}"
        )

    for name, _weight, _path in MIX:
        if name in by_route:
            line(name, by_route[name], errors[name])
    mix = [t for r, times in by_route.items() if r not in TODO for t in times]
    mix_errors = defaultdict(int)
    for route, errs in errors.items():
        if route not in TODO:
            for k, v in errs.items():
                mix_errors[k] += v
    everything = [t for times in by_route.values() for t in times]
    line("mix w/o todo", mix, mix_errors)
    all_errors = defaultdict(int)
    for errs in errors.values():
        for k, v in errs.items():
            all_errors[k] += v
    line("all", everything, all_errors)
    return percentile(mix, 0.95)


def main() -> None:
    args = parse_args()
    if args.db == "postgres":
        _harness._with_postgres()
    else:
        os.environ.pop("JICENG_DATABASE_URL", None)
    home = tempfile.mkdtemp(prefix="jiceng-load-")
    os.environ["JICENG_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    sys.path.insert(0, str(_harness.ROOT))
    env = dict(os.environ)
    try:
        codes = seed_database(args, env)
        port = free_port()
        log_path = Path(home) / "server.log"
        with log_path.open("wb") as log:
            server = start_server(args, env, port, log)
            try:
                shape = f"{args.server}, workers={args.workers or 'default'}, "
                shape += f"threads={args.threads or 'default'}"
                _harness.say(
                    f"server: {shape} on 127.0.0.1:{port}; {args.users} users, think "
                    f"{args.think_min:g}–{args.think_max:g} s, {args.duration:g} s"
                )
                load_before = os.getloadavg()
                cpu_before = server_cpu_seconds(server.pid)
                results = drive(args, port, codes)
                cpu = server_cpu_seconds(server.pid) - cpu_before
                load_after = os.getloadavg()
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
        _harness.say(f"server log: {log_path.stat().st_size:,} bytes")
        _harness.say(
            f"server CPU: {cpu:.1f} s for {len(results)} requests "
            f"({cpu / max(1, len(results)) * 1000:.1f} ms per request, {cpu / args.duration:.2f} cores)"
        )
        _harness.say(
            f"machine load average (1 min) before/after: {load_before[0]:.1f}/{load_after[0]:.1f} "
            f"on {os.cpu_count()} cores (the load itself included)"
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    seconds = args.duration
    p95 = report(results, seconds)
    _harness.last_line(
        NAME, f"p95={p95 * 1000:.0f} ms (mix w/o todo)", p95 / TARGET_P95, "target p95 300 ms"
    )


def drive(args, port: int, codes: dict[str, str]) -> list:
    """Sign every user in first (not timed with the mix: password hashing is meant to be
    slow), then let them all work until the end of the run."""
    rng = random.Random(args.seed)
    logins = [name for name in LOGINS if name in codes]
    users = [User(port, name, codes[name]) for name in islice(cycle(logins), args.users)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(User.log_in, users))
    results: list = []  # list.append is atomic under the GIL
    begin = time.monotonic()
    stop = begin + args.duration
    threads = [
        threading.Thread(
            target=run_user,
            args=(u, args, random.Random(rng.random()), begin + rng.uniform(0, args.think_max)),
            kwargs={"stop_at": stop, "out": results},
            daemon=True,
        )
        for u in users
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=args.duration + 120)
    return results


if __name__ == "__main__":
    main()
