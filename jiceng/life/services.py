"""Every write of organizational life (DOMAIN.md §3): meetings, sign-in, leave, minutes,
action items, attachments, corrections and annual plans.

Each service takes the acting user first, runs in one transaction, checks the gate and the
policy of the meeting's organization on the meeting's date, and writes an audit event. The
counters on `Meeting` (expected/present/leave) move in the same transaction as the
`Attendance` rows they count, by conditional updates, so simultaneous sign-ins neither
double-count nor lose a count.

Who may do what: an officer of the organization (gate MANAGE) schedules, edits, cancels,
decides leave and corrects; the meeting's recorder may also sign people in, mark the meeting
held and write the minutes; the expected attendees sign themselves in and ask for leave.
Frozen (`timezone.localdate() > meeting.freezes_on`): minutes, items, action items,
attachments and attendance are never edited again; `add_correction` appends instead.
"""

import datetime as dt
import io
import os
import secrets
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jiceng.audit.services import record
from jiceng.elections import selectors as elections
from jiceng.kernel.dated import in_force_on
from jiceng.kernel.files import DOCX, XLSX, sniff_type
from jiceng.kernel.files import size_text as _size_text
from jiceng.orgs.models import Tree
from jiceng.people.models import (
    MEMBER_STAGES,
    Delegate,
    DelegateCategory,
    MembershipState,
    Person,
    Stage,
    UnionMembership,
)
from jiceng.people.selectors import union_members_on
from jiceng.policy.selectors import value as policy_value

from . import notify, permissions
from .models import (
    ActionItem,
    ActivityPlan,
    Attachment,
    Attendance,
    Correction,
    ItemKind,
    LeaveDecision,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesItem,
    Notification,
    PlanItem,
    Presence,
    SignInMethod,
)
from .selectors import is_frozen, visible_people_q

UNION_MEETING_KINDS = frozenset(
    {
        MeetingKind.UNION_ASSEMBLY,
        MeetingKind.UNION_COMMITTEE,
        MeetingKind.UNION_GROUP,
        MeetingKind.WORKERS_CONGRESS,
    }
)
# `life.kind.<kind>.expected`: who is expected, from the records or chosen when scheduling.
FROM_RECORDS = {"members", "voting_members", "union_members", "delegates"}
CHOSEN = {"committee", "chosen"}
# "committee": the officers of the term in force on the meeting's date, of this committee.
COMMITTEE_OF_TREE = {Tree.PARTY: "party", Tree.UNION: "union"}
EDITABLE_FIELDS = ("topic", "starts_at", "ends_at", "place", "host", "recorder")
QUORUM_DENOMINATOR = 100  # a ratio is read as the nearest fraction n/d, d ≤ 100 (0.6667 = 2/3)


# -- small helpers -----------------------------------------------------------------------------


def meeting_day(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.starts_at).date()


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def meeting_url(meeting: Meeting) -> str:
    try:
        return reverse("life:meeting", args=[meeting.pk])
    except NoReverseMatch:
        return ""


def _policy(key: str, org, on: dt.date, default=None):
    try:
        return policy_value(key, org=org, on=on)
    except KeyError:
        return default


def expected_rule(meeting_or_kind, org=None, on: dt.date | None = None) -> str:
    if isinstance(meeting_or_kind, Meeting):
        kind, org, on = meeting_or_kind.kind, meeting_or_kind.org, meeting_day(meeting_or_kind)
    else:
        kind = meeting_or_kind
    return str(_policy(f"life.kind.{kind}.expected", org, on, "chosen"))


def _own_person(user) -> Person:
    person = getattr(user, "person", None) if user and user.is_authenticated else None
    if person is None:
        raise PermissionDenied(
            _("Your account is not linked to a person record, so you cannot take part here.")
        )
    return person


def _text(value, field: str, max_length: int, *, required: bool = True, message=None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: message or _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)s characters, please.") % {"n": max_length}})
    return text


def _refuse_cancelled(meeting: Meeting, field: str = "__all__") -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({field: _("This meeting was cancelled.")})


def _refuse_frozen(meeting: Meeting, field: str = "__all__") -> None:
    if meeting.minutes_locked_at is not None:
        who = meeting.minutes_locked_by
        raise ValidationError(
            {
                field: _(
                    "The record of this meeting was locked by %(name)s at %(time)s: it can no "
                    "longer be edited, only corrected by an appended correction with its reason."
                )
                % {
                    "name": (who.get_full_name() or who.username) if who else "",
                    "time": _when(meeting.minutes_locked_at),
                }
            }
        )
    if is_frozen(meeting):
        raise ValidationError(
            {
                field: _(
                    "The record of this meeting was locked after %(date)s: it can no longer be "
                    "edited, only corrected by an appended correction with its reason."
                )
                % {"date": meeting.freezes_on}
            }
        )


