"""A branch secretary on a phone: the pipeline board, a new applicant, the talk recorded.

The demo's members may have been changed by the API fuzzing of the same session, so these
journeys rely only on what they create and on records that cannot lose their ID number.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from jiceng.demo.names import id_number

pytestmark = pytest.mark.live

NAME = "测试申请人"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def artifacts() -> Path:
    path = Path("test-artifacts")
    path.mkdir(exist_ok=True)
    return path


def test_secretary_registers_an_applicant_and_records_the_talk(live_server_url, phone):
    phone.goto(live_server_url + "/accounts/login/")
    phone.get_by_label("用户名").fill("zb")
    phone.get_by_label("密码").fill("jiceng2026")
    phone.get_by_role("button", name="登录").click()
    expect(phone).to_have_url(re.compile(r"/todo/$"))

    # The member list (the demo branch has members), then the branch's pipeline board.
    phone.get_by_role("button", name="菜单").click()
    phone.locator("#nav-members").click()
    expect(phone).to_have_url(re.compile(r"/people/$"))
    expect(phone.locator("#members tbody tr").first).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.locator("#board-links a").first.click()
    expect(phone).to_have_url(re.compile(r"/orgs/[^/]+/pipeline/$"))
    for stage in ("applicant", "activist", "target", "probationary"):
        expect(phone.locator(f"#column-{stage}")).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts() / "pipeline-board-375.png"), full_page=True)

    # Register an applicant (the date defaults to today).
    form = phone.locator("#register-applicant")
    form.locator("#id_name").fill(NAME)
    form.locator("#id_id_number").fill(id_number(dt.date(1996, 1, 1), 901))
    form.locator("#id_phone").fill("13911112222")
    phone.locator("#register-submit").click()
    expect(phone.locator(".alert-success")).to_contain_text(NAME)
    card = phone.locator("#column-applicant .pipeline-card", has_text=NAME)
    expect(card).to_be_visible()
    assert no_horizontal_scroll(phone)

    # Their page: the talk is possible now; record it.
    card.get_by_role("link", name=NAME).click()
    expect(phone).to_have_url(re.compile(r"/people/\d+/$"))
    expect(phone.locator("h1")).to_contain_text(NAME)
    expect(phone.locator("#id-number")).to_contain_text("*")  # masked
    expect(phone.locator("#step-talk")).to_have_attribute("data-possible", "yes")
    expect(phone.locator("#step-activist")).to_have_attribute("data-possible", "no")
    assert no_horizontal_scroll(phone)
    talk = phone.locator("#step-form-talk")
    talk.locator("input[name=talk-note]").fill("支部书记与其谈话")
    talk.get_by_role("button").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(phone.locator("#timeline")).to_contain_text("支部书记与其谈话")
    expect(phone.locator("#step-activist")).to_have_attribute("data-possible", "yes")
    expect(phone.locator("#step-talk")).to_have_count(0)  # recorded once
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts() / "member-page-375.png"), full_page=True)


def test_the_secretary_reveals_an_id_number_with_htmx(live_server_url, phone):
    phone.goto(live_server_url + "/accounts/login/")
    phone.get_by_label("用户名").fill("zb")
    phone.get_by_label("密码").fill("jiceng2026")
    phone.get_by_role("button", name="登录").click()
    phone.goto(live_server_url + "/people/?stage=all")
    phone.locator("#members tbody a").first.click()
    masked = phone.locator("#id-number").inner_text()
    assert "*" in masked
    phone.locator("#reveal-id-number").click()
    revealed = phone.locator("[data-revealed=id_number]")
    expect(revealed).to_be_visible()
    assert "*" not in revealed.inner_text() and len(revealed.inner_text()) == 18
    assert no_horizontal_scroll(phone)


def test_a_member_sees_their_own_record(live_server_url, phone):
    phone.goto(live_server_url + "/accounts/login/")
    phone.get_by_label("用户名").fill("dy")
    phone.get_by_label("密码").fill("jiceng2026")
    phone.get_by_role("button", name="登录").click()
    phone.goto(live_server_url + "/me/")
    expect(phone.locator("#party-record .badge")).to_be_visible()
    expect(phone.locator("#union-record")).to_contain_text("-")  # a member number
    assert no_horizontal_scroll(phone)
    # A member may read the record of a fellow member but not reveal it.
    phone.goto(live_server_url + "/people/?stage=all")
    phone.locator("#members tbody a").first.click()
    expect(phone.locator("#reveal-id-number")).to_have_count(0)


def test_a_transfer_letter_is_issued_and_accepted_on_a_phone(live_server_url, phone):
    """The community committee's secretary moves a member to a neighbouring branch: the letter
    from the member's page, then the receiving branch's acceptance (both are hers to manage)."""
    phone.goto(live_server_url + "/accounts/login/")
    phone.get_by_label("用户名").fill("sq")
    phone.get_by_label("密码").fill("jiceng2026")
    phone.get_by_role("button", name="登录").click()
    expect(phone).to_have_url(re.compile(r"/todo/$"))
    phone.goto(live_server_url + "/people/?stage=full")
    links = phone.locator("#members tbody a")
    for i in range(min(links.count(), 10)):  # a member without an open letter
        phone.goto(live_server_url + "/people/?stage=full")
        phone.locator("#members tbody a").nth(i).click()
        if phone.locator("#issue-transfer").count():
            break
    else:
        pytest.fail("no full member to transfer")
    name = phone.locator("h1").evaluate("h => h.firstChild.textContent.trim()")
    form = phone.locator("#issue-transfer")
    form.locator("summary").click()
    receiver = phone.locator("#receiver-choices option").first.get_attribute("value")
    form.locator("#id_transfer-to_org").fill(receiver)
    letter = f"测试转〔{dt.datetime.now():%H%M%S%f}〕号"
    form.locator("#id_transfer-letter_number").fill(letter)
    assert no_horizontal_scroll(phone)
    phone.locator("#issue-transfer-submit").click()
    expect(phone).to_have_url(re.compile(r"/people/transfers/\d+/$"))
    expect(phone.locator(".alert-success")).to_contain_text(letter)
    expect(phone.locator("#transfer-state")).to_have_text("已开具，待接收")
    assert no_horizontal_scroll(phone)
    phone.locator("#transfer-accept-submit").click()
    expect(phone.locator("#transfer-state")).to_have_text("已接收，待报到")
    expect(phone.locator("#deadline")).to_be_visible()
    expect(phone.locator("#transfer-step-report")).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(artifacts() / "transfer-375.png"), full_page=True)
    # The receiving branch's list shows the letter as incoming, awaiting the report-in.
    phone.goto(live_server_url + f"/orgs/{receiver}/transfers/")
    expect(phone.locator("#incoming")).to_contain_text(name)
    assert no_horizontal_scroll(phone)
