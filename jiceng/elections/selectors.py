"""Reads of terms, officers and polls, always through the visibility gate; the tally of a poll
from its sheets and ballots."""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.kernel.workflow import next_steps
from jiceng.orgs.models import Tree
from jiceng.orgs.selectors import visible_orgs
from jiceng.policy.selectors import value as policy_value

from . import tally
from .models import (
    Ballot,
    BallotCorrection,
    Candidate,
    ElectionCase,
    Officer,
    Poll,
    PollStatus,
    SealedBallot,
    TallyCorrection,
    TallyLine,
    TallySheet,
    Term,
    TermStatus,
)


def _visible(user, model, action: str = gate.VIEW):
    return model.objects.filter(gate.org_filter(user, action, field="org"))


# -- terms ----------------------------------------------------------------------------------


def terms_of(user, org, committee: str | None = None):
    """`org`'s terms the user may see, newest first, with their officers."""
    found = _visible(user, Term).filter(org=org)
    if committee:
        found = found.filter(committee=committee)
    officers = Officer.objects.select_related("person").order_by("valid_from", "pk")
    return (
        found.select_related("org")
        .prefetch_related(Prefetch("officers", queryset=officers), "changes__approved_by")
        .order_by("committee", "-number")
    )


def current_terms(user, org) -> list[Term]:
    """`org`'s terms in office now, one per committee, with their officers."""
    return list(terms_of(user, org).filter(status=TermStatus.CURRENT))


def get_term(user, pk: int) -> Term:
    return _visible(user, Term).select_related("org").get(pk=pk)


def _in_office(on: dt.date) -> Q:
    """A term is in office on `on` from its start until it is succeeded, but only up to its
    scheduled end while it is not: past that it is expired, awaiting re-election."""
    return Q(starts_on__lte=on) & (Q(ended_on__isnull=True, ends_on__gte=on) | Q(ended_on__gte=on))


def term_on(org, committee: str, on: dt.date) -> Term | None:
    """The term of `org`'s committee in office on `on` (for other apps' services: the caller
    has already checked the gate for `org`)."""
    return Term.objects.filter(_in_office(on), org=org, committee=committee).first()


def terms_in_office(orgs, on: dt.date) -> set[tuple[int, str]]:
    """(organization id, committee) of every term in office on `on` among `orgs` (a queryset
    of organizations; one query for all of them, for figures over a subtree)."""
    found = Term.objects.filter(_in_office(on), org__in=orgs)
    return set(found.values_list("org_id", "committee"))


def officers_on(user, org, on: dt.date | None = None, committee: str | None = None):
    """Who held which post at `org` on `on` (default today), for the user who may see `org`."""
    on = on or timezone.localdate()
    found = (
        Officer.objects.filter(gate.org_filter(user, gate.VIEW, field="term__org"))
        .in_force(on)
        .filter(term__org=org, term__starts_on__lte=on)
        .filter(Q(term__ended_on__isnull=True) | Q(term__ended_on__gte=on))
        .select_related("person", "term")
    )
    if committee:
        found = found.filter(term__committee=committee)
    return found.order_by("term__committee", "post", "pk")


# -- polls ----------------------------------------------------------------------------------


def polls_of(user, org):
    return _visible(user, Poll).filter(org=org).select_related("org").order_by("-held_on", "-pk")


def standalone_polls(user, org, limit: int = 50) -> list[Poll]:
    """`org`'s polls held outside an election case, newest first."""
    return list(polls_of(user, org).filter(case__isnull=True)[:limit])


def get_poll(user, pk: int, action: str = gate.VIEW) -> Poll:
    """The poll, or Poll.DoesNotExist when it is out of the user's sight."""
    return _visible(user, Poll, action).select_related("org", "parent").get(pk=pk)


def tally_sheets(poll: Poll) -> list[TallySheet]:
    """The tellers' batches of a poll (one already in sight), in the order entered."""
    return list(
        TallySheet.objects.filter(poll=poll)
        .select_related("entered_by")
        .prefetch_related("lines__candidate")
        .order_by("entered_at", "pk")
    )


def tally_sheet(poll: Poll, pk: int) -> TallySheet | None:
    """One batch of `poll` with its lines, or None."""
    return TallySheet.objects.filter(poll=poll, pk=pk).prefetch_related("lines__candidate").first()


