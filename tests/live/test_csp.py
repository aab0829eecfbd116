"""Content-Security-Policy (issue 12, item 9), in a real browser: every page carries the
header; pages with scripts (the figures dashboard's charts, the filters that apply as soon as
they are chosen) run without a single violation; an injected inline handler does not run."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.live

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(browser):
    """A desktop page that records CSP violations and console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda m: page.console_errors.append(m.text) if m.type == "error" else None,
    )
    yield page
    context.close()


def violations(page) -> list:
    return page.evaluate("window.__csp || []")


def log_in(page, base_url, username="qu"):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("jiceng2026")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))


def test_every_page_carries_a_policy_that_allows_only_the_sites_scripts(live_server_url, watched):
    response = watched.goto(live_server_url + "/accounts/login/")
    policy = response.headers.get("content-security-policy", "")
    directives = {}
    for d in filter(None, (d.strip() for d in policy.split(";"))):
        name, _sep, sources = d.partition(" ")
        directives[name] = sources
    assert directives.get("script-src") == "'self'"
    assert directives.get("object-src") == "'none'"
    assert directives.get("frame-ancestors") == "'none'"
    assert "default-src" in directives


def test_pages_with_scripts_run_without_violations(live_server_url, watched):
    log_in(watched, live_server_url)
    watched.goto(live_server_url + "/stats/")
    # the charts are drawn by stats/dashboard.js (ECharts puts a canvas in the box)
    expect(watched.locator("#chart-units canvas").first).to_be_attached()
    watched.goto(live_server_url + "/life/compliance/")
    year = watched.locator("#id_year")
    options = year.locator("option").all_inner_texts()
    chosen = options[-1].strip()
    with watched.expect_navigation():
        year.select_option(chosen)  # applied on change by ui/jiceng.js, no inline handler
    assert f"year={chosen}" in watched.url
    assert violations(watched) == []
    assert [e for e in watched.console_errors if "Content Security Policy" in e] == []


def test_an_injected_inline_handler_is_blocked(live_server_url, watched):
    log_in(watched, live_server_url)
    watched.evaluate(
        """document.body.insertAdjacentHTML("beforeend",
             '<img src="/no-such-image" onerror="window.__pwned = 1">')"""
    )
    watched.wait_for_function("window.__csp.length > 0")
    assert watched.evaluate("window.__pwned") is None
    assert any(v.startswith("script-src") for v in violations(watched))
