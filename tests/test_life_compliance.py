"""Compliance, attendance and the other life reads: what an upper level and a secretary see.

Meetings are written through the models (the services are tested in their own files), with
the counters the services keep: expected, present and leave counts and `quorum_met`."""

import datetime as dt
import itertools
import secrets

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiceng.life import selectors
from jiceng.life.models import Attendance, Meeting, MeetingKind, MeetingStatus, Presence
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.orgs.services.policy import set_override
from jiceng.people.models import MembershipState, PartyMembership, Person, Stage

YEAR = 2025
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
AFTER = dt.date(YEAR + 1, 1, 1)  # every window of the year has ended
GENERAL = MeetingKind.BRANCH_GENERAL
COMMITTEE = MeetingKind.BRANCH_COMMITTEE
_serial = itertools.count(1)


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def meet(
    world,
    org,
    kind,
    day: dt.date,
    *,
    status=MeetingStatus.HELD,
    expected=0,
    present=0,
    leave=0,
    quorum_met=None,
    people=(),
    presence=None,
):
    """A meeting as the services leave it; `people` get attendance rows (`presence` maps a
    person to present/leave, the rest stay expected) and then fix the counters."""
    starts = at(day)
    m = Meeting.objects.create(
        org=org,
        kind=kind,
        topic=f"{kind} {day}",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=status,
        sign_in_code=f"{next(_serial):06d}",
        sign_in_token=secrets.token_urlsafe(32),
        sign_in_opens=starts - dt.timedelta(minutes=30),
        sign_in_closes=starts + dt.timedelta(hours=2, minutes=30),
        freezes_on=day + dt.timedelta(days=7),
        expected_count=expected,
        present_count=present,
        leave_count=leave,
        quorum_met=quorum_met,
        created_by=world.system,
    )
    if people:
        presence = presence or {}
        rows = [
            Attendance(
                meeting=m,
                person=p,
                presence=presence.get(p, Presence.EXPECTED),
                signed_at=starts if presence.get(p) == Presence.PRESENT else None,
                method="code" if presence.get(p) == Presence.PRESENT else "",
            )
            for p in people
        ]
        Attendance.objects.bulk_create(rows)
        m.expected_count = len(rows)
        m.present_count = sum(r.presence == Presence.PRESENT for r in rows)
        m.leave_count = sum(r.presence == Presence.ON_LEAVE for r in rows)
        m.save()
    return m


def member(org, name, *, since=dt.date(2015, 7, 1), user=None):
    person = Person.objects.create(name=name)
    m = PartyMembership.objects.create(
        person=person, org=org, stage=Stage.FULL, joined_on=since, full_on=since
    )
    MembershipState.objects.create(
        membership=m, valid_from=since, org=org, stage=Stage.FULL, category=m.category
    )
    if user is not None:
        user.person = person
        user.save(update_fields=["person"])
    return person


def row_of(rows, org):
    found = [r for r in rows if r["org"] == org]
    assert len(found) == 1, [r["org"].code for r in rows]
    return found[0]


def kind_of(row, kind):
    return next(k for k in row["kinds"] if k["kind"] == kind)


def quarterly(world, org, months=(2, 5, 8, 11), **kw):
    for month in months:
        meet(world, org, GENERAL, dt.date(YEAR, month, 10), expected=10, present=8, **kw)


# -- required vs held ------------------------------------------------------------------------


def test_required_and_held_per_kind_and_window(world):
    a1 = world.branch_a1
    quarterly(world, a1, months=(2, 5), quorum_met=True)  # Q1 and Q2 only
    meet(world, a1, GENERAL, dt.date(YEAR, 5, 20), expected=10, present=9, quorum_met=True)
    for month in range(1, 13):
        if month not in (4, 9):  # two months without a committee meeting
            meet(world, a1, COMMITTEE, dt.date(YEAR, month, 3), expected=5, present=4)
    meet(world, a1, COMMITTEE, dt.date(YEAR, 3, 25), expected=5, present=5)  # twice in March
    meet(world, a1, COMMITTEE, dt.date(YEAR, 4, 3), status=MeetingStatus.CANCELLED)
    meet(world, a1, COMMITTEE, dt.date(YEAR, 9, 3), status=MeetingStatus.SCHEDULED)

    row = row_of(
        selectors.compliance(world.users["a1_officer"], a1, start=START, end=END, on=AFTER), a1
    )

    general = kind_of(row, GENERAL)
    assert (general["every"], general["required"], general["held"]) == (3, 4, 3)
    assert (general["met_windows"], general["missed_windows"]) == (2, 2)
    assert general["status"] == "missed"
    committee = kind_of(row, COMMITTEE)
    assert (committee["every"], committee["required"], committee["held"]) == (1, 12, 11)
    assert (committee["met_windows"], committee["missed_windows"]) == (10, 2)
    # A yearly kind never held: one window, missed.
    lecture = kind_of(row, MeetingKind.PARTY_LECTURE)
    assert (lecture["required"], lecture["held"], lecture["met_windows"]) == (1, 0, 0)
    assert row["meetings_held"] == 14
    assert row["held_by_kind"][COMMITTEE] == 11
    assert row["required"] == sum(k["required"] for k in row["kinds"])
    assert row["compliance_rate"] == round(100 * row["met_windows"] / row["required"], 1)


