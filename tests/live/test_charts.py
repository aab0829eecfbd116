"""Charts on a 375 px phone (issue 12): the compliance page (the district inspector's
subordinate organizations), the tally of a poll (votes per candidate, the elected in green)
and a congress session's proposal figures draw server-rendered bars — no script — that fit
the screen, with the figures as a table under "数据表".

The poll is set up through `jiceng shell` in the demo branch of zb (three candidates, four
ballots counted); the congress session is the demo's.
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

SETUP = """
import json
from django.utils import timezone
from jiceng.access.models import User
from jiceng.congress.models import CongressSession
from jiceng.elections import services
from jiceng.people.models import PartyMembership

zb = User.objects.get(username="zb")
branch = PartyMembership.objects.get(person=zb.person).org
poll = services.create_poll(
    zb, org=branch, title="图表补选", seats=2, entitled=4, held_on=timezone.localdate(),
    candidates=["图表甲", "图表乙", "图表丙"],
)
services.record_attendance(zb, poll, present=4, issued=4, returned=4)
services.enter_sheet(zb, poll, label="第一计票组", ballots=4, lines=[
    {"name": "图表甲", "for": 3, "against": 1},
    {"name": "图表乙", "for": 1, "against": 3},
    {"name": "图表丙", "for": 2, "against": 2},
])
services.close_poll(zb, poll)
session = CongressSession.objects.order_by("pk").first()
print(json.dumps({"poll": poll.pk, "session": session.pk if session else None}))
"""


def shell(live_env, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "shell", "-c", code],
        env=live_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def artifacts() -> Path:
    path = Path("test-artifacts")
    path.mkdir(exist_ok=True)
    return path


def log_in(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))
    return context, page


def check_chart(page, chart_id: str, *, min_bars: int) -> list[str]:
    """The chart is drawn, fits the phone, and its data table opens; returns the labels."""
    chart = page.locator(f"#{chart_id}")
    expect(chart).to_be_visible()
    rows = chart.locator(".jc-bar-row")
    assert rows.count() >= min_bars
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    for i in range(rows.count()):
        bar = rows.nth(i).locator("svg.jc-bar").bounding_box()
        value = rows.nth(i).locator(".jc-bar-value").bounding_box()
        assert bar["width"] >= 40  # room for a bar between the label and the value
        assert value["x"] + value["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(f"#{chart_id} script").count() == 0
    table = chart.locator("details table")
    expect(table).to_be_hidden()
    chart.locator("summary", has_text="数据表").click()
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() == rows.count()
    return rows.locator(".jc-bar-label").all_inner_texts()


def fill_share(page, chart_id: str, label: str) -> float:
    """How much of its track a bar fills, as drawn by the browser (0..1)."""
    row = page.locator(
        f"#{chart_id} .jc-bar-row", has=page.locator(".jc-bar-label", has_text=label)
    )
    fill = row.locator(".jc-bar-fill").bounding_box()
    track = row.locator(".jc-bar-track").bounding_box()
    return fill["width"] / track["width"]


def test_charts_on_a_phone(live_server_url, live_env, browser):
    made = json.loads(shell(live_env, SETUP).splitlines()[-1])

    # The district inspector's compliance page: one bar per subordinate organization.
    context, page = log_in(browser, live_server_url, "ck")
    page.goto(live_server_url + "/life/compliance/")
    names = check_chart(page, "chart-compliance", min_bars=1)
    table_names = page.locator("#compliance-children tbody td:first-child").all_inner_texts()
    assert names == [n.strip() for n in table_names]
    context.close()

    # The tally: three candidates, bars as long as their share of the four present.
    context, page = log_in(browser, live_server_url, "zb")
    page.goto(f"{live_server_url}/elections/polls/{made['poll']}/")
    assert set(check_chart(page, "chart-votes", min_bars=3)) == {"图表甲", "图表乙", "图表丙"}
    assert fill_share(page, "chart-votes", "图表甲") == pytest.approx(0.75, abs=0.02)
    assert fill_share(page, "chart-votes", "图表乙") == pytest.approx(0.25, abs=0.02)
    page.screenshot(path=str(artifacts() / "charts-tally.png"), full_page=True)
    elected = page.locator("#chart-votes .jc-bar-row", has_text="图表甲").locator(".jc-bar-fill")
    assert "jc-tone-success" in elected.get_attribute("class")
    context.close()

    # The demo congress session's proposals by category and by state.
    assert made["session"], "the demo has a congress session with proposals"
    context, page = log_in(browser, live_server_url, "admin")
    page.goto(f"{live_server_url}/congress/sessions/{made['session']}/proposals/")
    check_chart(page, "chart-categories", min_bars=1)
    check_chart(page, "chart-states", min_bars=1)
    page.screenshot(path=str(artifacts() / "charts-congress.png"), full_page=True)
    context.close()