def tally_sheet_count(poll: Poll) -> int:
    return TallySheet.objects.filter(poll=poll).count()


def tally_corrections(poll: Poll) -> list[TallyCorrection]:
    """The corrections of `poll`'s batches, oldest first."""
    return list(
        TallyCorrection.objects.filter(sheet__poll=poll)
        .select_related("corrected_by", "sheet", "line__candidate")
        .order_by("corrected_at", "pk")
    )


def next_rounds(poll: Poll) -> list[Poll]:
    """The rounds that followed `poll` (a revote, a further round)."""
    return list(poll.next_rounds.all())


def ballots_entered(poll: Poll) -> int:
    """Paper ballots entered so far (electronic ballots stay sealed until the poll closes)."""
    return Ballot.objects.filter(poll=poll).count()


def ballot_corrections(poll: Poll) -> list[BallotCorrection]:
    """The tellers' corrections of single ballots, oldest first (they name no ballot)."""
    return list(
        BallotCorrection.objects.filter(poll=poll)
        .select_related("corrected_by")
        .order_by("corrected_at", "pk")
    )


def matching_ballot(poll: Poll, *, marks: str, void: bool, write_ins: list[str]) -> int | None:
    """A stored ballot with exactly these marks, for a teller's correction. Identical ballots
    are interchangeable: which one is corrected does not matter, and ballots carry nothing
    else."""
    rows = Ballot.objects.filter(poll=poll, marks=marks, void=void)
    for pk, written in rows.values_list("id", "write_ins").iterator():
        if list(written or []) == list(write_ins):
            return pk
    return None


def voting_poll(user, pk: int) -> tuple[Poll | None, bool]:
    """An electronic poll the user may see or is on the roll of, and whether they are on it."""
    person_id = getattr(user, "person_id", None)
    seen = gate.org_filter(user, gate.VIEW, field="org")
    if person_id:
        seen |= Q(voter_marks__person_id=person_id)
    polls = Poll.objects.filter(seen, pk=pk, electronic=True)
    found = polls.select_related("org").distinct().first()
    if found is None or not person_id:
        return found, False
    return found, found.voter_marks.filter(person_id=person_id).exists()


def ballot_sheet(poll: Poll) -> list[Candidate]:
    """The candidates in their places on the ballot sheet."""
    return list(poll.candidates.order_by("position"))


def rules_for(poll: Poll) -> tally.Rules:
    """The rules in force for the poll's organization on the day it was held."""
    return tally.Rules.from_policy(
        poll.system, lambda key: policy_value(key, org=poll.org, on=poll.held_on)
    )


def counts_of(poll: Poll) -> tally.Counts:
    """Everything counted so far: the tally sheets' lines plus the individual ballots."""
    candidates = ballot_sheet(poll)
    for_votes, against, abstain = Counter(), Counter(), Counter()
    written: Counter = Counter()
    sums = TallySheet.objects.filter(poll=poll).aggregate(b=Sum("ballots"), i=Sum("invalid"))
    valid = (sums["b"] or 0) - (sums["i"] or 0)
    invalid = sums["i"] or 0
    lines = (
        TallyLine.objects.filter(sheet__poll=poll)
        .values("candidate_id", "write_in")
        .annotate(f=Sum("for_votes"), a=Sum("against"), x=Sum("abstain"))
        .order_by()
    )
    for row in lines:
        if row["candidate_id"]:
            key = row["candidate_id"]
            for_votes[key] += row["f"]
            against[key] += row["a"]
            abstain[key] += row["x"]
        else:
            written[row["write_in"]] += row["f"]
    counted = tally.count_ballots(_ballot_rows(poll), len(candidates), poll.seats)
    valid += counted.valid
    invalid += counted.invalid
    for i, c in enumerate(candidates):
        for_votes[c.pk] += counted.for_votes[i]
        against[c.pk] += counted.against[i]
        abstain[c.pk] += counted.abstain[i]
    written.update(counted.write_ins)
    tallies = [
        tally.Tally(f"c{c.pk}", c.name, for_votes[c.pk], against[c.pk], abstain[c.pk])
        for c in candidates
    ]
    tallies += [
        tally.Tally(f"w:{name}", name, n, write_in=True) for name, n in sorted(written.items())
    ]
    present, issued, returned = poll.present, poll.issued, poll.returned
    if poll.electronic:  # the system issued and received every ballot itself
        cast = counted.valid + counted.invalid
        issued = cast if issued is None else issued
        returned = cast if returned is None else returned
        present = cast if present is None else present
    return tally.Counts(
        seats=poll.seats,
        entitled=poll.entitled,
        present=present,
        issued=issued,
        returned=returned,
        valid=valid,
        invalid=invalid,
        tallies=tuple(tallies),
        kind=poll.kind,
    )


