"""What organizational life asks of people, for the to-do centre.

Each generator is one kind of duty; `duties` chains them, each capped at `limit`:

- required meetings (policy `life.every.*`, judged as `selectors.compliance` does, in the
  database by `selectors.required_meeting_gaps`): the current
  window's meeting not yet held when its end is within `life.due_soon_days`, and the window
  that has just ended without one (overdue, shown for a month after it ended);
- meetings that ended but were neither marked held nor cancelled, before their record locks;
- held meetings whose kind requires minutes (`life.minutes_required`) and that have none,
  before their record locks;
- leave requests waiting for a decision;
- open action items, until they are closed;
- members who have not attended for `life.inactive_months` months, to the secretary: the
  officers assigned to that very organization (not every upper level), as a flag only.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.access import gate
from jiceng.kernel.duties import Duty, Total

from . import selectors
from .models import (
    ActionItem,
    LeaveDecision,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesItem,
)

KIND_LABELS = dict(MeetingKind.choices)


def _calendar_url(org) -> str:
    return reverse_lazy("life:calendar", args=[org.code])


def _meeting_url(meeting) -> str:
    return reverse_lazy("life:meeting", args=[meeting.pk])


def _day(moment) -> dt.date:
    return timezone.localtime(moment).date()


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def window_label(start: dt.date, end: dt.date) -> str:
    """第四季度, 上半年, 11月, 2026年度 … for a window of whole months."""
    months = _month_index(end) - _month_index(start) + 1
    if months == 1:
        return _("%(month)s (month)") % {"month": start.month}
    if months == 3 and start.month in (1, 4, 7, 10):
        quarters = [
            _("first quarter"),
            _("second quarter"),
            _("third quarter"),
            _("fourth quarter"),
        ]
        return quarters[start.month // 3]
    if months == 6 and start.month in (1, 7):
        return _("first half of the year") if start.month == 1 else _("second half of the year")
    if months == 12 and start.month == 1:
        return _("%(year)s (year)") % {"year": start.year}
    return _("%(start)s to %(end)s") % {"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"}


class _SoonDays:
    """`life.due_soon_days` by organization path, with its bounds, from the snapshot."""

    KEY = "life.due_soon_days"

    def __init__(self, policy):
        self.policy = policy
        self.lowest = int(policy.lowest(self.KEY))
        self.highest = int(policy.highest(self.KEY))

    def __call__(self, path: str) -> int:
        return int(self.policy.value(self.KEY, _At(path)))


@dataclass(frozen=True)
class _At:
    path: str


def _required_meeting_duties(user, orgs, today: dt.date, policy, limit: int):
    """Current windows not yet met and ending soon; windows that just ended unmet: the first
    `limit` of each kind (tree order) and their count, judged in the database."""
    first_of_month = today.replace(day=1)
    found = selectors.required_meeting_gaps(user, orgs, today, soon=_SoonDays(policy), limit=limit)
    missed, missed_count = found["missed"]
    for org, gap in missed:
        current = gap.current
        end = (current.start if current else first_of_month) - dt.timedelta(1)
        first = _month_index(end) - gap.every + 1
        begin = dt.date(first // 12, first % 12 + 1, 1)
        yield Duty(
            org,
            _("%(window)s %(kind)s was not held (it was due by %(date)s).")
            % {"window": window_label(begin, end), "kind": _kind(gap), "date": end},
            "life.meeting_missed",
            due=end,
            url=_calendar_url(org),
        )
    yield Total("life.meeting_missed", missed_count)
    due, due_count = found["due"]
    for org, gap in due:
        current = gap.current
        yield Duty(
            org,
            _("%(window)s %(kind)s has not been held yet (due by %(date)s).")
            % {
                "window": window_label(current.start, current.end),
                "kind": _kind(gap),
                "date": current.end,
            },
            "life.meeting_due",
            due=current.end,
            url=_calendar_url(org),
        )
    yield Total("life.meeting_due", due_count)


def _kind(gap) -> str:
    return KIND_LABELS.get(gap.kind, gap.kind)


def unconfirmed_meetings(user, orgs, today: dt.date, policy):
    """Meetings that are over but still only scheduled: held, or cancelled?"""
    end_of_today = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(1), dt.time.min))
    found = (
        Meeting.objects.filter(
            org__in=orgs,
            status=MeetingStatus.SCHEDULED,
            ends_at__lt=min(timezone.now(), end_of_today),
            freezes_on__gte=today,
        )
        .select_related("org")
        .order_by("freezes_on", "pk")
    )
    for m in found.iterator():
        yield Duty(
            m.org,
            _("“%(topic)s” (%(date)s) is over: mark it as held or cancel it.")
            % {"topic": m.topic, "date": _day(m.starts_at)},
            "life.meeting_unconfirmed",
            due=_day(m.ends_at),
            url=_meeting_url(m),
        )


def missing_minutes(user, orgs, today: dt.date, policy):
    """Held meetings of kinds that require minutes, with no minutes yet, before they lock."""

    def required(org):
        return set(policy.value("life.minutes_required", org))

    written = Minutes.objects.filter(meeting=OuterRef("pk")).filter(
        ~Q(content="") | Exists(MinutesItem.objects.filter(minutes=OuterRef("pk")))
    )
    found = (
        Meeting.objects.filter(org__in=orgs, status=MeetingStatus.HELD, freezes_on__gte=today)
        .exclude(Exists(written))
        .select_related("org")
        .order_by("freezes_on", "pk")
    )
    for m in found.iterator():
        if m.kind not in required(m.org):
            continue
        yield Duty(
            m.org,
            _("Write the minutes of “%(topic)s” (%(date)s): they lock after %(lock)s.")
            % {"topic": m.topic, "date": _day(m.starts_at), "lock": m.freezes_on},
            "life.minutes_missing",
            due=m.freezes_on,
            url=_meeting_url(m),
        )


def pending_leave(user, orgs, today: dt.date, policy):
    found = (
        LeaveRequest.objects.filter(
            decision=LeaveDecision.PENDING,
            meeting__org__in=orgs,
            meeting__freezes_on__gte=today,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting__org", "person")
        .order_by("meeting__starts_at", "pk")
    )
    for leave in found.iterator():
        m = leave.meeting
        yield Duty(
            m.org,
            _("%(name)s asks for leave from “%(topic)s” (%(date)s): %(reason)s. Approve or reject.")
            % {
                "name": leave.person.name,
                "topic": m.topic,
                "date": _day(m.starts_at),
                "reason": leave.reason,
            },
            "life.leave_pending",
            due=_day(m.starts_at),
            url=_meeting_url(m),
        )


def open_action_items(user, orgs, today: dt.date, policy):
    found = (
        ActionItem.objects.filter(closed_on__isnull=True, meeting__org__in=orgs)
        .select_related("meeting__org", "owner")
        .order_by("due_on", "pk")
    )
    for item in found.iterator():
        m = item.meeting
        yield Duty(
            m.org,
            _("Task from “%(topic)s”: %(text)s (responsible: %(owner)s, due %(date)s).")
            % {"topic": m.topic, "text": item.text, "owner": item.owner.name, "date": item.due_on},
            "life.action_open",
            due=item.due_on,
            url=_meeting_url(m),
        )


def inactive_members(user, orgs, today: dt.date, policy):
    """To the secretary only: officers assigned to the organization itself."""
    own = {
        a.org_id
        for a in gate.active_assignments(user, today)
        if a.org_id and gate.MANAGE in gate.ROLE_ACTIONS[a.role]
    }
    for org in orgs.filter(pk__in=own).order_by("path"):
        months = int(policy.value("life.inactive_months", org))
        for membership, last in selectors.inactive_members(user, org, today=today):
            name = membership.person.name
            if last is None:
                title = _(
                    "%(name)s has not attended organizational life for over %(months)s months: "
                    "find out why (a flag only; the branch decides)."
                ) % {"name": name, "months": months}
            else:
                title = _(
                    "%(name)s has not attended organizational life since %(date)s (over "
                    "%(months)s months): find out why (a flag only; the branch decides)."
                ) % {"name": name, "date": last, "months": months}
            yield Duty(org, title, "life.member_inactive", url=_calendar_url(org))


SOURCES = [
    unconfirmed_meetings,
    missing_minutes,
    pending_leave,
    open_action_items,
    inactive_members,
]


def duties(user, orgs, today: dt.date, *, limit: int, policy):
    yield from _required_meeting_duties(user, orgs, today, policy, limit)
    for source in SOURCES:
        yield from itertools.islice(source(user, orgs, today, policy), limit)


# The label of each kind's group in the to-do centre.
KINDS = {
    "life.meeting_missed": _lazy("Required meetings not held"),
    "life.meeting_due": _lazy("Required meetings due soon"),
    "life.meeting_unconfirmed": _lazy("Meetings to confirm as held or cancelled"),
    "life.minutes_missing": _lazy("Meetings without minutes"),
    "life.leave_pending": _lazy("Leave requests awaiting a decision"),
    "life.action_open": _lazy("Open tasks from meetings"),
    "life.member_inactive": _lazy("Members who have not attended"),
}
