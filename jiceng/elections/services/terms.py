"""Terms of office and their officers (DOMAIN.md §4 "Terms"). Every write checks the gate and
policy and is audited.

Starting a term is the upper level's act (it approves the election result): it needs the
`admin` action on the organization. Each officer whose person has a user account gets a
dated role assignment at the organization (role by post, from policy), valid from the day
they take office to the term's last day; the next term's start ends the previous officers'
assignments the day before, so rights move by themselves.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.access.models import Scope
from jiceng.access.services import assign_role, end_assignment
from jiceng.audit.services import record
from jiceng.kernel.dated import until_after
from jiceng.kernel.paths import subtree_q
from jiceng.orgs.models import BRANCH_KINDS, HostLink, Kind, UnitKind
from jiceng.people.models import PartyMembership, Stage, UnionMembership
from jiceng.policy.selectors import value as policy_value

from ..models import (
    COMMITTEE_TREE,
    POSTS,
    SINGLE_POSTS,
    Committee,
    Officer,
    Post,
    Term,
    TermChange,
    TermChangeKind,
    TermStatus,
)
from ..text import add_months, add_years, term_title

ONE_DAY = dt.timedelta(days=1)
VILLAGE_UNITS = {UnitKind.VILLAGE, UnitKind.COMMUNITY}


def length_key(org, committee: str, on: dt.date) -> str:
    """The policy key for the length of this committee's term at `org`."""
    if committee in (Committee.UNION, Committee.AUDIT):
        return "elections.term_years.union"
    if org.kind in BRANCH_KINDS:
        hosted = HostLink.objects.in_force(on).filter(org=org, unit__kind__in=VILLAGE_UNITS)
        if hosted.exists():
            return "elections.term_years.village_branch"
        return "elections.term_years.branch"
    if org.kind in (Kind.PARTY_COMMITTEE, Kind.PARTY_WORKING_COMMITTEE):
        return "elections.term_years.party_committee"
    return "elections.term_years.branch"


def term_snapshot(term: Term) -> dict:
    return {
        "org": term.org.code,
        "committee": term.committee,
        "number": term.number,
        "starts_on": term.starts_on,
        "years": term.years,
        "ends_on": term.ends_on,
        "ended_on": term.ended_on,
        "status": term.status,
    }


def _eligible(person, org, committee: str) -> bool:
    """Party committees: full members in the organization's subtree; union and audit
    committees: union members there (probationary members may not be elected)."""
    if committee == Committee.PARTY:
        found = PartyMembership.objects.filter(person=person, stage=Stage.FULL)
    else:
        found = UnionMembership.objects.filter(person=person, left_on__isnull=True)
    return found.filter(subtree_q(org.path, "org__path")).exists()


def _role_for(term: Term, post: str) -> str:
    roles = policy_value("elections.officer_roles", org=term.org, on=term.starts_on)[term.committee]
    # A post the policy (or an older override of it) does not list gets the committee's
    # members' role: an audit vice-chair reviews like the audit committee, never more.
    return roles.get(post) or roles[Post.MEMBER]


def _user_of(person):
    try:
        return person.user
    except person.__class__.user.RelatedObjectDoesNotExist:
        return None


def _appoint(actor, term: Term, person, post: str, valid_from: dt.date) -> Officer:
    errors = {}
    if post not in POSTS[term.committee]:
        errors["post"] = _("“%(post)s” is not a post of the %(committee)s.") % {
            "post": Post(post).label if post in Post.values else post,
            "committee": term.get_committee_display(),
        }
    elif post in SINGLE_POSTS and _holders(term, post, valid_from).exists():
        errors["post"] = _("The term already has a %(post)s on %(date)s.") % {
            "post": Post(post).label,
            "date": valid_from,
        }
    if not errors and _holders(term, None, valid_from).filter(person=person).exists():
        errors["person"] = _("%(name)s already holds a post in this term.") % {"name": person.name}
    if not _eligible(person, term.org, term.committee):
        errors["person"] = (
            _("%(name)s is not a full Party member of %(org)s.")
            if term.committee == Committee.PARTY
            else _("%(name)s is not a union member of %(org)s.")
        ) % {"name": person.name, "org": term.org.name}
    if not term.starts_on <= valid_from <= term.ends_on:
        errors["valid_from"] = _("The date must lie within the term (%(start)s to %(end)s).") % {
            "start": term.starts_on,
            "end": term.ends_on,
        }
    if errors:
        raise ValidationError(errors)
    assignment = None
    user = _user_of(person)
    if user is not None:
        assignment = assign_role(
            actor,
            user=user,
            role=_role_for(term, post),
            org=term.org,
            scope=Scope.NODE,
            valid_from=valid_from,
            valid_until=until_after(term.ends_on),
        )
    return Officer.objects.create(
        term=term, person=person, post=post, valid_from=valid_from, assignment=assignment
    )


