"""Pages of transfers, floating members, development plans and congress delegates: each shown
to the users who may see it, each write done through its form, and every other organization
refused (404 for what they may not see, 403 for what they may see but not change)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.people.delegates import seat_delegate
from jiceng.people.floating import record_outflow
from jiceng.people.models import (
    Delegate,
    DevelopmentPlan,
    FloatingRecord,
    FloatingReport,
    FollowUp,
    PartyMembership,
    Stage,
    Transfer,
)
from jiceng.people.services import enrol_member, register_person
from jiceng.people.transfers import issue_transfer
from jiceng.people.unions import join_union
from tests.conftest import LONG_AGO

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
LETTER = "和组转〔2026〕3号"


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def ppl(world):
    """Branch A1: 张三 and 李四 (full members); union U: two members and an officer."""
    system = world.system
    serial = iter(range(301, 999, 2))

    def member(name, org):
        p = register_person(
            system, org=org, name=name, id_number=id_number(dt.date(1980, 2, 2), next(serial))
        )
        return enrol_member(
            system,
            p,
            org=org,
            stage=Stage.FULL,
            joined_on=dt.date(2005, 7, 1),
            full_on=dt.date(2006, 7, 1),
        )

    def union_member(name, number):
        p = register_person(
            system,
            org=world.union,
            name=name,
            id_number=id_number(dt.date(1990, 3, 3), next(serial)),
        )
        join_union(system, p, org=world.union, member_number=number, joined_on=LONG_AGO)
        return p

    u_officer = create_user(system, username="u_officer", password=None)
    assign_role(system, user=u_officer, role=Role.OFFICER, org=world.union, valid_from=LONG_AGO)
    return SimpleNamespace(
        zhang=member("张三", world.branch_a1),
        li=member("李四", world.branch_a1),
        worker1=union_member("王会员", "GH-001"),
        worker2=union_member("赵会员", "GH-002"),
        u_officer=u_officer,
    )


# --- Links -------------------------------------------------------------------------------------


def test_the_organization_page_links_the_new_pages(world, login, ppl):
    html = page(login(world.users["a1_officer"]).get(reverse("orgs:org_detail", args=["A1"])))
    for name in ("org_transfers", "org_floating", "org_plans"):
        assert reverse(f"people:{name}", args=["A1"]) in html
    assert "组织关系转接" in html and "流动党员" in html and "发展党员计划" in html
    html = page(login(ppl.u_officer).get(reverse("orgs:org_detail", args=["U"])))
    assert reverse("people:union_delegates", args=["U"]) in html
    assert reverse("people:org_transfers", args=["U"]) not in html


# --- Transfers ---------------------------------------------------------------------------------


def issue(client, m, **data):
    fields = {"to_org": "", "to_outside": "", "letter_number": LETTER, "on": TODAY.isoformat()}
    fields.update(data)
    return client.post(
        reverse("people:member_transfer", args=[m.pk]),
        {f"transfer-{k}": v for k, v in fields.items()},
    )


def decide(client, t, step, **data):
    fields = {"on": TODAY.isoformat(), **data}
    return client.post(
        reverse("people:transfer_detail", args=[t.pk]),
        {"step": step, **{f"{step}-{k}": v for k, v in fields.items()}},
    )


def test_a_letter_is_issued_accepted_and_reported_in_through_the_pages(world, login, ppl):
    sender, receiver = login(world.users["a1_officer"]), login(world.users["a2_officer"])
    html = page(sender.get(reverse("people:member_detail", args=[ppl.zhang.pk])))
    assert 'id="issue-transfer"' in html and "开具组织关系介绍信" in html
    # Organizations the officer sees are suggested; others are typed by their code.
    upper = login(world.users["street_a_admin"])
    html = page(upper.get(reverse("people:member_detail", args=[ppl.zhang.pk])))
    assert '<option value="A2">' in html and '<option value="A1">' not in html

    response = issue(sender, ppl.zhang, to_org="A2")
    t = Transfer.objects.get(membership=ppl.zhang)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:transfer_detail", args=[t.pk])
    assert (t.state, t.to_org, t.letter_number) == ("issued", world.branch_a2, LETTER)

    # The sender sees it outgoing, with the receiver's deadline to decide; no decision forms.
    html = page(sender.get(reverse("people:org_transfers", args=["A1"])))
    outgoing = html.split('id="outgoing"')[1]
    assert "张三" in outgoing and "和平社区第二党支部" in outgoing and "办理期限" in outgoing
    assert "张三" not in html.split('id="incoming"')[1].split('id="outgoing"')[0]
    html = page(sender.get(reverse("people:transfer_detail", args=[t.pk])))
    assert 'id="transfer-steps"' not in html
    assert decide(sender, t, "accept").status_code == 403  # not the sender's decision

    # The receiver sees it incoming and accepts it; then records the report-in.
    html = page(receiver.get(reverse("people:org_transfers", args=["A2"])))
    assert "张三" in html.split('id="incoming"')[1].split('id="outgoing"')[0]
    html = page(receiver.get(reverse("people:transfer_detail", args=[t.pk])))
    assert 'id="transfer-step-accept"' in html and 'id="transfer-step-reject"' in html
    assert decide(receiver, t, "accept").status_code == 302
    t.refresh_from_db()
    assert t.state == "accepted" and t.report_by > TODAY
    html = page(receiver.get(reverse("people:transfer_detail", args=[t.pk])))
    assert "已接收" in html and "报到期限" in html and 'id="transfer-step-report"' in html
    response = decide(receiver, t, "report")
    assert response.status_code == 302
    t.refresh_from_db()
    ppl.zhang.refresh_from_db()
    assert t.state == "reported" and ppl.zhang.org == world.branch_a2

    # The member's page now belongs to the receiver; the timeline links the letter.
    html = page(receiver.get(reverse("people:member_detail", args=[ppl.zhang.pk])))
    link = reverse("people:transfer_detail", args=[t.pk])
    assert html.split('id="timeline"')[1].count(link) == 1 and LETTER in html
    assert sender.get(reverse("people:member_detail", args=[ppl.zhang.pk])).status_code == 404
    # The sender still sees its letter.
    assert sender.get(link).status_code == 200


def test_a_rejection_needs_a_reason_and_shows_it(world, login, ppl):
    t = issue_transfer(
        world.users["a1_officer"], ppl.li, to_org=world.branch_a2, letter_number=LETTER
    )
    receiver = login(world.users["a2_officer"])
    html = page(decide(receiver, t, "reject", reason=""))
    assert "这个字段是必填项" in html.split('id="transfer-step-reject"')[1]
    t.refresh_from_db()
    assert t.state == "issued"
    assert decide(receiver, t, "reject", reason="介绍信抬头有误").status_code == 302
    t.refresh_from_db()
    assert t.state == "rejected" and t.reason == "介绍信抬头有误"
    html = page(login(world.users["a1_officer"]).get(reverse("people:org_transfers", args=["A1"])))
    assert "介绍信抬头有误" in html
    # The member stays at A1 and a new letter may be issued from their page.
    html = page(
        login(world.users["a1_officer"]).get(reverse("people:member_detail", args=[ppl.li.pk]))
    )
    assert 'id="issue-transfer"' in html and "已退回" in html


def test_a_letter_to_an_organization_outside_the_system(world, login, ppl):
    client = login(world.users["a1_officer"])
    assert issue(client, ppl.li, to_outside="中共某省某市某党支部").status_code == 302
    t = Transfer.objects.get(membership=ppl.li)
    ppl.li.refresh_from_db()
    assert t.state == "sent_out" and t.to_outside == "中共某省某市某党支部"
    assert ppl.li.stage == Stage.TRANSFERRED_OUT
    html = page(client.get(reverse("people:transfer_detail", args=[t.pk])))
    assert "中共某省某市某党支部" in html and "系统外" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请填写接收组织"),
        ({"to_org": "A2", "to_outside": "某党支部"}, "请填写接收组织"),
        ({"to_org": "NOPE"}, "没有代码为 NOPE 的现有党组织"),
        ({"to_org": "U"}, "没有代码为 U 的现有党组织"),  # a union cannot receive a Party member
        ({"to_org": "A1"}, "已隶属于"),  # the member's own branch
        ({"to_org": "A2", "on": (TODAY + DAY).isoformat()}, "日期不得晚于今天"),
    ],
)
def test_a_wrong_letter_is_refused_in_chinese_and_nothing_is_written(
    world, login, ppl, data, message
):
    response = issue(login(world.users["a1_officer"]), ppl.zhang, **data)
    assert response.status_code == 200
    assert message in page(response) and 'id="issue-transfer" open' in page(response)
    assert not Transfer.objects.exists()


def test_a_letter_number_is_used_once_per_sender(world, login, ppl):
    client = login(world.users["a1_officer"])
    assert issue(client, ppl.zhang, to_org="A2").status_code == 302
    response = issue(client, ppl.li, to_org="SA")
    assert response.status_code == 200 and "已被" in page(response)
    assert Transfer.objects.count() == 1


def test_other_organizations_cannot_read_or_write_transfers(world, login, ppl):
    t = issue_transfer(
        world.users["a1_officer"], ppl.zhang, to_org=world.branch_a2, letter_number=LETTER
    )
    viewer = login(world.users["viewer"])  # street B
    for url in (
        reverse("people:transfer_detail", args=[t.pk]),
        reverse("people:org_transfers", args=["A1"]),
        reverse("people:org_transfers", args=["A2"]),
    ):
        response = viewer.get(url)
        assert response.status_code == 404 and "张三" not in page(response)
    assert decide(viewer, t, "accept").status_code == 404
    assert issue(viewer, ppl.li, to_org="B1").status_code == 404
    # A2's officer sees the letter addressed to A2, but not A1's list or A1's members.
    a2 = login(world.users["a2_officer"])
    assert a2.get(reverse("people:org_transfers", args=["A1"])).status_code == 404
    assert issue(a2, ppl.li, to_org="A2").status_code == 404
    # A member of A1 may read but not write.
    member = login(world.users["a1_member"])
    assert member.get(reverse("people:transfer_detail", args=[t.pk])).status_code == 200
    assert issue(member, ppl.li, to_org="A2").status_code == 403
    assert Transfer.objects.count() == 1
    t.refresh_from_db()
    assert t.state == "issued"


def receive(client, code, number, **data):
    fields = {
        "name": "周外来",
        "id_number": number,
        "phone": "",
        "from_outside": "中共某省某县某党支部",
        "letter_number": "外组转〔2026〕8号",
        "stage": "full",
        "joined_on": "2010-07-01",
        "full_on": "2011-07-01",
        "on": TODAY.isoformat(),
        **data,
    }
    return client.post(
        reverse("people:org_transfers", args=[code]),
        {f"receive-{k}": v for k, v in fields.items()},
    )


def test_a_member_from_outside_the_system_reports_in(world, login, ppl):
    officer = login(world.users["a1_officer"])
    assert 'id="receive-from-outside"' in page(
        officer.get(reverse("people:org_transfers", args=["A1"]))
    )
    number = id_number(dt.date(1986, 6, 6), 501)
    response = receive(officer, "A1", number)
    t = Transfer.objects.get(from_outside="中共某省某县某党支部")
    assert response["Location"] == reverse("people:transfer_detail", args=[t.pk])
    m = t.membership
    assert (t.state, m.org, m.stage, m.person.name) == (
        "reported",
        world.branch_a1,
        "full",
        "周外来",
    )
    html = page(officer.get(reverse("people:org_transfers", args=["A1"])))
    assert "周外来" in html.split('id="incoming"')[1].split('id="outgoing"')[0]

    # Someone already on the books elsewhere: refused without saying where.
    elsewhere = enrol_member(
        world.system,
        register_person(
            world.system,
            org=world.branch_b1,
            name="吴新华",
            id_number=id_number(dt.date(1986, 6, 6), 503),
        ),
        org=world.branch_b1,
        stage=Stage.FULL,
        joined_on=dt.date(2010, 7, 1),
    )
    html = page(receive(officer, "A1", id_number(dt.date(1986, 6, 6), 503), name="吴新华"))
    assert "已有人员登记" in html and "新华社区第一党支部" not in html
    elsewhere.refresh_from_db()
    assert elsewhere.org == world.branch_b1 and Transfer.objects.count() == 1
    # A bad ID number is named; nothing is written.
    html = page(receive(officer, "A1", "110105198606060000"))
    assert "校验码有误" in html and Transfer.objects.count() == 1

    # Other branches and members cannot receive for A1.
    assert (
        receive(
            login(world.users["a2_officer"]), "A1", id_number(dt.date(1987, 1, 1), 505)
        ).status_code
        == 404
    )
    assert (
        receive(
            login(world.users["a1_member"]), "A1", id_number(dt.date(1987, 1, 1), 505)
        ).status_code
        == 403
    )
    assert Transfer.objects.count() == 1


# --- Floating members ----------------------------------------------------------------------------


def test_outflow_follow_up_card_and_the_monthly_report(world, login, ppl):
    officer = login(world.users["a1_officer"])
    html = page(officer.get(reverse("people:member_detail", args=[ppl.li.pk])))
    assert 'id="record-outflow"' in html
    response = officer.post(
        reverse("people:member_floating", args=[ppl.li.pk]),
        {
            "step": "outflow",
            "outflow-place": "广东省深圳市",
            "outflow-on": (TODAY - 3 * DAY).isoformat(),
            "outflow-contact_person": "王书记",
            "outflow-contact_phone": "13800001111",
        },
    )
    rec = FloatingRecord.objects.get(membership=ppl.li)
    assert response["Location"] == reverse("people:floating_record", args=[rec.pk])
    ppl.li.refresh_from_db()
    assert ppl.li.floating == "outflow" and ppl.li.person.phone_masked.endswith("1111")

    html = page(officer.get(reverse("people:org_floating", args=["A1"])))
    outflow = html.split('id="outflow"')[1].split('id="inflow"')[0]
    assert "李四" in outflow and "广东省深圳市" in outflow and "未发活动证" in outflow

    url = reverse("people:floating_record", args=[rec.pk])
    response = officer.post(
        url,
        {
            "step": "follow_up",
            "follow_up-on": TODAY.isoformat(),
            "follow_up-thinking": "思想稳定",
            "follow_up-employment": "在电子厂务工",
            "follow_up-note": "电话联系",
        },
    )
    assert response.status_code == 302
    officer.post(url, {"step": "card", "card-card_number": "粤流-0042", "card-on": TODAY})
    html = page(officer.get(url))
    assert "思想稳定" in html and "在电子厂务工" in html and "电话联系" in html
    assert "粤流-0042" in html.split('id="card"')[1]
    # A follow-up with nothing in it is refused in Chinese.
    html = page(officer.post(url, {"step": "follow_up", "follow_up-on": TODAY.isoformat()}))
    assert "请至少填写" in html and FollowUp.objects.count() == 1

    # The district (an upper organization) views and submits this month's report.
    month = f"{TODAY:%Y-%m}"
    admin = login(world.users["district_admin"])
    html = page(admin.get(reverse("people:org_floating", args=["D"])))
    figures = html.split('id="month-figures"')[1].split("</dl>")[0]
    assert figures.split("</dd>")[0].endswith(">1")  # floating out at the month end
    assert "尚未上报" in html and 'id="submit-report"' in html
    response = admin.post(reverse("people:org_floating", args=["D"]), {"month": month})
    assert response.status_code == 302
    report = FloatingReport.objects.get(org=world.district, month=month)
    assert report.figures["outflow"] == 1 and report.figures["cards"] == 1
    html = page(admin.get(reverse("people:org_floating", args=["D"]) + f"?month={month}"))
    assert "已上报" in html.split('id="report-status"')[1]
    # A branch sees its figures but does not report monthly.
    html = page(officer.get(reverse("people:org_floating", args=["A1"])))
    assert 'id="submit-report"' not in html

    # Back home: floating ends and no more forms are offered.
    officer.post(url, {"step": "return", "return-on": TODAY.isoformat()})
    rec.refresh_from_db()
    ppl.li.refresh_from_db()
    assert rec.valid_until == TODAY and ppl.li.floating == ""
    assert 'id="record-steps"' not in page(officer.get(url))


def test_inflow_assigns_the_member_to_the_nearest_branch(world, login, ppl):
    admin = login(world.users["street_a_admin"])
    response = admin.post(
        reverse("people:member_floating", args=[ppl.zhang.pk]),
        {
            "step": "inflow",
            "inflow-org": "A2",
            "inflow-origin": "河南省郑州市",
            "inflow-on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    ppl.zhang.refresh_from_db()
    assert ppl.zhang.org == world.branch_a2 and ppl.zhang.floating == "inflow"
    html = page(login(world.users["a2_officer"]).get(reverse("people:org_floating", args=["A2"])))
    assert "张三" in html.split('id="inflow"')[1] and "河南省郑州市" in html


def test_other_organizations_cannot_read_or_write_floating_members(world, login, ppl):
    rec = record_outflow(
        world.users["a1_officer"],
        ppl.li,
        place="广东省深圳市",
        since=TODAY - 10 * DAY,
        contact_person="王书记",
    )
    url = reverse("people:floating_record", args=[rec.pk])
    for intruder in ("a2_officer", "viewer", "nobody"):
        client = login(world.users[intruder])
        for target in (url, reverse("people:org_floating", args=["A1"])):
            response = client.get(target)
            assert response.status_code == 404 and "李四" not in page(response)
        response = client.post(
            url, {"step": "follow_up", "follow_up-on": TODAY, "follow_up-thinking": "x"}
        )
        assert response.status_code == 404
    # The branch cannot submit its upper organization's report, which it cannot even see.
    response = login(world.users["a1_officer"]).post(
        reverse("people:org_floating", args=["D"]), {"month": f"{TODAY:%Y-%m}"}
    )
    assert response.status_code == 404
    # A member reads but does not write.
    member = login(world.users["a1_member"])
    assert member.get(url).status_code == 200
    assert (
        member.post(url, {"step": "card", "card-card_number": "X", "card-on": TODAY}).status_code
        == 403
    )
    assert (
        member.post(
            reverse("people:member_floating", args=[ppl.zhang.pk]),
            {
                "step": "outflow",
                "outflow-place": "x",
                "outflow-on": TODAY,
                "outflow-contact_person": "y",
            },
        ).status_code
        == 403
    )
    assert not FollowUp.objects.exists() and FloatingRecord.objects.count() == 1
    assert not FloatingReport.objects.exists()


# --- Development plans ---------------------------------------------------------------------------


def test_plans_are_set_and_show_their_progress(world, login, ppl):
    officer = login(world.users["a1_officer"])
    url = reverse("people:org_plans", args=["A1"])
    html = page(officer.get(url))
    assert 'id="set-plan"' in html and "尚未制定发展党员计划" in html
    year = TODAY.year
    assert (
        officer.post(
            url, {"first_year": year, "target": 4, "groups": "青年：3\n女性: 1"}
        ).status_code
        == 302
    )
    assert (
        officer.post(url, {"first_year": year, "last_year": year + 4, "target": 20}).status_code
        == 302
    )
    plans = {
        (p.first_year, p.last_year): p for p in DevelopmentPlan.objects.filter(org=world.branch_a1)
    }
    assert plans[(year, year)].targets_by_group == {"青年": 3, "女性": 1}
    assert plans[(year, year + 4)].target == 20
    html = page(officer.get(url))
    annual = html.split(f'id="plan-{year}-{year}"')[1].split('class="progress"')[0]
    assert f"{year}年度计划" in annual and "计划 4 名，已发展 0 名" in annual
    assert f'id="plan-{year}-{year + 4}"' in html and "青年: 0 / 3" in html
    # Six years is not a plan; a bad composition line is named.
    html = page(officer.post(url, {"first_year": year, "last_year": year + 5, "target": 1}))
    assert "计划期限须为一至五年" in html
    html = page(officer.post(url, {"first_year": year, "target": 1, "groups": "青年三名"}))
    assert "青年三名" in html
    assert DevelopmentPlan.objects.count() == 2


def test_other_organizations_cannot_read_or_write_plans(world, login, ppl):
    url = reverse("people:org_plans", args=["A1"])
    for intruder in ("a2_officer", "viewer", "nobody", "expired"):
        client = login(world.users[intruder])
        assert client.get(url).status_code == 404
        assert client.post(url, {"first_year": TODAY.year, "target": 9}).status_code == 404
    member = login(world.users["a1_member"])
    html = page(member.get(url))
    assert 'id="set-plan"' not in html
    assert member.post(url, {"first_year": TODAY.year, "target": 9}).status_code == 403
    assert not DevelopmentPlan.objects.exists()
    assert login(ppl.u_officer).get(reverse("people:org_plans", args=["U"])).status_code == 404


# --- Congress delegates --------------------------------------------------------------------------


def test_delegates_are_added_by_category_and_their_seats_ended(world, login, ppl):
    client = login(ppl.u_officer)
    url = reverse("people:union_delegates", args=["U"])
    html = page(client.get(url))
    for category in ("voting", "non_voting", "invited"):
        assert f'id="delegates-{category}"' in html
    assert "正式代表" in html and "列席代表" in html and "特邀代表" in html
    start = (TODAY - 30 * DAY).isoformat()
    response = client.post(
        url,
        {
            "step": "seat",
            "seat-member_number": "GH-001",
            "seat-category": "voting",
            "seat-term_from": start,
        },
    )
    assert response.status_code == 302
    client.post(
        url,
        {
            "step": "seat",
            "seat-member_number": "GH-002",
            "seat-category": "invited",
            "seat-term_from": start,
        },
    )
    html = page(client.get(url))
    assert "王会员" in html.split('id="delegates-voting"')[1].split("</section>")[0]
    assert "赵会员" in html.split('id="delegates-invited"')[1].split("</section>")[0]

    # Unknown numbers and a second seat for the same member are refused in Chinese.
    html = page(
        client.post(
            url,
            {
                "step": "seat",
                "seat-member_number": "GH-999",
                "seat-category": "voting",
                "seat-term_from": start,
            },
        )
    )
    assert "GH-999" in html
    html = page(
        client.post(
            url,
            {
                "step": "seat",
                "seat-member_number": "GH-001",
                "seat-category": "non_voting",
                "seat-term_from": start,
            },
        )
    )
    assert "王会员" in html and Delegate.objects.count() == 2

    seat = Delegate.objects.get(person=ppl.worker1)
    assert (
        client.post(
            url, {"step": "end", "end-seat": seat.pk, "end-on": TODAY.isoformat()}
        ).status_code
        == 302
    )
    seat.refresh_from_db()
    assert seat.valid_until == TODAY
    html = page(client.get(url))
    assert "王会员" not in html.split('id="delegates-voting"')[1].split("</section>")[0]
    assert "王会员" in html.split('id="past-delegates"')[1]
    assert AuditEvent.objects.filter(action="people.delegate.end_seat").count() == 1
    # Ending it again is refused.
    html = page(client.post(url, {"step": "end", "end-seat": seat.pk, "end-on": TODAY.isoformat()}))
    assert 'id="end-errors"' in html


def test_other_organizations_cannot_read_or_write_delegates(world, login, ppl):
    seat = seat_delegate(
        world.system, ppl.worker1, org=world.union, category="voting", valid_from=LONG_AGO
    )
    url = reverse("people:union_delegates", args=["U"])
    for intruder in ("a1_officer", "district_admin", "viewer", "nobody"):
        client = login(world.users[intruder])
        response = client.get(url)
        assert response.status_code == 404 and "王会员" not in page(response)
        response = client.post(url, {"step": "end", "end-seat": seat.pk, "end-on": TODAY})
        assert response.status_code == 404
    # A Party organization has no delegates page.
    assert (
        login(world.users["a1_officer"])
        .get(reverse("people:union_delegates", args=["A1"]))
        .status_code
        == 404
    )
    # A viewer of the union may read, not change.
    union_viewer = create_user(world.system, username="u_viewer", password=None)
    assign_role(
        world.system,
        user=union_viewer,
        role=Role.VIEWER,
        org=world.union,
        scope=Scope.SUBTREE,
        valid_from=LONG_AGO,
    )
    client = login(union_viewer)
    assert "王会员" in page(client.get(url)) and 'id="add-delegate"' not in page(client.get(url))
    response = client.post(
        url,
        {
            "step": "seat",
            "seat-member_number": "GH-002",
            "seat-category": "voting",
            "seat-term_from": TODAY,
        },
    )
    assert response.status_code == 403
    seat.refresh_from_db()
    assert seat.valid_until is None and Delegate.objects.count() == 1
    assert PartyMembership.objects.count() == 2
