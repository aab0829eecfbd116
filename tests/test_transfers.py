"""Transfers (组织关系转接): letter, decision, report-in; each side acts only on its own side."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from jiceng.access.models import Role
from jiceng.access.services import assign_role, create_user
from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.people.models import MembershipState, PartyMembership, Stage, TransferState
from jiceng.people.selectors import composition, transfers_of, visible_transfers
from jiceng.people.services import enrol_member, register_person
from jiceng.people.transfers import (
    accept_transfer,
    flag_unreported,
    issue_transfer,
    receive_from_outside,
    reject_transfer,
    report_in,
)
from jiceng.todo.selectors import duties_for

D0 = dt.date(2024, 3, 1)
TODAY = dt.date.today()
LETTER = "青组转〔2024〕15号"


def person(world, name, seq=11, org=None):
    return register_person(
        world.system,
        org=org or world.branch_a1,
        name=name,
        id_number=id_number(dt.date(1985, 5, 5), seq),
    )


def member(world, name="张三", seq=11, org=None, stage=Stage.FULL):
    return enrol_member(
        world.system,
        person(world, name, seq, org),
        org=org or world.branch_a1,
        stage=stage,
        joined_on=dt.date(2010, 7, 1),
        full_on=dt.date(2011, 7, 1) if stage == Stage.FULL else None,
    )


@pytest.fixture
def b1_officer(world):
    user = create_user(world.system, username="b1_officer", password=None)
    assign_role(
        world.system,
        user=user,
        role=Role.OFFICER,
        org=world.branch_b1,
        valid_from=dt.date(2020, 1, 1),
    )
    return user


def refused(fn, *args, **kw) -> str:
    with pytest.raises(ValidationError) as err:
        fn(*args, **kw)
    return " ".join(m for ms in err.value.message_dict.values() for m in ms)


def members_under(world, org, on) -> int:
    return composition(world.users["district_admin"], org, on)["total"]["members"]


def kinds(user, today=None) -> list[str]:
    """The transfer duties `user` sees."""
    return [
        i.duty.kind
        for i in duties_for(user, today=today)
        if i.duty.kind.startswith("people.transfer")
    ]


def test_the_whole_journey_from_a1_to_b1_moves_the_member_on_the_report_in_day(world, b1_officer):
    m = member(world)
    t = issue_transfer(
        world.users["a1_officer"], m, to_org=world.branch_b1, letter_number=LETTER, on=D0
    )
    assert (t.state, t.from_org, t.report_by) == ("issued", world.branch_a1, D0 + dt.timedelta(30))
    accept_transfer(b1_officer, t, on=D0 + dt.timedelta(days=3))
    assert t.state == TransferState.ACCEPTED
    m.refresh_from_db()
    assert m.org == world.branch_a1  # still on the sender's books until reporting in
    report_in(b1_officer, t, on=D0 + dt.timedelta(days=10))
    m.refresh_from_db()
    assert (m.org, t.state, t.reported_on) == (world.branch_b1, "reported", D0 + dt.timedelta(10))

    day_before, day_of = D0 + dt.timedelta(days=9), D0 + dt.timedelta(days=10)
    assert (
        members_under(world, world.street_a, day_before),
        members_under(world, world.street_b, day_before),
    ) == (1, 0)
    assert (
        members_under(world, world.street_a, day_of),
        members_under(world, world.street_b, day_of),
    ) == (0, 1)
    assert members_under(world, world.district, day_of) == 1
    orgs = MembershipState.objects.filter(membership=m).order_by("valid_from")
    assert [(s.org.code, s.valid_from) for s in orgs] == [
        ("A1", dt.date(2010, 7, 1)),
        ("B1", day_of),
    ]
    actions = AuditEvent.objects.filter(object_type="people.transfer").values_list(
        "action", flat=True
    )
    assert list(actions.order_by("id")) == [
        "people.transfer.issue",
        "people.transfer.accept",
        "people.transfer.report",
    ]
    # Both sides see the letter; a third organization does not.
    assert list(transfers_of(world.users["a1_officer"], world.branch_a1)) == [t]
    assert list(visible_transfers(b1_officer)) == [t]
    assert not visible_transfers(world.users["a2_officer"]).exists()


def test_early_or_out_of_order_steps_are_refused_saying_what_is_missing(world, b1_officer):
    officer = world.users["a1_officer"]
    m = member(world)
    assert _("Enter the number of the introduction letter.") in refused(
        issue_transfer, officer, m, to_org=world.branch_b1, letter_number=" ", on=D0
    )
    assert refused(issue_transfer, officer, m, letter_number=LETTER, on=D0)  # no destination
    assert refused(issue_transfer, officer, m, to_org=world.branch_a1, letter_number=LETTER, on=D0)
    t = issue_transfer(officer, m, to_org=world.branch_b1, letter_number=LETTER, on=D0)
    message = refused(
        issue_transfer, officer, m, to_org=world.branch_a2, letter_number="另一号", on=D0
    )
    assert world.branch_b1.name in message and str(D0) in message  # the open one
    message = refused(report_in, b1_officer, t, on=D0 + dt.timedelta(days=2))
    assert world.branch_b1.name in message and "张三" in message  # B1 has not accepted yet
    assert str(D0) in refused(accept_transfer, b1_officer, t, on=D0 - dt.timedelta(days=1))
    accept_transfer(b1_officer, t, on=D0 + dt.timedelta(days=5))
    assert refused(accept_transfer, b1_officer, t, on=D0 + dt.timedelta(days=5))  # not twice
    assert refused(reject_transfer, b1_officer, t, "迟了", on=D0 + dt.timedelta(days=6))
    assert str(D0 + dt.timedelta(days=5)) in refused(
        report_in, b1_officer, t, on=D0 + dt.timedelta(days=4)
    )
    applicant = member(world, "李四", seq=13, stage=Stage.PROBATIONARY)
    applicant.stage = Stage.APPLICANT
    applicant.save()
    assert "李四" in refused(
        issue_transfer, officer, applicant, to_org=world.branch_b1, letter_number="3号", on=D0
    )


def test_a_rejection_needs_a_reason_and_leaves_the_member_where_they_were(world, b1_officer):
    officer = world.users["a1_officer"]
    m = member(world)
    t = issue_transfer(officer, m, to_org=world.branch_b1, letter_number=LETTER, on=D0)
    assert _("Give the reason for rejecting the transfer.") in refused(
        reject_transfer, b1_officer, t, "  ", on=D0
    )
    reject_transfer(b1_officer, t, "本人不在本社区居住", on=D0 + dt.timedelta(days=2))
    t.refresh_from_db()
    m.refresh_from_db()
    assert (t.state, t.reason, m.org) == ("rejected", "本人不在本社区居住", world.branch_a1)
    again = issue_transfer(
        officer,
        m,
        to_org=world.branch_a2,
        letter_number="青组转〔2024〕16号",
        on=D0 + dt.timedelta(3),
    )
    assert again.state == "issued"
    assert LETTER in refused(
        issue_transfer,
        officer,
        member(world, "王五", seq=15),
        to_org=world.branch_b1,
        letter_number=LETTER,
        on=D0,
    )


def test_each_side_acts_only_on_its_own_side(world, b1_officer):
    m = member(world)
    with pytest.raises(PermissionDenied):
        issue_transfer(b1_officer, m, to_org=world.branch_b1, letter_number=LETTER, on=D0)
    with pytest.raises(PermissionDenied):
        issue_transfer(world.users["a2_officer"], m, to_org=world.branch_b1, letter_number=LETTER)
    t = issue_transfer(
        world.users["a1_officer"], m, to_org=world.branch_b1, letter_number=LETTER, on=D0
    )
    for fn, args in [(accept_transfer, ()), (reject_transfer, ("不收",)), (report_in, ())]:
        for intruder in ("a1_officer", "street_a_admin", "viewer", "nobody"):
            with pytest.raises(PermissionDenied):
                fn(world.users[intruder], t, *args, on=D0)
    accept_transfer(world.users["district_admin"], t, on=D0)  # above both sides
    with pytest.raises(PermissionDenied):
        report_in(world.users["a1_officer"], t, on=D0)


def test_an_unreported_transfer_is_a_duty_of_both_organizations_and_no_third(world, b1_officer):
    a1, a2 = world.users["a1_officer"], world.users["a2_officer"]
    m = member(world)
    t = issue_transfer(
        a1, m, to_org=world.branch_b1, letter_number=LETTER, on=TODAY - dt.timedelta(40)
    )
    assert kinds(b1_officer) == ["people.transfer_undecided"]  # 7 days to decide, long gone
    assert [
        i.urgency for i in duties_for(b1_officer) if i.duty.kind.startswith("people.transfer")
    ] == ["overdue"]
    assert kinds(a1) == []
    accept_transfer(b1_officer, t, on=TODAY - dt.timedelta(days=38))
    assert kinds(b1_officer, today=TODAY - dt.timedelta(days=20)) == [
        "people.transfer_report_expected"
    ]
    assert kinds(a1, today=TODAY - dt.timedelta(days=20)) == []  # the letter is still valid
    assert kinds(b1_officer) == ["people.transfer_unreported"]
    assert kinds(a1) == ["people.transfer_unreported"]
    assert kinds(a2) == [] and kinds(world.users["a1_member"]) == []
    assert sorted(kinds(world.users["district_admin"])) == ["people.transfer_unreported"] * 2
    [title] = {i.duty.title for i in duties_for(a1) if i.duty.kind == "people.transfer_unreported"}
    assert "张三" in title and str(t.report_by) in title

    assert flag_unreported(a2) == 0  # not theirs
    assert flag_unreported(world.system) == 1
    m.refresh_from_db()
    assert m.never_reported
    assert flag_unreported(world.system) == 0  # flagged once
    report_in(b1_officer, t, on=TODAY)
    m.refresh_from_db()
    assert not m.never_reported and m.org == world.branch_b1
    assert kinds(a1) == [] and kinds(b1_officer) == []


def test_a_transfer_outside_the_system_ends_the_membership_here(world, b1_officer):
    m = member(world)
    t = issue_transfer(
        world.users["a1_officer"],
        m,
        to_outside="中共江河省某市委组织部",
        letter_number=LETTER,
        on=D0,
    )
    m.refresh_from_db()
    assert (t.state, t.report_by, m.stage) == ("sent_out", None, Stage.TRANSFERRED_OUT)
    assert members_under(world, world.street_a, D0 - dt.timedelta(days=1)) == 1
    assert members_under(world, world.street_a, D0) == 0
    assert str(TransferState.SENT_OUT.label) in refused(
        accept_transfer, world.users["a1_officer"], t, on=D0
    )
    assert refused(
        issue_transfer, world.users["a1_officer"], m, to_org=world.branch_b1, letter_number="2号"
    )


def test_a_member_received_from_outside_is_on_the_books_from_the_report_in_day(world):
    officer = world.users["a1_officer"]
    newcomer = person(world, "赵六", seq=17)
    t = receive_from_outside(
        officer,
        newcomer,
        org=world.branch_a1,
        from_outside="中共河北省保定市某街道工委",
        letter_number="冀保组〔2024〕8号",
        on=D0,
        stage=Stage.FULL,
        joined_on=dt.date(2005, 7, 1),
        full_on=dt.date(2006, 7, 1),
    )
    assert (t.state, t.to_org, t.from_org, t.reported_on) == ("reported", world.branch_a1, None, D0)
    assert members_under(world, world.street_a, D0 - dt.timedelta(days=1)) == 0
    assert members_under(world, world.street_a, D0) == 1
    assert world.branch_a1.name in refused(
        receive_from_outside,
        officer,
        newcomer,
        org=world.branch_a1,
        from_outside="某地",
        on=D0,
        stage=Stage.FULL,
        joined_on=dt.date(2005, 7, 1),
    )
    with pytest.raises(PermissionDenied):
        receive_from_outside(
            officer,
            person(world, "钱七", seq=19),
            org=world.branch_b1,
            from_outside="某地",
            on=D0,
            stage=Stage.FULL,
            joined_on=dt.date(2005, 7, 1),
        )

    # Someone who once left the system comes back: the same record resumes.
    leaver = member(world, "孙八", seq=21)
    issue_transfer(officer, leaver, to_outside="外省某党委", letter_number="9号", on=D0)
    receive_from_outside(
        world.users["street_a_admin"],
        leaver.person,
        org=world.branch_a2,
        from_outside="外省某党委",
        on=D0 + dt.timedelta(days=365),
        stage=Stage.FULL,
        joined_on=dt.date(2010, 7, 1),
        full_on=dt.date(2011, 7, 1),
    )
    leaver.refresh_from_db()
    assert (leaver.org, leaver.stage) == (world.branch_a2, Stage.FULL)
    assert PartyMembership.objects.filter(person=leaver.person).count() == 1
    stages = MembershipState.objects.filter(membership=leaver).order_by("valid_from")
    assert [(s.org.code, s.stage) for s in stages] == [
        ("A1", "full"),
        ("A1", "transferred_out"),
        ("A2", "full"),
    ]