def _check_people(user, people, field: str) -> None:
    """Refuse anyone the acting user could not have picked from their own records."""
    ids = {p.pk for p in people if p is not None}
    if not ids:
        return
    seen = set(
        Person.objects.filter(pk__in=ids)
        .filter(visible_people_q(user))
        .values_list("pk", flat=True)
    )
    if ids - seen:
        raise ValidationError({field: _("Choose people from your organization's records.")})


def _check_kind(org, kind: str) -> None:
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("This is not one of the allowed values.")})
    if (kind in UNION_MEETING_KINDS) != (org.tree == Tree.UNION):
        raise ValidationError(
            {
                "kind": _("A %(org_kind)s does not hold a “%(kind)s”.")
                % {"org_kind": org.get_kind_display(), "kind": MeetingKind(kind).label}
            }
        )


def _check_times(starts_at, ends_at) -> None:
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": _("Give the start and end of the meeting.")})
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("meeting times must be aware datetimes")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})


def _window(org, starts_at, ends_at) -> dict:
    """Sign-in window and freeze date from the policy for `org` on the meeting's date."""
    day = timezone.localtime(starts_at).date()
    before = int(policy_value("life.sign_in.opens_before_minutes", org=org, on=day))
    after = int(policy_value("life.sign_in.closes_after_minutes", org=org, on=day))
    freeze = int(policy_value("life.minutes.freeze_days", org=org, on=day))
    return {
        "sign_in_opens": starts_at - dt.timedelta(minutes=before),
        "sign_in_closes": ends_at + dt.timedelta(minutes=after),
        "freezes_on": timezone.localtime(ends_at).date() + dt.timedelta(days=freeze),
    }


def _new_code(opens, closes) -> str:
    """Six digits no other meeting uses in an overlapping sign-in window."""
    code = ""
    for _attempt in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        clash = Meeting.objects.filter(
            sign_in_code=code, sign_in_opens__lt=closes, sign_in_closes__gt=opens
        ).exclude(status=MeetingStatus.CANCELLED)
        if not clash.exists():
            break
    return code


# -- who is expected ---------------------------------------------------------------------------


def _expected_from_records(org, rule: str, day: dt.date) -> list[int]:
    if rule in ("members", "voting_members"):
        stages = [Stage.FULL] if rule == "voting_members" else list(MEMBER_STAGES)
        rows = MembershipState.objects.filter(in_force_on(day), org=org, stage__in=stages)
        return list(rows.values_list("membership__person_id", flat=True).distinct())
    if rule == "union_members":
        # members then: one who left later was still expected on `day`
        rows = UnionMembership.objects.filter(union_members_on(day), org=org)
        return list(rows.values_list("person_id", flat=True).distinct())
    if rule == "delegates":
        return list(_seats(org, day).values_list("person_id", flat=True).distinct())
    raise ValueError(f"unknown expected rule {rule}")


def _seats(org, day: dt.date):
    return Delegate.objects.in_force(day).filter(org=org)


def committee_members(org, rule: str, day: dt.date) -> list[int] | None:
    """For the "committee" rule: the person ids of the officers of `org`'s committee in
    office on `day` (elections), or None when no term is in force then (or for other rules)."""
    committee = COMMITTEE_OF_TREE.get(org.tree)
    if rule != "committee" or committee is None:
        return None
    return elections.committee_on(org, committee, day)


def _voting(meeting: Meeting):
    """The attendance rows counted for the quorum: those with a vote, where the kind's
    expected rule distinguishes (probationary members and non-voting delegates attend
    without a vote); otherwise every expected attendee (`quorum` measures a committee
    meeting against the committee in office when a term is in force)."""
    rule, day = expected_rule(meeting), meeting_day(meeting)
    rows = Attendance.objects.filter(meeting=meeting)
    if rule == "members":
        full = MembershipState.objects.filter(
            in_force_on(day), org=meeting.org, stage=Stage.FULL
        ).values("membership__person_id")
        return rows.filter(person_id__in=full)
    if rule == "delegates":
        voting = _seats(meeting.org, day).filter(category=DelegateCategory.VOTING)
        return rows.filter(person_id__in=voting.values("person_id"))
    return rows


def quorum_ratio(meeting: Meeting) -> Fraction | None:
    """The kind's quorum for the meeting's organization and date, None when there is none."""
    day = meeting_day(meeting)
    ratio = _policy(f"life.kind.{meeting.kind}.quorum", meeting.org, day)
    if not ratio:
        return None
    return Fraction(str(ratio)).limit_denominator(QUORUM_DENOMINATOR)


def quorum_strict(meeting: Meeting) -> bool:
    day = meeting_day(meeting)
    strict = _policy(f"life.kind.{meeting.kind}.quorum_strict", meeting.org, day)
    if strict is None:
        strict = policy_value("life.quorum_strict", org=meeting.org, on=day)
    return bool(strict)


