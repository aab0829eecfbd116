"""The tally screens on a phone (issue 6): the branch secretary sets up a by-election of the
branch committee, records the attendance, enters the paper ballots one by one with the
for / against / abstain buttons, puts right a ballot entered wrongly, and declares the result,
which names those elected and gives every candidate's reason.

The demo's branch secretary (zb) works on a 375 px phone throughout. The candidates are three
full members of her branch (read through `jiceng shell`, names unique in the branch). Four are
entitled and present, four ballots issued and returned; more than half of the four present (3
approving votes) elects.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.live

PASSWORD = "jiceng2026"
TITLE = "支部委员会补选"
MIN_TAP = 32  # px: the smallest height a button may have to be tapped reliably

SETUP = """
import json
from collections import Counter
from jiceng.access.models import User
from jiceng.people.models import PartyMembership, Stage

zb = User.objects.get(username="zb")
branch = PartyMembership.objects.get(person=zb.person).org
names = [
    m.person.name
    for m in PartyMembership.objects.filter(org=branch, stage=Stage.FULL)
    .select_related("person")
    .order_by("pk")
]
seen = Counter(names)
unique = [n for n in names if seen[n] == 1 and "".join(n.split()) == n]
print(json.dumps({"branch": branch.code, "candidates": unique[:3]}))
"""


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def artifacts() -> Path:
    path = Path("test-artifacts")
    path.mkdir(exist_ok=True)
    return path


def shell(live_env, code: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "shell", "-c", code],
        env=live_env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()


MARK_LABEL = {"Y": "赞成", "N": "不赞成", "-": "弃权"}


def tap_marks(scope, marks: dict[str, str]):
    """Tap a mark button per candidate (found by the row's group, named after the candidate)
    and check that the tap took; every button must be big enough for a finger."""
    for name, mark in marks.items():
        group = scope.get_by_role("group", name=name, exact=True)
        for label in MARK_LABEL.values():
            box = group.get_by_text(label, exact=True).bounding_box()
            assert box is not None and box["height"] >= MIN_TAP, (name, label, box)
        group.get_by_text(MARK_LABEL[mark], exact=True).click()
        expect(group.get_by_role("radio", name=MARK_LABEL[mark], exact=True)).to_be_checked()


def test_a_by_election_tallied_on_a_phone(live_server_url, live_env, browser, phone):
    base = live_server_url
    setup = json.loads(shell(live_env, SETUP).splitlines()[-1])
    branch = setup["branch"]
    a, b, c = setup["candidates"]

    page = phone
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill("zb")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))

    # The branch's page → elections → a new poll.
    page.goto(f"{base}/orgs/{branch}/")
    page.locator("#link-elections").click()
    expect(page).to_have_url(re.compile(rf"/elections/orgs/{branch}/$"))
    assert no_horizontal_scroll(page)
    page.locator("#new-poll").click()
    form = page.locator("#poll-form")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_seats").fill("2")
    form.locator("#id_entitled").fill("4")
    form.locator("#id_candidates").fill("\n".join([a, b, c]))
    assert no_horizontal_scroll(page)
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/elections/polls/\d+/$"))
    poll_url = page.url
    expect(page.locator("h1")).to_contain_text(TITLE)
    for name in (a, b, c):
        expect(page.locator("#candidates")).to_contain_text(name)

    # The scrutineers' figures: four present, four ballots issued, four returned.
    page.locator("#attendance summary").click()
    attendance = page.locator("#attendance form")
    attendance.locator("#id_present").fill("4")
    attendance.locator("#id_issued").fill("4")
    attendance.locator("#id_returned").fill("4")
    attendance.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    figures = page.locator("#figures dd")
    expect(figures).to_have_text(["4", "4", "4", "4"])
    assert no_horizontal_scroll(page)
    page.screenshot(
        path=str(artifacts() / "election-poll-375.png"), full_page=True, animations="disabled"
    )

    # The paper ballots, one by one. The second is entered wrongly (b against, c for).
    page.locator("#enter-ballots").click()
    expect(page).to_have_url(re.compile(r"/ballot/$"))
    ballots = [
        {a: "Y", b: "Y", c: "N"},
        {a: "Y", b: "N", c: "Y"},  # should have been: a for, b for, c against
        {a: "Y", b: "Y", c: "-"},
        {a: "N", b: "Y", c: "Y"},
    ]
    for n, marks in enumerate(ballots, start=1):
        ballot = page.locator("#ballot-form")
        tap_marks(ballot, marks)
        assert no_horizontal_scroll(page)
        if n == 1:
            page.screenshot(
                path=str(artifacts() / "election-ballot-375.png"),
                full_page=True,
                animations="disabled",
            )
        submit = ballot.locator("button[type=submit]")
        assert submit.bounding_box()["height"] >= MIN_TAP
        submit.click()
        expect(page.locator(".alert-success")).to_contain_text(str(n))
        expect(page.locator("#entered")).to_contain_text(str(n))
        # The next ballot starts blank (every mark on abstain).
        for name in (a, b, c):
            group = page.get_by_role("group", name=name, exact=True)
            expect(group.get_by_role("radio", name="弃权", exact=True)).to_be_checked()

    # The correction screen: the ballot as it was entered, as it should be, and why.
    page.locator("#correct-ballot").click()
    expect(page).to_have_url(re.compile(r"/ballot/correct/$"))
    correct = page.locator("#ballot-correct-form")
    old, new = correct.locator(".col-md-6").nth(0), correct.locator(".col-md-6").nth(1)
    tap_marks(old, ballots[1])
    tap_marks(new, {a: "Y", b: "Y", c: "N"})
    correct.locator("#id_reason").fill("第二张选票录入时看错了行")
    assert no_horizontal_scroll(page)
    page.screenshot(
        path=str(artifacts() / "election-correct-375.png"), full_page=True, animations="disabled"
    )
    submit = correct.locator("button[type=submit]")
    assert submit.bounding_box()["height"] >= MIN_TAP
    submit.click()
    expect(page.locator(".alert-success")).to_contain_text("选票已更正")
    expect(page).to_have_url(poll_url)
    expect(page.locator("#ballot-corrections")).to_contain_text("第二张选票录入时看错了行")
    expect(page.locator("#ballots-entered")).to_contain_text("4")

    # The provisional result, then the declaration.
    expect(page.locator("#poll-result h2")).to_contain_text("未宣布")
    page.locator("#close-poll button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page).to_have_url(poll_url)
    result = page.locator("#poll-result")
    expect(result.locator("h2")).to_have_text("已宣布结果")
    expect(result.locator("#elected")).to_contain_text(a)
    expect(result.locator("#elected")).to_contain_text(b)
    expect(result.locator("#elected")).not_to_contain_text(c)
    lines = result.locator("#lines li")
    expect(lines).to_have_count(3)
    # Each candidate's votes (for / against / abstain) and the reason for the outcome.
    expected = {a: ("3 / 1 / 0", "当选"), b: ("4 / 0 / 0", "当选"), c: ("1 / 2 / 1", "未当选")}
    for name, (votes, outcome) in expected.items():
        line = lines.filter(has_text=name)
        expect(line.locator(".font-monospace")).to_have_text(votes)
        reason = line.locator(".text-muted")
        expect(reason).to_contain_text("实到会有选举权的人数 4 人")
        expect(reason).to_contain_text(outcome)
    expect(lines.filter(has_text=a)).to_have_class(re.compile("list-group-item-success"))
    expect(lines.filter(has_text=c)).not_to_have_class(re.compile("list-group-item-success"))
    assert no_horizontal_scroll(page)
    page.screenshot(
        path=str(artifacts() / "election-result-375.png"), full_page=True, animations="disabled"
    )

    # Counting has ended: the ballot screen no longer takes ballots.
    page.goto(poll_url + "ballot/")
    expect(page.locator("#ballot-form")).to_have_count(0)
    expect(page.locator(".alert-secondary")).to_be_visible()
