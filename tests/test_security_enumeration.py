"""Every page and every API endpoint, tried across organizations: refused, never data.

The lists of URLs come from the URL conf and the OpenAPI document, so a new page
or endpoint is covered the day it is added.
"""

import datetime as dt
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from jiceng.access.models import Role, RoleAssignment
from jiceng.access.services import assign_role, create_token, create_user
from jiceng.assessment import services as assessment
from jiceng.assessment.models import (
    AccountabilityReview,
    AwardQuota,
    AwardRound,
    Entry,
    Nomination,
    Round,
    SecretaryReport,
)
from jiceng.congress import services as congress
from jiceng.congress.models import CongressSession, Proposal, Suggestion
from jiceng.demo.build import credit_code
from jiceng.demo.names import id_number
from jiceng.elections import services as elections
from jiceng.elections.models import ElectionCase, Poll
from jiceng.life.models import Meeting
from jiceng.life.services import schedule_meeting
from jiceng.orgs.models import Organization, Unit
from jiceng.orgs.services import register_unit, set_up
from jiceng.people.delegates import seat_delegate
from jiceng.people.floating import record_outflow
from jiceng.people.models import FloatingRecord, PartyMembership, Transfer, UnionMembership
from jiceng.people.services import enrol_member, register_person
from jiceng.people.transfers import issue_transfer
from jiceng.people.unions import join_union

PUBLIC = {"ui:login", "ui:logout", "ui:healthz", "ui:home"}
SKIP_PREFIXES = ("api/", "i18n/")
TARGET_NAME = "和平社区第一党支部"  # branch A1; the intruders below must never see it
TARGET_UNIT = "和平社区服务中心"  # a host unit branch A1 is responsible for; likewise
TARGET_PERSON = "和平甲党员"  # a member of branch A1; likewise


