"""Assessment API (issue 13): schemes, rounds, the board, self-assessment, review, objections,
rectification; the same refusals across organizations as the pages."""

import datetime as dt
import json

import pytest

from jiceng.access.services import create_token
from jiceng.assessment import services
from jiceng.assessment.models import EntryState, Grade, Rectification, Round, RoundState, Scheme

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment"
BLOCKS = [
    {"title": "班子建设", "clauses": [{"text": "班子配备齐全", "points": 40}]},
    {"title": "党员教育", "clauses": [{"text": "按规定召开“三会一课”", "points": 60}]},
    {"title": "基础工作", "clauses": [{"text": "班子不团结", "veto": True, "method": "formal"}]},
]


@pytest.fixture
def api(client, world):
    def call(user, method, path, body=None, **params):
        _t, raw = create_token(world.system, user=world.users[user])
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if method == "get":
            response = client.get(API + path, params, **headers)
        else:
            response = client.post(
                API + path, json.dumps(body or {}), content_type="application/json", **headers
            )
        return response.status_code, json.loads(response.content)

    return call


def _open(api):
    status, scheme = api(
        "street_a_admin",
        "post",
        "/schemes",
        {"org": "SA", "code": "branch", "name": "支部考核", "cycle": "half_year", "blocks": BLOCKS},
    )
    assert status == 201, scheme
    assert scheme["version"] == 1 and scheme["blocks"][0]["title"] == "班子建设"
    status, scheme = api("street_a_admin", "post", f"/schemes/{scheme['id']}/publish")
    assert status == 200 and scheme["published_on"]
    status, round_ = api(
        "street_a_admin",
        "post",
        "/rounds",
        {"scheme": scheme["id"], "org": "SA", "period": "2026H1"},
    )
    assert status == 201, round_
    return round_


def _entry_of(api, round_, code, user="street_a_admin"):
    _s, board = api(user, "get", f"/rounds/{round_['id']}/board")
    return next(r["entry"] for r in board if r["org"]["code"] == code)


def _clauses(api, entry_id, user="a1_officer"):
    _s, entry = api(user, "get", f"/entries/{entry_id}")
    return {s["text"]: s for s in entry["scores"]}


def test_the_whole_round_through_the_api(api, world):
    round_ = _open(api)
    assert round_["state"] == RoundState.OPEN
    a1 = _entry_of(api, round_, "A1")
    clauses = _clauses(api, a1)
    answers = [
        {"clause": s["clause"], "veto": False}
        if s["veto"]
        else {"clause": s["clause"], "points": str(s["points"]), "override_reason": "补录"}
        for s in clauses.values()
    ]
    status, entry = api(
        "a1_officer", "post", f"/entries/{a1}/self-assessment", {"answers": answers, "submit": True}
    )
    assert status == 200, entry
    assert entry["state"] == EntryState.SUBMITTED and float(entry["self_total"]) == 100
    status, steps = api("street_a_admin", "get", f"/rounds/{round_['id']}/steps")
    assert steps[0]["step"] == "review" and steps[0]["possible"]
    status, r = api("street_a_admin", "post", f"/rounds/{round_['id']}/steps", {"step": "review"})
    assert status == 200 and r["state"] == RoundState.REVIEW
    team = clauses["班子配备齐全"]["clause"]
    status, refused = api(
        "street_a_admin",
        "post",
        f"/entries/{a1}/review",
        {"answers": [{"clause": team, "points": 10}]},
    )
    assert status == 400 and set(refused) == {"code", "message", "fields"}
    status, entry = api(
        "street_a_admin",
        "post",
        f"/entries/{a1}/review",
        {"answers": [{"clause": team, "points": 10, "reason": "缺员"}], "note": "台账不全"},
    )
    assert status == 200 and entry["grade"] == Grade.BASIC and float(entry["total"]) == 70
    status, blocked = api(
        "street_a_admin", "post", f"/rounds/{round_['id']}/steps", {"step": "publish"}
    )
    assert status == 400 and "1" in str(blocked["fields"])  # A2 is not reviewed yet
    _s, board = api("street_a_admin", "get", f"/rounds/{round_['id']}/board")
    row = next(r for r in board if r["org"]["code"] == "A1")
    assert row["changed"] == 1 and row["grade"] == Grade.BASIC