def quorum(meeting: Meeting) -> dict | None:
    """{ratio, strict, base, present, needed, met} for the meeting as it stands; None when
    the kind has no quorum rule. `needed` is the smallest present count that meets it."""
    ratio = quorum_ratio(meeting)
    if ratio is None:
        return None
    strict = quorum_strict(meeting)
    voting = _voting(meeting)
    base = voting.count()
    present = voting.filter(presence=Presence.PRESENT).count()
    committee = committee_members(meeting.org, expected_rule(meeting), meeting_day(meeting))
    if committee is not None:  # measured against the whole committee, attendees or not
        base = len(committee)
        present = voting.filter(person_id__in=committee, presence=Presence.PRESENT).count()
    threshold = ratio * base
    met = present > threshold if strict else present >= threshold
    needed = (threshold.numerator // threshold.denominator) + 1 if strict else -(-threshold // 1)
    return {
        "ratio": ratio,
        "strict": strict,
        "base": base,
        "present": present,
        "needed": int(needed),
        "met": bool(met) and base > 0,
    }


def _judge_quorum(meeting: Meeting) -> None:
    found = quorum(meeting)
    meeting.quorum_met = None if found is None else found["met"]
    Meeting.objects.filter(pk=meeting.pk).update(quorum_met=meeting.quorum_met)


def _fresh(meeting: Meeting) -> Meeting:
    """Re-read the status and counters under a row lock: the caller's copy may be stale."""
    row = Meeting.objects.select_for_update().filter(pk=meeting.pk)
    meeting.status, *counts = row.values_list(
        "status", "expected_count", "present_count", "leave_count"
    ).get()
    meeting.expected_count, meeting.present_count, meeting.leave_count = counts
    return meeting


def _bump(meeting: Meeting, **deltas) -> None:
    """Move the counters by `deltas` in the database and on the instance."""
    Meeting.objects.filter(pk=meeting.pk).update(
        **{f"{name}_count": F(f"{name}_count") + n for name, n in deltas.items()}
    )
    meeting.refresh_from_db(fields=["expected_count", "present_count", "leave_count"])
    if meeting.status == MeetingStatus.HELD:
        _judge_quorum(meeting)


def _people_with_logins(ids) -> list[Person]:
    return list(Person.objects.filter(pk__in=ids).select_related("user"))


def _notify_attendees(meeting: Meeting, text: str) -> None:
    ids = meeting.attendance.values_list("person_id", flat=True)
    notify.send_many(_people_with_logins(ids), text, meeting_url(meeting))


def _snapshot(meeting: Meeting) -> dict:
    return {
        "kind": meeting.kind,
        "topic": meeting.topic,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "host": meeting.host_id,
        "recorder": meeting.recorder_id,
        "status": meeting.status,
        "freezes_on": meeting.freezes_on,
    }


def _announcement(meeting: Meeting) -> str:
    return _("%(org)s: %(kind)s “%(topic)s”, %(when)s%(place)s.") % {
        "org": meeting.org.name,
        "kind": meeting.get_kind_display(),
        "topic": meeting.topic,
        "when": _when(meeting.starts_at),
        "place": f" · {meeting.place}" if meeting.place else "",
    }


# -- meetings ----------------------------------------------------------------------------------


@transaction.atomic
def schedule_meeting(
    user,
    org,
    *,
    kind: str,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    host: Person | None = None,
    recorder: Person | None = None,
    attendees=None,
    plan_item: PlanItem | None = None,
) -> Meeting:
    """Schedule a meeting of `org`: the expected attendees follow the kind's policy (the
    organization's members, union members or delegates on the meeting's date; a committee
    meeting's officers of the term in force that day, if any) and `attendees` (added to a
    committee meeting; the whole list for group meetings, talks, and committee meetings
    without a term in force); each of them is notified."""
    permissions.require_manage(user, org)
    if org.dissolved_on is not None:
        raise ValidationError({"org": _("This organization has been dissolved.")})
    _check_kind(org, kind)
    topic = _text(topic, "topic", 200)
    place = _text(place, "place", 120, required=False)
    _check_times(starts_at, ends_at)
    _check_people(user, [host, recorder], "host")
    if plan_item is not None and plan_item.plan.org_id != org.pk:
        raise ValidationError({"plan_item": _("This item belongs to another organization's plan.")})
    day = timezone.localtime(starts_at).date()
    rule = expected_rule(kind, org, day)
    chosen = list(dict.fromkeys(p for p in (attendees or ()) if p is not None))
    if rule in FROM_RECORDS:
        if chosen:
            raise ValidationError(
                {
                    "attendees": _(
                        "For a “%(kind)s” the expected attendees come from the records; "
                        "do not pick them."
                    )
                    % {"kind": MeetingKind(kind).label}
                }
            )
        person_ids = _expected_from_records(org, rule, day)
    else:
        # A committee meeting expects the term's officers when a term is in force on the
        # day (others may be added); without a term, whoever the secretary picks.
        committee = committee_members(org, rule, day) or []
        if not chosen and not committee:
            raise ValidationError({"attendees": _("Choose who is expected at this meeting.")})
        _check_people(user, chosen, "attendees")
        person_ids = list(dict.fromkeys([*committee, *(p.pk for p in chosen)]))
    window = _window(org, starts_at, ends_at)
    meeting = Meeting.objects.create(
        org=org,
        kind=kind,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        host=host,
        recorder=recorder,
        plan_item=plan_item,
        sign_in_code=_new_code(window["sign_in_opens"], window["sign_in_closes"]),
        sign_in_token=secrets.token_urlsafe(32),
        expected_count=len(person_ids),
        created_by=user,
        **window,
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, person_id=pk) for pk in person_ids], batch_size=1000
    )
    record(
        user,
        "life.meeting.schedule",
        meeting,
        after={**_snapshot(meeting), "expected": len(person_ids)},
        org=org,
    )
    _notify_attendees(meeting, _announcement(meeting))
    return meeting


