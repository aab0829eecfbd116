"""Every write of the congress app: sessions and their roll, attendance, reports, resolutions,
proposals and rationalization proposals. Each function takes the acting user first, checks the
gate, runs in one transaction and appends an audit event."""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import record
from jiceng.orgs.models import Organization, Tree
from jiceng.people.models import Delegate, Person
from jiceng.policy.selectors import value as policy_value

from . import flows, permissions, selectors
from .models import (
    CongressKind,
    CongressSession,
    Headcount,
    HeadcountCategory,
    Proposal,
    ProposalSeconder,
    ProposalState,
    ProposalStep,
    Report,
    Resolution,
    RollEntry,
    Suggestion,
    SuggestionStep,
)

MAX_TEXT = 4000


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(on: dt.date | None, field: str = "on") -> dt.date:
    on = on or _today()
    if on > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    return on


def _text(value, field: str, message, *, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: str(message)})
    if len(text) > limit:
        raise ValidationError({field: _("This field is too long.")})
    return text


def _check_union(org: Organization, on: dt.date) -> None:
    kinds = list(policy_value("congress.org_kinds", org=org, on=on))
    if org.tree != Tree.UNION or org.kind not in kinds:
        raise ValidationError(
            {"org": _("A workers' congress is held by a grassroots trade union.")}
        )
    if not org.is_active:
        raise ValidationError({"org": _("This organization has been dissolved.")})


# -- sessions ---------------------------------------------------------------------------------


def _seats_on(org: Organization, on: dt.date):
    return Delegate.objects.in_force(on).filter(org=org)


def _sync_roll(session: CongressSession) -> dict:
    """Make the roll the seats in force on the session's date; keep the presence of those
    still seated. Returns counts of added and removed entries."""
    seats = {d.pk: d.category for d in _seats_on(session.org, session.held_on)}
    entries = {e.delegate_id: e for e in session.roll.all()}
    gone = [e.pk for d, e in entries.items() if d not in seats]
    RollEntry.objects.filter(pk__in=gone).delete()
    RollEntry.objects.bulk_create(
        [
            RollEntry(session=session, delegate_id=d, category=category)
            for d, category in seats.items()
            if d not in entries
        ]
    )
    changed = [e for d, e in entries.items() if d in seats and e.category != seats[d]]
    for e in changed:
        e.category = seats[e.delegate_id]
    RollEntry.objects.bulk_update(changed, ["category"])
    return {"added": len(set(seats) - set(entries)), "removed": len(gone)}


@transaction.atomic
def create_session(
    actor,
    org: Organization,
    *,
    term: int,
    number: int,
    held_on: dt.date,
    kind: str = CongressKind.WORKERS,
    place: str = "",
    theme: str = "",
) -> CongressSession:
    """Register a session (届/次) of `org`'s congress; its roll is the delegates seated that day."""
    permissions.require_manage(actor, org)
    _check_union(org, held_on)
    errors = {}
    if kind not in CongressKind.values:
        errors["kind"] = _("This is not one of the allowed values.")
    if not 1 <= int(term) <= 99:
        errors["term"] = _("Enter the term number (届), from 1.")
    if not 1 <= int(number) <= 99:
        errors["number"] = _("Enter the session number (次), from 1.")
    if errors:
        raise ValidationError(errors)
    session = CongressSession(
        org=org,
        kind=kind,
        term=int(term),
        number=int(number),
        held_on=held_on,
        place=(place or "").strip()[:120],
        theme=(theme or "").strip()[:200],
        created_by=actor,
    )
    if CongressSession.objects.filter(
        org=org, kind=kind, term=session.term, number=session.number
    ).exists():
        raise ValidationError(
            {"number": _("%(session)s is already recorded.") % {"session": session.title}}
        )
    session.save()
    counts = _sync_roll(session)
    record(
        actor,
        "congress.session.create",
        session,
        after={
            "org": org.code,
            "session": session.label,
            "kind": kind,
            "held_on": held_on,
            "place": session.place,
            "roll": counts["added"],
        },
        org=org,
    )
    return session


@transaction.atomic
def update_session(
    actor, session: CongressSession, *, held_on: dt.date, place: str = "", theme: str = ""
) -> CongressSession:
    """Change the date, place or theme; a new date redraws the roll (presence is kept)."""
    permissions.require_manage(actor, session.org)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    before = {"held_on": session.held_on, "place": session.place, "theme": session.theme}
    if session.attendance_recorded and held_on != session.held_on:
        raise ValidationError(
            {"held_on": _("Attendance has been recorded: the date can no longer change.")}
        )
    session.held_on, session.place, session.theme = held_on, place.strip(), theme.strip()
    session.save(update_fields=["held_on", "place", "theme"])
    counts = _sync_roll(session)
    record(
        actor,
        "congress.session.update",
        session,
        before=before,
        after={"held_on": held_on, "place": session.place, "theme": session.theme, **counts},
        org=session.org,
    )
    return session