def _holders(term: Term, post: str | None, on: dt.date):
    found = term.officers.in_force(on)
    return found.filter(post=post) if post else found


def _officer_row(o: Officer) -> dict:
    return {
        "person": o.person.name,
        "post": o.post,
        "valid_from": o.valid_from,
        "valid_until": o.valid_until,
    }


def _end_rights(actor, officer: Officer, until: dt.date) -> None:
    """The officer's office and rights end on `until`, the first day without them (unless they
    ended earlier)."""
    if officer.valid_until is None or officer.valid_until > until:
        officer.valid_until = max(until, until_after(officer.valid_from))
        officer.save(update_fields=["valid_until"])
    a = officer.assignment
    if a is not None and (a.valid_until is None or a.valid_until > until):
        end_assignment(actor, a, until=until)


@transaction.atomic
def start_term(
    actor,
    *,
    org,
    committee: str,
    starts_on: dt.date,
    officers: list[tuple] = (),
    number: int | None = None,
) -> Term:
    """Begin term `number` (default: the next) of `org`'s committee with its officers
    [(person, post), …]; the current term ends the day before."""
    gate.require(actor, gate.ADMIN, org)
    errors = {}
    if committee not in Committee.values:
        raise ValidationError({"committee": _("This is not one of the allowed values.")})
    if org.tree != COMMITTEE_TREE[committee]:
        errors["committee"] = _("A %(org_kind)s has no %(committee)s.") % {
            "org_kind": org.get_kind_display(),
            "committee": Committee(committee).label,
        }
    if org.dissolved_on and org.dissolved_on <= starts_on:
        errors["org"] = _("%(org)s was dissolved on %(date)s.") % {
            "org": org.name,
            "date": org.dissolved_on,
        }
    previous = (
        Term.objects.select_for_update()
        .filter(org=org, committee=committee, status=TermStatus.CURRENT)
        .first()
    )
    if previous is not None:
        grace = dt.timedelta(
            days=int(policy_value("elections.term.early_grace_days", org=org, on=starts_on))
        )
        if starts_on <= previous.starts_on:
            errors["starts_on"] = _("The new term must begin after %(term)s began (%(date)s).") % {
                "term": term_title(previous),
                "date": previous.starts_on,
            }
        elif starts_on < previous.ends_on - grace:
            errors["starts_on"] = _(
                "%(term)s runs until %(end)s. A re-election before %(from)s is an early "
                "re-election and needs the upper level's approval: record it first (who "
                "approved, document number, date)."
            ) % {
                "term": term_title(previous),
                "end": previous.ends_on,
                "from": previous.ends_on - grace,
            }
    number = number or ((previous.number + 1) if previous else 1)
    if previous is not None and number <= previous.number:
        errors["number"] = _("The term number must be greater than %(n)s.") % {"n": previous.number}
    if Term.objects.filter(org=org, committee=committee, number=number).exists():
        errors["number"] = _("Term %(n)s is already recorded.") % {"n": number}
    if errors:
        raise ValidationError(errors)
    years = int(policy_value(length_key(org, committee, starts_on), org=org, on=starts_on))
    if previous is not None:
        _close(actor, previous, starts_on - ONE_DAY)
    term = Term.objects.create(
        org=org,
        committee=committee,
        number=number,
        starts_on=starts_on,
        years=years,
        ends_on=add_years(starts_on, years) - ONE_DAY,
    )
    seated = [_appoint(actor, term, person, post, starts_on) for person, post in officers]
    record(
        actor,
        "elections.term.start",
        term,
        after={**term_snapshot(term), "officers": [_officer_row(o) for o in seated]},
        org=org,
    )
    return term


def _close(actor, term: Term, last_day: dt.date) -> None:
    before = term_snapshot(term)
    term.status, term.ended_on = TermStatus.ENDED, last_day
    term.save(update_fields=["status", "ended_on"])
    for officer in term.officers.select_related("assignment", "assignment__org"):
        _end_rights(actor, officer, until_after(last_day))  # the next term's first day
    record(
        actor, "elections.term.end", term, before=before, after=term_snapshot(term), org=term.org
    )


