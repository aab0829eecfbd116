"""Terms for the demo (`jiceng demo`, `make run`), made through the services.

The demo branch's committee was elected four years and eight months ago, so its five-year term
(a community branch's, by policy) runs out within the alert window and the to-do centre of the
branch and of its community shows the coming re-election; the sibling branch's term is a year
old. Both branches are marked as having a committee. The community's joint union has
a union committee and a funds audit committee; the community Party committee is chaired by the
demo user sq and gh's enterprise union by gh. Officers are full members of the organization
(the branch secretaries are the demo users zb and zb2), so the officer pages have names to show.
The demo officers' rights come from these terms: their role assignments run from the term's
first day through its last (`build.TERM_OFFICERS` get no undated grant).

`create_demo_elections` then gives every other organization a demo user lands on (the
district and street Party committees and the district union) a current term with officers
when it has none yet, files the
demo branch's re-election (its candidate list now waits for the community Party committee's
review) and holds a by-election in the sibling branch whose ballots are counted and whose
result is declared. Everything goes through the services, so each record is one a user
could have made.
"""

import datetime as dt

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role
from jiceng.kernel.dated import in_force_on, until_after
from jiceng.kernel.paths import subtree_q
from jiceng.orgs.models import Organization, Tree
from jiceng.orgs.services import update_flags
from jiceng.people.models import MembershipState, Stage, UnionMembership

from .models import Committee, CongressKind, Post, Term, TermStatus
from .services import (
    approve,
    close_poll,
    create_poll,
    enter_sheet,
    file_request,
    propose_slate,
    record_attendance,
    record_nominations,
    start_term,
)
from .text import add_months


def _full_members(org, today: dt.date) -> list:
    rows = MembershipState.objects.filter(in_force_on(today), org=org, stage=Stage.FULL)
    return [s.membership.person for s in rows.select_related("membership__person").order_by("id")]


def _person_of(username: str):
    from jiceng.access.models import User

    user = User.objects.filter(username=username).select_related("person").first()
    return user.person if user is not None else None


def _first(people: list, person) -> list:
    """`people` with `person` (a demo user elected to the post) first, when eligible."""
    if person is None or person not in people:
        return people
    return [person, *(p for p in people if p != person)]


def create_demo_terms(actor, marks, today: dt.date) -> None:
    officers = {u: _person_of(u) for u in ("zb", "zb2", "sq", "gh")}
    branch_posts = [Post.SECRETARY, Post.ORGANIZATION, Post.PROPAGANDA]
    other_secretary = {marks.branch: officers["zb2"], marks.sibling_branch: officers["zb"]}
    for branch, months_ago, secretary in (
        (marks.branch, 56, officers["zb"]),
        (marks.sibling_branch, 12, officers["zb2"]),
    ):
        # Neither the community's secretary nor the other branch's sits on this committee.
        skip = {officers["sq"], other_secretary[branch]}
        people = [p for p in _full_members(branch, today) if p not in skip]
        update_flags(actor, branch, has_committee=True)
        start_term(
            actor,
            org=branch,
            committee=Committee.PARTY,
            starts_on=add_months(today, -months_ago),
            officers=list(zip(_first(people, secretary), branch_posts, strict=False)),
        )
    _community_term(actor, marks, today, officers["sq"])
    _enterprise_union_term(actor, marks, today, officers["gh"])
    union = Organization.objects.filter(code=marks.community_party.code[:-1] + "U").first()
    if union is None:
        return
    members = [
        m.person
        for m in UnionMembership.objects.filter(org=union, left_on__isnull=True)
        .select_related("person")
        .order_by("id")
    ]
    started = add_months(today, -20)
    committee = [(members[0], Post.CHAIR), (members[1], Post.VICE_CHAIR)]
    committee += [(p, Post.MEMBER) for p in members[2:5]]
    start_term(actor, org=union, committee=Committee.UNION, starts_on=started, officers=committee)
    if len(members) > 5:
        start_term(
            actor,
            org=union,
            committee=Committee.AUDIT,
            starts_on=started,
            officers=[(members[5], Post.AUDIT_CHAIR)],
        )


def _community_term(actor, marks, today: dt.date, secretary) -> None:
    """The community Party committee, with the demo user sq as its secretary. A community
    committee leads its branches, so her rights reach the whole community (a second role,
    dated like the term); both end with the term."""
    if secretary is None:
        return
    others = [
        p for p in _in_subtree(marks.community_party, Committee.PARTY, today) if p != secretary
    ]
    term = start_term(
        actor,
        org=marks.community_party,
        committee=Committee.PARTY,
        starts_on=add_months(today, -30),
        officers=[
            (secretary, Post.SECRETARY),
            *zip(others, [Post.ORGANIZATION, Post.PROPAGANDA], strict=False),
        ],
    )
    assign_role(
        actor,
        user=secretary.user,
        role=Role.OFFICER,
        org=marks.community_party,
        scope=Scope.SUBTREE,
        valid_from=term.starts_on,
        valid_until=until_after(term.ends_on),
    )