@transaction.atomic
def refresh_roll(actor, session: CongressSession) -> dict:
    """Redraw the roll from the seats in force on the session's date (seats added or ended
    since the session was registered)."""
    permissions.require_manage(actor, session.org)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    counts = _sync_roll(session)
    record(actor, "congress.session.refresh_roll", session, after=counts, org=session.org)
    return counts


@transaction.atomic
def record_attendance(
    actor, session: CongressSession, *, present, headcounts: dict | None = None
) -> CongressSession:
    """Who of the roll was present (entry ids), and how many other attendees by category."""
    permissions.require_manage(actor, session.org)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    if session.held_on > _today():
        raise ValidationError(
            {"present": _("Attendance is recorded on or after the day of the session.")}
        )
    present = {int(p) for p in present}
    roll = set(session.roll.values_list("pk", flat=True))
    if present - roll:
        raise ValidationError({"present": _("Some of the delegates are not on this roll.")})
    counts = {}
    for key, n in (headcounts or {}).items():
        if key not in HeadcountCategory.values:
            raise ValidationError({"headcounts": _("Unknown attendee category.")})
        if n is None or int(n) < 0:
            raise ValidationError({key: _("Enter a number of people, 0 or more.")})
        counts[key] = int(n)
    session.roll.update(present=False)
    session.roll.filter(pk__in=present).update(present=True)
    for key, n in counts.items():
        Headcount.objects.update_or_create(session=session, category=key, defaults={"count": n})
    session.attendance_recorded = True
    session.save(update_fields=["attendance_recorded"])
    quorum = selectors.quorum(session)
    record(
        actor,
        "congress.session.record_attendance",
        session,
        after={
            "present": sorted(present),
            "headcounts": counts,
            "quorum_met": quorum["met"],
        },
        org=session.org,
    )
    return session


@transaction.atomic
def add_report(
    actor, session: CongressSession, *, title: str, reporter: str = "", adopted=None
) -> Report:
    permissions.require_manage(actor, session.org)
    title = _text(title, "title", _("Enter the title of the report."), limit=200)
    if adopted is not None and not session.attendance_recorded:
        raise ValidationError({"adopted": _("Record the attendance first.")})
    order = (session.reports.aggregate(m=Max("order"))["m"] or 0) + 1
    report = Report.objects.create(
        session=session,
        order=order,
        title=title,
        reporter=(reporter or "").strip()[:60],
        adopted=adopted,
    )
    record(
        actor,
        "congress.report.add",
        report,
        after={"session": session.label, "title": title, "adopted": adopted},
        org=session.org,
    )
    return report


@transaction.atomic
def decide_report(actor, report: Report, *, adopted: bool) -> Report:
    session = report.session
    permissions.require_manage(actor, session.org)
    if not session.attendance_recorded:
        raise ValidationError({"adopted": _("Record the attendance first.")})
    before = {"adopted": report.adopted}
    report.adopted = bool(adopted)
    report.save(update_fields=["adopted"])
    record(
        actor,
        "congress.report.decide",
        report,
        before=before,
        after={"adopted": adopted},
        org=session.org,
    )
    return report


@transaction.atomic
def add_resolution(
    actor,
    session: CongressSession,
    *,
    text: str,
    votes_for: int,
    votes_against: int,
    abstentions: int,
) -> Resolution:
    """A resolution put to the vote; whether it passed is judged by policy (the share of all
    voting delegates, or of those present) on the session's date."""
    permissions.require_manage(actor, session.org)
    text = _text(text, "text", _("Enter the text of the resolution."), limit=MAX_TEXT)
    votes = [int(votes_for), int(votes_against), int(abstentions)]
    if any(v < 0 for v in votes):
        raise ValidationError({"votes_for": _("Votes cannot be negative.")})
    quorum = selectors.quorum(session)
    if not session.attendance_recorded:
        raise ValidationError({"text": _("Record the attendance before the votes.")})
    if not quorum["met"]:
        raise ValidationError(
            {
                "text": _(
                    "The session is not quorate (%(present)s of %(base)s delegates present, "
                    "%(needed)s needed): it cannot vote."
                )
                % quorum
            }
        )
    if sum(votes) > quorum["present"]:
        raise ValidationError(
            {
                "votes_for": _(
                    "%(votes)s votes were counted but only %(present)s delegates were present."
                )
                % {"votes": sum(votes), "present": quorum["present"]}
            }
        )
    adopted = selectors.resolution_passes(session, votes[0])
    order = (session.resolutions.aggregate(m=Max("order"))["m"] or 0) + 1
    resolution = Resolution.objects.create(
        session=session,
        order=order,
        text=text,
        votes_for=votes[0],
        votes_against=votes[1],
        abstentions=votes[2],
        adopted=adopted,
    )
    record(
        actor,
        "congress.resolution.add",
        resolution,
        after={"session": session.label, "votes": votes, "adopted": adopted},
        org=session.org,
    )
    return resolution


