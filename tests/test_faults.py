"""Faults: the database is unreachable while the server runs.

A real `jiceng serve` is started in a subprocess with its database pointed at nothing (on
PostgreSQL runs: a closed port of 127.0.0.1; on SQLite runs: a file in a folder that does not
exist). Users must get the Chinese error page, the API its JSON error, `/healthz` a 503 that
names the database, and the log must not fill with a traceback per request.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unreachable_database(home: Path) -> str:
    if (os.environ.get("JICENG_DATABASE_URL") or "").startswith("postgres"):
        return f"postgres://jiceng@127.0.0.1:{_free_port()}/jiceng"  # nobody listens there
    return f"sqlite:///{home / 'no-such-folder' / 'jiceng.sqlite3'}"


def _get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.getheader("Content-Type", ""), body


@pytest.fixture(scope="module")
def dead_database_server(tmp_path_factory):
    home = tmp_path_factory.mktemp("faults")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(JICENG_HOME=str(home), JICENG_DATABASE_URL=_unreachable_database(home))
    log_path = home / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jiceng.cli", "serve", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(port, "/accounts/login/")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("server did not start:\n" + log_path.read_text())
                    time.sleep(0.2)
            yield port, log_path
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_pages_show_the_chinese_error_page_without_the_database(dead_database_server):
    port, _log = dead_database_server
    # A signed-in user's request loads the session from the database: it cannot succeed.
    status, kind, body = _get(port, "/orgs/", {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz"})
    page = body.decode()
    assert status == 500
    assert kind.startswith("text/html")
    assert "服务器错误" in page and "系统出现错误" in page
    assert "Internal Server Error" not in page


def test_api_answers_json_without_the_database(dead_database_server):
    port, _log = dead_database_server
    from jiceng.access.services import TOKEN_PREFIX

    # A well-formed token is looked up in the database: the lookup cannot succeed.
    bearer = {"Authorization": f"Bearer {TOKEN_PREFIX}{'x' * 40}"}
    status, kind, body = _get(port, "/api/v1/orgs", bearer)
    assert status == 500
    assert kind.startswith("application/json")
    answer = json.loads(body)
    assert answer["code"] == "server_error"
    assert "系统出现错误" in answer["message"]


def test_healthz_reports_the_database_unavailable(dead_database_server):
    port, _log = dead_database_server
    status, kind, body = _get(port, "/healthz")
    assert status == 503
    assert kind.startswith("application/json")
    assert json.loads(body)["database"] == "unavailable"


def test_log_stays_small_while_the_database_is_down(dead_database_server):
    port, log_path = dead_database_server
    for _ in range(REQUESTS):
        status, _kind, _body = _get(port, "/people/", {"Cookie": "sessionid=abcdefghijklmnopq"})
        assert status == 500
    time.sleep(0.5)  # let the server's log writes land
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[:3000]
    # One line for the first failure, none for its repeats within the interval.
    assert len(log) < 2000, log[:3000]


@pytest.mark.django_db
def test_healthz_reports_the_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