def test_objections_and_rectification(api, world):
    round_ = _open(api)
    admin = world.users["street_a_admin"]
    rnd = Round.objects.get(pk=round_["id"])
    on = dt.date(2026, 7, 6)
    for e in rnd.entries.all():
        answers = {
            s.clause_id: {"veto": False}
            if s.clause.veto
            else {"points": s.clause.points, "override_reason": "补录"}
            for s in e.scores.select_related("clause")
        }
        services.self_assess(admin, e, answers, submit=True, on=on)
    services.start_review(admin, rnd, on=on)
    for e in rnd.entries.all():
        team = e.scores.get(clause__text="班子配备齐全")
        services.review_entry(admin, e, {team.clause_id: {"points": 10, "reason": "缺员"}}, on=on)
    services.publish_results(admin, rnd, on=on)
    a1 = rnd.entries.get(org=world.branch_a1).pk
    status, o = api(
        "street_a_admin",
        "post",
        f"/entries/{a1}/objections",
        {"raised_by": "党员甲", "text": "分数偏低"},
    )
    assert status == 201
    status, _ = api("a1_officer", "post", f"/objections/{o['id']}/answer", {"answer": "维持"})
    assert status == 403
    status, o = api("street_a_admin", "post", f"/objections/{o['id']}/answer", {"answer": "维持"})
    assert status == 200 and o["answered_on"]
    services.finalize_round(admin, rnd, on=on + dt.timedelta(days=30))
    assert Rectification.objects.filter(entry_id=a1).exists()
    status, entry = api(
        "a1_officer",
        "post",
        f"/entries/{a1}/rectification",
        {"plan": "补齐班子", "deadline": "2099-12-31"},
    )
    assert status == 200 and entry["rectification"]["plan"] == "补齐班子"
    status, _ = api("a1_officer", "post", f"/entries/{a1}/rectification/close", {"note": "已整改"})
    assert status == 403
    status, entry = api(
        "street_a_admin", "post", f"/entries/{a1}/rectification/close", {"note": "已整改"}
    )
    assert status == 200 and entry["rectification"]["closed_on"]


def test_refusals_across_organizations(api, world):
    round_ = _open(api)
    a2 = _entry_of(api, round_, "A2")
    status, body = api("a1_officer", "get", f"/entries/{a2}")
    assert status == 404 and set(body) == {"code", "message", "fields"}
    status, _ = api("a1_officer", "post", f"/entries/{a2}/self-assessment", {"submit": True})
    assert status == 404
    status, _ = api("viewer", "get", f"/rounds/{round_['id']}")
    assert status == 404
    status, page = api("viewer", "get", "/rounds")
    assert page["items"] == []
    status, _ = api("a1_officer", "post", f"/rounds/{round_['id']}/steps", {"step": "review"})
    assert status == 403
    a1 = _entry_of(api, round_, "A1")
    status, _ = api("a1_officer", "post", f"/entries/{a1}/review", {"answers": []})
    assert status == 403
    status, _ = api(
        "a1_officer", "post", "/schemes", {"org": "SA", "code": "x", "name": "x", "blocks": BLOCKS}
    )
    assert status == 404  # the street is out of a branch officer's sight
    assert not Scheme.objects.filter(code="x").exists()
    status, board = api("a1_officer", "get", f"/rounds/{round_['id']}/board")
    assert [r["org"]["code"] for r in board] == ["A1"]
    status, steps = api("a1_officer", "get", f"/rounds/{round_['id']}/steps")
    assert steps == []