@transaction.atomic
def update_meeting(user, meeting: Meeting, **fields) -> Meeting:
    """Change topic, times, place, host or recorder of a scheduled meeting; moving the times
    moves the sign-in window and the freeze date, and the attendees are told."""
    permissions.require_manage(user, meeting.org)
    _fresh(meeting)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            {
                "__all__": _("Only a scheduled meeting can be changed (this one is %(status)s).")
                % {"status": meeting.get_status_display()}
            }
        )
    _refuse_frozen(meeting)  # moving a locked record to a new date would unlock it
    before = _snapshot(meeting)
    if "topic" in fields:
        fields["topic"] = _text(fields["topic"], "topic", 200)
    if "place" in fields:
        fields["place"] = _text(fields["place"], "place", 120, required=False)
    _check_people(user, [fields.get("host"), fields.get("recorder")], "host")
    starts_at = fields.get("starts_at", meeting.starts_at)
    ends_at = fields.get("ends_at", meeting.ends_at)
    _check_times(starts_at, ends_at)
    for name, value in fields.items():
        setattr(meeting, name, value)
    moved = starts_at != before["starts_at"] or ends_at != before["ends_at"]
    if moved:
        for name, value in _window(meeting.org, starts_at, ends_at).items():
            setattr(meeting, name, value)
    meeting.save()
    after = _snapshot(meeting)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        record(
            user,
            "life.meeting.update",
            meeting,
            before={k: before[k] for k in changed},
            after=changed,
            org=meeting.org,
        )
    if moved or "place" in changed:
        _notify_attendees(meeting, _("Changed: %(what)s") % {"what": _announcement(meeting)})
    return meeting


@transaction.atomic
def cancel_meeting(user, meeting: Meeting, *, reason: str) -> Meeting:
    permissions.require_manage(user, meeting.org)
    reason = _text(reason, "reason", 200, message=_("Give the reason for cancelling."))
    _fresh(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            {
                "__all__": _("Only a scheduled meeting can be cancelled (this one is %(status)s).")
                % {"status": meeting.get_status_display()}
            }
        )
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    record(
        user,
        "life.meeting.cancel",
        meeting,
        before={"status": MeetingStatus.SCHEDULED},
        after={"status": meeting.status, "reason": reason},
        org=meeting.org,
    )
    _notify_attendees(
        meeting,
        _("Cancelled: %(what)s Reason: %(reason)s")
        % {"what": _announcement(meeting), "reason": reason},
    )
    return meeting


@transaction.atomic
def mark_held(user, meeting: Meeting, *, now: dt.datetime | None = None) -> Meeting:
    """Record that the meeting took place; the quorum is judged by the kind's policy for the
    organization on the meeting's date (None: the kind has no quorum rule)."""
    permissions.require_record(user, meeting)
    now = now or timezone.now()
    _fresh(meeting)
    _refuse_cancelled(meeting)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError({"__all__": _("This meeting is already marked as held.")})
    if now < meeting.starts_at:
        raise ValidationError(
            {
                "__all__": _("The meeting has not started yet (it starts at %(time)s).")
                % {"time": _when(meeting.starts_at)}
            }
        )
    _refuse_frozen(meeting)
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    _judge_quorum(meeting)
    record(
        user,
        "life.meeting.mark_held",
        meeting,
        before={"status": MeetingStatus.SCHEDULED},
        after={
            "status": meeting.status,
            "expected": meeting.expected_count,
            "present": meeting.present_count,
            "leave": meeting.leave_count,
            "quorum_met": meeting.quorum_met,
        },
        org=meeting.org,
    )
    return meeting


# -- sign-in and leave -------------------------------------------------------------------------


