"""Every read of the congress app that leaves it, scoped by the gate (a proposer also sees their
own proposals). A record the user may not see raises DoesNotExist, so pages answer 404."""

import datetime as dt
import math
from collections import Counter
from fractions import Fraction

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.kernel.dated import in_force_on
from jiceng.kernel.workflow import next_steps
from jiceng.orgs.models import Organization
from jiceng.people.models import Delegate, DelegateCategory
from jiceng.policy.selectors import value as policy_value

from . import flows, permissions
from .models import (
    CongressSession,
    HeadcountCategory,
    Proposal,
    ProposalState,
    ProposalStep,
    Report,
    Resolution,
    Satisfaction,
    Suggestion,
    SuggestionState,
    SuggestionStep,
)

QUORUM_KEY = "life.kind.workers_congress.quorum"  # one rule with the life app's meeting record
QUORUM_STRICT_KEYS = ("life.kind.workers_congress.quorum_strict", "life.quorum_strict")


def share(value) -> Fraction:
    """A policy ratio as a fraction: "2/3", 0.5, or 0.6667 (read as the nearest fraction with a
    denominator up to 100, i.e. 2/3: a rounded decimal must not raise the bar above 三分之二)."""
    return Fraction(str(value)).limit_denominator(100)


# -- sessions -----------------------------------------------------------------------------


def sessions(user, org: Organization):
    gate.require(user, gate.VIEW, org)
    return (
        CongressSession.objects.filter(org=org)
        .annotate(proposal_count=Count("proposals", distinct=True))
        .order_by("-term", "-number", "-id")
    )


def visible_sessions(user):
    return CongressSession.objects.filter(gate.org_filter(user, field="org")).select_related("org")


def get_session(user, pk: int) -> CongressSession:
    return visible_sessions(user).get(pk=pk)


def _strict(org, on) -> bool:
    for key in QUORUM_STRICT_KEYS:
        try:
            return bool(policy_value(key, org=org, on=on))
        except KeyError:
            continue
    return False


def needed_for(base: int, ratio: Fraction, strict: bool) -> int:
    """The fewest present that meet `ratio` of `base` (more than it when strict)."""
    exact = ratio * base
    return math.floor(exact) + 1 if strict else math.ceil(exact)


def quorum(session: CongressSession) -> dict:
    """Voting delegates due (the roll) and present, and the quorum by the policy in force on the
    session's date for its union (at least 2/3 of the delegates by default)."""
    roll = session.roll.filter(category=DelegateCategory.VOTING)
    base = roll.count()
    present = roll.filter(present=True).count()
    ratio = share(policy_value(QUORUM_KEY, org=session.org, on=session.held_on))
    strict = _strict(session.org, session.held_on)
    needed = needed_for(base, ratio, strict)
    return {
        "base": base,
        "present": present,
        "needed": needed,
        "ratio": ratio,
        "strict": strict,
        "recorded": session.attendance_recorded,
        "met": session.attendance_recorded and base > 0 and present >= needed,
    }


def resolution_passes(session: CongressSession, votes_for: int) -> bool:
    """More than the policy share (1/2) of all voting delegates (or of those present)."""
    q = quorum(session)
    ratio = share(
        policy_value("congress.resolution.pass_share", org=session.org, on=session.held_on)
    )
    base_kind = policy_value("congress.resolution.pass_base", org=session.org, on=session.held_on)
    base = q["present"] if base_kind == "present" else q["base"]
    return base > 0 and votes_for > ratio * base


def attendance(user, session: CongressSession) -> dict:
    """Attendance by category: delegates from the roll (due and present), other attendees by
    their headcount; the total present (004:L338: 99) and the quorum."""
    gate.require(user, gate.VIEW, session.org)
    due = Counter()
    came = Counter()
    for category, present in session.roll.values_list("category", "present"):
        due[category] += 1
        came[category] += int(present)
    rows = [
        {"key": key, "label": label, "due": due[key], "present": came[key], "seat": True}
        for key, label in DelegateCategory.choices
    ]
    counts = dict(session.headcounts.values_list("category", "count"))
    rows += [
        {"key": key, "label": label, "due": None, "present": counts.get(key, 0), "seat": False}
        for key, label in HeadcountCategory.choices
    ]
    return {
        "rows": rows,
        "total": sum(r["present"] for r in rows),
        "due": sum(due.values()),
        "quorum": quorum(session),
    }


