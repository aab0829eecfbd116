"""A newcomer's walk through the demo on a phone: the union chair's menu says 会员 and leads to
the union's members; the branch secretary finds her re-election waiting for the community's
review; the figures show rule values, not policy keys."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.live


def log_in(page, url: str, username: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("jiceng2026")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))


def test_the_union_chair_menu_says_members_of_the_union(live_server_url, phone):
    log_in(phone, live_server_url, "gh")
    phone.get_by_role("button", name="菜单").click()
    members = phone.locator("#nav-members")
    expect(members).to_have_text(re.compile(r"^\s*会员\s*$"))
    members.click()
    expect(phone).to_have_url(re.compile(r"/orgs/[^/]+/union-members/$"))
    expect(phone.locator("body")).not_to_contain_text("党员")


def test_the_branch_secretary_finds_her_re_election(live_server_url, phone):
    log_in(phone, live_server_url, "zb")
    phone.goto(live_server_url + "/elections/orgs/Q01S00C00B00/")
    phone.get_by_role("link", name=re.compile("第2届换届选举")).first.click()
    expect(phone.locator("main")).to_contain_text("提出候选人建议名单")


def test_the_figures_show_values_and_sources(live_server_url, phone):
    log_in(phone, live_server_url, "zgh")
    phone.goto(live_server_url + "/stats/")
    cards = phone.locator("#metric-cards")
    expect(cards).to_contain_text("企业、社会组织")
    expect(cards).not_to_contain_text("orgs.union")
    expect(cards).not_to_contain_text(re.compile(r"\d{3}:L\d+"))