def _check_window(meeting: Meeting, now: dt.datetime, field: str) -> None:
    _refuse_cancelled(meeting, field)
    if now < meeting.sign_in_opens:
        raise ValidationError(
            {
                field: _("Sign-in for “%(topic)s” opens at %(time)s.")
                % {"topic": meeting.topic, "time": _when(meeting.sign_in_opens)}
            }
        )
    if now > meeting.sign_in_closes:
        raise ValidationError(
            {
                field: _(
                    "This sign-in code expired at %(time)s: sign-in for “%(topic)s” is closed."
                )
                % {"topic": meeting.topic, "time": _when(meeting.sign_in_closes)}
            }
        )


def _attendance_by_code(person: Person, code: str, now: dt.datetime) -> Attendance:
    code = "".join((code or "").split())
    rows = list(
        Attendance.objects.filter(person=person, meeting__sign_in_code=code)
        .select_related("meeting__org")
        .order_by("-meeting__starts_at")[:20]
    )
    if not code or not rows:
        raise ValidationError(
            {"code": _("No meeting you are expected at has this sign-in code. Check the code.")}
        )

    def distance(a: Attendance) -> dt.timedelta:
        m = a.meeting
        if m.sign_in_opens <= now <= m.sign_in_closes:
            return dt.timedelta(0)
        return min(abs(m.sign_in_opens - now), abs(now - m.sign_in_closes))

    live = [a for a in rows if a.meeting.status != MeetingStatus.CANCELLED] or rows
    return min(live, key=distance)


def _mark_present(att: Attendance, now: dt.datetime, method: str, by) -> tuple[Attendance, bool]:
    """Present from now (idempotent): (row, whether it changed)."""
    updates = {"presence": Presence.PRESENT, "signed_at": now, "method": method, "signed_by": by}
    meeting = att.meeting
    if Attendance.objects.filter(pk=att.pk, presence=Presence.EXPECTED).update(**updates):
        _bump(meeting, present=1)
    elif Attendance.objects.filter(pk=att.pk, presence=Presence.ON_LEAVE).update(**updates):
        _bump(meeting, present=1, leave=-1)  # on leave after all, but came
    else:
        att.refresh_from_db()
        return att, False
    att.refresh_from_db()
    return att, True


@transaction.atomic
def sign_in(
    user, *, code: str | None = None, token: str | None = None, now: dt.datetime | None = None
) -> Attendance:
    """The user signs themselves in with the short code or the QR token, inside the window.
    Signing in again returns the existing row unchanged."""
    person = _own_person(user)
    now = now or timezone.now()
    if token:
        field = "token"
        meeting = Meeting.objects.select_related("org").filter(sign_in_token=token).first()
        if meeting is None:
            raise ValidationError({field: _("This sign-in link is not valid.")})
        att = Attendance.objects.filter(meeting=meeting, person=person).first()
        if att is None:
            raise ValidationError(
                {field: _("You are not among the expected attendees of this meeting.")}
            )
        att.meeting = meeting
        method = SignInMethod.QR
    elif code:
        field = "code"
        att = _attendance_by_code(person, code, now)
        method = SignInMethod.CODE
    else:
        raise ValidationError({"code": _("Enter the sign-in code.")})
    if att.presence == Presence.PRESENT:
        return att
    _check_window(att.meeting, now, field)
    att, changed = _mark_present(att, now, method, user)
    if changed:
        record(
            user,
            "life.meeting.sign_in",
            att,
            after={"meeting": att.meeting_id, "person": person.name, "method": method, "at": now},
            org=att.meeting.org,
        )
    return att


@transaction.atomic
def sign_in_for(
    user, meeting: Meeting, person: Person, *, now: dt.datetime | None = None
) -> Attendance:
    """The recorder (or an officer) signs in an attendee who has no phone, inside the window."""
    permissions.require_record(user, meeting)
    now = now or timezone.now()
    att = Attendance.objects.filter(meeting=meeting, person=person).first()
    if att is None:
        raise ValidationError(
            {"person": _("%(name)s is not among the expected attendees.") % {"name": person.name}}
        )
    att.meeting = meeting
    if att.presence == Presence.PRESENT:
        return att
    _check_window(meeting, now, "person")
    att, changed = _mark_present(att, now, SignInMethod.BY_RECORDER, user)
    if changed:
        record(
            user,
            "life.meeting.sign_in",
            att,
            after={
                "meeting": meeting.pk,
                "person": person.name,
                "method": SignInMethod.BY_RECORDER,
                "at": now,
            },
            org=meeting.org,
        )
    return att


