"""Election cases (换届选举案): the request, the approvals in order, the nominations, the
candidate list with its surplus, the congress and its polls, the first plenary meetings and the
new term (DOMAIN.md §4; the workflows are declared in `elections/cases.py`). Every write
checks the gate and the workflow, and is audited.

Who acts: the organization files, nominates, proposes the list and holds the meetings
(`manage` on it); approvals and the review of the list are the approving organization's act
(`manage` on the same-level Party organization or the upper-level organization); the new term
is begun by the upper level (`admin` on the organization, as `start_term` requires).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.kernel.dated import in_force_on
from jiceng.orgs.models import HostLink, Tree, Unit
from jiceng.policy.selectors import value as policy_value

from .. import ordering, permissions
from ..cases import Context, acting_org, committees_of, workflow_of
from ..models import (
    CaseState,
    CaseStep,
    Committee,
    CongressKind,
    ElectionCase,
    Nomination,
    Poll,
    PollStatus,
    Post,
    RoundKind,
    SlateEntry,
    System,
    Term,
    TermStatus,
)
from ..text import add_months, committee_label
from .polls import create_poll, record_attendance
from .terms import _eligible, start_term

APPROVALS = ("approve_party", "approve_upper", "review_slate")

# The posts a first plenary meeting elects, per system: (post, committee, seats field).
PLENARY_POSTS = {
    System.UNION: [
        (Post.CHAIR, Committee.UNION, "chair_posts"),
        (Post.VICE_CHAIR, Committee.UNION, "vice_chair_posts"),
        (Post.AUDIT_CHAIR, Committee.AUDIT, "audit_chair_posts"),
        (Post.AUDIT_VICE_CHAIR, Committee.AUDIT, "audit_vice_chair_posts"),
    ],
    System.PARTY: [
        (Post.SECRETARY, Committee.PARTY, "chair_posts"),
        (Post.DEPUTY_SECRETARY, Committee.PARTY, "vice_chair_posts"),
    ],
}
DIVISIONS = (Post.ORGANIZATION, Post.PROPAGANDA, Post.DISCIPLINE)  # Party: by division of work


def case_snapshot(case: ElectionCase) -> dict:
    return {
        "org": case.org.code,
        "system": case.system,
        "state": case.state,
        "term_number": case.term_number,
        "congress_number": case.congress_number,
        "congress_kind": case.congress_kind,
        "requested_on": case.requested_on,
        "last_congress_on": case.last_congress_on,
        "planned_on": case.planned_on,
        "delegates": case.delegates,
        "delegate_method": case.delegate_method,
        "committee_seats": case.committee_seats,
        "committee_method": case.committee_method,
        "audit_seats": case.audit_seats,
        "audit_method": case.audit_method,
        "chair_posts": case.chair_posts,
        "vice_chair_posts": case.vice_chair_posts,
        "audit_chair_posts": case.audit_chair_posts,
        "audit_vice_chair_posts": case.audit_vice_chair_posts,
        "proposed_officers": case.proposed_officers,
        "officer_method": case.officer_method,
        "party_org": case.party_org.code if case.party_org else None,
        "upper_org": case.upper_org.code,
        "held_on": case.held_on,
        "present": case.present,
    }


def _not_future(on: dt.date, field: str = "on") -> None:
    if on > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _context(case: ElectionCase, on: dt.date, data: dict, *, results: bool = False) -> Context:
    from ..selectors import case_results

    done = {s.step: s for s in case.steps.order_by("on", "pk")}
    return Context(case, on, data, done, results=case_results(case) if results else None)


def _take(actor, case: ElectionCase, step: str, on: dt.date, **fields) -> CaseStep:
    """Record the step and move the case to the step's state."""
    declared = workflow_of(case).step(step)
    taken = CaseStep.objects.create(case=case, step=step, on=on, recorded_by=actor, **fields)
    if declared.to_state:
        case.state = declared.to_state
        case.save(update_fields=["state"])
    return taken


def _lock(case: ElectionCase) -> ElectionCase:
    return (
        ElectionCase.objects.select_for_update(of=("self",))
        .select_related("org", "party_org", "upper_org")
        .get(pk=case.pk)
    )


