"""Configuration from the environment, with safe production defaults."""

import os
import subprocess
import sys

PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'jiceng.settings'; "
    "from django.conf import settings as s; "
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
    "s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS)"
)


def settings_in(env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JICENG_")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, **env},
        text=True,
        capture_output=True,
        check=True,
    )
    return out.stdout.split(" ", 5)


def test_production_defaults_are_safe(tmp_path):
    debug, secure, csrf_secure, hsts, engine, _hosts = settings_in({"JICENG_HOME": str(tmp_path)})
    assert (debug, secure, csrf_secure, hsts) == ("False", "True", "True", "True")
    assert engine.endswith("sqlite3")


def test_a_development_secret_is_generated_once_into_the_home(tmp_path):
    settings_in({"JICENG_HOME": str(tmp_path)})
    secret = (tmp_path / "secret_key").read_text()
    assert len(secret) > 40 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    settings_in({"JICENG_HOME": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == secret


def test_environment_overrides(tmp_path):
    env = {
        "JICENG_HOME": str(tmp_path),
        "JICENG_DEBUG": "1",
        "JICENG_SECRET_KEY": "x" * 50,
        "JICENG_ALLOWED_HOSTS": "jiceng.example.cn",
        "JICENG_DATABASE_URL": "postgres://u@127.0.0.1:5/db",
    }
    debug, secure, _c, _h, engine, hosts = settings_in(env)
    assert (debug, secure) == ("True", "False")
    assert "postgresql" in engine and "jiceng.example.cn" in hosts
    assert not (tmp_path / "secret_key").exists()
