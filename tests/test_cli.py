"""The `jiceng` command: every command documented, machine-readable output, audited as cli."""

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from jiceng.access.services import user_for_token
from jiceng.cli import COMMANDS

JICENG = [sys.executable, "-m", "jiceng.cli"]


def run(*args, env=None):
    return subprocess.run(
        [*JICENG, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_top_level_help_lists_every_command():
    out = run("--help").stdout
    for name in COMMANDS:
        assert name in out


SUBCOMMANDS = [
    ["token", "create"],
    ["roles", "list"],
    ["roles", "end"],
    ["audit", "verify"],
    ["policy", "show"],
    ["orgs", "list"],
    ["i18n", "compile"],
    ["stats", "coverage"],
    ["stats", "snapshot"],
]


@pytest.mark.parametrize("argv", [[name] for name in COMMANDS] + SUBCOMMANDS)
def test_every_command_has_help(argv):
    result = run(*argv, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_orgs_list_json_has_code_name_kind(world, capsys):
    call_command("orgs", "list", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert {"code": "D", "name": "中共青山区委员会", "kind": "party_committee"}.items() <= rows[
        0
    ].items()
    call_command("orgs", "list", "--roots", "--format", "json")
    assert {r["code"] for r in json.loads(capsys.readouterr().out)} == {"D", "U"}
    call_command("orgs", "list", "--kind", "branch", "--format", "json", "--as", "street_a_admin")
    assert [r["code"] for r in json.loads(capsys.readouterr().out)] == ["A1", "A2"]


def test_token_create_prints_a_working_token(world, capsys):
    call_command("token", "create", "a1_officer")
    raw = capsys.readouterr().out.strip()
    assert user_for_token(raw) == world.users["a1_officer"]


def test_policy_show_lists_values_with_sources(world, capsys):
    call_command("policy", "show", "--org", "A1", "--format", "json")
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["access.login.failure_limit"]["value"] == 5
    assert rows["access.login.failure_limit"]["source"].startswith("GB/T 22239")


def test_createadmin_makes_a_system_administrator(world, capsys):
    from jiceng.orgs.selectors import org_list

    call_command("createadmin", "boss", "--password", "a-long-password", "--name", "管理员")
    from jiceng.access.models import User

    assert org_list(User.objects.get(username="boss")).count() == 7


def test_demo_loads_once_and_keeps_data(tmp_path):
    env = {"JICENG_HOME": str(tmp_path), "JICENG_DATABASE_URL": ""}
    first = run("demo", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    assert "admin" in first.stdout and "jiceng2026" in first.stdout
    second = run("demo", "--no-serve", env=env)
    assert "保留" in second.stdout and "jiceng2026" in second.stdout
    listed = json.loads(run("orgs", "list", "--format", "json", env=env).stdout)
    assert 150 <= len(listed) <= 260
    assert run("audit", "verify", env=env).returncode == 0
