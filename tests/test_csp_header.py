"""Content-Security-Policy (issue 12, item 9) without a browser: the header is sent, and no
template holds an inline script or an on*= handler the policy would block (the browser suite,
tests/live/test_csp.py, shows the pages run without violations)."""

import re
from pathlib import Path

from django.urls import reverse

import jiceng

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_pages_send_a_policy_that_allows_only_the_sites_scripts(client):
    policy = client.get(reverse("ui:login"))["Content-Security-Policy"]
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_no_template_holds_an_inline_script_or_handler():
    found = []
    for path in Path(jiceng.__file__).parent.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{path.name}: {m.group(0)}" for m in HANDLER.finditer(text)]
    assert found == []
