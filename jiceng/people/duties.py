"""What organizations owe about their members, for the to-do centre.

Each generator below is one kind of duty; `duties` chains them, each capped at `limit`:

- pipeline milestones of the member's branch (talk, development target, approval, conversion);
- transfer letters awaiting a decision (receiving organization);
- accepted letters: the receiving organization expects the member by the deadline; past it,
  both organizations must chase the member ("pocket member", 001:L44);
- half-yearly follow-ups of floating members (their branch, 000:L35);
- the monthly floating report of each upper organization with floating members below (000:L35).
"""

import datetime as dt
import itertools
from collections import Counter

from django.db.models import Count, F, Max, Prefetch
from django.db.models.functions import Coalesce
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.kernel.dated import in_force_on
from jiceng.kernel.duties import Duty
from jiceng.kernel.paths import ancestor_paths
from jiceng.orgs.models import Tree

from .models import (
    MEMBER_STAGES,
    FloatingRecord,
    FloatingReport,
    MembershipState,
    Milestone,
    PartyMembership,
    Stage,
    Transfer,
    TransferState,
)
from .selectors import month_bounds


def _days(key: str, policy):
    """Per-organization days of policy, from the request's snapshot (no query per organization)."""
    return lambda org: dt.timedelta(days=int(policy.value(key, org)))


def _letter_url(t: Transfer) -> str:
    return reverse_lazy("people:transfer_detail", args=[t.pk])


# -- the development pipeline ------------------------------------------------------------------


def milestones(orgs, today: dt.date, policy):
    talk = _days("people.party.talk_within_days", policy)
    ripen = _days("people.party.activist_min_days", policy)
    approve = _days("people.party.approval_within_days", policy)
    probation = _days("people.party.probation_days", policy)
    notice = _days("people.party.conversion_notice_days", policy)
    pending = (
        PartyMembership.objects.filter(
            org__in=orgs, stage__in=[Stage.APPLICANT, Stage.ACTIVIST, Stage.PROBATIONARY]
        )
        .select_related("person", "org")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.only("membership_id", "step", "on"))
        )
        .order_by("id")
    )
    for m in pending.iterator(chunk_size=500):
        done = {ms.step: ms.on for ms in m.milestones.all()}
        name, org = m.person.name, m.org
        if m.stage == Stage.APPLICANT and "talk" not in done and "apply" in done:
            yield Duty(
                org,
                _("Talk with applicant %(name)s (applied on %(date)s).")
                % {"name": name, "date": done["apply"]},
                "people.talk",
                due=done["apply"] + talk(org),
            )
        elif m.stage == Stage.ACTIVIST and "activist" in done:
            ready = done["activist"] + ripen(org)
            if ready <= today + notice(org):
                yield Duty(
                    org,
                    _("%(name)s can be considered as a development target from %(date)s.")
                    % {"name": name, "date": ready},
                    "people.target_ready",
                    due=ready,
                )
        elif m.stage == Stage.PROBATIONARY and "admit" in done:
            if "approve" not in done:
                yield Duty(
                    org,
                    _("The upper committee should approve %(name)s's admission by %(date)s.")
                    % {"name": name, "date": done["admit"] + approve(org)},
                    "people.approval_due",
                    due=done["admit"] + approve(org),
                )
            else:
                ends = done["admit"] + probation(org)
                if ends <= today + notice(org):
                    yield Duty(
                        org,
                        _(
                            "%(name)s: the probation ends on %(date)s; hold a branch general "
                            "meeting to discuss the conversion."
                        )
                        % {"name": name, "date": ends},
                        "people.conversion_due",
                        due=ends,
                    )


# -- transfers ---------------------------------------------------------------------------------


def _letters(**filters):
    return (
        Transfer.objects.filter(**filters)
        .select_related("membership__person", "from_org", "to_org")
        .order_by("issued_on", "id")
    )


def undecided_transfers(orgs, today: dt.date, policy):
    decide = _days("people.transfer.decide_within_days", policy)
    for t in _letters(state=TransferState.ISSUED, to_org__in=orgs).iterator():
        yield Duty(
            t.to_org,
            _(
                "Accept or reject the transfer of %(name)s from %(from)s (letter %(letter)s of %(date)s)."
            )
            % {
                "name": t.membership.person.name,
                "from": t.sender_name,
                "letter": t.letter_number,
                "date": t.issued_on,
            },
            "people.transfer_undecided",
            due=t.issued_on + decide(t.to_org),
            url=_letter_url(t),
        )


def _unreported(t: Transfer, org) -> Duty:
    return Duty(
        org,
        _(
            "%(name)s (transferred from %(from)s to %(to)s) has not reported in by %(date)s: "
            "find them, or they become a “pocket member”."
        )
        % {
            "name": t.membership.person.name,
            "from": t.sender_name,
            "to": t.receiver_name,
            "date": t.report_by,
        },
        "people.transfer_unreported",
        due=t.report_by,
        url=_letter_url(t),
    )