def roll(user, session: CongressSession) -> list[dict]:
    """The roll by delegate category, names in order."""
    gate.require(user, gate.VIEW, session.org)
    entries = session.roll.select_related("delegate__person").order_by(
        "delegate__person__name", "id"
    )
    groups = {key: [] for key in DelegateCategory.values}
    for e in entries:
        groups.setdefault(e.category, []).append(e)
    labels = dict(DelegateCategory.choices)
    return [
        {"key": key, "label": labels.get(key, key), "entries": rows} for key, rows in groups.items()
    ]


def headcounts(session: CongressSession) -> dict:
    return dict(session.headcounts.values_list("category", "count"))


def delegate_choices(user, session: CongressSession) -> list[tuple[int, str]]:
    """Delegates of the roll who may propose and second: (delegate id, name). Shown to those
    who see the union, and to a delegate of the session choosing their seconders."""
    if own_seat(user, session) is None:
        gate.require(user, gate.VIEW, session.org)
    allowed = list(
        policy_value("congress.proposal.proposer_categories", org=session.org, on=session.held_on)
    )
    return list(
        session.roll.filter(category__in=allowed)
        .order_by("delegate__person__name", "delegate_id")
        .values_list("delegate_id", "delegate__person__name")
    )


def own_seat(user, session: CongressSession) -> Delegate | None:
    """The user's own seat on the session's roll, if they may propose."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    allowed = list(
        policy_value("congress.proposal.proposer_categories", org=session.org, on=session.held_on)
    )
    entry = (
        session.roll.filter(delegate__person_id=person_id, category__in=allowed)
        .select_related("delegate__person")
        .first()
    )
    return entry.delegate if entry else None


def sessions_with_own_seat(user) -> list[CongressSession]:
    """Sessions where the user holds a seat that may propose (for "my proposals")."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    found = (
        CongressSession.objects.filter(roll__delegate__person_id=person_id)
        .select_related("org")
        .distinct()
        .order_by("-held_on", "-id")
    )
    return [s for s in found[:20] if own_seat(user, s) is not None]


# -- proposals ------------------------------------------------------------------------------


def _visible_proposals(user):
    own = (
        Q(proposer__person_id=user.person_id) if getattr(user, "person_id", None) else Q(pk__in=[])
    )
    return Proposal.objects.filter(gate.org_filter(user, field="org") | own)


def proposals(
    user,
    *,
    session: CongressSession | None = None,
    org: Organization | None = None,
    category: str | None = None,
    state: str | None = None,
    query: str = "",
):
    """Proposals the user may see, filtered; ordered by session and number."""
    found = Proposal.objects.filter(gate.org_filter(user, field="org"))
    if session is not None:
        found = found.filter(session=session)
    if org is not None:
        found = found.filter(org=org)
    if category:
        found = found.filter(category=category)
    if state == "overdue":
        found = found.filter(state=ProposalState.ASSIGNED, reply_due__lt=timezone.localdate())
    elif state:
        found = found.filter(state=state)
    if query:
        found = found.filter(Q(title__icontains=query) | Q(proposer__person__name=query))
    return found.select_related("proposer__person", "session", "org")


def get_proposal(user, pk: int) -> Proposal:
    return (
        _visible_proposals(user)
        .select_related("proposer__person", "session", "org")
        .prefetch_related(
            Prefetch("seconders", queryset=Delegate.objects.select_related("person")),
            Prefetch("steps", queryset=ProposalStep.objects.select_related("recorded_by")),
        )
        .get(pk=pk)
    )


