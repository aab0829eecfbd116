"""The first journey of every user: open the address, log in in Chinese, reach the to-do centre."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.live


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_demo_user_logs_in_and_reaches_the_todo_centre_on_a_phone(live_server_url, phone):
    phone.goto(live_server_url + "/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("登录")
    assert no_horizontal_scroll(phone)
    phone.get_by_label("用户名").fill("jd")
    phone.get_by_label("密码").fill("jiceng2026")
    phone.get_by_role("button", name="登录").click()
    expect(phone).to_have_url(re.compile(r"/todo/$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("待办中心")
    expect(phone.locator("#duties li").first).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(_artifacts() / "todo-375.png"), full_page=True)

    # The collapsed menu opens on a phone and logs out.
    phone.get_by_role("button", name="菜单").click()
    phone.get_by_role("button", name="退出").click()
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))


def test_the_organization_switcher_narrows_the_centre(live_server_url, phone):
    phone.goto(live_server_url + "/accounts/login/")
    phone.get_by_label("用户名").fill("qu")
    phone.get_by_label("密码").fill("jiceng2026")
    phone.get_by_role("button", name="登录").click()
    phone.goto(live_server_url + "/switch/?q=" + "街道")
    choices = phone.locator("button[name=org]")
    assert choices.count() > 2
    choices.nth(1).click()
    expect(phone).to_have_url(re.compile(r"/todo/$"))
    expect(phone.locator("#org-switcher")).to_contain_text("街道")


def test_wrong_password_is_refused_in_chinese(live_server_url, phone):
    phone.goto(live_server_url + "/accounts/login/")
    phone.get_by_label("用户名").fill("zb")
    phone.get_by_label("密码").fill("not-the-password")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("alert")).to_contain_text("用户名或密码错误")


def test_a_missing_page_is_a_chinese_error_page(live_server_url, phone):
    response = phone.goto(live_server_url + "/no-such-page/")
    assert response.status == 404
    expect(phone.locator("h1")).to_contain_text("页面不存在")


def _artifacts():
    from pathlib import Path

    path = Path("test-artifacts")
    path.mkdir(exist_ok=True)
    return path