# -- the request ----------------------------------------------------------------------------


def related_party_orgs(org, on: dt.date):
    """Party organizations of the union's host units on `on`: set up in them, or responsible
    for them (the same-level Party organization is one of these)."""
    from jiceng.orgs.models import Organization

    units = Unit.objects.filter(Q(host_links__org=org) & in_force_on(on, "host_links__"))
    hosted = HostLink.objects.in_force(on).filter(unit__in=units)
    return Organization.objects.filter(
        Q(pk__in=hosted.values("org_id")) | Q(pk__in=units.values("responsible_org_id")),
        tree=Tree.PARTY,
        dissolved_on__isnull=True,
    ).order_by("name")


def _proposed(system: str, proposed: dict | None, seats: dict, errors: dict) -> dict:
    """The officers named in the request with the Party organization's agreement (seed 004:
    拟定工会主席为×××、副主席为×××、经审主任为×××): {post: [names]} in the plenary's order,
    each name non-empty, no more names than the post's seats, nobody named twice."""
    if not proposed:
        return {}
    if system != System.UNION:
        errors["proposed_officers"] = _(
            "Only a union's request names officers agreed by the same-level Party organization."
        )
        return {}
    order = [post.value for post, _committee, _field in PLENARY_POSTS[system]]
    problems, found, seen = [], {}, {}
    for post, names in proposed.items():
        if post not in order:
            problems.append(
                _("“%(post)s” is not a post the first plenary meetings elect.") % {"post": post}
            )
            continue
        label = Post(post).label
        if isinstance(names, str):
            names = [names]
        cleaned = ["".join(str(n or "").split()) for n in names]
        if not cleaned or not all(cleaned):
            problems.append(_("%(post)s: a proposed name is empty.") % {"post": label})
            continue
        if len(cleaned) > seats[post]:
            problems.append(
                _("%(post)s: %(n)s names proposed for %(seats)s posts.")
                % {"post": label, "n": len(cleaned), "seats": seats[post]}
            )
        for n in cleaned:
            if n in seen:
                problems.append(
                    _("%(name)s is proposed for both %(a)s and %(b)s.")
                    % {"name": n, "a": seen[n], "b": label}
                )
            seen[n] = label
        found[post] = cleaned
    if problems:
        errors["proposed_officers"] = problems
    return {post: found[post] for post in order if post in found}


def _current_term(org, committee: str):
    return Term.objects.filter(org=org, committee=committee, status=TermStatus.CURRENT).first()