def test_current_window_is_due_until_held_then_met(world):
    a1 = world.branch_a1
    on = dt.date(YEAR, 5, 15)
    quarterly(world, a1, months=(2,), quorum_met=True)
    user = world.users["a1_officer"]

    general = kind_of(
        row_of(selectors.compliance(user, a1, start=START, end=END, on=on), a1), GENERAL
    )
    assert (general["required"], general["met_windows"]) == (1, 1)  # only Q1 has ended
    assert general["status"] == "due"
    assert general["due"] == dt.date(YEAR, 6, 30)
    current = general["current"]
    assert (current.start, current.end, current.every) == (
        dt.date(YEAR, 4, 1),
        dt.date(YEAR, 6, 30),
        3,
    )
    assert (current["start"], current["end"]) == (current.start, current.end)

    meet(world, a1, GENERAL, dt.date(YEAR, 5, 12), expected=10, present=9, quorum_met=True)
    general = kind_of(
        row_of(selectors.compliance(user, a1, start=START, end=END, on=on), a1), GENERAL
    )
    assert general["status"] == "met" and general["current_met"]
    assert general["due"] == dt.date(YEAR, 9, 30)  # the next quarter


def test_quorum_failed_meetings_do_not_count(world):
    a1 = world.branch_a1
    meet(world, a1, GENERAL, dt.date(YEAR, 2, 10), expected=10, present=5, quorum_met=False)
    meet(world, a1, GENERAL, dt.date(YEAR, 5, 10), expected=10, present=6, quorum_met=True)

    row = row_of(
        selectors.compliance(world.users["a1_officer"], a1, start=START, end=END, on=AFTER), a1
    )
    general = kind_of(row, GENERAL)
    assert general["held"] == 2  # it was held …
    assert (general["met_windows"], general["missed_windows"]) == (1, 3)  # … but Q1 is not met


def test_stricter_frequency_from_a_date_applies_from_that_date_only(world):
    # From 1 July the street asks its branches for a general meeting every month.
    set_override(
        world.system,
        key="life.every.branch.branch_general",
        org=world.street_a,
        value=1,
        valid_from=dt.date(YEAR, 7, 1),
        reason="和平街道〔2025〕12号",
    )
    for org in (world.branch_a1, world.branch_b1):
        for month in (2, 5, 7, 9):
            meet(world, org, GENERAL, dt.date(YEAR, month, 10), expected=10, present=8)

    user = world.users["district_admin"]
    rows = selectors.compliance(user, world.district, start=START, end=END, on=AFTER)

    a1 = kind_of(row_of(rows, world.branch_a1), GENERAL)
    # Q1 and Q2 judged quarterly (both met); July–December monthly (July, September met).
    assert (a1["required"], a1["met_windows"], a1["missed_windows"]) == (8, 4, 4)
    assert a1["every"] == 1
    b1 = kind_of(row_of(rows, world.branch_b1), GENERAL)  # another street: still quarterly
    assert (b1["required"], b1["met_windows"], b1["missed_windows"]) == (4, 3, 1)
    assert b1["every"] == 3
    # Looking only at the first half, the override changes nothing.
    first_half = selectors.compliance(
        user, world.branch_a1, start=START, end=dt.date(YEAR, 6, 30), on=AFTER
    )
    general = kind_of(row_of(first_half, world.branch_a1), GENERAL)
    assert (general["required"], general["met_windows"]) == (2, 2)


def test_frequency_taking_effect_mid_quarter_waits_for_the_next_window(world):
    set_override(
        world.system,
        key="life.every.branch.branch_general",
        org=world.branch_a1,
        value=1,
        valid_from=dt.date(YEAR, 5, 15),
        reason="支部决定",
    )
    meet(world, world.branch_a1, GENERAL, dt.date(YEAR, 4, 10), expected=10, present=8)
    rows = selectors.compliance(
        world.users["a1_officer"], world.branch_a1, start=START, end=END, on=AFTER
    )
    general = kind_of(row_of(rows, world.branch_a1), GENERAL)
    # Q1 (missed), Q2 (met in April, judged by the quarterly rule), then July–December monthly.
    assert (general["required"], general["met_windows"]) == (2 + 6, 1)


# -- attendance --------------------------------------------------------------------------------


