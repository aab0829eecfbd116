"""Control characters are refused at the edge with a readable 400, never a 500 (issue #12).

PostgreSQL refuses a NUL in text, so these requests used to end in a server error there:
run this file with `scripts/with-postgres` too."""

import json

import pytest
from django.urls import reverse

from jiceng.access.services import create_token

REFUSAL = "请求中含有不允许的控制字符"


@pytest.fixture
def officer(world, login):
    return login(world.users["a1_officer"])


@pytest.fixture
def bearer(world):
    _t, raw = create_token(world.system, user=world.users["district_admin"])
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_api_refusal(response, fields):
    assert response.status_code == 400
    data = json.loads(response.content)
    assert data["code"] == "control_characters" and REFUSAL in data["message"]
    assert set(data["fields"]) == fields  # names what to correct, as other API errors do


def assert_page_refusal(response):
    assert response.status_code == 400
    body = response.content.decode()
    assert REFUSAL in body and "400" in body


@pytest.mark.parametrize("q", ["%00", "a%00b", "%01", "%1f", "x%0Ay"])
def test_api_search_with_a_control_character_is_a_400(client, bearer, q):
    assert_api_refusal(client.get(f"/api/v1/orgs?q={q}", **bearer), {"q"})


def test_api_path_with_a_nul_is_a_400(client, bearer):
    assert_api_refusal(client.get("/api/v1/orgs/%00", **bearer), {"path"})


def test_api_json_string_with_a_nul_is_a_400(client, bearer):
    payload = {"code": "X1", "name": "支部\u0000", "kind": "branch", "parent": "SA"}
    response = client.post("/api/v1/orgs", payload, content_type="application/json", **bearer)
    assert_api_refusal(response, {"name"})


def test_organization_page_with_a_nul_is_a_chinese_400(officer):
    assert_page_refusal(officer.get("/orgs/%00/"))


def test_switch_search_with_a_nul_is_a_chinese_400(officer):
    assert_page_refusal(officer.get(reverse("ui:switch") + "?q=%00"))


def test_anonymous_gets_the_same_refusal(client):
    assert_page_refusal(client.get(reverse("ui:switch") + "?q=%00"))


def test_form_field_with_a_nul_is_a_chinese_400(officer):
    assert_page_refusal(officer.post(reverse("ui:switch"), {"org": "A1\x00"}))


def test_login_form_with_a_nul_is_a_chinese_400(client):
    response = client.post(reverse("ui:login"), {"username": "a1\x00", "password": "x"})
    assert_page_refusal(response)


def test_tabs_and_line_breaks_in_a_form_are_still_accepted(officer):
    response = officer.post(reverse("ui:switch"), {"org": "A1\r\n\t"})
    assert response.status_code != 400


def test_ordinary_searches_still_work(client, bearer, officer):
    assert client.get("/api/v1/orgs?q=和平", **bearer).status_code == 200
    assert officer.get(reverse("ui:switch") + "?q=和平").status_code == 200