@transaction.atomic
def file_request(
    actor,
    *,
    org,
    requested_on: dt.date,
    planned_on: dt.date,
    delegates: int,
    committee_seats: int,
    last_congress_on: dt.date | None = None,
    delegate_method: str = "",
    committee_method: str = "",
    audit_seats: int = 0,
    audit_method: str = "",
    chair_posts: int = 1,
    vice_chair_posts: int = 0,
    audit_chair_posts: int | None = None,
    audit_vice_chair_posts: int = 0,
    proposed_officers: dict | None = None,
    officer_method: str = "",
    party_org=None,
    congress_kind: str = CongressKind.DELEGATES,
    congress_number: int | None = None,
    term_number: int | None = None,
) -> ElectionCase:
    """File the request (请示) for a re-election of `org`'s committees. Refused when the
    congress is planned less than the policy's months after the request. A union's request
    may name the officers the same-level Party organization agreed to (`proposed_officers`,
    {post: [names]})."""
    permissions.require_manage(actor, org)
    system = System.UNION if org.tree == Tree.UNION else System.PARTY
    errors = {}
    if ElectionCase.objects.filter(org=org).exclude(state=CaseState.DONE).exists():
        errors["org"] = _("%(org)s already has a re-election under way.") % {"org": org.name}
    if org.parent is None:
        errors["org"] = _("%(org)s has no upper-level organization to approve the request.") % {
            "org": org.name
        }
    _not_future(requested_on, "requested_on")
    months = int(policy_value(f"elections.{system}.request_lead_months", org=org, on=requested_on))
    earliest = add_months(requested_on, months)
    if planned_on < earliest:
        errors["planned_on"] = _(
            "The congress is planned for %(planned)s, less than %(months)s months after the "
            "request (%(request)s): the request must reach the Party organization and the "
            "upper level at least %(months)s months before the congress, so the earliest date "
            "is %(from)s."
        ) % {"planned": planned_on, "months": months, "request": requested_on, "from": earliest}
    if last_congress_on and last_congress_on >= requested_on:
        errors["last_congress_on"] = _("The last congress must be before the request.")
    if congress_kind not in CongressKind.values:
        errors["congress_kind"] = _("This is not one of the allowed values.")
    if delegates < 1:
        errors["delegates"] = _("Enter the number entitled to attend.")
    if committee_seats < 1:
        errors["committee_seats"] = _("There must be at least one seat.")
    if chair_posts < 1:
        errors["chair_posts"] = _("There must be at least one seat.")
    elif chair_posts + vice_chair_posts > committee_seats:
        errors["vice_chair_posts"] = _(
            "The chairs and vice-chairs (%(n)s) cannot outnumber the committee (%(seats)s)."
        ) % {"n": chair_posts + vice_chair_posts, "seats": committee_seats}
    if system == System.PARTY:
        if audit_seats or audit_chair_posts or audit_vice_chair_posts:
            errors["audit_seats"] = _("A Party organization has no funds audit committee.")
        audit_chair_posts = audit_vice_chair_posts = 0
    else:
        if audit_chair_posts is None:
            audit_chair_posts = 1 if audit_seats else 0
        if audit_chair_posts > audit_seats:
            errors["audit_chair_posts"] = _(
                "The audit committee chairs cannot outnumber its members (%(seats)s)."
            ) % {"seats": audit_seats}
        elif audit_vice_chair_posts < 0:
            errors["audit_vice_chair_posts"] = _("The number is too small.")
        elif audit_chair_posts + audit_vice_chair_posts > audit_seats:
            errors["audit_vice_chair_posts"] = _(
                "The audit committee chairs and vice-chairs (%(n)s) cannot outnumber its "
                "members (%(seats)s)."
            ) % {"n": audit_chair_posts + audit_vice_chair_posts, "seats": audit_seats}
        elif audit_vice_chair_posts and not audit_chair_posts:
            errors["audit_vice_chair_posts"] = _(
                "An audit committee with vice-chairs needs a chair."
            )
        if party_org is None:
            errors["party_org"] = _(
                "Name the same-level Party organization: the request goes to it first."
            )
        elif party_org.tree != Tree.PARTY:
            errors["party_org"] = _("%(org)s is not a Party organization.") % {
                "org": party_org.name
            }
        else:
            related = related_party_orgs(org, requested_on)
            if related.exists():
                if not related.filter(pk=party_org.pk).exists():
                    errors["party_org"] = _(
                        "%(party)s is not the Party organization of %(org)s's unit (%(names)s)."
                    ) % {
                        "party": party_org.name,
                        "org": org.name,
                        "names": "、".join(o.name for o in related),
                    }
            elif not gate.can(actor, gate.VIEW, party_org):
                errors["party_org"] = _(
                    "%(org)s has no host unit with a Party organization on record: register "
                    "its unit first."
                ) % {"org": org.name}
    proposed = _proposed(
        system,
        proposed_officers,
        {
            Post.CHAIR: chair_posts,
            Post.VICE_CHAIR: vice_chair_posts,
            Post.AUDIT_CHAIR: audit_chair_posts or 0,
            Post.AUDIT_VICE_CHAIR: audit_vice_chair_posts,
        },
        errors,
    )
    committee = Committee.UNION if system == System.UNION else Committee.PARTY
    current = _current_term(org, committee)
    term_number = term_number or ((current.number + 1) if current else 1)
    if current is not None and term_number <= current.number:
        errors["term_number"] = _("The term number must be greater than %(n)s.") % {
            "n": current.number
        }
    if errors:
        raise ValidationError(errors)
    previous = ElectionCase.objects.filter(org=org).order_by("-congress_number").first()
    union = system == System.UNION
    case = ElectionCase.objects.create(
        org=org,
        system=system,
        term_number=term_number,
        congress_number=congress_number
        or ((previous.congress_number + 1) if previous else term_number),
        congress_kind=congress_kind,
        requested_on=requested_on,
        last_congress_on=last_congress_on,
        planned_on=planned_on,
        delegates=delegates,
        delegate_method=(delegate_method or "").strip()
        # a members' congress (会员大会) has no delegates to produce
        or (
            _("by ratio, recommended democratically from the bottom up")
            if union and congress_kind == CongressKind.DELEGATES
            else ""
        ),
        committee_seats=committee_seats,
        committee_method=(committee_method or "").strip() or _("direct competitive election"),
        audit_seats=audit_seats if union else 0,
        audit_method=(audit_method or "").strip()
        or (_("direct uncontested election") if union and audit_seats else ""),
        chair_posts=chair_posts,
        vice_chair_posts=vice_chair_posts,
        audit_chair_posts=audit_chair_posts,
        audit_vice_chair_posts=audit_vice_chair_posts,
        proposed_officers=proposed,
        officer_method=(officer_method or "").strip()
        or (
            _("elected at the first plenary meetings of the new committees")
            if union and audit_seats
            else _("elected at the first plenary meeting of the new union committee")
            if union
            else _("elected by the new committee at its first plenary meeting")
        ),
        party_org=party_org if union else None,
        upper_org=org.parent,
        created_by=actor,
    )
    CaseStep.objects.create(case=case, step="file", on=requested_on, recorded_by=actor)
    record(actor, "elections.case.file", case, after=case_snapshot(case), org=org)
    return case