def my_proposals(user, *, limit: int = 200) -> list[Proposal]:
    """The user's own proposals, latest session first (no organization gate: their own)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    found = (
        Proposal.objects.filter(proposer__person_id=person_id)
        .select_related("session", "org")
        .order_by("-session__held_on", "-number")
    )
    return list(found[:limit])


def _labels(workflow) -> dict:
    return {k: s.label for k, s in workflow.steps.items()}


def timeline(proposal: Proposal) -> list[dict]:
    labels = _labels(flows.PROPOSAL)
    return [
        {
            "step": s.step,
            "label": labels.get(s.step, s.step),
            "on": s.on,
            "note": s.note,
            "data": s.data,
            "by": s.recorded_by,
        }
        for s in proposal.steps.all()
    ]


def proposal_next_steps(user, proposal: Proposal, on: dt.date | None = None) -> list[dict]:
    """Every step open to the proposal with what still stands in its way; `mine` marks the
    steps the user may take (a manager: all; the proposer: their own feedback)."""
    on = on or timezone.localdate()
    manager = permissions.may_manage(user, proposal.org)
    own = permissions.may_give_feedback(user, proposal)
    ctx = flows.proposal_context(proposal, on, {})
    found = []
    # What the step's own form asks for is checked when it is sent, not shown upfront.
    for item in next_steps(flows.PROPOSAL, proposal.state, ctx):
        due = _step_due(proposal, item["key"])
        found.append(
            {
                **item,
                "mine": manager or (own and item["key"] == "feedback"),
                "due": due,
                "overdue": bool(due and item["possible"] and due < timezone.localdate()),
            }
        )
    return found


def _step_due(proposal: Proposal, key: str) -> dt.date | None:
    if key == "reply":
        return proposal.reply_due
    if key == "mid_year":
        return year_date(proposal, "congress.proposal.mid_year_check_by")
    if key == "feedback":
        return year_date(proposal, "congress.proposal.feedback_by")
    if key in ("sort", "accept", "convert", "assign"):
        days = int(
            policy_value(
                "congress.proposal.assign_within_days",
                org=proposal.org,
                on=proposal.session.held_on,
            )
        )
        return proposal.session.held_on + dt.timedelta(days=days)
    return None


def year_date(proposal: Proposal, key: str, policy=None) -> dt.date:
    """A month-day of policy (06-30, 12-31) in the session's year, or the next year's if the
    session was held after it. `policy`: a snapshot to read it from (no query per proposal)."""
    held = proposal.session.held_on
    if policy is not None:
        found = policy.at(held).value(key, proposal.org)
    else:
        found = policy_value(key, org=proposal.org, on=held)
    month, day = (int(x) for x in str(found).split("-"))
    found = dt.date(held.year, month, day)
    return found if found >= held else dt.date(held.year + 1, month, day)


def figures(user, session: CongressSession, on: dt.date | None = None) -> dict:
    """A session's proposals: counts by category and state, accepted / converted, the on-time
    reply rate (replies due by `on` that came by their deadline), the satisfaction rate
    (satisfied levels of policy over feedback given) and the excellent proposals."""
    gate.require(user, gate.VIEW, session.org)
    on = on or timezone.localdate()
    rows = list(
        Proposal.objects.filter(session=session).values_list(
            "category", "state", "reply_due", "replied_on", "satisfaction", "excellent"
        )
    )
    by_category = Counter(r[0] or "" for r in rows)
    by_state = Counter(r[1] for r in rows)
    states = dict(ProposalState.choices)
    accepted_states = {
        ProposalState.ACCEPTED,
        ProposalState.ASSIGNED,
        ProposalState.REPLIED,
        ProposalState.CLOSED,
    }
    due = [r for r in rows if r[2] is not None and (r[3] is not None or r[2] < on)]
    on_time = sum(1 for r in due if r[3] is not None and r[3] <= r[2])
    overdue = sum(
        1 for r in rows if r[1] == ProposalState.ASSIGNED and r[2] is not None and r[2] < on
    )
    satisfied_levels = set(
        policy_value("congress.proposal.satisfied_levels", org=session.org, on=session.held_on)
    )
    answers = Counter(r[4] for r in rows if r[4])
    responses = sum(answers.values())
    satisfied = sum(n for k, n in answers.items() if k in satisfied_levels)
    categories = list(
        policy_value("congress.proposal.categories", org=session.org, on=session.held_on)
    )
    ordered = [c for c in categories if by_category.get(c)] + sorted(
        c for c in by_category if c and c not in categories
    )
    return {
        "total": len(rows),
        "by_category": [(c, by_category[c]) for c in ordered]
        + ([(_("Not yet sorted"), by_category[""])] if by_category.get("") else []),
        "by_state": [(k, states[k], by_state[k]) for k in ProposalState.values if by_state.get(k)],
        "accepted": sum(by_state[s] for s in accepted_states),
        "opinions": by_state[ProposalState.OPINION],
        "replies_due": len(due),
        "on_time": on_time,
        "overdue": overdue,
        "on_time_rate": (on_time / len(due)) if due else None,
        "satisfaction": [(k, label, answers[k]) for k, label in Satisfaction.choices],
        "responses": responses,
        "satisfied": satisfied,
        "satisfaction_rate": (satisfied / responses) if responses else None,
        "excellent": sum(1 for r in rows if r[5]),
    }


# -- rationalization proposals ------------------------------------------------------------


def suggestions(user, org: Organization, *, state: str | None = None, query: str = ""):
    gate.require(user, gate.VIEW, org)
    found = Suggestion.objects.filter(org=org).select_related("org")
    if state:
        found = found.filter(state=state)
    if query:
        found = found.filter(Q(title__icontains=query) | Q(submitter_name=query))
    return found


def get_suggestion(user, pk: int) -> Suggestion:
    return (
        Suggestion.objects.filter(gate.org_filter(user, field="org"))
        .select_related("org", "person")
        .prefetch_related(
            Prefetch("steps", queryset=SuggestionStep.objects.select_related("recorded_by"))
        )
        .get(pk=pk)
    )


def suggestion_timeline(s: Suggestion) -> list[dict]:
    labels = _labels(flows.SUGGESTION)
    return [
        {
            "step": row.step,
            "label": labels.get(row.step, row.step),
            "on": row.on,
            "note": row.note,
            "data": row.data,
            "by": row.recorded_by,
        }
        for row in s.steps.all()
    ]


def suggestion_next_steps(user, s: Suggestion, on: dt.date | None = None) -> list[dict]:
    on = on or timezone.localdate()
    ctx = flows.suggestion_context(s, on, {})
    mine = permissions.may_manage(user, s.org)
    return [
        {**item, "mine": mine, "due": None} for item in next_steps(flows.SUGGESTION, s.state, ctx)
    ]


def suggestion_figures(user, org: Organization, year: int | None = None) -> dict:
    gate.require(user, gate.VIEW, org)
    found = Suggestion.objects.filter(org=org)
    if year:
        found = found.filter(submitted_on__year=year)
    by_state = Counter(found.values_list("state", flat=True))
    rewards = [r for r in found.values_list("reward", flat=True) if r is not None]
    return {
        "total": sum(by_state.values()),
        "by_state": [
            (k, label, by_state[k]) for k, label in SuggestionState.choices if by_state[k]
        ],
        "adopted": sum(
            by_state[k]
            for k in (
                SuggestionState.ADOPTED,
                SuggestionState.IMPLEMENTED,
                SuggestionState.NOT_IMPLEMENTED,
                SuggestionState.REWARDED,
            )
        ),
        "rewards": sum(rewards),
    }


# -- what the pages and the API look up ------------------------------------------------------


def reports(user, session: CongressSession) -> list[Report]:
    """The reports the session deliberated, in the order recorded."""
    gate.require(user, gate.VIEW, session.org)
    return list(session.reports.all())


def report(user, session: CongressSession, pk: int) -> Report:
    """One report of the session; `Report.DoesNotExist` otherwise."""
    gate.require(user, gate.VIEW, session.org)
    return session.reports.get(pk=pk)


def resolutions(user, session: CongressSession) -> list[Resolution]:
    """The resolutions the session voted on, in the order recorded."""
    gate.require(user, gate.VIEW, session.org)
    return list(session.resolutions.all())


def seats_by_id(session: CongressSession, ids) -> dict[int, Delegate]:
    """{id: seat} of the union's delegates chosen on a proposal form (proposer, seconders):
    the form offers only seats of the session's roll, this keeps the lookup to the union."""
    found = Delegate.objects.filter(pk__in=set(ids), org=session.org).select_related("person")
    return {d.pk: d for d in found}