def _enterprise_union_term(actor, marks, today: dt.date, chair) -> None:
    """The enterprise union's committee, chaired by the demo user gh."""
    members = [
        m.person
        for m in UnionMembership.objects.filter(org=marks.enterprise_union, left_on__isnull=True)
        .select_related("person")
        .order_by("id")
    ]
    if chair is None or chair not in members:
        return
    others = [p for p in members if p != chair][:2]
    start_term(
        actor,
        org=marks.enterprise_union,
        committee=Committee.UNION,
        starts_on=add_months(today, -24),
        officers=[(chair, Post.CHAIR), *((p, Post.MEMBER) for p in others)],
    )


def _in_subtree(org, committee: str, today: dt.date) -> list:
    """Persons eligible for `org`'s committee: full Party members (Party) or union members
    (union) anywhere in its subtree, oldest records first. Demo users are left out: an office
    here would widen what they see beyond what the README promises."""
    if committee == Committee.PARTY:
        rows = MembershipState.objects.filter(
            in_force_on(today),
            subtree_q(org.path, "org__path"),
            stage=Stage.FULL,
            membership__person__user__isnull=True,
        ).select_related("membership__person")
        found = [s.membership.person for s in rows.order_by("membership_id")]
    else:
        rows = UnionMembership.objects.filter(
            subtree_q(org.path, "org__path"), left_on__isnull=True, person__user__isnull=True
        ).select_related("person")
        found = [m.person for m in rows.order_by("id")]
    return list(dict.fromkeys(found))  # one entry per person


def _staff_landmarks(actor, marks, today: dt.date) -> None:
    """A current term with three officers for each organization a demo user lands on that
    has none, so committee meetings, officer pages and the re-election alerts have people."""
    party = [Post.SECRETARY, Post.ORGANIZATION, Post.PROPAGANDA]
    union = [Post.CHAIR, Post.VICE_CHAIR, Post.MEMBER]
    for i, (org, committee, posts) in enumerate(
        [
            (marks.district_party, Committee.PARTY, party),
            (marks.street_party, Committee.PARTY, party),
            (marks.community_party, Committee.PARTY, party),
            (marks.district_union, Committee.UNION, union),
            (marks.enterprise_union, Committee.UNION, union),
        ]
    ):
        if org is None or Term.objects.filter(org=org, status=TermStatus.CURRENT).exists():
            continue
        people = _in_subtree(org, committee, today)
        if len(people) < len(posts):
            continue
        # Different people for different committees, as far as the subtree allows.
        k = i * len(posts) % len(people)
        people = people[k:] + people[:k]
        if org.tree == Tree.PARTY and not org.has_committee:
            update_flags(actor, org, has_committee=True)
        start_term(
            actor,
            org=org,
            committee=committee,
            starts_on=add_months(today, -(14 + 6 * i)),
            officers=list(zip(people, posts, strict=False)),
        )


def _branch_case(actor, marks, today: dt.date) -> None:
    """The demo branch's re-election (its term runs out soon): requested, approved by the
    community Party committee, nominations tallied, and the candidate list proposed with the
    policy's surplus; the upper level's review of the list is the next step."""
    branch = marks.branch
    members = _full_members(branch, today)
    seats = 3
    if len(members) < 4:
        return
    case = file_request(
        actor,
        org=branch,
        requested_on=today - dt.timedelta(days=40),
        planned_on=today + dt.timedelta(days=20),
        delegates=len(members),
        committee_seats=seats,
        congress_kind=CongressKind.MEMBERS,
    )
    approve(
        actor,
        case,
        "approve_upper",
        on=today - dt.timedelta(days=30),
        document_number=f"{marks.community_party.name[2:6]}党委〔{today.year}〕12号",
    )
    candidates = members[:4]
    record_nominations(
        actor,
        case,
        committee=Committee.PARTY,
        group="第一党小组",
        counts=[(p.name, len(members) - k) for k, p in enumerate(candidates)],
        on=today - dt.timedelta(days=20),
    )
    propose_slate(
        actor,
        case,
        slates={Committee.PARTY: candidates},
        on=today - dt.timedelta(days=10),
        note="支部委员会研究提出",
    )


def _sibling_by_election(actor, marks, today: dt.date) -> None:
    """A by-election of one committee member in the sibling branch, held last month between
    two candidates: attendance recorded, one counting team's sheet entered, result declared."""
    branch = marks.sibling_branch
    members = _full_members(branch, today)
    if len(members) < 2:
        return
    entitled = len(members)
    a, b = members[-1], members[-2]
    poll = create_poll(
        actor,
        org=branch,
        title="补选支部委员会委员",
        seats=1,
        entitled=entitled,
        held_on=today - dt.timedelta(days=30),
        candidates=[a, b],
        committee=Committee.PARTY,
    )
    record_attendance(actor, poll, present=entitled, issued=entitled, returned=entitled)
    yes = entitled // 2 + 1
    enter_sheet(
        actor,
        poll,
        label="第一计票组",
        ballots=entitled,
        lines=[
            {"name": a.name, "for": yes, "against": 0},
            {"name": b.name, "for": entitled - yes, "against": 0},
        ],
    )
    close_poll(actor, poll)


def create_demo_elections(actor, marks, today: dt.date) -> None:
    _staff_landmarks(actor, marks, today)
    _branch_case(actor, marks, today)
    _sibling_by_election(actor, marks, today)