# -- approvals ------------------------------------------------------------------------------


@transaction.atomic
def approve(
    actor, case: ElectionCase, step: str, *, on: dt.date, document_number: str, note: str = ""
) -> CaseStep:
    """The approving organization's reply (批复): the same-level Party organization's
    agreement, the upper level's approval, or the review of the candidate list."""
    if step not in APPROVALS:
        raise ValidationError({"step": _("No such step.")})
    case = _lock(case)
    approver = acting_org(case, step)
    gate.require(actor, gate.MANAGE, approver)
    document_number = (document_number or "").strip()
    if not document_number:
        raise ValidationError(
            {"document_number": _("Enter the document number of the reply (批复).")}
        )
    _not_future(on)
    workflow_of(case).require(step, case.state, _context(case, on, {}))
    taken = _take(
        actor,
        case,
        step,
        on,
        approved_by=approver,
        document_number=document_number,
        note=(note or "").strip(),
    )
    record(
        actor,
        f"elections.case.{step}",
        case,
        after={
            "state": case.state,
            "approved_by": approver.code,
            "document_number": document_number,
            "on": on,
        },
        org=case.org,
    )
    return taken


# -- nominations and the candidate list -----------------------------------------------------


def _committee_ok(case: ElectionCase, committee: str) -> None:
    if committee not in committees_of(case):
        raise ValidationError(
            {"committee": _("This election has no %(committee)s.") % {"committee": committee}}
        )


@transaction.atomic
def record_nominations(
    actor,
    case: ElectionCase,
    *,
    committee: str,
    group: str,
    counts: list[tuple[str, int]],
    on: dt.date | None = None,
) -> int:
    """One nominating group's tally: how many nominated each name for `committee`. Entering a
    group again replaces its counts (the audit log keeps the old ones)."""
    on = on or timezone.localdate()
    case = _lock(case)
    gate.require(actor, gate.MANAGE, case.org)
    _committee_ok(case, committee)
    group = (group or "").strip()
    errors = {}
    if not group:
        errors["group"] = _("Name the nominating group (e.g. 第一代表团).")
    rows, seen = [], set()
    for name, votes in counts:
        name = "".join((name or "").split())
        if not name:
            continue
        try:
            votes = int(votes)
        except (TypeError, ValueError):
            errors["counts"] = _("Enter a whole number.")
            continue
        if votes < 0:
            errors["counts"] = _("The number is too small.")
        if name in seen:
            errors["counts"] = _("%(name)s has two lines.") % {"name": name}
        seen.add(name)
        rows.append((name, votes))
    if not rows and "counts" not in errors:
        errors["counts"] = _("Enter the nominees and their counts, one per line.")
    _not_future(on)
    if errors:
        raise ValidationError(errors)
    workflow_of(case).require("nominate", case.state, _context(case, on, {}))
    old = Nomination.objects.filter(case=case, committee=committee, group=group)
    before = dict(old.values_list("name", "votes"))
    old.delete()
    Nomination.objects.bulk_create(
        [
            Nomination(
                case=case, committee=committee, group=group, name=n, votes=v, recorded_by=actor
            )
            for n, v in rows
        ]
    )
    _take(
        actor,
        case,
        "nominate",
        on,
        data={"committee": committee, "group": group, "nominees": len(rows)},
    )
    record(
        actor,
        "elections.case.nominate",
        case,
        before={"group": group, "counts": before} if before else None,
        after={"committee": committee, "group": group, "counts": dict(rows)},
        org=case.org,
    )
    return len(rows)