# -- proposals answered on time, for assessment ------------------------------------------------


def proposals_on_time(orgs, start: dt.date, end: dt.date, on: dt.date) -> dict[int, tuple]:
    """{org id: (answered by the deadline or not yet due, replies due)} over the proposals
    whose reply fell due in [start, end], as the records stood on `on`, for `orgs` (a queryset
    of organizations). A union counts its own proposals; any other organization those of the
    unions set up in the same unit (a company's Party branch, its workers' congress). Two
    queries for all the organizations."""
    due = Proposal.objects.filter(reply_due__gte=start, reply_due__lte=end)
    fields = ("pk", "reply_due", "replied_on")
    pairs = {
        (p[0], org_id): p for *p, org_id in due.filter(org__in=orgs).values_list(*fields, "org_id")
    }
    mate = "org__host_links__unit__host_links__"
    mates = due.filter(
        in_force_on(on, "org__host_links__"), in_force_on(on, mate), **{f"{mate}org__in": orgs}
    ).values_list(*fields, f"{mate}org_id")
    pairs.update({(p[0], org_id): p for *p, org_id in mates})
    figures: dict[int, list[int]] = {}
    for (_pk, org_id), (_pk2, reply_due, replied_on) in pairs.items():
        count = figures.setdefault(org_id, [0, 0])
        count[1] += 1
        answered = replied_on is not None and replied_on <= on
        count[0] += (answered and replied_on <= reply_due) or (not answered and reply_due > on)
    return {org_id: (n, d) for org_id, (n, d) in figures.items()}
