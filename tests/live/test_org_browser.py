"""Organization pages in a real browser on a phone: the lazy tree, the dashboard, no sideways scroll.

The API fuzzer of test_api_fuzz.py runs as `qu` against the same server and may rename, move or
merge Party organizations, so the tree and form journeys here use the union tree (`zgh`), and the
Party dashboard is checked for its shape rather than for particular names.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.live

CHILDREN = re.compile(r"/orgs/[^/]+/children/")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def artifacts() -> Path:
    path = Path("test-artifacts")
    path.mkdir(exist_ok=True)
    return path


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("jiceng2026")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))


def expand(page, node):
    """Open a tree node and wait for its children to arrive; return their <li> locator."""
    with page.expect_response(CHILDREN) as loaded:
        node.locator(":scope > details > summary .jc-caret").click()
    assert loaded.value.status == 200
    kids = node.locator(":scope > details > ul > li.jc-node")
    expect(kids.first).to_be_visible()
    return kids


def test_tree_browser_loads_children_on_expand(live_server_url, phone):
    log_in(phone, live_server_url, "zgh")
    phone.goto(live_server_url + "/orgs/")
    root = phone.locator("#org-tree > li.jc-node").first
    expect(root).to_contain_text("总工会")
    assert root.locator("li.jc-node").count() == 0  # nothing below the root is loaded yet
    streets = expand(phone, root)
    assert streets.count() >= 4
    # One level further down: a street federation's unions, loaded on their own request.
    street = phone.locator("#org-tree > li > details > ul > li.jc-node:has(> details)").first
    unions = expand(phone, street)
    assert unions.count() >= 1
    # Closing and reopening does not load again (hx-trigger "toggle once").
    requests = []
    phone.on("request", lambda r: requests.append(r.url) if CHILDREN.search(r.url) else None)
    caret = street.locator(":scope > details > summary .jc-caret")
    caret.click()
    caret.click()
    expect(unions.first).to_be_visible()
    assert requests == []
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts() / "org-tree-375.png"), full_page=True)

    # Searching in Traditional characters finds the Simplified names.
    phone.goto(live_server_url + "/orgs/?q=" + "總工會")
    expect(phone.locator("#search-results li").first).to_contain_text("总工会")
    assert no_horizontal_scroll(phone)


def test_dashboard_renders_charts_and_coverage_on_a_phone(live_server_url, phone):
    log_in(phone, live_server_url, "qu")
    phone.goto(live_server_url + "/stats/")
    rate = phone.locator("#metric-party_coverage_non_public .jc-rate")
    expect(rate).to_have_text(re.compile(r"^\d{1,3}\.\d%$"))
    expect(phone.locator("#metric-party_coverage_non_public .jc-denominator")).to_have_text(
        re.compile(r"^[1-9]\d*$")
    )
    chart = phone.locator("#chart-children canvas").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    expect(phone.locator("#chart-units canvas").first).to_be_visible()
    expect(phone.locator("#drill-down tbody tr").first).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts() / "dashboard-375.png"), full_page=True)

    # Drilling down to a subordinate organization keeps the page usable.
    phone.locator("#drill-down tbody a").first.click()
    expect(phone).to_have_url(re.compile(r"/stats/\?org="))
    expect(phone.locator("#metric-party_coverage_non_public .jc-rate")).to_be_visible()
    assert no_horizontal_scroll(phone)


def test_union_dashboard_shows_the_establishment_rate(live_server_url, phone):
    log_in(phone, live_server_url, "zgh")
    phone.goto(live_server_url + "/stats/")
    expect(phone.locator("#metric-union_establishment_rate .jc-rate")).to_have_text(
        re.compile(r"^\d{1,3}\.\d%$")
    )
    expect(phone.locator("#metric-party_coverage_non_public")).to_have_count(0)
    expect(phone.locator("#chart-children canvas").first).to_be_visible()
    assert no_horizontal_scroll(phone)


def test_unit_registry_and_forms_fit_a_phone(live_server_url, phone):
    log_in(phone, live_server_url, "zgh")
    phone.goto(live_server_url + "/units/?above_scale=yes&has_union=no")
    expect(phone.locator("#units tbody a").first).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts() / "units-375.png"), full_page=True)
    phone.locator("#units tbody a").first.click()
    expect(phone).to_have_url(re.compile(r"/units/\d+/$"))
    expect(phone.locator("#attributes")).to_be_visible()
    assert no_horizontal_scroll(phone)

    phone.goto(live_server_url + "/orgs/")
    phone.locator("#org-tree a").first.click()
    expect(phone.locator("#counts")).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts() / "org-detail-375.png"), full_page=True)
    root_code = phone.locator("#attributes-code").inner_text().strip()
    phone.locator("#lifecycle a").first.click()
    expect(phone.locator("input[name=on][type=date]")).to_be_visible()
    assert no_horizontal_scroll(phone)
    # A service error comes back on the form, in Chinese, not as an error page.
    phone.locator("input[name=code]").fill(root_code)
    phone.locator("input[name=name]").fill("重复编码的工会")
    phone.locator("button[type=submit]").last.click()
    expect(phone.locator(".invalid-feedback").first).to_contain_text("已被使用")
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts() / "org-form-375.png"), full_page=True)
