"""The JSON API: tokens, one error format, cursor pagination, writes through services."""

import json

import pytest

from jiceng.access.services import create_token
from jiceng.audit.models import AuditEvent


@pytest.fixture
def bearer(world):
    def _bearer(name):
        _t, raw = create_token(world.system, user=world.users[name])
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def body(response):
    return json.loads(response.content)


def test_openapi_document_is_served(client):
    spec = body(client.get("/api/v1/openapi.json"))
    assert spec["openapi"].startswith("3.") and "/api/v1/orgs" in spec["paths"]


def test_bearer_token_authenticates_and_scopes(client, world, bearer):
    response = client.get("/api/v1/orgs", **bearer("street_a_admin"))
    assert response.status_code == 200
    assert [o["code"] for o in body(response)["items"]] == ["SA", "A1", "A2"]


def test_bad_or_missing_token_gets_the_error_format_in_chinese(client, world):
    for headers in [{}, {"HTTP_AUTHORIZATION": "Bearer jc_forged"}]:
        response = client.get("/api/v1/orgs", **headers)
        assert response.status_code == 401
        assert body(response)["code"] == "unauthenticated"
        assert "登录" in body(response)["message"]


def test_cursor_pagination_walks_everything_once(client, world, bearer):
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = body(client.get("/api/v1/orgs", params, **bearer("district_admin")))
        seen += [o["code"] for o in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == ["D", "SA", "A1", "A2", "SB", "B1"]


def test_a_forged_cursor_is_a_field_error(client, world, bearer):
    response = client.get("/api/v1/orgs", {"cursor": "%%%"}, **bearer("district_admin"))
    assert response.status_code == 400 and "cursor" in body(response)["fields"]


def test_create_org_writes_through_the_service_and_is_audited_as_api(client, world, bearer):
    payload = {"code": "A3", "name": "和平社区第三党支部", "kind": "branch", "parent": "SA"}
    response = client.post(
        "/api/v1/orgs", payload, content_type="application/json", **bearer("street_a_admin")
    )
    assert response.status_code == 201 and body(response)["parent"] == "SA"
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.source, event.actor_name) == (
        "orgs.org.set_up",
        "api",
        "street_a_admin",
    )


def test_invalid_input_reports_each_field(client, world, bearer):
    payload = {"code": "A1", "name": "重复", "kind": "branch", "parent": "SA"}
    response = client.post(
        "/api/v1/orgs", payload, content_type="application/json", **bearer("street_a_admin")
    )
    assert response.status_code == 400
    assert "A1" in body(response)["fields"]["code"][0]
    bad = client.post(
        "/api/v1/orgs",
        {"code": "", "kind": "nonsense"},
        content_type="application/json",
        **bearer("street_a_admin"),
    )
    assert bad.status_code == 422 and {"code", "kind", "name", "parent"} <= set(body(bad)["fields"])


def test_session_auth_needs_csrf_for_writes(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(
        world.users["street_a_admin"], backend="django.contrib.auth.backends.ModelBackend"
    )
    assert client.get("/api/v1/me").status_code == 200
    payload = {"code": "A4", "name": "无令牌", "kind": "branch", "parent": "SA"}
    response = client.post("/api/v1/orgs", payload, content_type="application/json")
    assert response.status_code in (401, 403)


def test_policy_and_todo_endpoints(client, world, bearer):
    value = body(
        client.get("/api/v1/policy/todo.due_soon_days", {"org": "A1"}, **bearer("a1_officer"))
    )
    assert value["value"] == 14 and value["overridden_at"] is None
    duties = body(client.get("/api/v1/todo", **bearer("district_admin")))["items"]
    assert duties and {"kind", "title", "urgency", "org"} <= set(duties[0])


@pytest.mark.parametrize(
    ("code", "name"), [("a/b", "斜杠"), ("ok", "控制\x02字符"), ("空 格", "x")]
)
def test_codes_and_names_that_would_break_links_are_refused(client, world, bearer, code, name):
    payload = {"code": code, "name": name, "kind": "branch", "parent": "SA"}
    response = client.post(
        "/api/v1/orgs", payload, content_type="application/json", **bearer("street_a_admin")
    )
    assert response.status_code == 400 and set(body(response)["fields"]) <= {"code", "name"}
    assert not world.street_a.children.filter(code=code).exists()


def test_lifecycle_endpoints_move_rename_dissolve(client, world, bearer):
    headers = bearer("district_admin")
    moved = client.post(
        "/api/v1/orgs/A1/move", {"new_parent": "SB"}, content_type="application/json", **headers
    )
    assert moved.status_code == 200 and body(moved)["parent"] == "SB"
    cycle = client.post(
        "/api/v1/orgs/SA/move", {"new_parent": "A2"}, content_type="application/json", **headers
    )
    assert cycle.status_code == 400 and "new_parent" in body(cycle)["fields"]
    renamed = client.post(
        "/api/v1/orgs/A2/rename",
        {"name": "和平社区党支部"},
        content_type="application/json",
        **headers,
    )
    assert body(renamed)["name"] == "和平社区党支部"
    gone = client.post(
        "/api/v1/orgs/A2/dissolve", {"reason": "并入"}, content_type="application/json", **headers
    )
    assert gone.status_code == 200
    refused = client.post(
        "/api/v1/orgs/B1/rename",
        {"name": "越权"},
        content_type="application/json",
        **bearer("street_a_admin"),
    )
    assert refused.status_code == 404
