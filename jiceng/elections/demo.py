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
"""

import datetime as dt

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role
from jiceng.kernel.dated import in_force_on, until_after
from jiceng.orgs.models import Organization
from jiceng.orgs.services import update_flags
from jiceng.people.models import MembershipState, Stage, UnionMembership

from .models import Committee, Post
from .services import start_term
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
    term = start_term(
        actor,
        org=marks.community_party,
        committee=Committee.PARTY,
        starts_on=add_months(today, -30),
        officers=[(secretary, Post.SECRETARY)],
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
