"""Password spraying (issue 12, item 9): axes locks a username from an address after
`access.login.failure_limit` failures, so one address could try a few passwords on each of
many usernames. The address itself is refused after `access.login.ip_failure_limit` failed
logins within the cool-off, whatever usernames it tried."""

from django.test import Client
from django.urls import reverse

from jiceng.access.services import create_user
from tests.conftest import PASSWORD


def attempt(client, username, password="guess"):
    return client.post(reverse("ui:login"), {"username": username, "password": password})


def test_one_address_spraying_many_usernames_is_refused_after_the_limit(world):
    for n in range(12):
        create_user(world.system, username=f"spray{n}", password=PASSWORD, full_name=f"用户{n}")
    sprayer = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(10):  # the policy value access.login.ip_failure_limit
        page = attempt(sprayer, f"spray{n}")
        assert page.status_code == 200 and "用户名或密码错误" in page.content.decode()
    # the eleventh username from the same address is refused, even with its right password
    refused = attempt(sprayer, "spray11", PASSWORD)
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "登录失败次数过多" in text and "网络地址" in text
    assert sprayer.get(reverse("todo:centre")).status_code == 302  # not logged in
    # another address is not held back by the sprayer
    other = Client(REMOTE_ADDR="10.0.0.10")
    assert attempt(other, "spray11", PASSWORD).status_code == 302


def test_the_address_limit_comes_from_the_policy(world):
    from jiceng.policy.selectors import value

    assert int(value("access.login.ip_failure_limit")) == 10


def test_a_few_failures_from_an_address_lock_nobody_else_out(world):
    client = Client(REMOTE_ADDR="10.0.0.11")
    for name in ("a1_officer", "a2_officer", "a1_member"):
        attempt(client, name)
    assert attempt(client, "street_a_admin", PASSWORD).status_code == 302


def test_an_address_limit_of_zero_means_no_limit_per_address(world, monkeypatch):
    from jiceng.access import throttle

    real = throttle.value
    monkeypatch.setattr(
        throttle, "value", lambda key: 0 if key == "access.login.ip_failure_limit" else real(key)
    )
    sprayer = Client(REMOTE_ADDR="10.0.0.12")
    for n in range(12):
        assert attempt(sprayer, f"nobody{n}").status_code == 200