@transaction.atomic
def propose_slate(
    actor, case: ElectionCase, *, slates: dict, on: dt.date | None = None, note: str = ""
) -> dict:
    """The candidate list per committee ({committee: [Person, …]}), proposed by the
    organization's committee: checked for eligibility and for the policy's surplus. A new list
    replaces the previous one until it is reviewed."""
    on = on or timezone.localdate()
    case = _lock(case)
    gate.require(actor, gate.MANAGE, case.org)
    _not_future(on)
    errors = {}
    wanted = committees_of(case)
    for committee in slates:
        if committee not in wanted:
            _committee_ok(case, committee)
    for committee in wanted:
        people = list(slates.get(committee) or [])
        label = committee_label(case.org.kind, committee)
        problems = []
        if len({p.pk for p in people}) != len(people):
            problems.append(_("%(committee)s: a name is listed twice.") % {"committee": label})
        for p in people:
            if not _eligible(p, case.org, committee):
                problems.append(
                    (
                        _("%(name)s is not a full Party member of %(org)s.")
                        if committee == Committee.PARTY
                        else _("%(name)s is not a union member of %(org)s.")
                    )
                    % {"name": p.name, "org": case.org.name}
                )
        if problems:
            errors[committee] = problems
    if errors:
        raise ValidationError(errors)
    counts = {c: len(slates.get(c) or []) for c in wanted}
    workflow_of(case).require("slate", case.state, _context(case, on, {"slate": counts}))
    SlateEntry.objects.filter(case=case).delete()
    SlateEntry.objects.bulk_create(
        [
            SlateEntry(
                case=case,
                committee=committee,
                person=p,
                name=p.name,
                sort_key=ordering.stroke_key(p.name),
            )
            for committee in wanted
            for p in slates[committee]
        ]
    )
    names = {c: [p.name for p in slates[c]] for c in wanted}
    _take(actor, case, "slate", on, note=(note or "").strip(), data={"counts": counts})
    record(actor, "elections.case.slate", case, after={"slate": names}, org=case.org)
    return names


# -- the congress and the first plenary meetings --------------------------------------------


def _poll_title(case: ElectionCase, committee: str, post: str = "") -> str:
    from jiceng.documents import ordinal

    what = committee_label(case.org.kind, committee)
    term = ordinal(case.term_number, "届")
    if post:
        return _("election of the %(post)s of the %(term)s %(committee)s") % {
            "post": Post(post).label,
            "term": term,
            "committee": what,
        }
    return _("election of the members of the %(term)s %(committee)s") % {
        "term": term,
        "committee": what,
    }


