"""`jiceng serve`: several gunicorn worker processes, and proxy headers believed only from
the trusted proxy."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from jiceng.ui.management.commands.serve import behind_proxy

ROOT = Path(__file__).resolve().parent.parent


def _seen(trusted, environ):
    got = {}

    def app(env, start_response):
        got.update(env)
        return []

    behind_proxy(app, trusted)(dict(environ), None)
    return got


def test_forwarded_headers_are_believed_only_from_the_trusted_proxy():
    forged = {
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_X_FORWARDED_FOR": "10.9.9.9",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    for trusted in (None, "10.0.0.2"):
        seen = _seen(trusted, forged)
        assert seen["REMOTE_ADDR"] == "203.0.113.9"
        assert "HTTP_X_FORWARDED_PROTO" not in seen and "HTTP_X_FORWARDED_FOR" not in seen
    proxied = {**forged, "REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}
    seen = _seen("10.0.0.2", proxied)
    assert seen["REMOTE_ADDR"] == "198.51.100.7"  # the address nginx saw, not what the client wrote
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"


def test_gunicorn_serves_with_several_worker_processes(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["JICENG_HOME"] = str(tmp_path)
    env.pop("JICENG_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "jiceng.cli", "migrate", "-v0"], env=env, check=True)
    command = [sys.executable, "-m", "jiceng.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/healthz")
                assert conn.getresponse().status == 200
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 2  # the arbiter forked two workers
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert "gunicorn，2 个进程" in out.decode()