@transaction.atomic
def request_leave(
    user, meeting: Meeting, *, reason: str, now: dt.datetime | None = None
) -> LeaveRequest:
    """The user asks for leave from a meeting they are expected at, before it ends."""
    person = _own_person(user)
    now = now or timezone.now()
    reason = _text(reason, "reason", 200, message=_("Give the reason for your leave."))
    att = Attendance.objects.filter(meeting=meeting, person=person).first()
    if att is None:
        raise ValidationError(
            {"__all__": _("You are not among the expected attendees of this meeting.")}
        )
    _refuse_cancelled(meeting)
    if now >= meeting.ends_at:
        raise ValidationError(
            {"__all__": _("The meeting is over: leave must be asked for before it ends.")}
        )
    if att.presence == Presence.PRESENT:
        raise ValidationError({"__all__": _("You have already signed in to this meeting.")})
    earlier = LeaveRequest.objects.filter(meeting=meeting, person=person).first()
    if earlier is not None:
        raise ValidationError(
            {
                "__all__": _("You have already asked for leave from this meeting (%(decision)s).")
                % {"decision": earlier.get_decision_display()}
            }
        )
    leave = LeaveRequest.objects.create(meeting=meeting, person=person, reason=reason)
    record(
        user,
        "life.leave.request",
        leave,
        after={"meeting": meeting.pk, "person": person.name, "reason": reason},
        org=meeting.org,
    )
    deciders = [p for p in (meeting.host, meeting.recorder) if p is not None and p.pk != person.pk]
    if deciders:
        notify.send_many(
            _people_with_logins([p.pk for p in deciders]),
            _("%(name)s asks for leave from “%(topic)s”: %(reason)s")
            % {"name": person.name, "topic": meeting.topic, "reason": reason},
            meeting_url(meeting),
        )
    return leave


@transaction.atomic
def decide_leave(user, leave: LeaveRequest, *, approve: bool) -> LeaveRequest:
    """Approve or reject a pending leave request; approved leave is not counted absent."""
    meeting = leave.meeting
    permissions.require_manage(user, meeting.org)
    _fresh(meeting)
    leave.decision = (
        LeaveRequest.objects.select_for_update().values_list("decision", flat=True).get(pk=leave.pk)
    )
    if leave.decision != LeaveDecision.PENDING:
        raise ValidationError(
            {
                "__all__": _("This leave request has already been decided (%(decision)s).")
                % {"decision": leave.get_decision_display()}
            }
        )
    _refuse_cancelled(meeting)
    _refuse_frozen(meeting)
    if approve:
        changed = Attendance.objects.filter(
            meeting=meeting, person_id=leave.person_id, presence=Presence.EXPECTED
        ).update(presence=Presence.ON_LEAVE)
        if not changed:
            raise ValidationError(
                {
                    "__all__": _("%(name)s has already signed in; there is no leave to approve.")
                    % {"name": leave.person.name}
                }
            )
        _bump(meeting, leave=1)
    leave.decision = LeaveDecision.APPROVED if approve else LeaveDecision.REJECTED
    leave.decided_by, leave.decided_at = user, timezone.now()
    leave.save(update_fields=["decision", "decided_by", "decided_at"])
    record(
        user,
        "life.leave.decide",
        leave,
        before={"decision": LeaveDecision.PENDING},
        after={"decision": leave.decision, "person": leave.person.name, "meeting": meeting.pk},
        org=meeting.org,
    )
    text = (
        _("Your leave from “%(topic)s” was approved.")
        if approve
        else _("Your leave from “%(topic)s” was not approved: please attend.")
    )
    notify.send_many(
        _people_with_logins([leave.person_id]),
        text % {"topic": meeting.topic},
        meeting_url(meeting),
    )
    return leave


# -- minutes, action items, attachments, corrections -----------------------------------------


def _minutes_snapshot(minutes: Minutes | None) -> dict:
    if minutes is None:
        return {"content": "", "items": []}
    return {
        "content": minutes.content,
        "items": [[i.kind, i.speaker_id, i.text] for i in minutes.items.all()],
    }


@transaction.atomic
def save_minutes(user, meeting: Meeting, *, content: str, items=()) -> Minutes:
    """Write the minutes: the content and the structured items (kind, text, speaker), which
    replace the previous items. Refused once the meeting's record is frozen."""
    permissions.require_record(user, meeting)
    _refuse_cancelled(meeting, "content")
    _refuse_frozen(meeting, "content")
    rows = []
    for kind, text, speaker in items:
        if kind not in ItemKind.values:
            raise ValidationError({"items": _("This is not one of the allowed values.")})
        text = (text or "").strip()
        if text:
            rows.append((kind, text, speaker))
    _check_people(user, [speaker for _k, _t, speaker in rows], "items")
    minutes = Minutes.objects.filter(meeting=meeting).first()
    before = _minutes_snapshot(minutes)
    if minutes is None:
        minutes = Minutes(meeting=meeting)
    minutes.content, minutes.written_by = (content or "").strip(), user
    minutes.save()
    minutes.items.all().delete()
    MinutesItem.objects.bulk_create(
        [
            MinutesItem(minutes=minutes, kind=kind, position=n, speaker=speaker, text=text)
            for n, (kind, text, speaker) in enumerate(rows, start=1)
        ]
    )
    after = _minutes_snapshot(minutes)
    if after != before:
        record(user, "life.minutes.save", minutes, before=before, after=after, org=meeting.org)
    return minutes