@transaction.atomic
def hold_congress(
    actor,
    case: ElectionCase,
    *,
    held_on: dt.date,
    entitled: int,
    present: int,
    electronic: bool = False,
) -> list[Poll]:
    """The congress (代表大会 / 会员大会 / 党员大会) meets: refused without a quorum or earlier
    than the request's lead time allows. It opens one poll per committee with the agreed list,
    the seats and the number entitled to attend."""
    case = _lock(case)
    gate.require(actor, gate.MANAGE, case.org)
    _not_future(held_on, "held_on")
    data = {"entitled": int(entitled), "present": int(present)}
    workflow_of(case).require("congress", case.state, _context(case, held_on, data))
    slate = {}
    for entry in SlateEntry.objects.filter(case=case).select_related("person"):
        slate.setdefault(entry.committee, []).append(entry.person)
    polls = []
    for committee in committees_of(case):
        poll = create_poll(
            actor,
            org=case.org,
            title=_poll_title(case, committee),
            seats=case.audit_seats if committee == Committee.AUDIT else case.committee_seats,
            entitled=data["entitled"],
            held_on=held_on,
            candidates=slate.get(committee, []),
            system=case.system,
            committee=committee,
            electronic=electronic,
            case=case,
        )
        record_attendance(actor, poll, present=data["present"])
        polls.append(poll)
    case.held_on, case.present = held_on, data["present"]
    case.save(update_fields=["held_on", "present"])
    _take(actor, case, "congress", held_on, data={**data, "polls": [p.pk for p in polls]})
    record(
        actor,
        "elections.case.congress",
        case,
        after={**data, "held_on": held_on, "polls": [p.pk for p in polls]},
        org=case.org,
    )
    return polls


@transaction.atomic
def next_round(
    actor,
    poll: Poll,
    *,
    kind: str,
    candidates=(),
    seats: int | None = None,
    held_on: dt.date | None = None,
) -> Poll:
    """Another round after a declared one: a revote among the tied (the candidates default to
    them) or a further round for the seats left empty."""
    poll = Poll.objects.select_related("org", "case").get(pk=poll.pk)
    gate.require(actor, gate.MANAGE, poll.org)
    if poll.status != PollStatus.CLOSED or not poll.result:
        raise ValidationError({"parent": _("Declare the result of the previous round first.")})
    result = poll.result
    if kind == RoundKind.REVOTE:
        tied = set(result.get("revote", []))
        names = [line["name"] for line in result.get("lines", []) if line["key"] in tied]
        candidates = list(candidates) or names
        seats = seats or result.get("revote_seats", 0)
    else:
        seats = seats or result.get("remaining_seats", 0)
    if seats < 1:
        raise ValidationError({"seats": _("The previous round left no seats for another round.")})
    people = {c.name: c.person for c in poll.candidates.select_related("person")}
    return create_poll(
        actor,
        org=poll.org,
        title=poll.title,
        seats=seats,
        entitled=poll.entitled,
        held_on=held_on or poll.held_on,
        candidates=[
            {"name": n, "person": people.get(n)} if isinstance(n, str) else n for n in candidates
        ],
        system=poll.system,
        committee=poll.committee,
        parent=poll,
        kind=kind,
        electronic=poll.electronic,
        case=poll.case,
        post=poll.post,
    )


@transaction.atomic
def hold_plenary(
    actor, case: ElectionCase, *, held_on: dt.date, candidates: dict, present: dict | None = None
) -> list[Poll]:
    """The first plenary meetings of the new committees: one poll per post (chair, vice-chairs,
    audit chair; or secretary, deputies) among the members just elected, uncontested allowed.
    `candidates` is {post: [names]}; `present` optionally {post: number present}."""
    from ..selectors import case_results

    case = _lock(case)
    gate.require(actor, gate.MANAGE, case.org)
    _not_future(held_on, "held_on")
    workflow_of(case).require("plenary", case.state, _context(case, held_on, {}, results=True))
    results = case_results(case)
    errors, seen = {}, {}
    plan = []
    for post, committee, field in PLENARY_POSTS[case.system]:
        seats = getattr(case, field)
        if not seats:
            continue
        members = {e["name"]: e for e in results[(committee, "")].elected}
        names = ["".join(n.split()) for n in candidates.get(post, []) if n and n.strip()]
        names = list(dict.fromkeys(names))
        label = Post(post).label
        problems = []
        if len(names) < seats:
            problems.append(
                _("%(post)s: %(seats)s to elect, so at least %(seats)s candidates.")
                % {"post": label, "seats": seats}
            )
        for n in names:
            if n not in members:
                problems.append(
                    _("%(name)s was not elected to the %(committee)s.")
                    % {"name": n, "committee": committee_label(case.org.kind, committee)}
                )
            elif n in seen:
                problems.append(
                    _("%(name)s is a candidate for both %(a)s and %(b)s.")
                    % {"name": n, "a": seen[n], "b": label}
                )
            seen[n] = label
        if problems:
            errors[post] = problems
        plan.append((post, committee, seats, names, members))
    if errors:
        raise ValidationError(errors)
    from jiceng.people.models import Person

    people = Person.objects.in_bulk(
        [m["person_id"] for *_rest, members in plan for m in members.values() if m["person_id"]]
    )
    polls = []
    for post, committee, seats, names, members in plan:
        poll = create_poll(
            actor,
            org=case.org,
            title=_poll_title(case, committee, post),
            seats=seats,
            entitled=len(members),
            held_on=held_on,
            candidates=[{"name": n, "person": people.get(members[n]["person_id"])} for n in names],
            system=case.system,
            committee=committee,
            case=case,
            post=post,
        )
        if present and present.get(post) is not None:
            record_attendance(actor, poll, present=int(present[post]))
        polls.append(poll)
    _take(actor, case, "plenary", held_on, data={"polls": [p.pk for p in polls]})
    record(
        actor,
        "elections.case.plenary",
        case,
        after={"held_on": held_on, "candidates": {p.post: p.title for p in polls}},
        org=case.org,
    )
    return polls