def _current(term: Term) -> None:
    if term.status != TermStatus.CURRENT:
        raise ValidationError({"term": _("%(term)s has ended.") % {"term": term_title(term)}})


@transaction.atomic
def add_officer(actor, term: Term, *, person, post: str, on: dt.date) -> Officer:
    """A by-election (补选) or appointment during the term."""
    gate.require(actor, gate.ADMIN, term.org)
    _current(term)
    officer = _appoint(actor, term, person, post, on)
    record(actor, "elections.term.add_officer", officer, after=_officer_row(officer), org=term.org)
    return officer


@transaction.atomic
def end_officer(actor, officer: Officer, *, on: dt.date, reason: str) -> Officer:
    """An officer leaves the post before the term ends (resignation, transfer); `on` is the
    last day in office."""
    term = officer.term
    gate.require(actor, gate.ADMIN, term.org)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    if on < officer.valid_from:
        raise ValidationError({"on": _("The date may not be before the officer took office.")})
    before = _officer_row(officer)
    _end_rights(actor, officer, until_after(on))
    record(
        actor,
        "elections.term.end_officer",
        officer,
        before=before,
        after={**_officer_row(officer), "reason": reason.strip()},
        org=term.org,
    )
    return officer


@transaction.atomic
def change_term_end(
    actor,
    term: Term,
    *,
    new_end: dt.date,
    approved_by=None,
    document_number: str = "",
    approved_on: dt.date | None = None,
    reason: str = "",
) -> TermChange:
    """Postpone or advance the re-election: the term now ends on `new_end`. Refused without
    the upper level's recorded approval (the approving organization above this one, the
    document number and the date of approval)."""
    gate.require(actor, gate.ADMIN, term.org)
    _current(term)
    errors = {}
    document_number = (document_number or "").strip()
    if approved_by is None or not document_number or approved_on is None:
        raise ValidationError(
            {
                "approval": _(
                    "Postponing or advancing a re-election needs the upper level's approval: "
                    "enter the approving organization, the document number and the date."
                )
            }
        )
    org = term.org
    if approved_by.pk == org.pk or not org.path.startswith(approved_by.path):
        errors["approved_by"] = _("The approval must come from an organization above %(org)s.") % {
            "org": org.name
        }
    if approved_on > timezone.localdate():
        errors["approved_on"] = _("The date cannot be in the future.")
    if new_end == term.ends_on:
        errors["new_end"] = _("The term already ends on %(date)s.") % {"date": new_end}
    if new_end < term.starts_on:
        errors["new_end"] = _("The term cannot end before it began (%(date)s).") % {
            "date": term.starts_on
        }
    scheduled = add_years(term.starts_on, term.years) - ONE_DAY
    system = "party" if term.committee == Committee.PARTY else "union"
    months = int(
        policy_value(f"elections.term.max_postpone_months.{system}", org=org, on=approved_on)
    )
    if new_end > add_months(scheduled, months):
        errors["new_end"] = _(
            "A re-election may be postponed by at most %(months)s months, to %(date)s."
        ) % {"months": months, "date": add_months(scheduled, months)}
    if errors:
        raise ValidationError(errors)
    old_end = term.ends_on
    kind = TermChangeKind.POSTPONE if new_end > old_end else TermChangeKind.ADVANCE
    change = TermChange.objects.create(
        term=term,
        kind=kind,
        old_end=old_end,
        new_end=new_end,
        approved_by=approved_by,
        document_number=document_number,
        approved_on=approved_on,
        reason=reason.strip(),
        recorded_by=actor,
    )
    term.ends_on = new_end
    term.save(update_fields=["ends_on"])
    for officer in term.officers.select_related("assignment", "assignment__org"):
        a = officer.assignment
        if officer.valid_until is not None or a is None:
            continue  # left office early: their rights already ended
        if a.valid_until == until_after(old_end):
            end_assignment(actor, a, until=until_after(new_end))
    record(
        actor,
        f"elections.term.{kind}",
        term,
        before={"ends_on": old_end},
        after={
            "ends_on": new_end,
            "approved_by": approved_by.code,
            "document_number": document_number,
            "approved_on": approved_on,
            "reason": change.reason,
        },
        org=org,
    )
    return change