# -- proposals -------------------------------------------------------------------------------


def _roll_categories(session: CongressSession) -> dict[int, str]:
    return dict(session.roll.values_list("delegate_id", "category"))


@transaction.atomic
def submit_proposal(
    actor,
    session: CongressSession,
    *,
    proposer: Delegate,
    seconders=(),
    title: str,
    reasons: str,
    measures: str = "",
    on: dt.date | None = None,
) -> Proposal:
    """A delegate's proposal to `session` (entered by the union, or by the delegate), with its
    seconders; refused with what is missing."""
    permissions.require_submit_proposal(actor, session, proposer)
    on = _not_future(on, "on")
    title = _text(title, "title", _("Enter the title of the proposal."), limit=200)
    reasons = _text(reasons, "reasons", _("Enter the reasons for the proposal."), limit=MAX_TEXT)
    seconders = list(dict.fromkeys(seconders))
    ctx = flows.Context(
        None,
        on,
        {"proposer": proposer, "seconders": seconders, "roll": _roll_categories(session)},
        org=session.org,
    )
    flows.PROPOSAL.require("submit", "", ctx)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    number = (session.proposals.aggregate(m=Max("number"))["m"] or 0) + 1
    proposal = Proposal.objects.create(
        session=session,
        org=session.org,
        number=number,
        title=title,
        reasons=reasons,
        measures=(measures or "").strip()[:MAX_TEXT],
        proposer=proposer,
        submitted_on=on,
        state=ProposalState.SUBMITTED,
        created_by=actor,
    )
    ProposalSeconder.objects.bulk_create(
        [ProposalSeconder(proposal=proposal, delegate=s) for s in seconders if s != proposer]
    )
    names = [s.person.name for s in seconders if s != proposer]
    ProposalStep.objects.create(
        proposal=proposal, step="submit", on=on, data={"seconders": names}, recorded_by=actor
    )
    record(
        actor,
        "congress.proposal.submit",
        proposal,
        after={
            "session": session.label,
            "number": number,
            "title": title,
            "proposer": proposer.person.name,
            "seconders": names,
            "on": on,
        },
        org=session.org,
    )
    return proposal


def _proposal_data(step: str, data: dict) -> dict:
    """The data a step keeps (strings trimmed), without what the context adds."""
    keep = {
        "sort": ("category",),
        "convert": ("reason",),
        "assign": ("department", "leader"),
        "reply": ("reply",),
        "feedback": ("satisfaction",),
    }.get(step, ())
    return {k: str(data.get(k) or "").strip()[:MAX_TEXT] for k in keep}


@transaction.atomic
def take_proposal_step(
    actor,
    proposal: Proposal,
    step: str,
    *,
    on: dt.date | None = None,
    data: dict | None = None,
    note: str = "",
) -> Proposal:
    """Record one step of a proposal's handling; refused with the reasons when out of order or
    incomplete. The proposer may give their own year-end feedback."""
    if step == "submit":
        raise ValidationError({"step": _("This is not one of the allowed values.")})
    declared = flows.PROPOSAL.step(step)
    permissions.require_take_step(actor, proposal, step)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    on = _not_future(on)
    data = _proposal_data(step, data or {})
    note = (note or "").strip()[:MAX_TEXT]
    ctx = flows.proposal_context(proposal, on, data, note)
    if declared.once and step in ctx.done:
        raise ValidationError(
            {
                "step": _("“%(step)s” is already recorded (%(date)s).")
                % {"step": declared.label, "date": ctx.done[step].on}
            }
        )
    flows.PROPOSAL.require(step, proposal.state, ctx)
    before = {"state": proposal.state}
    if step == "sort":
        proposal.category = data["category"]
    elif step == "convert":
        proposal.opinion_reason = data["reason"][:200]
    elif step == "assign":
        days = int(ctx.policy("congress.proposal.reply_days"))
        proposal.department = data["department"][:120]
        proposal.leader = data["leader"][:60]
        proposal.assigned_on = on
        proposal.reply_due = on + dt.timedelta(days=days)
        data["reply_due"] = proposal.reply_due.isoformat()
    elif step == "reply":
        proposal.reply = data["reply"]
        proposal.replied_on = on
    elif step == "feedback":
        proposal.satisfaction = data["satisfaction"]
    elif step == "excellent":
        proposal.excellent = True
    if declared.to_state:
        proposal.state = declared.to_state
    proposal.save()
    ProposalStep.objects.create(
        proposal=proposal, step=step, on=on, note=note, data=data, recorded_by=actor
    )
    record(
        actor,
        f"congress.proposal.{step}",
        proposal,
        before=before,
        after={"state": proposal.state, "on": on, "data": data, "note": note},
        org=proposal.org,
    )
    return proposal