# -- the new term ---------------------------------------------------------------------------


def _person_of(case: ElectionCase, entry: dict, committee: str):
    from jiceng.people.models import Person

    from ..selectors import eligible_people

    if entry.get("person_id"):
        return Person.objects.get(pk=entry["person_id"])
    found, problems = eligible_people(case, [entry["name"]])
    if problems:
        raise ValidationError(
            {
                "officers": _(
                    "%(name)s was written in and elected, but is not on the rolls: %(problem)s"
                )
                % {"name": entry["name"], "problem": problems[0]}
            }
        )
    return found[0]


@transaction.atomic
def begin_term(
    actor,
    case: ElectionCase,
    *,
    starts_on: dt.date | None = None,
    divisions: dict | None = None,
) -> list[Term]:
    """The new term begins with the officers the case elected; the previous term ends the day
    before and rights move (`start_term`). Party: `divisions` {post: name} gives members their
    division of work (organization, propaganda, discipline)."""
    from ..selectors import case_results

    case = _lock(case)
    if not gate.can(actor, gate.ADMIN, case.org):
        raise PermissionDenied(
            _("The new term is begun by the upper level that approves the election result.")
        )
    starts_on = starts_on or case.held_on or timezone.localdate()
    workflow_of(case).require("begin_term", case.state, _context(case, starts_on, {}, results=True))
    results = case_results(case)
    divisions = {k: "".join(v.split()) for k, v in (divisions or {}).items() if v and v.strip()}
    if case.system != System.PARTY and divisions:
        raise ValidationError({"divisions": _("Only a Party committee divides its work so.")})
    bad = [k for k in divisions if k not in DIVISIONS]
    if bad:
        raise ValidationError({"divisions": _("This is not one of the allowed values.")})
    terms = []
    for committee in committees_of(case):
        members = results[(committee, "")].elected
        posts = {}
        for (c, post), r in results.items():
            if c == committee and post:
                for e in r.elected:
                    posts[e["name"]] = post
        for post, name in divisions.items():
            if name not in {e["name"] for e in members}:
                raise ValidationError(
                    {
                        "divisions": _("%(name)s was not elected to the %(committee)s.")
                        % {"name": name, "committee": committee_label(case.org.kind, committee)}
                    }
                )
            if name in posts:
                raise ValidationError(
                    {"divisions": _("%(name)s already holds a post in this term.") % {"name": name}}
                )
            posts[name] = post
        officers = [
            (_person_of(case, e, committee), posts.get(e["name"], Post.MEMBER)) for e in members
        ]
        term = start_term(
            actor,
            org=case.org,
            committee=committee,
            starts_on=starts_on,
            officers=officers,
            number=case.term_number,
        )
        term.case = case
        term.save(update_fields=["case"])
        terms.append(term)
    _take(actor, case, "begin_term", starts_on, data={"terms": [t.pk for t in terms]})
    record(
        actor,
        "elections.case.begin_term",
        case,
        after={"starts_on": starts_on, "terms": [t.pk for t in terms]},
        org=case.org,
    )
    return terms
