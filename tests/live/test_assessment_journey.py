"""An assessment round in a browser (issue 13): the street's officer (jd) writes the street's
scheme from the seed's, publishes it and opens a half-year round for the street; the branch
secretary (zb), on a phone, fills in the self-assessment with the clauses filled from the
records shown beside her inputs and hands it in; the street starts the review, scores the
branch down to 70 points (basic pass), publishes the results and, once the publicity is over,
makes them final; the branch's to-do centre then asks for the rectification plan.

The other organizations of the street are handed in and reviewed through `jiceng shell` (as
their secretaries and reviewers would), and the publicity's end is moved to today as the
calendar would, like the other journeys do with their dates.
"""

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.live

PASSWORD = "jiceng2026"
SCHEME_NAME = "街道党支部工作考评"
LOWERED = {
    "台账资料齐全规范": "0",
    "落实党风廉政建设责任，无违纪违规问题": "0",
    "开展民主评议党员": "0",
}

SETUP = """
import json
from jiceng.access.models import RoleAssignment, User
from jiceng.people.models import PartyMembership
zb = User.objects.get(username="zb")
branch = PartyMembership.objects.filter(person=zb.person).first().org
street = RoleAssignment.objects.filter(user__username="jd").first().org
print(json.dumps({"branch": branch.code, "street": street.code}))
"""

REVIEW_OTHERS = """
from jiceng.access.models import User
from jiceng.assessment import services
from jiceng.assessment.models import Round
jd = User.objects.get(username="jd")
r = Round.objects.get(pk=%d)
n = 0
for e in r.entries.exclude(org__code=%r):
    services.review_entry(jd, e, {})
    n += 1
print(n)
"""

PUBLICITY_OVER = """
from django.utils import timezone
from jiceng.assessment.models import Round
print(Round.objects.filter(pk=%d).update(publicity_until=timezone.localdate()))
"""


def shell(live_env, code: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "jiceng.cli", "shell", "-c", code],
        env=live_env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout.strip()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def artifacts() -> Path:
    path = Path("test-artifacts")
    path.mkdir(exist_ok=True)
    return path


def log_in(browser, base: str, username: str, viewport=None):
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))
    return context, page


def step(page, key: str):
    page.locator(f"#step-{key}").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_an_assessment_round_from_scheme_to_rectification(live_server_url, live_env, browser):
    base = live_server_url
    ids = json.loads(shell(live_env, SETUP).splitlines()[-1])
    branch, street = ids["branch"], ids["street"]

    # The street's officer: the menu → his street → a new scheme from the seed's → publish.
    street_ctx, jd = log_in(browser, base, "jd")
    jd.locator("#nav-assessment").click()
    expect(jd).to_have_url(re.compile(r"/assessment/$"))
    jd.goto(f"{base}/assessment/orgs/{street}/schemes/")
    jd.locator("#new-scheme").click()
    expect(jd.locator("#id_block_1_clauses")).to_contain_text("三会一课")
    # The demo already runs the seed's scheme this half-year: this one has its own code and name.
    jd.locator("#id_code").fill("street-journey")
    jd.locator("#id_name").fill(SCHEME_NAME)
    jd.locator("#scheme-save").click()
    expect(jd.locator(".alert-success")).to_be_visible()
    jd.locator("#publish-scheme").click()
    expect(jd.locator(".alert-success")).to_be_visible()

    # … and opens the half-year round for the street.
    jd.goto(f"{base}/assessment/orgs/{street}/rounds/new/")
    today = dt.date.today()
    period = f"{today.year}H2" if today.month >= 7 else f"{today.year - 1}H2"
    jd.locator("#id_scheme").select_option(label=f"{SCHEME_NAME}（v1）")
    jd.locator("#id_period").select_option(period)
    jd.locator("#round-submit").click()
    expect(jd).to_have_url(re.compile(r"/assessment/rounds/\d+/$"))
    round_id = int(re.search(r"/rounds/(\d+)/", jd.url).group(1))
    expect(jd.locator(f"#board-{branch}")).to_contain_text("未提交自评")

    # The branch secretary on her phone: the to-do centre links the self-assessment.
    phone_ctx, zb = log_in(browser, base, "zb", viewport={"width": 390, "height": 844})
    zb.locator("main a[href*='/assessment/entries/']", has_text=SCHEME_NAME).first.click()
    expect(zb).to_have_url(re.compile(r"/assessment/entries/\d+/$"))
    entry_url = zb.url
    figures = zb.locator(".auto-figure")
    expect(figures.first).to_be_visible()
    assert re.search(r"\d+/\d+", figures.first.inner_text()), figures.first.inner_text()
    assert zb.locator(".auto-figure a", has_text="查看记录").count() >= 1
    for box in zb.locator("input[name^='points_']").all():  # the rest by hand, full marks
        if not box.input_value():
            box.fill(box.get_attribute("max"))
    assert no_horizontal_scroll(zb)
    zb.screenshot(path=str(artifacts() / "assessment-self-390.png"), full_page=True)
    zb.locator("#entry-submit").click()
    expect(zb.locator(".alert-success")).to_be_visible()
    expect(zb.locator("#entry-state")).to_have_text("已提交自评")

    # The street starts the review, scores the branch, the others are reviewed too.
    jd.goto(f"{base}/assessment/rounds/{round_id}/")
    step(jd, "review")
    shell(live_env, REVIEW_OTHERS % (round_id, branch))
    jd.locator(f"#board-{branch} a").click()
    for clause in jd.locator(".clause").all():
        box = clause.locator("input[name^='rpoints_']")
        if not box.count():
            continue
        text = clause.locator("div").first.inner_text()
        lowered = next((v for k, v in LOWERED.items() if k in text), None)
        box.fill(lowered if lowered is not None else box.get_attribute("max"))
        clause.locator("input[name^='rreason_']").fill("巡查核实")
    jd.locator("#review_note").fill("台账资料不全，民主评议未开展")
    jd.locator("#entry-review").click()
    expect(jd.locator(".alert-success")).to_be_visible()
    expect(jd.locator("#entry-total")).to_have_text("70.00")
    expect(jd.locator("#entry-grade")).to_have_text("基本合格")

    # Publicity, then (its end moved to today) the final grades.
    jd.goto(f"{base}/assessment/rounds/{round_id}/")
    step(jd, "publish")
    expect(jd.locator("#round-state")).to_have_text("公示")
    shell(live_env, PUBLICITY_OVER % round_id)
    jd.reload()
    step(jd, "finalize")
    expect(jd.locator("#round-state")).to_have_text("已确定等次")
    expect(jd.locator(f"#board-{branch}")).to_contain_text("基本合格")
    street_ctx.close()

    # The branch's to-do centre asks for the rectification plan; the entry page takes it.
    zb.goto(base + "/todo/")
    expect(zb.locator("main")).to_contain_text("请提交整改方案")
    zb.goto(entry_url)
    expect(zb.locator("#plan-form")).to_be_visible()
    assert no_horizontal_scroll(zb)
    phone_ctx.close()
