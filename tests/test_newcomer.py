"""A newcomer's path through `make run`: the port can be chosen, the demo has an election case
and a counted poll and officers wherever a demo user lands, the figures show rule values
rather than policy keys, and a union's pages speak of 会员, not 党员."""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from jiceng.access.models import User
from jiceng.access.services import system_actor
from jiceng.demo.build import load
from jiceng.elections.models import CaseState, ElectionCase, Poll, PollStatus, Term, TermStatus
from jiceng.kernel.citations import readable
from jiceng.orgs.models import Organization

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date.today()


@pytest.fixture
def demo(db):
    load(system_actor(), "small", TODAY)


def as_user(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def text_of(response) -> str:
    """The visible text of a page (no tags, no scripts)."""
    body = response.content.decode()
    return re.sub(r"<script.*?</script>|<[^>]+>", " ", body, flags=re.S)


# -- make run --------------------------------------------------------------------------------


def test_make_run_takes_host_and_port():
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8080", "HOST=0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "jiceng demo --host 0.0.0.0 --port 8080" in dry
    default = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "jiceng demo --host 127.0.0.1 --port 8000" in default


# -- the demo's elections --------------------------------------------------------------------


def test_demo_has_a_case_a_counted_poll_and_officers_where_users_land(demo):
    branch = Organization.objects.get(code="Q01S00C00B00")  # the demo user zb's branch
    case = ElectionCase.objects.get(org=branch)
    # The candidate list waits for the community Party committee's review.
    assert case.state == CaseState.SLATE_PROPOSED
    assert case.slate.count() == 4  # three seats and the policy's 20% surplus

    poll = Poll.objects.exclude(org=branch).get(status=PollStatus.CLOSED)
    assert poll.org.parent_id == branch.parent_id  # the sibling branch
    assert poll.sheets.count() == 1
    elected = [line["name"] for line in poll.result["lines"] if line["status"] == "elected"]
    assert len(elected) == 1

    for code in ["Q01P", "Q01U", "Q01S00P", "Q01S00C00P", "Q01S00C00B00", "Q01S00C00B01"]:
        term = Term.objects.get(org__code=code, status=TermStatus.CURRENT)
        assert term.officers.count() >= 3, code
    gh_union = Organization.objects.get(code="Q01S00E000U")  # gh's enterprise union
    assert Term.objects.filter(org=gh_union, status=TermStatus.CURRENT).exists()


def test_the_case_and_poll_pages_open_for_their_users(demo):
    case = ElectionCase.objects.get()
    page = as_user("zb").get(f"/elections/cases/{case.pk}/")
    assert page.status_code == 200
    poll = Poll.objects.get(status=PollStatus.CLOSED)
    page = as_user("zb2").get(f"/elections/polls/{poll.pk}/")
    assert page.status_code == 200
    assert "补选支部委员会委员" in text_of(page)


# -- figures ----------------------------------------------------------------------------------


def test_readable_names_the_seed_document_and_line():
    assert readable("001:L8") == "《城市基层党建工作的调研报告》第8行"
    assert (
        readable("000:L49-51；DOMAIN.md §4")
        == "《2023年工会基层组织建设工作报告》第49-51行；DOMAIN.md §4"
    )
    assert readable("（001:L16, L59）") == "（《城市基层党建工作的调研报告》第16、59行）"
    assert readable("2026:L1") == "2026:L1"


def test_figure_cards_show_rule_values_not_policy_keys(demo):
    admin = as_user("admin")
    union = text_of(admin.get("/stats/?org=Q01U"))
    party = text_of(admin.get("/stats/?org=Q01P"))
    for page in (union, party):
        assert not re.search(r"\b(orgs|elections|people|life)\.[a-z_]+\.[a-z_]+", page), page
        assert not re.search(r"\b\d{3}:L\d+", page)
    # The unit kinds counted for the union establishment rate, by their Chinese labels.
    assert "企业、社会组织" in union
    assert "25 人" in union
    assert "《城市基层党建工作的调研报告》第8行" in party
    assert "5,000,000 元" in party


def test_policy_page_cites_documents_by_title(demo):
    page = text_of(as_user("admin").get("/orgs/Q01P/policy/"))
    assert not re.search(r"\b\d{3}:L\d+", page)
    assert "《2023年工会基层组织建设工作报告》第49行" in page


# -- union wording ----------------------------------------------------------------------------


def test_union_pages_say_member_of_the_union(demo):
    gh = as_user("gh")
    union = Organization.objects.get(code="Q01S00E000U")
    todo = gh.get("/todo/")
    menu = re.search(r'id="nav-members"[^>]*>(.*?)</a>', todo.content.decode(), re.S).group(1)
    assert "会员" in menu and "党员" not in menu
    assert f"/orgs/{union.code}/union-members/" in todo.content.decode()
    detail = text_of(gh.get(f"/orgs/{union.code}/"))
    assert "会员数（填报）" in detail
    assert "党员" not in detail
    flags = text_of(gh.get(f"/orgs/{union.code}/flags/"))
    assert "会员数（填报）" in flags and "党员" not in flags
    assert "党员" not in text_of(gh.get("/me/"))
    # Party work keeps its words.
    menu = re.search(
        r'id="nav-members"[^>]*>(.*?)</a>', as_user("zb").get("/todo/").content.decode(), re.S
    ).group(1)
    assert "党员" in menu