@transaction.atomic
def lock_minutes(user, meeting: Meeting, *, now: dt.datetime | None = None) -> Meeting:
    """Lock the meeting's record by hand before its freeze date: from now on the minutes, the
    action items and the attachments are only corrected by appended corrections."""
    permissions.require_record(user, meeting)
    now = now or timezone.now()
    meeting.refresh_from_db(fields=["status", "minutes_locked_at", "minutes_locked_by"])
    _refuse_cancelled(meeting)
    _refuse_frozen(meeting)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(
            {"__all__": _("Only the record of a meeting marked as held can be locked.")}
        )
    if not Minutes.objects.filter(meeting=meeting).exists():
        raise ValidationError({"__all__": _("Write the minutes before locking them.")})
    meeting.minutes_locked_at, meeting.minutes_locked_by = now, user
    meeting.save(update_fields=["minutes_locked_at", "minutes_locked_by"])
    record(
        user,
        "life.minutes.lock",
        meeting,
        before={"minutes_locked_at": None},
        after={"minutes_locked_at": now, "freezes_on": meeting.freezes_on},
        org=meeting.org,
    )
    return meeting


@transaction.atomic
def add_action_item(
    user, meeting: Meeting, *, text: str, owner: Person, due_on: dt.date
) -> ActionItem:
    """A task decided at the meeting; it stays in the to-do centre until it is closed."""
    permissions.require_record(user, meeting)
    _refuse_cancelled(meeting, "text")
    _refuse_frozen(meeting, "text")
    text = _text(text, "text", 300)
    if owner is None:
        raise ValidationError({"owner": _("Choose who is responsible.")})
    _check_people(user, [owner], "owner")
    if due_on is None or due_on < meeting_day(meeting):
        raise ValidationError({"due_on": _("The due date may not be before the meeting.")})
    item = ActionItem.objects.create(meeting=meeting, text=text, owner=owner, due_on=due_on)
    record(
        user,
        "life.action.add",
        item,
        after={"meeting": meeting.pk, "text": text, "owner": owner.name, "due_on": due_on},
        org=meeting.org,
    )
    notify.send_many(
        _people_with_logins([owner.pk]),
        _("Task from “%(topic)s”, due %(date)s: %(text)s")
        % {"topic": meeting.topic, "date": due_on, "text": text},
        meeting_url(meeting),
    )
    return item


@transaction.atomic
def close_action_item(
    user, item: ActionItem, *, follow_up: str = "", on: dt.date | None = None
) -> ActionItem:
    """Close a task with what was done; by an officer or by the task's owner."""
    meeting = item.meeting
    permissions.require_close_task(user, item)
    today = timezone.localdate()
    on = on or today
    if item.closed_on is not None:
        raise ValidationError(
            {"__all__": _("This task was already closed on %(date)s.") % {"date": item.closed_on}}
        )
    if on > today:
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < meeting_day(meeting):
        raise ValidationError({"on": _("A task cannot be closed before its meeting.")})
    item.closed_on, item.closed_by = on, user
    item.follow_up = _text(follow_up, "follow_up", 2000, required=False)
    item.save(update_fields=["closed_on", "closed_by", "follow_up"])
    record(
        user,
        "life.action.close",
        item,
        after={"closed_on": on, "follow_up": item.follow_up},
        org=meeting.org,
    )
    return item


# File types told apart by their first bytes (jiceng.kernel.files.sniff_type), never by the name.
TYPE_NAMES = {
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/heic": "HEIC",
    "application/pdf": "PDF",
    DOCX: "Word (.docx)",
    XLSX: "Excel (.xlsx)",
}


@transaction.atomic
def add_attachment(user, meeting: Meeting, *, uploaded_file) -> Attachment:
    """A photo or document of the meeting; type and size limits are policy."""
    permissions.require_record(user, meeting)
    _refuse_cancelled(meeting, "file")
    _refuse_frozen(meeting, "file")
    day = meeting_day(meeting)
    max_bytes = int(policy_value("life.attachments.max_bytes", org=meeting.org, on=day))
    allowed = list(policy_value("life.attachments.types", org=meeting.org, on=day))
    size = uploaded_file.size
    if size is None or size > max_bytes:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; an attachment may be at most %(max)s.")
                % {"size": _size_text(size or 0), "max": _size_text(max_bytes)}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    uploaded_file.seek(0)
    data = uploaded_file.read()
    content_type = sniff_type(data[:32], io.BytesIO(data))
    if content_type not in allowed:
        raise ValidationError(
            {
                "file": _("Files of this type cannot be attached; allowed: %(allowed)s.")
                % {"allowed": "、".join(TYPE_NAMES.get(t, t) for t in allowed)}
            }
        )
    name = os.path.basename((uploaded_file.name or "").replace("\\", "/")).strip()[:200] or "file"
    attachment = Attachment(
        meeting=meeting, name=name, content_type=content_type, size=size, uploaded_by=user
    )
    uploaded_file.seek(0)
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    record(
        user,
        "life.attachment.add",
        attachment,
        after={"meeting": meeting.pk, "name": name, "type": content_type, "size": size},
        org=meeting.org,
    )
    return attachment


