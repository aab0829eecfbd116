"""A bounded schemathesis run against the served OpenAPI document: no server errors."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.live


def test_schemathesis_finds_no_server_error(live_server_url, api_token, tmp_path):
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(  # in tmp_path: schemathesis keeps a cache folder in its cwd
        [
            str(st),
            "run",
            f"{live_server_url}/api/v1/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "25",
            "--seed",
            "2026",
            "--header",
            f"Authorization: Bearer {api_token('qu')}",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
