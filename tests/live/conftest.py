"""A real Jiceng, as `make run` starts it: demo data loaded by `jiceng demo`, served by `jiceng serve`."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jiceng(*args, env, **kw):
    return subprocess.run(
        [sys.executable, "-m", "jiceng.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


@pytest.fixture(scope="session")
def live_env(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("live-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JICENG_")}
    # Production settings (DEBUG off), over plain HTTP on loopback.
    env.update(JICENG_HOME=str(home), JICENG_SECURE_COOKIES="0")
    return env


@pytest.fixture(scope="session")
def live_server_url(live_env) -> str:
    _jiceng("demo", "--no-serve", env=live_env)
    port = _free_port()
    log = open(Path(live_env["JICENG_HOME"]) / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "jiceng.cli", "serve", "--port", str(port)],
        env=live_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("the server did not start: " + Path(log.name).read_text())
    yield url
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A fresh session in a 375 px wide phone viewport."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def api_token(live_env):
    def _token(username: str) -> str:
        return _jiceng("token", "create", username, env=live_env).stdout.strip()

    return _token
