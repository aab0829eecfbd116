"""Terms for the demo (`jiceng demo`, `make run`), made through the services.

The demo branch's committee was elected four years and eight months ago, so its five-year term
(a community branch's, by policy) runs out within the alert window and the to-do centre of the
branch and of its community shows the coming re-election; the sibling branch's term is a year
old. Both branches are marked as having a committee. The community's joint union has
a union committee and a funds audit committee. Officers are full members of the organization
(the branch secretary is the demo user zb), so the officer pages have names to show.
"""

import datetime as dt

from jiceng.kernel.dated import in_force_on
from jiceng.orgs.models import Organization
from jiceng.orgs.services import update_flags
from jiceng.people.models import MembershipState, Stage, UnionMembership

from .models import Committee, Post
from .services import start_term
from .text import add_months


def _full_members(org, today: dt.date) -> list:
    rows = MembershipState.objects.filter(in_force_on(today), org=org, stage=Stage.FULL)
    return [s.membership.person for s in rows.select_related("membership__person").order_by("id")]


def create_demo_terms(actor, marks, today: dt.date) -> None:
    from jiceng.access.models import User

    secretary = User.objects.filter(username="zb").select_related("person").first()
    branch_posts = [Post.SECRETARY, Post.ORGANIZATION, Post.PROPAGANDA]
    for branch, months_ago in ((marks.branch, 56), (marks.sibling_branch, 12)):
        people = _full_members(branch, today)
        if branch == marks.branch and secretary is not None and secretary.person in people:
            people.remove(secretary.person)
            people.insert(0, secretary.person)
        update_flags(actor, branch, has_committee=True)
        start_term(
            actor,
            org=branch,
            committee=Committee.PARTY,
            starts_on=add_months(today, -months_ago),
            officers=list(zip(people, branch_posts, strict=False)),
        )
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
