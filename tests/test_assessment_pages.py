"""Assessment pages (issue 13): the home, schemes, opening a round, the review board, the
self-assessment and review form, and refusals across organizations."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.assessment import services
from jiceng.assessment.models import Entry, EntryState, Grade, RoundState, Scheme
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from tests.conftest import LONG_AGO

pytestmark = pytest.mark.django_db

BLOCKS = [
    {"title": "班子建设", "clauses": [{"text": "班子配备齐全", "points": 40}]},
    {
        "title": "党员教育和管理",
        "clauses": [{"text": "按规定召开“三会一课”", "points": 60, "evidence": "life.compliance"}],
    },
    {"title": "基础工作", "clauses": [{"text": "班子不团结", "veto": True, "method": "formal"}]},
]
ON = dt.date(2026, 7, 6)


def _round(world):
    admin = world.users["street_a_admin"]
    scheme = services.save_scheme(
        admin, world.street_a, code="branch", name="支部考核", cycle="half_year", blocks=BLOCKS
    )
    services.publish_scheme(admin, scheme, on=ON)
    return services.open_round(admin, scheme, world.street_a, "2026H1", on=ON)


def _clauses(entry):
    return {s.clause.text: s for s in entry.scores.select_related("clause")}


def _self_post(entry, points: dict, action="save", reason="会议记录补录"):
    data = {"action": action}
    for text, s in _clauses(entry).items():
        if s.clause.veto:
            data[f"veto_{s.clause_id}"] = "no"
        else:
            data[f"points_{s.clause_id}"] = str(points.get(text, s.clause.points))
            data[f"override_{s.clause_id}"] = reason
    return data


def test_home_shows_what_the_branch_owes_and_the_menu_links_it(world, login):
    r = _round(world)
    client = login(world.users["a1_officer"])
    page = client.get(reverse("assessment:home")).content.decode()
    a1 = r.entries.get(org=world.branch_a1)
    assert reverse("assessment:entry", args=[a1.pk]) in page
    assert reverse("assessment:home") in page  # the menu item
    assert "考评" in page


def test_a_street_admin_writes_publishes_a_scheme_and_opens_a_round(world, login):
    client = login(world.users["street_a_admin"])
    new = reverse("assessment:scheme_new", args=["SA"])
    form = client.get(new)
    assert form.status_code == 200 and "三会一课" in form.content.decode()  # the seed's scheme
    response = client.post(
        new,
        {
            "code": "branch",
            "name": "支部考核",
            "cycle": "half_year",
            "block_0_title": "班子建设",
            "block_0_clauses": "班子配备齐全 | 40 | patrol\n按规定召开“三会一课” | 60 | self | life.compliance",
            "block_1_title": "基础工作",
            "block_1_clauses": "班子不团结 | veto | formal",
        },
    )
    scheme = Scheme.objects.get(org=world.street_a, code="branch")
    assert response.status_code == 302
    clauses = list(scheme.blocks.get(number=1).clauses.all())
    assert [c.points for c in clauses] == [40, 60] and clauses[1].evidence == "life.compliance"
    assert scheme.blocks.get(number=2).clauses.get().veto
    client.post(reverse("assessment:scheme", args=[scheme.pk]))
    scheme.refresh_from_db()
    assert scheme.is_published
    response = client.post(
        reverse("assessment:round_open", args=["SA"]), {"scheme": scheme.pk, "period": "2026H1"}
    )
    assert response.status_code == 302
    board = client.get(response["Location"]).content.decode()
    assert "和平社区第一党支部" in board and "step-review" in board


def test_a_bad_clause_line_is_refused_on_the_form(world, login):
    client = login(world.users["street_a_admin"])
    response = client.post(
        reverse("assessment:scheme_new", args=["SA"]),
        {
            "code": "x",
            "name": "x",
            "cycle": "half_year",
            "block_0_title": "甲",
            "block_0_clauses": "一 | 5 | self | no.such.figure",
        },
    )
    assert response.status_code == 200 and "no.such.figure" in response.content.decode()
    assert not Scheme.objects.filter(code="x").exists()


def test_the_entry_form_shows_the_figure_and_requires_a_reason_to_differ(world, login):
    r = _round(world)
    entry = r.entries.get(org=world.branch_a1)
    bound = _clauses(entry)["按规定召开“三会一课”"]
    bound.auto_points, bound.auto_numerator, bound.auto_denominator = 30, 1, 2
    bound.save()
    client = login(world.users["a1_officer"])
    url = reverse("assessment:entry", args=[entry.pk])
    page = client.get(url).content.decode()
    assert "1/2" in page and "50.0%" in page and 'value="30.00"' in page
    response = client.post(url, _self_post(entry, {"按规定召开“三会一课”": 60}, "submit", ""))
    assert response.status_code == 400  # refused on the page
    assert "override_" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == EntryState.PENDING
    data = _self_post(entry, {"按规定召开“三会一课”": 60}, "submit")
    data[f"override_{bound.clause_id}"] = "补录了两次会议"
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED and entry.self_total == 100


def test_the_upper_level_reviews_and_the_board_counts_the_changes(world, login):
    r = _round(world)
    entry = r.entries.get(org=world.branch_a1)
    officer = login(world.users["a1_officer"])
    url = reverse("assessment:entry", args=[entry.pk])
    officer.post(url, _self_post(entry, {"按规定召开“三会一课”": 60}, "submit"))
    admin = login(world.users["street_a_admin"])
    board_url = reverse("assessment:round", args=[r.pk])
    admin.post(board_url, {"action": "review"})
    r.refresh_from_db()
    assert r.state == RoundState.REVIEW
    team = _clauses(entry)["班子配备齐全"]
    data = {"action": "review", f"rpoints_{team.clause_id}": "10", "review_note": "台账不全"}
    refused = admin.post(url, data)
    assert refused.status_code == 400  # a change needs its reason
    data[f"rreason_{team.clause_id}"] = "巡查发现班子缺员"
    assert admin.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.total == 70 and entry.grade == Grade.BASIC
    board = admin.get(board_url).content.decode()
    row = re.search(r'id="board-A1">(.*?)</tr>', board, re.S).group(1)
    assert "70" in row and "基本合格" in row
    assert "2 organizations are not reviewed" not in board


def test_a_branch_officer_cannot_review_or_finalize(world, login):
    r = _round(world)
    entry = r.entries.get(org=world.branch_a1)
    client = login(world.users["a1_officer"])
    assert (
        client.post(reverse("assessment:round", args=[r.pk]), {"action": "review"}).status_code
        == 403
    )
    services.start_review(world.users["street_a_admin"], r, on=ON)
    response = client.post(reverse("assessment:entry", args=[entry.pk]), {"action": "review"})
    assert response.status_code == 403
    r.refresh_from_db()
    assert r.state == RoundState.REVIEW
    assert (
        "step-finalize" not in client.get(reverse("assessment:round", args=[r.pk])).content.decode()
    )


def test_another_branch_cannot_read_or_write_the_entry(world, login):
    r = _round(world)
    a2 = r.entries.get(org=world.branch_a2)
    client = login(world.users["a1_officer"])
    url = reverse("assessment:entry", args=[a2.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _self_post(a2, {}, "submit")).status_code == 404
    a2.refresh_from_db()
    assert a2.state == EntryState.PENDING


def test_street_b_cannot_see_street_a_round(world, login):
    r = _round(world)
    client = login(world.users["viewer"])
    assert client.get(reverse("assessment:round", args=[r.pk])).status_code == 404
    assert client.get(reverse("assessment:scheme", args=[r.scheme_id])).status_code == 404
    assert "支部考核" not in client.get(reverse("assessment:home")).content.decode()


def test_a_branch_sees_only_its_own_row_on_the_board(world, login):
    r = _round(world)
    page = login(world.users["a1_officer"]).get(reverse("assessment:round", args=[r.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="board-A1"' in body and 'id="board-A2"' not in body


def test_after_final_the_branch_hands_in_its_rectification_plan(world, login):
    r = _round(world)
    admin = world.users["street_a_admin"]
    entry = r.entries.get(org=world.branch_a1)
    for e in r.entries.all():
        answers = {
            s.clause_id: {"veto": False}
            if s.clause.veto
            else {"points": s.clause.points, "override_reason": "补录"}
            for s in e.scores.select_related("clause")
        }
        services.self_assess(admin, e, answers, submit=True, on=ON)
    services.start_review(admin, r, on=ON)
    for e in r.entries.all():
        team = _clauses(e)["班子配备齐全"]
        services.review_entry(admin, e, {team.clause_id: {"points": 10, "reason": "缺员"}}, on=ON)
    services.publish_results(admin, r, on=ON)
    services.finalize_round(admin, r, on=ON + dt.timedelta(days=30))
    client = login(world.users["a1_officer"])
    url = reverse("assessment:entry", args=[entry.pk])
    page = client.get(url).content.decode()
    assert "plan-form" in page and "基本合格" in page
    response = client.post(
        url, {"action": "plan", "plan-plan": "补齐班子", "plan-deadline": "2099-12-31"}
    )
    assert response.status_code == 302
    entry.rectification.refresh_from_db()
    assert entry.rectification.plan == "补齐班子"


def test_the_board_reads_a_bounded_number_of_queries(world, login):
    for n in range(12):
        set_up(
            world.system,
            code=f"Q{n}",
            name=f"第{n}支部",
            kind=Kind.BRANCH,
            parent=world.street_a,
            founded_on=LONG_AGO,
        )
    r = _round(world)
    assert Entry.objects.filter(round=r).count() > 12
    client = login(world.users["street_a_admin"])
    url = reverse("assessment:round", args=[r.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(captured) <= 20, [q["sql"] for q in captured.captured_queries]


def test_the_seed_scheme_saves_as_shown(world, login):
    client = login(world.users["street_a_admin"])
    new = reverse("assessment:scheme_new", args=["SA"])
    form = client.get(new).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = client.post(new, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    scheme = Scheme.objects.get(org=world.street_a)
    assert scheme.blocks.count() == 6
    assert sum(c.points for b in scheme.blocks.all() for c in b.clauses.all()) == 100


def test_return_objection_and_answer_through_the_pages(world, login):
    r = _round(world)
    entry = r.entries.get(org=world.branch_a1)
    url = reverse("assessment:entry", args=[entry.pk])
    officer = login(world.users["a1_officer"])
    officer.post(url, _self_post(entry, {}, "submit"))
    admin = login(world.users["street_a_admin"])
    assert "entry-return" in admin.get(url).content.decode()
    admin.post(url, {"action": "return", "return-reason": "请补充佐证材料"})
    entry.refresh_from_db()
    assert entry.state == EntryState.PENDING and entry.review_note == "请补充佐证材料"
    assert "请补充佐证材料" in officer.get(url).content.decode()
    officer.post(url, _self_post(entry, {}, "submit"))
    other = r.entries.get(org=world.branch_a2)
    services.self_assess(
        world.users["street_a_admin"],
        other,
        {
            s.clause_id: {"veto": False}
            if s.clause.veto
            else {"points": s.clause.points, "override_reason": "补录"}
            for s in other.scores.select_related("clause")
        },
        submit=True,
        on=ON,
    )
    board = reverse("assessment:round", args=[r.pk])
    admin.post(board, {"action": "review"})
    for e in r.entries.all():
        services.review_entry(world.users["street_a_admin"], e, {}, on=ON)
    admin.post(board, {"action": "publish"})
    admin.post(
        url, {"action": "objection", "objection-raised_by": "党员甲", "objection-text": "偏低"}
    )
    objection = entry.objections.get()
    page = admin.get(board).content.decode()
    assert "偏低" in page and f'id="answer-{objection.pk}"' in page
    response = admin.post(board, {"action": "finalize"})
    r.refresh_from_db()
    assert r.state == RoundState.PUBLICITY  # publicity runs on, the objection is open
    assert (
        officer.post(
            board, {"action": "answer", "objection": objection.pk, "answer": "x"}
        ).status_code
        == 403
    )
    admin.post(board, {"action": "answer", "objection": objection.pk, "answer": "维持原结果"})
    objection.refresh_from_db()
    assert objection.answer == "维持原结果" and response.status_code == 302


def test_the_branch_offers_a_link_as_evidence(world, login):
    r = _round(world)
    entry = r.entries.get(org=world.branch_a1)
    clause = _clauses(entry)["班子配备齐全"].clause_id
    url = reverse("assessment:entry", args=[entry.pk])
    client = login(world.users["a1_officer"])
    response = client.post(
        url,
        {
            "action": "evidence",
            "evidence-clause": clause,
            "evidence-title": "支委会名单",
            "evidence-url": "https://example.org/list",
        },
    )
    assert response.status_code == 302
    assert "支委会名单" in client.get(url).content.decode()
    script = {"action": "evidence", "evidence-clause": clause, "evidence-title": "x"}
    refused = client.post(url, {**script, "evidence-url": "javascript:alert(1)"})
    assert (
        refused.status_code == 400
        and "javascript:alert" not in refused.content.decode().split("<form")[0]
    )
    intruder = login(world.users["a2_officer"])
    refused = intruder.post(
        url,
        {
            "action": "evidence",
            "evidence-clause": clause,
            "evidence-title": "x",
            "evidence-url": "y",
        },
    )
    assert refused.status_code == 404