def ui_routes(resolver=None, prefix="", ns=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            inner_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from ui_routes(p, route, inner_ns)
        elif isinstance(p, URLPattern) and not route.startswith(SKIP_PREFIXES):
            yield f"{ns}{p.name}", route


@pytest.fixture
def world(world):
    """The shared world plus a host unit in the charge of branch A1 (for <int:pk> pages) and a
    member of A1 (for the member pages, whose <int:pk> is a Party record) with a transfer
    letter to the street committee (<int:transfer>) and a floating record (<int:record>)."""
    register_unit(
        world.system,
        credit_code=credit_code(1),
        name=TARGET_UNIT,
        kind="community",
        ownership="collective",
        responsible_org=world.branch_a1,
    )
    person = register_person(
        world.system,
        org=world.branch_a1,
        name=TARGET_PERSON,
        id_number=id_number(dt.date(1980, 5, 5), 11),
        phone="13912345678",
    )
    m = enrol_member(
        world.system, person, org=world.branch_a1, stage="full", joined_on=dt.date(2005, 7, 1)
    )
    issue_transfer(world.system, m, to_org=world.street_a, letter_number="和组转〔2026〕1号")
    record_outflow(
        world.system, m, place="广东省深圳市", since=dt.date(2026, 1, 5), contact_person="王书记"
    )
    start = timezone.now() + dt.timedelta(
        days=1
    )  # a meeting of A1 (<int:meeting>, <str:sign_in_token>)
    schedule_meeting(
        world.system,
        world.branch_a1,
        kind="branch_committee",
        topic="支委会",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        attendees=[person],
    )
    _congress_of(world, person)
    _elections_of(world)
    _assessment_of(world)
    return world


def _assessment_of(world):
    """A round of the street's scheme for branch A1 alone (<int:scheme>, <int:round>,
    <int:entry>): another branch has no entry in it; an award round of the street where A1 has a
    quota and a nominee (<int:award>, <int:nomination>), and an accountability review of A1's
    secretary alone (<int:review>, <int:secretary_report>)."""
    scheme = assessment.save_scheme(
        world.system,
        world.street_a,
        code="branch",
        name="支部考核",
        cycle="half_year",
        blocks=[{"title": "班子建设", "clauses": [{"text": "班子配备齐全", "points": 100}]}],
    )
    assessment.publish_scheme(world.system, scheme)
    assessment.open_round(world.system, scheme, world.branch_a1, "2026H1")
    on = dt.date(2026, 11, 2)
    r = AwardRound.objects.create(
        org=world.street_a,
        year=2026,
        kind="advanced_org",
        opened_on=on,
        nominations_due=on,
        opened_by=world.system,
    )
    AwardQuota.objects.create(round=r, org=world.branch_a1, count=1)
    Nomination.objects.create(
        round=r,
        by_org=world.branch_a1,
        nominee_org=world.branch_a1,
        nominated_on=on,
        nominated_by=world.system,
    )
    review = AccountabilityReview.objects.create(
        org=world.street_a,
        year=2026,
        title="述职评议",
        opened_on=on,
        reports_due=on,
        opened_by=world.system,
    )
    SecretaryReport.objects.create(review=review, org=world.branch_a1, secretary="A1书记")


def _elections_of(world):
    """A re-election case of A1 (<int:case>) and a poll of A1 (<int:poll>)."""
    elections.file_request(
        world.system,
        org=world.branch_a1,
        requested_on=dt.date(2025, 1, 6),
        planned_on=dt.date(2025, 3, 1),
        delegates=30,
        committee_seats=5,
    )
    elections.create_poll(
        world.system,
        org=world.branch_a1,
        title="支部委员会选举",
        seats=1,
        entitled=30,
        held_on=dt.date(2025, 3, 1),
        candidates=["张三", "李四"],
    )


def _congress_of(world, person):
    """A union's congress where the member of A1 is a delegate (<int:session>), their proposal
    (<int:proposal>) and their rationalization proposal (<int:suggestion>)."""
    union = set_up(world.system, code="UA1", name="和平社区工会", kind="union", parent=world.union)
    seats = [
        seat_delegate(world.system, p, org=union, category="voting", valid_from=dt.date(2025, 1, 1))
        for p in [person, *(register_person(world.system, org=union, name=n) for n in "甲乙")]
    ]
    session = congress.create_session(
        world.system, union, term=1, number=1, held_on=dt.date(2026, 1, 10)
    )
    congress.submit_proposal(
        world.system, session, proposer=seats[0], seconders=seats[1:], title="提案", reasons="理由"
    )
    congress.submit_suggestion(world.system, union, title="建议", content="内容", person=person)


def member_of(code: str) -> int:
    m = PartyMembership.objects.filter(org__code=code).first()
    return m.pk if m else 0


# Kwargs naming one record of an organization (beyond <str:code> and <int:pk>), and how to
# find such a record of `code`.
RECORD_KWARGS = {
    "<int:transfer>": lambda code: Transfer.objects.filter(from_org__code=code).first(),
    "<int:record>": lambda code: FloatingRecord.objects.filter(membership__org__code=code).first(),
    "<int:meeting>": lambda code: Meeting.objects.filter(org__code=code).first(),
    "<str:sign_in_token>": lambda code: SimpleNamespace(  # the QR code's sign-in link of a meeting
        pk=Meeting.objects.filter(org__code=code).values_list("sign_in_token", flat=True).first()
    ),
    # congress: a session where a member of `code` sits, their proposal, their suggestion
    "<int:session>": lambda code: CongressSession.objects.filter(
        roll__delegate__person__party__org__code=code
    ).first(),
    "<int:proposal>": lambda code: Proposal.objects.filter(
        proposer__person__party__org__code=code
    ).first(),
    "<int:suggestion>": lambda code: Suggestion.objects.filter(
        person__party__org__code=code
    ).first(),
    # elections: a re-election case and a poll of `code`
    "<int:case>": lambda code: ElectionCase.objects.filter(org__code=code).first(),
    "<int:poll>": lambda code: Poll.objects.filter(org__code=code).first(),
    # assessment: a round of `code`'s subtree alone, its scheme and `code`'s entry
    "<int:round>": lambda code: Round.objects.filter(org__code=code).first(),
    "<int:scheme>": lambda code: SimpleNamespace(
        pk=Round.objects.filter(org__code=code).values_list("scheme", flat=True).first()
    ),
    "<int:entry>": lambda code: Entry.objects.filter(org__code=code).first(),
    # assessment: an award round where `code` has a quota, its nomination, a review of its
    # secretary and the report
    "<int:award>": lambda code: AwardRound.objects.filter(quotas__org__code=code).first(),
    "<int:nomination>": lambda code: Nomination.objects.filter(by_org__code=code).first(),
    "<int:review>": lambda code: AccountabilityReview.objects.filter(
        reports__org__code=code
    ).first(),
    "<int:secretary_report>": lambda code: SecretaryReport.objects.filter(org__code=code).first(),
}


ASSESSMENT_API = {
    "/api/v1/assessment/schemes/": "<int:scheme>",
    "/api/v1/assessment/rounds/": "<int:round>",
    "/api/v1/assessment/entries/": "<int:entry>",
}

CONGRESS_API = {
    "/api/v1/congress/sessions/": "<int:session>",
    "/api/v1/congress/proposals/": "<int:proposal>",
    "/api/v1/congress/suggestions/": "<int:suggestion>",
    "/api/v1/assessment/awards/rounds/": "<int:award>",
    "/api/v1/assessment/awards/reviews/reports/": "<int:secretary_report>",
    "/api/v1/assessment/awards/reviews/": "<int:review>",
}


def text_of(response) -> str:
    """A page's text; a workbook download's cell texts (its XML parts, unzipped)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    return response.content.decode()


def fill(route: str, code: str) -> str:
    path = "/" + route.replace("<str:code>", code)
    for kwarg, find in RECORD_KWARGS.items():
        if kwarg in path:
            found = find(code)
            path = path.replace(kwarg, str(found.pk if found else 0))
    if path.startswith("/people/") and "<int:pk>" in path:  # a Party record of `code`
        return path.replace("<int:pk>", str(member_of(code)))
    if "<int:pk>" in path:  # units: one whose responsible organization is `code`
        unit = Unit.objects.filter(responsible_org__code=code).first()
        path = path.replace("<int:pk>", str(unit.pk if unit else 0))
    return path


def openapi_operations(client):
    spec = json.loads(client.get("/api/v1/openapi.json").content)
    for path, item in spec["paths"].items():
        for method in item:
            yield method, path


def api_url(path: str, code: str) -> str:
    path = path.replace("{code}", code).replace("{key}", "todo.due_soon_days")
    if path.startswith("/api/v1/life/"):  # life: a meeting of `code`
        meeting = Meeting.objects.filter(org__code=code).first()
        return path.replace("{id}", str(meeting.pk if meeting else 0))
    if path.startswith("/api/v1/assignments/"):  # access: a role at `code`
        found = RoleAssignment.objects.filter(org__code=code).first()
        return path.replace("{id}", str(found.pk if found else 0))
    if path.startswith("/api/v1/elections/polls/"):  # elections: a poll of `code`
        return path.replace("{id}", str(RECORD_KWARGS["<int:poll>"](code).pk))
    for prefix, kwarg in (
        CONGRESS_API | ASSESSMENT_API
    ).items():  # congress: a record of a member of `code`
        if path.startswith(prefix):
            found = RECORD_KWARGS[kwarg](code)
            return path.replace("{id}", str(found.pk if found else 0))
    return path.replace("{id}", str(member_of(code)))  # people: a Party record of `code`


ROUTES = list(ui_routes())


def test_the_enumeration_sees_the_pages():
    names = {name for name, _ in ROUTES}
    assert {"orgs:org_detail", "orgs:org_policy", "orgs:org_history", "todo:centre"} <= names
    assert {"people:transfer_detail", "people:floating_record"} <= names


def test_every_record_kwarg_resolves_to_a_real_record(world):
    routes = [route for _name, route in ROUTES if any(k in route for k in RECORD_KWARGS)]
    assert routes
    for route in routes:
        path = fill(route, "A1")
        assert "<" not in path and "/0/" not in path, route


@pytest.mark.parametrize(("name", "route"), ROUTES)
def test_anonymous_is_sent_to_login(client, world, name, route):
    response = client.get(fill(route, "A1"))
    if name in PUBLIC:
        assert response.status_code in (200, 302, 405)  # logout is POST-only
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("ui:login"))
    assert TARGET_NAME not in response.content.decode()


@pytest.mark.parametrize("intruder", ["a2_officer", "expired", "viewer", "nobody"])
@pytest.mark.parametrize(("name", "route"), ROUTES)
def test_other_organizations_pages_are_refused(world, login, intruder, name, route):
    client = login(world.users[intruder])
    response = client.get(fill(route, "A1"))
    body = text_of(response)
    assert TARGET_NAME not in body and TARGET_UNIT not in body and TARGET_PERSON not in body
    if any(k in route for k in ("<str:code>", "<int:pk>", *RECORD_KWARGS)):
        assert response.status_code == 404
        assert "页面不存在" in body  # the Chinese error page, not a stack trace


def test_switching_to_an_invisible_organization_is_refused(world, login):
    client = login(world.users["a2_officer"])
    response = client.post(reverse("ui:switch"), {"org": "A1"})
    assert response.status_code == 404
    assert client.session.get("current_org") is None


@pytest.fixture
def api_clients(world, client):
    def bearer(name):
        _t, raw = create_token(world.system, user=world.users[name])
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return {name: bearer(name) for name in ["a2_officer", "expired", "viewer", "nobody"]}


def test_openapi_lists_the_endpoints(client, world):
    ops = set(openapi_operations(client))
    assert ("get", "/api/v1/orgs") in ops and ("post", "/api/v1/orgs") in ops
    assert ("get", "/api/v1/life/meetings/{id}") in ops and ("post", "/api/v1/life/sign-in") in ops


@pytest.mark.parametrize("intruder", ["a2_officer", "expired", "viewer", "nobody"])
def test_every_api_endpoint_refuses_other_organizations(client, world, api_clients, intruder):
    headers = api_clients[intruder]
    for method, path in openapi_operations(client):
        url = api_url(path, "A1")
        if method == "get":
            response = client.get(url, {"org": "A1", "code": "410102"}, **headers)
        else:
            # One body that satisfies every write schema, so each reaches its permission check.
            payload = {
                "code": "X9",
                "name": "越权",
                "kind": "branch",
                "parent": "A1",
                "new_parent": "A1",
                "reason": "越权",
                "step": "talk",
            }
            response = getattr(client, method)(
                url, payload, content_type="application/json", **headers
            )
        data = json.loads(response.content)
        text = json.dumps(data, ensure_ascii=False)
        assert response.status_code in (200, 401, 403, 404), (method, url, response.status_code)
        assert TARGET_NAME not in text and '"A1"' not in text, (method, url)
        assert TARGET_PERSON not in text, (method, url)
        if response.status_code != 200:
            assert set(data) == {"code", "message", "fields"}


def test_every_api_endpoint_refuses_anonymous(client, world):
    for method, path in openapi_operations(client):
        response = getattr(client, method)(api_url(path, "A1"), content_type="application/json")
        assert response.status_code == 401, (method, path)
        assert json.loads(response.content)["code"] == "unauthenticated"


# -- a system administrator sees every record their lists show ----------------------------

ID_KWARGS = ("<str:code>", "<int:pk>", *RECORD_KWARGS)


@pytest.fixture
def admin(world):
    """A system administrator who is also a person (a union member: the <int:pk> of the union
    member pages). As a person they may also see what they are expected at, and that `| own`
    must widen their view, never narrow it to their own records (issue #12)."""
    union = Organization.objects.get(code=UNION_CODE)
    person = register_person(world.system, org=union, name="工会会员丙")
    join_union(world.system, person, org=union, member_number="0001", joined_on=dt.date(2025, 1, 1))
    user = create_user(
        world.system, username="root_admin", password=None, full_name="管理员", person=person
    )
    assign_role(world.system, user=user, role=Role.SYSTEM_ADMIN, valid_from=dt.date(2020, 1, 1))
    return user


# Pages an administrator rightly cannot open in this world: the person's own acts (only the
# one expected at a meeting signs in or asks for leave; only a voter on the roll votes) and
# files or jobs the world does not hold (a job, an attachment, a photo, the documents of a
# case that has not reached them). Everything else with an id must open.
NOT_FOR_ADMIN = {
    "life:sign_in_token",
    "life:leave",
    "elections:poll_vote",
    "jobs:progress",
    "jobs:progress_json",
    "life:attachment",
    "people:member_photo",
    "elections:case_report_docx",
    "elections:case_notice_docx",
}
UNION_CODE = "UA1"  # the union of the world (congress and union member pages)
DETAIL_ROUTES = [
    (n, r) for n, r in ROUTES if any(k in r for k in ID_KWARGS) and n not in NOT_FOR_ADMIN
]


def admin_url(name: str, route: str) -> str:
    """`fill`, with the union of the world for the union's own pages."""
    if name.startswith(("people:union_", "congress:")) and "<str:code>" in route:
        member = UnionMembership.objects.filter(org__code=UNION_CODE).first()
        route = route.replace("<int:pk>", str(member.pk if member else 0))
        return fill(route, UNION_CODE)
    return fill(route, "A1")


@pytest.mark.parametrize(("name", "route"), DETAIL_ROUTES)
def test_a_system_admin_opens_every_detail_page(world, login, admin, name, route):
    response = login(admin).get(admin_url(name, route))
    assert response.status_code in (200, 302, 405), (name, response.status_code)
    if response.status_code == 302:  # a page that hands over to another must not be a refusal
        assert not response["Location"].startswith(reverse("ui:login")), name


def test_a_system_admin_reads_every_detail_endpoint(client, world, admin):
    _t, raw = create_token(world.system, user=admin)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    paths = [p for m, p in openapi_operations(client) if m == "get" and "{" in p]
    assert "/api/v1/life/meetings/{id}" in paths and "/api/v1/congress/proposals/{id}" in paths
    failed = {}
    for path in paths:
        code = UNION_CODE if path.startswith("/api/v1/people/unions/") else "A1"
        response = client.get(api_url(path, code), **headers)
        if response.status_code != 200:
            failed[path] = response.status_code
    assert failed == {}