# -- rationalization proposals --------------------------------------------------------------


@transaction.atomic
def submit_suggestion(
    actor,
    org: Organization,
    *,
    title: str,
    content: str,
    submitter_name: str = "",
    person: Person | None = None,
    submitter_unit: str = "",
    on: dt.date | None = None,
) -> Suggestion:
    """A staff member's rationalization proposal (a known person, or just a name)."""
    permissions.require_manage(actor, org)
    on = _not_future(on)
    if org.tree != Tree.UNION:
        raise ValidationError(
            {"org": _("Rationalization proposals are collected by a trade union.")}
        )
    title = _text(title, "title", _("Enter the title of the suggestion."), limit=200)
    content = _text(content, "content", _("Enter what is suggested."), limit=MAX_TEXT)
    name = (person.name if person is not None else (submitter_name or "")).strip()
    ctx = flows.Context(None, on, {"name": name}, org=org)
    flows.SUGGESTION.require("submit", "", ctx)
    Organization.objects.select_for_update().filter(pk=org.pk).first()  # serialize numbering
    number = (Suggestion.objects.filter(org=org).aggregate(m=Max("number"))["m"] or 0) + 1
    suggestion = Suggestion.objects.create(
        org=org,
        number=number,
        title=title,
        content=content,
        submitted_on=on,
        person=person,
        submitter_name=name[:60],
        submitter_unit=(submitter_unit or "").strip()[:120],
        state=flows.G.SUBMITTED,
        created_by=actor,
    )
    SuggestionStep.objects.create(suggestion=suggestion, step="submit", on=on, recorded_by=actor)
    record(
        actor,
        "congress.suggestion.submit",
        suggestion,
        after={"org": org.code, "number": number, "title": title, "by": name, "on": on},
        org=org,
    )
    return suggestion


def _panel(value) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[\s,，;；、]+", value)
    return list(dict.fromkeys(str(v).strip()[:30] for v in value or () if str(v).strip()))


@transaction.atomic
def take_suggestion_step(
    actor,
    suggestion: Suggestion,
    step: str,
    *,
    on: dt.date | None = None,
    data: dict | None = None,
    note: str = "",
) -> Suggestion:
    """The panel's decision, the implementation and the reward (by the policy's bands)."""
    if step == "submit":
        raise ValidationError({"step": _("This is not one of the allowed values.")})
    declared = flows.SUGGESTION.step(step)
    permissions.require_manage(actor, suggestion.org)
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    on = _not_future(on)
    raw = data or {}
    data = {}
    if step in ("adopt", "reject"):
        data["panel"] = _panel(raw.get("panel"))
    if step in ("reject", "not_implemented"):
        data["reason"] = str(raw.get("reason") or "").strip()[:300]
    if step == "reward":
        data["benefit"] = str(raw.get("benefit", "")).strip()
    note = (note or "").strip()[:MAX_TEXT]
    ctx = flows.suggestion_context(s, on, data)
    if declared.once and step in ctx.done:
        raise ValidationError(
            {
                "step": _("“%(step)s” is already recorded (%(date)s).")
                % {"step": declared.label, "date": ctx.done[step].on}
            }
        )
    flows.SUGGESTION.require(step, s.state, ctx)
    before = {"state": s.state}
    if step in ("adopt", "reject"):
        s.panel = "、".join(data["panel"])[:300]
        s.decided_on = on
        s.decision_reason = data.get("reason", "")
    elif step == "implement":
        s.implemented_on = on
        s.implementation_note = note
    elif step == "not_implemented":
        s.decision_reason = data["reason"]
    elif step == "reward":
        benefit = Decimal(data["benefit"]).quantize(Decimal("0.01"))
        reward = flows.reward_for(benefit, ctx.policy("congress.suggestion.reward_bands"))
        s.benefit, s.reward, s.rewarded_on = benefit, reward, on
        data = {"benefit": str(benefit), "reward": str(reward)}
    s.state = declared.to_state or s.state
    s.save()
    SuggestionStep.objects.create(
        suggestion=s, step=step, on=on, note=note, data=data, recorded_by=actor
    )
    record(
        actor,
        f"congress.suggestion.{step}",
        s,
        before=before,
        after={"state": s.state, "on": on, "data": data, "note": note},
        org=s.org,
    )
    return s