def test_attendance_rate_excludes_leave(world):
    a1 = world.branch_a1
    people = [member(a1, f"党员{i}") for i in range(10)]
    presence = {p: Presence.PRESENT for p in people[:6]}
    presence.update({p: Presence.ON_LEAVE for p in people[6:8]})
    meet(
        world, a1, GENERAL, dt.date(YEAR, 2, 10), people=people, presence=presence, quorum_met=True
    )
    # Not held: its expected attendees do not count.
    meet(world, a1, GENERAL, dt.date(YEAR, 3, 10), status=MeetingStatus.CANCELLED, expected=10)

    row = row_of(
        selectors.compliance(world.users["a1_officer"], a1, start=START, end=END, on=AFTER), a1
    )
    assert (row["attendance"].numerator, row["attendance"].denominator) == (6, 8)
    assert row["attendance_rate"] == 75.0


def test_subtree_totals_and_children_for_drill_down(world):
    quarterly(world, world.branch_a1, quorum_met=True)  # all four quarters
    quarterly(world, world.branch_a2, months=(2, 5), quorum_met=True)
    quarterly(world, world.branch_b1, months=(2,), quorum_met=True)
    meet(world, world.branch_b1, COMMITTEE, dt.date(YEAR, 1, 5), expected=5, present=5)

    summary = selectors.compliance_summary(
        world.users["district_admin"], world.district, start=START, end=END, on=AFTER
    )

    totals = summary["totals"]
    assert totals["organizations"] == 3  # the three branches (committees have no rule here)
    assert totals["held_by_kind"] == {GENERAL: 7, COMMITTEE: 1}
    assert totals["meetings_held"] == 8
    assert (totals["attendance"].numerator, totals["attendance"].denominator) == (61, 75)
    per_branch = selectors.compliance(
        world.users["district_admin"], world.district, start=START, end=END, on=AFTER
    )
    assert totals["required"] == sum(r["required"] for r in per_branch)
    assert totals["met_windows"] == 4 + 2 + 1 + 1
    children = {c["org"]: c["totals"] for c in summary["children"]}
    assert list(children) == [world.street_a, world.street_b]
    assert children[world.street_a]["held_by_kind"][GENERAL] == 6
    assert children[world.street_b]["meetings_held"] == 2
    assert children[world.street_a]["met_windows"] == 6
    assert summary["own"] is None  # the district committee itself has no requirement

    figures = selectors.meeting_figures(
        world.users["district_admin"], world.street_a, period=f"{YEAR}Q2", on=AFTER
    )
    assert (figures["start"], figures["end"]) == (dt.date(YEAR, 4, 1), dt.date(YEAR, 6, 30))
    assert figures["totals"]["held_by_kind"] == {GENERAL: 2}


def test_new_and_dissolved_organizations_only_owe_windows_they_existed_for(world):
    late = set_up(
        world.system,
        code="A3",
        name="和平社区第三党支部",
        kind=Kind.BRANCH,
        parent=world.street_a,
        founded_on=dt.date(YEAR, 8, 20),
    )
    rows = selectors.compliance(
        world.users["street_a_admin"], world.street_a, start=START, end=END, on=AFTER
    )
    general = kind_of(row_of(rows, late), GENERAL)
    # August (founding) to September, then the fourth quarter.
    assert general["required"] == 2


# -- the gate ----------------------------------------------------------------------------------


def test_another_organizations_compliance_is_not_visible(world):
    quarterly(world, world.branch_a1, quorum_met=True)
    quarterly(world, world.branch_b1, quorum_met=True)
    period = {"start": START, "end": END, "on": AFTER}

    for username, org in [
        ("a2_officer", world.branch_a1),  # a sibling branch
        ("viewer", world.street_a),  # a viewer of the other street
        ("street_a_admin", world.district),  # above one's own subtree
        ("expired", world.district),
        ("nobody", world.branch_a1),
    ]:
        user = world.users[username]
        with pytest.raises(PermissionDenied):
            selectors.compliance(user, org, **period)
        with pytest.raises(PermissionDenied):
            selectors.compliance_summary(user, org, **period)
        with pytest.raises(PermissionDenied):
            selectors.month_calendar(user, org, YEAR, 2)
        with pytest.raises(PermissionDenied):
            selectors.inactive_members(user, org)

    # The street's administrator sees its branches, never the other street's.
    rows = selectors.compliance(world.users["street_a_admin"], world.street_a, **period)
    assert {r["org"] for r in rows} == {world.branch_a1, world.branch_a2}
    other = Meeting.objects.filter(org=world.branch_b1).first()
    assert not selectors.meetings(world.users["street_a_admin"]).filter(pk=other.pk).exists()
    with pytest.raises(Meeting.DoesNotExist):
        selectors.meeting(
            world.users["a2_officer"], Meeting.objects.filter(org=world.branch_a1)[0].pk
        )
    with pytest.raises(Meeting.DoesNotExist):
        selectors.record(world.users["viewer"], Meeting.objects.filter(org=world.branch_a1)[0])