def _ballot_rows(poll: Poll):
    """(marks, write_ins, void) of every ballot, read without the ORM's per-row conversions:
    a congress has thousands, and nearly all have no written-in name to decode. The sealed
    slips of an open electronic poll are opened in memory only: counting writes nothing."""
    table = connection.ops.quote_name(Ballot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT marks, write_ins, void FROM {table} WHERE poll_id = %s", [poll.pk])
        while rows := cursor.fetchmany(2000):
            for marks, written, void in rows:
                if isinstance(written, str):
                    written = json.loads(written) if written != "[]" else ()
                yield marks, written, bool(void)
    box = connection.ops.quote_name(SealedBallot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sealed FROM {box} WHERE poll_id = %s", [poll.pk])
        while rows := cursor.fetchmany(2000):
            for (token,) in rows:
                marks, written = SealedBallot.unseal(poll.pk, token)
                yield marks, written, False


def outcome_of(poll: Poll) -> tally.Outcome:
    """The result as the rules judge the counts now (the caller has checked the gate)."""
    return tally.decide(counts_of(poll), rules_for(poll))


def result(user, poll: Poll) -> dict:
    """The declared result of a closed poll, or the provisional one of an open paper poll. An
    open electronic poll shows only how many have voted: counts watched after each vote would
    tell how each voter voted."""
    if poll.status == PollStatus.CLOSED and poll.result:
        return {**poll.result, "declared": True}
    if poll.electronic:
        return _sealed_result(poll)
    return {**outcome_of(poll).to_dict(), "declared": False}


def _sealed_result(poll: Poll) -> dict:
    cast = SealedBallot.objects.filter(poll=poll).count() + ballots_entered(poll)
    return {
        "declared": False,
        "sealed": True,
        "valid": False,
        "complete": False,
        "void_reasons": [],
        "problems": [],
        "base": 0,
        "threshold": 0,
        "elected": [],
        "revote": [],
        "revote_seats": 0,
        "remaining_seats": poll.seats,
        "lines": [],
        "summary": [
            _(
                "Electronic voting is under way: %(n)s have voted. The count is shown when "
                "voting is closed."
            )
            % {"n": cast}
        ],
    }


# -- election cases -------------------------------------------------------------------------


def _case_filter(user, action: str = gate.VIEW):
    """Cases of organizations the user may act on, and (for the approvals) cases whose
    same-level Party organization or upper-level organization the user may act on."""
    return (
        gate.org_filter(user, action, field="org")
        | gate.org_filter(user, action, field="party_org")
        | gate.org_filter(user, action, field="upper_org")
    )


def cases_of(user, org):
    """`org`'s election cases the user may see, newest first."""
    return (
        ElectionCase.objects.filter(_case_filter(user), org=org)
        .select_related("org", "party_org", "upper_org")
        .order_by("-requested_on", "-pk")
    )


def case_polls(case):
    """The polls of an election case, by post, committee and round."""
    return case.polls.order_by("post", "committee", "round", "pk")


def cases_to_approve(user, org):
    """Cases waiting for `org`'s approval or review (it is their Party or upper organization)."""
    waiting = (
        Q(system="union", party_org=org, state__in=["requested", "slate_proposed"])
        | Q(system="union", upper_org=org, state="party_agreed")
        | Q(system="party", upper_org=org, state__in=["requested", "slate_proposed"])
    )
    return (
        ElectionCase.objects.filter(_case_filter(user))
        .filter(waiting)
        .select_related("org")
        .order_by("requested_on", "pk")
    )


def get_case(user, pk: int) -> ElectionCase:
    """The case, or ElectionCase.DoesNotExist when it is out of the user's sight."""
    return (
        ElectionCase.objects.filter(_case_filter(user))
        .select_related("org", "party_org", "upper_org", "created_by")
        .get(pk=pk)
    )


@dataclass
class SeatResult:
    """The seats of one committee (post = "") or one post of a case, over all its rounds."""

    committee: str
    post: str
    label: str
    seats: int = 0
    elected: list = field(default_factory=list)  # [{"name", "person_id", "votes", "poll"}]
    open_polls: int = 0
    polls: list = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return max(self.seats - len(self.elected), 0)


def case_results(case) -> dict[tuple[str, str], SeatResult]:
    """Who the case's polls elected, per (committee, post), over every round."""
    from .models import Post
    from .text import committee_label

    results: dict[tuple[str, str], SeatResult] = {}
    polls = list(case.polls.order_by("round", "pk"))
    people = dict(Candidate.objects.filter(poll__case=case).values_list("pk", "person_id"))
    for poll in polls:
        key = (poll.committee, poll.post)
        if key not in results:
            label = (
                str(Post(poll.post).label)
                if poll.post
                else committee_label(case.org.kind, poll.committee)
            )
            results[key] = SeatResult(poll.committee, poll.post, label)
        r = results[key]
        r.polls.append(poll)
        if poll.kind == "first":
            r.seats += poll.seats
        if poll.status != PollStatus.CLOSED:
            r.open_polls += 1
            continue
        found = poll.result or {}
        lines = {line["key"]: line for line in found.get("lines", [])}
        for key_ in found.get("elected", []):
            line = lines.get(key_, {})
            person = people.get(int(key_[1:])) if key_.startswith("c") else None
            r.elected.append(
                {
                    "name": line.get("name", ""),
                    "person_id": person,
                    "votes": line.get("for_votes", 0),
                    "poll": poll.pk,
                }
            )
    return results


def members_elected(case, committee: str) -> list[dict]:
    """The committee's members elected by the congress, in surname stroke order."""
    from .ordering import stroke_key

    found = case_results(case).get((committee, ""))
    return sorted(found.elected, key=lambda e: stroke_key(e["name"])) if found else []


def case_steps(user, case, on: dt.date | None = None) -> list[dict]:
    """Every step open to the case with what still stands in its way on `on` (default today):
    key, label, refusals, possible, possible_from, approver (the organization whose act it
    is), may (whether `user` may take it)."""
    from .cases import Context, acting_org, needed_action, workflow_of

    on = on or timezone.localdate()
    done = {s.step: s for s in case.steps.order_by("on", "pk")}
    ctx = Context(case, on, done=done, results=case_results(case))
    found = []
    for item in next_steps(workflow_of(case), case.state, ctx):
        org = acting_org(case, item["key"])
        found.append(
            {
                **item,
                "approver": org if org.pk != case.org_id else None,
                "may": gate.can(user, needed_action(item["key"]), org),
            }
        )
    return found


def case_timeline(case) -> list:
    return list(case.steps.select_related("approved_by", "recorded_by").order_by("on", "pk"))


def nomination_tallies(case) -> dict[str, list[dict]]:
    """Per committee, each nominee's total over the groups, most nominated first, with the
    count from each group."""
    from .models import Nomination

    rows = Nomination.objects.filter(case=case).order_by("committee", "group", "name")
    totals: dict[str, dict[str, dict]] = {}
    for n in rows:
        entry = totals.setdefault(n.committee, {}).setdefault(
            n.name, {"name": n.name, "total": 0, "groups": {}}
        )
        entry["total"] += n.votes
        entry["groups"][n.group] = n.votes
    return {
        committee: sorted(names.values(), key=lambda e: (-e["total"], e["name"]))
        for committee, names in totals.items()
    }


def nomination_groups(case) -> dict[str, list[str]]:
    from .models import Nomination

    groups: dict[str, list[str]] = {}
    for committee, group in (
        Nomination.objects.filter(case=case)
        .values_list("committee", "group")
        .distinct()
        .order_by("committee", "group")
    ):
        groups.setdefault(committee, []).append(group)
    return groups


def slate_of(case) -> dict[str, list]:
    """The candidate list per committee, in surname stroke order."""
    from .models import SlateEntry

    slate: dict[str, list] = {}
    for entry in (
        SlateEntry.objects.filter(case=case)
        .select_related("person")
        .order_by("committee", "sort_key", "pk")
    ):
        slate.setdefault(entry.committee, []).append(entry)
    return slate


def slate_check(case, on: dt.date | None = None) -> list:
    """Per committee: the surplus the policy asks for against the list as it stands."""
    from .cases import committees_of, surplus

    on = on or timezone.localdate()
    slate = slate_of(case)
    return [surplus(case, c, len(slate.get(c, [])), on) for c in committees_of(case)]


def eligible_people(case, names: list[str]) -> tuple[list, list[str]]:
    """Resolve names to people who may stand for the case's committees (union members or full
    Party members in the organization's subtree): (people, problems)."""
    return people_named(case.org, names)


def people_named(org, names: list[str]) -> tuple[list, list[str]]:
    """Full Party members (Party organization) or union members (union) in `org`'s subtree
    with these names, for the officer and candidate forms: (people, problems)."""
    from jiceng.kernel.paths import subtree_q
    from jiceng.orgs.models import Tree
    from jiceng.people.models import PartyMembership, Person, Stage, UnionMembership

    party = org.tree == Tree.PARTY
    if party:
        pool = PartyMembership.objects.filter(stage=Stage.FULL)
    else:
        pool = UnionMembership.objects.filter(left_on__isnull=True)
    ids = pool.filter(subtree_q(org.path, "org__path")).values("person_id")
    found, problems = [], []
    for name in names:
        matches = list(Person.objects.filter(pk__in=ids, name=name)[:2])
        if not matches:
            problems.append(
                (
                    _("%(name)s is not a full Party member of %(org)s.")
                    if party
                    else _("%(name)s is not a union member of %(org)s.")
                )
                % {"name": name, "org": org.name}
            )
        elif len(matches) > 1:
            problems.append(
                _("%(org)s has several members named %(name)s: choose by member number.")
                % {"org": org.name, "name": name}
            )
        else:
            found.append(matches[0])
    return found, problems


def report_data(case) -> dict:
    """Everything the results report and notice say, from the case and its polls."""
    from jiceng.orgs.selectors import host_units

    from .models import Committee, Post

    results = case_results(case)

    def holders(committee, post):
        r = results.get((committee, post))
        return [e["name"] for e in r.elected] if r else []

    units = list(host_units(case.org, case.held_on or timezone.localdate())[:1])
    committees = {}
    for committee in (Committee.PARTY, Committee.UNION, Committee.AUDIT):
        if (committee, "") in results:
            committees[committee] = members_elected(case, committee)
    return {
        "unit": units[0].name if units else case.org.name,
        "committees": committees,
        "chair": holders(Committee.UNION, Post.CHAIR) or holders(Committee.PARTY, Post.SECRETARY),
        "vice_chairs": holders(Committee.UNION, Post.VICE_CHAIR)
        or holders(Committee.PARTY, Post.DEPUTY_SECRETARY),
        "audit_chair": holders(Committee.AUDIT, Post.AUDIT_CHAIR),
        "audit_vice_chairs": holders(Committee.AUDIT, Post.AUDIT_VICE_CHAIR),
        "plenary_on": max(
            (p.held_on for r in results.values() if r.post for p in r.polls), default=None
        ),
    }


# -- for other apps ---------------------------------------------------------------------------


def committee_on(org, committee: str, on: dt.date) -> list[int] | None:
    """The person ids of the officers of `org`'s committee in office on `on` (the term in
    force that day, each officer's own dates), or None when no term is in force then. For other
    apps' services (life: who is expected at a committee meeting and its quorum); the caller
    has already checked the gate for `org`."""
    term = term_on(org, committee, on)
    if term is None:
        return None
    in_office = term.officers.in_force(on)
    return list(dict.fromkeys(in_office.order_by("pk").values_list("person_id", flat=True)))


def visible_party_orgs(user, limit: int = 50) -> list:
    """Party organizations the user may see, by name: the choices for a union's request when
    no Party organization is linked to the union."""
    return list(visible_orgs(user).filter(tree=Tree.PARTY).order_by("name")[:limit])