def correction_targets(meeting: Meeting) -> list[tuple[str, str, str]]:
    """What may be corrected in a meeting's record: (target, label, text as now shown)."""
    shown = {}
    for c in meeting.corrections.order_by("made_at", "id"):
        shown[c.target] = c.new
    minutes = Minutes.objects.filter(meeting=meeting).first()
    found = [
        ("topic", _("Topic"), meeting.topic),
        ("place", _("Place"), meeting.place),
        ("content", _("Content of the meeting"), minutes.content if minutes else ""),
    ]
    if minutes is not None:
        for item in minutes.items.select_related("speaker"):
            label = f"{item.position}. {item.get_kind_display()}"
            if item.speaker:
                label += f"（{item.speaker.name}）"
            found.append((f"item:{item.pk}", label, item.text))
    for action in meeting.action_items.select_related("owner").order_by("id"):
        found.append(
            (f"action:{action.pk}", _("Task: %(text)s") % {"text": action.text[:30]}, action.text)
        )
    for att in meeting.attendance.select_related("person").order_by("person__name", "person_id"):
        found.append(
            (
                f"attendance:{att.person_id}",
                _("Attendance of %(name)s") % {"name": att.person.name},
                str(att.get_presence_display()),
            )
        )
    return [(key, str(label), shown.get(key, text)) for key, label, text in found]


@transaction.atomic
def add_correction(user, meeting: Meeting, *, target: str, new: str, reason: str) -> Correction:
    """Append a reasoned correction to a frozen record; the original stays as it was."""
    permissions.require_manage(user, meeting.org)
    if not is_frozen(meeting):
        raise ValidationError(
            {
                "target": _(
                    "The record is not locked yet (it locks after %(date)s): edit it directly."
                )
                % {"date": meeting.freezes_on}
            }
        )
    targets = {key: text for key, _label, text in correction_targets(meeting)}
    if target not in targets:
        raise ValidationError({"target": _("This is not one of the allowed values.")})
    new = _text(new, "new", 20000, message=_("Enter the corrected text."))
    reason = _text(reason, "reason", 300, message=_("Give the reason for the correction."))
    old = targets[target]
    if new == old:
        raise ValidationError({"new": _("The corrected text is the same as the original.")})
    correction = Correction.objects.create(
        meeting=meeting, target=target, old=old, new=new, reason=reason, made_by=user
    )
    record(
        user,
        "life.correction.add",
        correction,
        after={"meeting": meeting.pk, "target": target, "old": old, "new": new, "reason": reason},
        org=meeting.org,
    )
    return correction


# -- annual plans, notifications --------------------------------------------------------------


@transaction.atomic
def save_plan(user, org, *, year: int, items, note: str = "") -> ActivityPlan:
    """The organization's annual plan: items (month, kind, topic). Items kept from the previous
    version keep their meetings; items dropped from the plan leave their meetings unplanned."""
    permissions.require_plan(user, org)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("The year is out of range.")})
    wanted = []
    for month, kind, topic in items:
        if not (isinstance(month, int) and 1 <= month <= 12):
            raise ValidationError({"items": _("The month must be between 1 and 12.")})
        _check_kind(org, kind)
        wanted.append((month, kind, _text(topic, "items", 200)))
    plan, created = ActivityPlan.objects.get_or_create(
        org=org, year=year, defaults={"created_by": user, "note": (note or "").strip()}
    )
    before = (
        None
        if created
        else {
            "note": plan.note,
            "items": [[i.month, i.kind, i.topic] for i in plan.items.all()],
        }
    )
    plan.note = (note or "").strip()
    plan.save()
    existing = {}
    for item in plan.items.all():
        existing.setdefault((item.month, item.kind, item.topic), []).append(item)
    keep, new = [], []
    for key in wanted:
        if existing.get(key):
            keep.append(existing[key].pop(0).pk)
        else:
            new.append(PlanItem(plan=plan, month=key[0], kind=key[1], topic=key[2]))
    plan.items.exclude(pk__in=keep).delete()
    PlanItem.objects.bulk_create(new)
    after = {"note": plan.note, "items": [[i.month, i.kind, i.topic] for i in plan.items.all()]}
    if after != before:
        record(
            user,
            "life.plan.save",
            plan,
            before=before,
            after={**after, "year": plan.year},
            org=org,
        )
    return plan


def mark_notifications_read(user, ids=None) -> int:
    """Mark the user's own notifications (all, or those in `ids`) as read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
