"""The UI shell: Chinese by default, other languages on request, throttled login, Chinese errors."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture
def real_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def test_login_page_is_in_simplified_chinese_and_fits_a_phone(client):
    page = client.get(reverse("ui:login")).content.decode()
    assert 'lang="zh-hans"' in page and "用户名" in page and "密码" in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


def test_traditional_chinese_and_english_are_available(client):
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    assert "用戶名" in client.get(reverse("ui:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Username" in client.get(reverse("ui:login")).content.decode()


def test_login_leads_to_the_todo_centre_and_logout_back(world, client):
    response = client.post(reverse("ui:login"), {"username": "a1_officer", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("todo:centre")
    assert "待办中心" in client.get(reverse("todo:centre")).content.decode()
    client.post(reverse("ui:logout"))
    assert client.get(reverse("todo:centre")).status_code == 302


def test_wrong_password_shows_a_chinese_message(world, client):
    page = client.post(reverse("ui:login"), {"username": "a1_officer", "password": "nope"})
    assert "用户名或密码错误" in page.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(world):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(5):  # the policy value access.login.failure_limit
        client.post(reverse("ui:login"), {"username": "a1_officer", "password": "guess"})
    locked = client.post(reverse("ui:login"), {"username": "a1_officer", "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert client.get(reverse("todo:centre")).status_code == 302  # still not logged in


def test_error_pages_are_chinese(world, login):
    client = login(world.users["a1_officer"])
    response = client.get("/orgs/NO-SUCH-ORG/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_org_pages_show_the_organization_and_its_history(world, login):
    client = login(world.users["street_a_admin"])
    detail = client.get("/orgs/SA/").content.decode()
    assert "和平社区第一党支部" in detail and "和平社区第二党支部" in detail
    history = client.get("/orgs/SA/history/").content.decode()
    assert "orgs.org.set_up" in history and "system" in history


def test_org_list_searches_and_pages(world, login):
    client = login(world.users["district_admin"])
    page = client.get("/orgs/", {"q": "新华"}).content.decode()
    assert "新华社区第一党支部" in page and "和平社区第一党支部" not in page


def test_switcher_lists_only_visible_organizations(world, login):
    page = login(world.users["street_a_admin"]).get("/switch/", {"q": "社区"}).content.decode()
    assert "和平社区第一党支部" in page and "新华社区第一党支部" not in page


def test_an_english_browser_still_gets_chinese_until_the_user_chooses(client):
    page = client.get(reverse("ui:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Username" in client.get(reverse("ui:login")).content.decode()
