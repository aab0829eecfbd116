"""Organizational life on phones (issue 5's first bullet): the branch secretary schedules a
branch committee meeting; two members sign in with the code from their own sessions; a third
asks for leave and the secretary approves it; the recorder (the secretary) writes the minutes
with one task; the compliance page shows this month's committee meeting as held; after the
freeze an edit is refused and a correction is appended and shown.

The demo's branch secretary (zb) and member (dy) are used; the two other members of the
branch committee (the demo's current term) get logins here (through `jiceng shell`, as an
administrator would create them). The meeting expects the committee, and the secretary adds
dy. The freeze date is a week after the meeting: the test moves it to yesterday, as the
calendar would.
"""

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.live

TOPIC = "支委会：研究本月主题党日安排"
PASSWORD = "jiceng2026"

SETUP = """
import json
from jiceng.access.models import Role, User
from jiceng.access.services import assign_role, create_user, system_actor
from django.utils import timezone
from jiceng.elections.selectors import committee_on
from jiceng.people.models import PartyMembership, Person

actor = system_actor()
zb, dy = User.objects.get(username="zb"), User.objects.get(username="dy")
branch = PartyMembership.objects.get(person=zb.person).org
officers = committee_on(branch, "party", timezone.localdate())
others = [pk for pk in officers if pk != zb.person_id][:2]
out = {"branch": branch.code, "zb": zb.person_id, "dy": dy.person_id}
for username, person in zip(["life_wy", "life_qj"], Person.objects.filter(pk__in=others)):
    user = create_user(
        actor, username=username, password="jiceng2026", full_name=person.name, person=person
    )
    assign_role(actor, user=user, role=Role.MEMBER, org=branch)
    out[username] = person.pk
print(json.dumps(out))
"""

