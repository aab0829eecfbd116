"""Floating members: outflow and inflow, activity card, half-yearly follow-up, monthly report."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.people.floating import (
    add_follow_up,
    issue_card,
    record_inflow,
    record_outflow,
    record_return,
    submit_monthly_report,
)
from jiceng.people.models import FloatingReport, MembershipState, Stage
from jiceng.people.selectors import floating_figures, floating_month_figures, floating_roster
from jiceng.people.services import enrol_member, register_person
from jiceng.todo.selectors import duties_for

D0 = dt.date(2024, 1, 10)


def member(world, name="张三", seq=11, org=None):
    org = org or world.branch_a1
    p = register_person(
        world.system, org=org, name=name, id_number=id_number(dt.date(1988, 8, 8), seq)
    )
    return enrol_member(
        world.system,
        p,
        org=org,
        stage=Stage.FULL,
        joined_on=dt.date(2012, 7, 1),
        full_on=dt.date(2013, 7, 1),
    )


def refused(fn, *args, **kw) -> str:
    with pytest.raises(ValidationError) as err:
        fn(*args, **kw)
    return " ".join(m for ms in err.value.message_dict.values() for m in ms)


def outflow(world, m, since=D0, **kw):
    return record_outflow(
        world.users["a1_officer"],
        m,
        place="广东省深圳市",
        since=since,
        contact_person="王书记",
        **kw,
    )


def duties(user, kind, today):
    return [i for i in duties_for(user, today=today) if i.duty.kind == kind]


def test_outflow_card_follow_up_and_return(world):
    officer = world.users["a1_officer"]
    m = member(world)
    assert _("Name the person designated to keep in contact.") in refused(
        record_outflow, officer, m, place="深圳", since=D0, contact_person=""
    )
    rec = outflow(world, m, contact_phone="138 0013 8000")
    m.refresh_from_db()
    m.person.refresh_from_db()
    assert (m.floating, rec.direction) == ("outflow", "outflow")
    assert m.person.phone_masked == "138****8000"  # the person's phone, encrypted like any other
    assert "13800138000" not in str(
        list(AuditEvent.objects.values_list("before", "after"))
    )  # never in clear in the log
    assert "张三" in refused(outflow, world, m)  # already floating
    assert floating_figures(world.users["street_a_admin"], world.street_a, D0)["total"] == 1

    assert refused(issue_card, officer, rec, "", on=D0)
    assert str(D0) in refused(issue_card, officer, rec, "LD-0001", on=D0 - dt.timedelta(days=1))
    issue_card(officer, rec, "LD-0001", on=D0 + dt.timedelta(days=5))
    assert floating_figures(officer, world.branch_a1, D0 + dt.timedelta(days=5))["cards"] == 1

    assert _("Record at least one of thinking, employment and living.") in refused(
        add_follow_up, officer, rec, D0 + dt.timedelta(90)
    )
    follow = add_follow_up(
        officer, rec, D0 + dt.timedelta(days=90), thinking="思想稳定", employment="在电子厂务工"
    )
    assert follow.recorded_by == officer
    logged = AuditEvent.objects.get(action="people.floating.add_follow_up")
    assert logged.after["filled"] == ["employment", "thinking"]
    assert "思想稳定" not in str(logged.after)

    with pytest.raises(PermissionDenied):
        add_follow_up(world.users["a2_officer"], rec, D0 + dt.timedelta(days=91), living="租房")
    record_return(officer, rec, on=D0 + dt.timedelta(days=200))
    m.refresh_from_db()
    assert m.floating == "" and rec.valid_until == D0 + dt.timedelta(days=200)
    assert refused(record_return, officer, rec, on=D0 + dt.timedelta(days=201))
    history = MembershipState.objects.filter(membership=m).order_by("valid_from")
    assert [s.floating for s in history] == ["", "outflow", ""]


def test_an_inflow_member_is_assigned_to_the_nearest_branch(world):
    street = world.users["street_a_admin"]
    arrived = member(world, "李四", seq=13, org=world.street_a)  # registered by the street
    rec = record_inflow(street, arrived, org=world.branch_a2, origin="河北省保定市", since=D0)
    arrived.refresh_from_db()
    assert (arrived.org, arrived.floating, rec.place) == (world.branch_a2, "inflow", "河北省保定市")
    assert floating_figures(street, world.street_a, D0)["by_org"] == {world.branch_a2.pk: 1}
    other = member(world, "王五", seq=15, org=world.branch_b1)
    with pytest.raises(PermissionDenied):  # a branch cannot take over another street's member
        record_inflow(
            world.users["a1_officer"], other, org=world.branch_a1, origin="外地", since=D0
        )


def test_the_half_year_follow_up_falls_due(world):
    officer = world.users["a1_officer"]
    rec = outflow(world, member(world))
    due = D0 + dt.timedelta(days=183)
    assert not duties(officer, "people.floating_follow_up", due - dt.timedelta(days=30))
    [soon] = duties(officer, "people.floating_follow_up", due - dt.timedelta(days=7))
    assert soon.urgency == "due_soon" and soon.duty.due == due and "张三" in soon.duty.title
    [late] = duties(officer, "people.floating_follow_up", due + dt.timedelta(days=1))
    assert late.urgency == "overdue"
    assert not duties(world.users["a2_officer"], "people.floating_follow_up", due)
    add_follow_up(officer, rec, due, living="租住城中村")
    assert not duties(officer, "people.floating_follow_up", due + dt.timedelta(days=1))
    [next_one] = duties(officer, "people.floating_follow_up", due + dt.timedelta(days=183))
    assert next_one.duty.due == due + dt.timedelta(days=183)


def test_the_monthly_report_is_owed_by_the_upper_organizations_until_submitted(world):
    today = dt.date(2024, 6, 20)
    outflow(world, member(world))
    street, district = world.users["street_a_admin"], world.users["district_admin"]

    def owing(user):
        return sorted(
            (i.duty.org.code, i.duty.due, i.urgency)
            for i in duties_for(user, today=today)
            if i.duty.kind == "people.floating_report"
        )

    assert owing(street) == [
        ("SA", dt.date(2024, 5, 31), "overdue"),
        ("SA", dt.date(2024, 6, 30), "due_soon"),
    ]
    assert {code for code, _due, _u in owing(district)} == {
        "D",
        "SA",
    }  # not SB: nobody floats there
    assert owing(world.users["a1_officer"]) == []  # a branch does not report
    submit_monthly_report(street, world.street_a, "2024-06", on=today)
    assert owing(street) == [("SA", dt.date(2024, 5, 31), "overdue")]
    submit_monthly_report(street, world.street_a, "2024-05", on=today)
    assert owing(street) == []
    assert {code for code, _due, _u in owing(district)} == {"D"}
    with pytest.raises(PermissionDenied):
        submit_monthly_report(street, world.district, "2024-06", on=today)


def test_the_stored_figures_are_the_selectors_and_a_resubmission_replaces_them(world):
    officer, street = world.users["a1_officer"], world.users["street_a_admin"]
    gone = outflow(world, member(world, "甲", seq=11), since=dt.date(2024, 4, 20))
    issue_card(officer, gone, "LD-1", on=dt.date(2024, 5, 2))
    outflow(world, member(world, "乙", seq=13), since=dt.date(2024, 5, 8))
    back = outflow(world, member(world, "丙", seq=15), since=dt.date(2024, 3, 1))
    record_return(officer, back, on=dt.date(2024, 5, 20))
    record_inflow(
        street,
        member(world, "丁", seq=17, org=world.street_a),
        org=world.branch_a2,
        origin="湖南省长沙市",
        since=dt.date(2024, 5, 25),
    )
    outflow(world, member(world, "戊", seq=19), since=dt.date(2024, 6, 3))  # next month
    member(world, "己", seq=21, org=world.branch_b1)  # another street

    expected = {"outflow": 2, "inflow": 1, "new": 2, "returned": 1, "cards": 1, "cards_issued": 1}
    assert floating_month_figures(street, world.street_a, "2024-05") == expected
    report = submit_monthly_report(street, world.street_a, "2024-05", on=dt.date(2024, 5, 28))
    assert report.figures == expected == floating_month_figures(street, world.street_a, "2024-05")

    assert "2024-07" in refused(
        submit_monthly_report, street, world.street_a, "2024-07", on=dt.date(2024, 6, 30)
    )
    assert _("Enter the month as YYYY-MM.") in refused(
        submit_monthly_report, street, world.street_a, "五月"
    )
    again = submit_monthly_report(street, world.street_a, "2024-5", on=dt.date(2024, 6, 2))
    assert (
        again.pk == report.pk
        and again.month == "2024-05"
        and again.submitted_on == dt.date(2024, 6, 2)
    )
    assert FloatingReport.objects.count() == 1
    [first, second] = AuditEvent.objects.filter(action="people.floating.submit_report").order_by(
        "id"
    )
    assert first.before is None and second.before["figures"] == expected


def test_the_roster_lists_who_floats_on_a_date(world):
    officer, street = world.users["a1_officer"], world.users["street_a_admin"]
    rec = outflow(world, member(world, "甲", seq=11), since=dt.date(2024, 4, 20))
    issue_card(officer, rec, "LD-7", on=dt.date(2024, 5, 2))
    add_follow_up(officer, rec, dt.date(2024, 6, 1), thinking="好")
    rows = list(floating_roster(street, world.street_a, dt.date(2024, 5, 1)))
    assert [(r["name"], r["org_name"], r["card"], r["last_follow_up"]) for r in rows] == [
        ("甲", world.branch_a1.name, "", None)
    ]
    [row] = floating_roster(street, world.street_a, dt.date(2024, 6, 2))
    assert (row["card"], row["card_issued"], row["last_follow_up"]) == (
        "LD-7",
        dt.date(2024, 5, 2),
        dt.date(2024, 6, 1),
    )
    assert not list(floating_roster(street, world.street_a, dt.date(2024, 4, 19)))
    with pytest.raises(PermissionDenied):
        floating_roster(world.users["viewer"], world.street_a)