# -- members not seen for six months ---------------------------------------------------------


def test_inactive_members_flags_six_months_without_presence_but_not_new_members(world):
    a1 = world.branch_a1
    today = dt.date(YEAR, 12, 15)
    regular = member(a1, "常到")
    gone = member(a1, "久缺")
    never = member(a1, "从未到会")
    newcomer = member(a1, "新党员", since=dt.date(YEAR, 10, 1))
    on_leave = member(a1, "请假")
    first_months = [1, 2, 3, 4, 5]
    for month in first_months:
        meet(
            world,
            a1,
            MeetingKind.THEME_DAY,
            dt.date(YEAR, month, 8),
            people=[regular, gone, never, on_leave],
            presence={regular: Presence.PRESENT, gone: Presence.PRESENT},
        )
    for month in (6, 7, 8, 9, 10, 11, 12):
        meet(
            world,
            a1,
            MeetingKind.THEME_DAY,
            dt.date(YEAR, month, 8),
            people=[regular, gone, never, on_leave] + ([newcomer] if month >= 10 else []),
            presence={regular: Presence.PRESENT, on_leave: Presence.ON_LEAVE},
        )

    flagged = selectors.inactive_members(world.users["a1_officer"], a1, today=today)

    assert [(m.person, last) for m, last in flagged] == [
        (never, None),
        (on_leave, None),
        (gone, dt.date(YEAR, 5, 8)),
    ]
    assert all(isinstance(m, PartyMembership) for m, _ in flagged)
    # Exactly six months after the last presence is not yet "more than six months".
    assert [
        m.person
        for m, _ in selectors.inactive_members(
            world.users["a1_officer"], a1, today=dt.date(YEAR, 11, 8)
        )
    ] == [never, on_leave]
    # A member who left the organization is no longer flagged there.
    PartyMembership.objects.filter(person=gone).update(stage=Stage.TRANSFERRED_OUT)
    still = selectors.inactive_members(world.users["a1_officer"], a1, today=today)
    assert gone not in [m.person for m, _ in still]


# -- calendar, my meetings, the record -------------------------------------------------------


def test_month_calendar_puts_meetings_on_their_days_in_weeks_from_monday(world):
    a1 = world.branch_a1
    first = meet(world, a1, COMMITTEE, dt.date(2026, 3, 2))
    late = meet(world, a1, MeetingKind.THEME_DAY, dt.date(2026, 3, 31))
    spill = meet(world, a1, COMMITTEE, dt.date(2026, 4, 2))  # shown in the last week
    meet(world, world.branch_a2, COMMITTEE, dt.date(2026, 3, 2))  # another branch

    weeks = selectors.month_calendar(world.users["a1_officer"], a1, 2026, 3)

    assert all(len(week) == 7 for week in weeks)
    assert all(week[0][0].weekday() == 0 for week in weeks)
    days = {day: found for week in weeks for day, found in week}
    assert dt.date(2026, 3, 1) in days and dt.date(2026, 4, 5) in days
    assert days[dt.date(2026, 3, 2)] == [first]
    assert days[dt.date(2026, 3, 31)] == [late]
    assert days[dt.date(2026, 4, 2)] == [spill]
    assert sum(len(found) for found in days.values()) == 3


def test_my_meetings_lists_where_i_am_expected(world):
    me = world.users["a1_member"]
    mine = member(world.branch_a1, "我", user=me)
    other = member(world.branch_a1, "别人")
    today = timezone.localdate()
    past = meet(
        world,
        world.branch_a1,
        MeetingKind.THEME_DAY,
        today - dt.timedelta(days=20),
        people=[mine, other],
        presence={mine: Presence.PRESENT},
    )
    coming = meet(
        world,
        world.branch_a1,
        COMMITTEE,
        today + dt.timedelta(days=3),
        status=MeetingStatus.SCHEDULED,
        people=[mine],
    )
    meet(world, world.branch_a1, COMMITTEE, today, people=[other])  # not expected there

    found = list(selectors.my_meetings(me))
    assert found == [past, coming]
    assert [m.my_presence for m in found] == [Presence.PRESENT, Presence.EXPECTED]
    assert list(selectors.my_meetings(me, start=today)) == [coming]
    assert not selectors.my_meetings(world.users["a2_officer"]).exists()  # no person linked
    # Expected at a meeting: its page is readable even without a role there.
    assert selectors.meeting(me, coming.pk) == coming
    record = selectors.record(me, past)
    assert [a.person for a in record["present"]] == [mine]
    assert record["absent"] == [a for a in record["attendance"] if a.person == other]
    assert record["frozen"] is True
    assert record["minutes"] is None and record["minutes_required"] is True
    assert selectors.record(me, coming)["frozen"] is False