def awaited_report_ins(orgs, today: dt.date, policy):
    """The receiving side: expect the member by the deadline, chase them after it."""
    for t in _letters(state=TransferState.ACCEPTED, to_org__in=orgs).iterator():
        if t.report_by < today:
            yield _unreported(t, t.to_org)
        else:
            yield Duty(
                t.to_org,
                _("%(name)s (transferred from %(from)s) should report in by %(date)s.")
                % {"name": t.membership.person.name, "from": t.sender_name, "date": t.report_by},
                "people.transfer_report_expected",
                due=t.report_by,
                url=_letter_url(t),
            )


def unreported_at_sender(orgs, today: dt.date, policy):
    """The sending side: a member it let go who never arrived is still its member."""
    late = _letters(state=TransferState.ACCEPTED, from_org__in=orgs, report_by__lt=today)
    for t in late.iterator():
        yield _unreported(t, t.from_org)


# -- floating members --------------------------------------------------------------------------


def floating_follow_ups(orgs, today: dt.date, policy):
    every = _days("people.floating.follow_up_days", policy)
    soon = dt.timedelta(days=int(policy.value("todo.due_soon_days")))
    earliest = dt.timedelta(days=int(policy.lowest("people.floating.follow_up_days")))
    records = (
        FloatingRecord.objects.filter(
            valid_until__isnull=True,
            membership__org__in=orgs,
            membership__stage__in=MEMBER_STAGES,
        )
        .annotate(last=Coalesce(Max("follow_ups__on"), F("valid_from")))
        .filter(last__lte=today + soon - earliest)  # no row can be due later than this
        .select_related("membership__person", "membership__org")
        .order_by("last", "id")
    )
    for r in records.iterator():
        org = r.membership.org
        due = r.last + every(org)
        if due <= today + soon:
            yield Duty(
                org,
                _(
                    "Follow up on floating member %(name)s (%(place)s): thinking, employment "
                    "and living. Last contact: %(date)s."
                )
                % {"name": r.membership.person.name, "place": r.place, "date": r.last},
                "people.floating_follow_up",
                due=due,
                url=reverse_lazy("people:floating_record", args=[r.pk]),
            )


def _floating_below(on: dt.date) -> Counter:
    """Floating members on `on`, added up into every ancestor path of their organization.

    Paths are today's: a subtree moved since the month end is counted where it stands now.
    """
    per_org = (
        MembershipState.objects.filter(in_force_on(on), stage__in=MEMBER_STAGES)
        .exclude(floating="")
        .values_list("org__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    below = Counter()
    for path, n in per_org:
        for ancestor in ancestor_paths(path):
            below[ancestor] += n
    return below


def floating_reports(orgs, today: dt.date, policy):
    """This month's report (due by the policy day) and last month's if it was never sent."""
    kinds = policy.value("people.floating.report_org_kinds")

    def due_day(org):
        return int(policy.value("people.floating.report_due_day", org))

    candidates = list(orgs.filter(kind__in=kinds, tree=Tree.PARTY).order_by("path"))
    if not candidates:
        return
    this_month = today.replace(day=1)
    for first in (this_month - dt.timedelta(days=1)).replace(day=1), this_month:
        month = f"{first:%Y-%m}"
        _first, last = month_bounds(month)
        below = _floating_below(min(last, today))
        if not below:
            continue
        owing = [o for o in candidates if below[o.path]]
        sent = set(
            FloatingReport.objects.filter(org__in=owing, month=month).values_list(
                "org_id", flat=True
            )
        )
        for org in owing:
            if org.pk in sent:
                continue
            yield Duty(
                org,
                _(
                    "Submit the monthly report on floating members for %(month)s "
                    "(%(n)s floating members under %(org)s)."
                )
                % {"month": month, "n": below[org.path], "org": org.name},
                "people.floating_report",
                due=last.replace(day=min(due_day(org), last.day)),
                url=reverse_lazy("people:org_floating", args=[org.code]),
            )


SOURCES = [
    milestones,
    undecided_transfers,
    awaited_report_ins,
    unreported_at_sender,
    floating_follow_ups,
    floating_reports,
]


def duties(user, orgs, today: dt.date, *, limit: int, policy):
    for source in SOURCES:
        yield from itertools.islice(source(orgs, today, policy), limit)


# The label of each kind's group in the to-do centre.
KINDS = {
    "people.talk": _lazy("Applicants awaiting a talk"),
    "people.target_ready": _lazy("Activists ready to become development targets"),
    "people.approval_due": _lazy("Admissions awaiting approval"),
    "people.conversion_due": _lazy("Probationary members due for conversion"),
    "people.transfer_undecided": _lazy("Transfer letters awaiting a decision"),
    "people.transfer_report_expected": _lazy("Transferred members expected to report in"),
    "people.transfer_unreported": _lazy("Transferred members who have not reported in"),
    "people.floating_follow_up": _lazy("Floating members to follow up"),
    "people.floating_report": _lazy("Monthly floating member reports"),
}