FREEZE = """
import datetime as dt
from django.utils import timezone
from jiceng.life.models import Meeting
n = Meeting.objects.filter(topic=%r).update(freezes_on=timezone.localdate() - dt.timedelta(days=1))
print(n)
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


def log_in(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))
    return context, page


def sign_in_with_code(browser, base: str, username: str, code: str):
    context, page = log_in(browser, base, username)
    page.goto(base + "/life/")
    page.locator("#open-sign-in").click()
    expect(page).to_have_url(re.compile(r"/life/sign-in/$"))
    page.locator("#id_code").fill(code)
    page.locator("#sign-in-submit").click()
    expect(page.locator(".alert-success")).to_contain_text(TOPIC)
    expect(page.locator("#coming .my-presence").first).to_contain_text("已签到")
    assert no_horizontal_scroll(page)
    context.close()


def test_a_branch_committee_meeting_from_scheduling_to_correction(
    live_server_url, live_env, browser, phone
):
    base = live_server_url
    ids = json.loads(shell(live_env, SETUP).splitlines()[-1])
    branch = ids["branch"]

    # The secretary, on her phone: the organization page → meetings → schedule.
    secretary = phone
    secretary.goto(base + "/accounts/login/")
    secretary.get_by_label("用户名").fill("zb")
    secretary.get_by_label("密码").fill(PASSWORD)
    secretary.get_by_role("button", name="登录").click()
    expect(secretary).to_have_url(re.compile(r"/todo/$"))
    secretary.goto(f"{base}/orgs/{branch}/")
    secretary.locator("#link-life").click()
    expect(secretary).to_have_url(re.compile(rf"/life/orgs/{branch}/$"))
    assert no_horizontal_scroll(secretary)
    secretary.locator("#schedule-link").click()

    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    start = max(now - dt.timedelta(minutes=5), now.replace(hour=0, minute=0))
    end = min(start + dt.timedelta(hours=1), now.replace(hour=23, minute=59))
    form = secretary.locator("#schedule-form")
    form.locator("#id_kind").select_option("branch_committee")
    form.locator("#id_topic").fill(TOPIC)
    form.locator("#id_day").fill(start.strftime("%Y-%m-%d"))
    form.locator("#id_start").fill(start.strftime("%H:%M"))
    form.locator("#id_end").fill(end.strftime("%H:%M"))
    form.locator("#id_place").fill("社区党群服务中心")
    form.locator("#id_host").select_option(str(ids["zb"]))
    form.locator("#id_recorder").select_option(str(ids["zb"]))
    form.locator(f"input[name=attendees][value='{ids['dy']}']").check()  # besides the committee
    assert no_horizontal_scroll(secretary)
    secretary.locator("#schedule-submit").click()
    expect(secretary.locator(".alert-success")).to_be_visible()
    expect(secretary).to_have_url(re.compile(r"/life/meetings/\d+/$"))
    meeting_url = secretary.url
    expect(secretary.locator("#meeting-topic")).to_have_text(TOPIC)
    expect(secretary.locator("#sign-in-code svg")).to_be_visible()
    code = secretary.locator("#short-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    expect(secretary.locator("#count-expected")).to_have_text("4")
    assert no_horizontal_scroll(secretary)
    secretary.screenshot(path=str(artifacts() / "life-meeting-375.png"), full_page=True)

    # Two members sign in with the code, each from their own session and phone; so does the
    # secretary, in a second tab of her own session.
    sign_in_with_code(browser, base, "dy", code)
    sign_in_with_code(browser, base, "life_wy", code)
    own = secretary.context.new_page()
    own.goto(base + "/life/sign-in/")
    own.locator("#id_code").fill(code)
    own.locator("#sign-in-submit").click()
    expect(own.locator(".alert-success")).to_contain_text(TOPIC)
    own.close()

    # The third asks for leave from "my meetings".
    context, member = log_in(browser, base, "life_qj")
    member.goto(base + "/life/")
    row = member.locator("#coming li", has_text=TOPIC)
    row.locator(".ask-leave").click()
    member.locator("#id_reason").fill("外出培训")
    member.locator("#leave-submit").click()
    expect(member.locator(".alert-success")).to_be_visible()
    expect(member.locator("#coming li", has_text=TOPIC).locator(".my-presence")).to_contain_text(
        "请假"
    )
    context.close()

    # The secretary's page refreshes itself (htmx polling): three present, one leave to decide.
    expect(secretary.locator("#count-present")).to_have_text("3", timeout=15_000)
    expect(secretary.locator("#pending-leave")).to_contain_text("外出培训", timeout=15_000)
    secretary.locator("#pending-leave .approve-leave").click()
    expect(secretary.locator("#count-leave")).to_have_text("1")
    expect(secretary.locator("#pending-leave")).to_have_count(0)
    assert no_horizontal_scroll(secretary)

    # The recorder writes the minutes with one task, and marks the meeting held.
    minutes = secretary.locator("#minutes-form")
    minutes.locator("#id_content").fill("传达上级关于开展主题党日活动的通知，讨论本月安排。")
    minutes.locator("select[name='item-0-kind']").select_option("resolution")
    minutes.locator("textarea[name='item-0-text']").fill(
        "本月主题党日到社区养老服务站开展志愿服务。"
    )
    secretary.locator("#minutes-submit").click()
    expect(secretary.locator(".alert-success")).to_be_visible()
    secretary.locator("#add-action summary").click()
    action = secretary.locator("#action-form")
    action.locator("#id_action-text").fill("联系养老服务站确定时间")
    action.locator("#id_action-owner").select_option(str(ids["dy"]))
    action.locator("#id_action-due_on").fill((now + dt.timedelta(days=7)).strftime("%Y-%m-%d"))
    secretary.locator("#action-submit").click()
    expect(secretary.locator("#action-items")).to_contain_text("联系养老服务站确定时间")
    secretary.locator("#mark-held").click()
    expect(secretary.locator("#meeting-status")).to_have_text("已召开")
    expect(secretary.locator("#quorum")).to_have_text("到会人数符合规定")

    # The compliance page: this month's committee meeting is held.
    secretary.goto(f"{base}/life/compliance/?org={branch}")
    window = secretary.locator("#kind-branch_committee .current-window")
    expect(window).to_have_attribute("data-met", "yes")
    expect(secretary.locator("#compliance-meetings")).to_contain_text(TOPIC)
    assert no_horizontal_scroll(secretary)
    secretary.screenshot(path=str(artifacts() / "life-compliance-375.png"), full_page=True)

    # The page is open with the editor when the freeze date passes: the edit is refused.
    secretary.goto(meeting_url)
    expect(secretary.locator("#minutes-form")).to_be_visible()
    assert shell(live_env, FREEZE % TOPIC).splitlines()[-1] == "1"
    secretary.locator("#minutes-form #id_content").fill("事后改写的记录")
    secretary.locator("#minutes-submit").click()
    expect(secretary.locator("#minutes-refused")).to_contain_text("锁定")
    expect(secretary.locator("#minutes-form")).to_have_count(0)
    expect(secretary.locator("#minutes-content")).to_contain_text("传达上级关于开展主题党日活动")

    # A correction is appended, with its reason, and shown as such; the original stays.
    secretary.locator("#add-correction summary").click()
    correction = secretary.locator("#correction-form")
    correction.locator("#id_correction-target").select_option("content")
    correction.locator("#id_correction-new").fill(
        "传达上级关于开展主题党日活动的通知，讨论本月安排，确定志愿服务时间。"
    )
    correction.locator("#id_correction-reason").fill("原记录漏记确定时间一项")
    secretary.locator("#correction-submit").click()
    expect(secretary.locator(".alert-success")).to_be_visible()
    shown = secretary.locator("#correction-list li").first
    expect(shown).to_contain_text("更正")
    expect(shown).to_contain_text("确定志愿服务时间")
    expect(shown).to_contain_text("原记录漏记确定时间一项")
    expect(secretary.locator("#minutes-content")).to_contain_text("讨论本月安排。")
    expect(secretary.locator("#frozen-badge")).to_be_visible()
    assert no_horizontal_scroll(secretary)
    secretary.screenshot(path=str(artifacts() / "life-correction-375.png"), full_page=True)
