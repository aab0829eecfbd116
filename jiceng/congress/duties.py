"""What unions owe about their congress proposals and rationalization proposals (to-do centre).

- proposals not yet assigned to a department: due a policy number of days after the session
  (sorting, 立案 or conversion, 交办; 004:L384 "会后及时整理，交分管领导阅示");
- replies a department owes: due on the reply deadline, overdue after it ("督办乏力", 004:L384);
- the mid-year check and the year-end feedback to the proposer (004:L384);
- rationalization proposals waiting for the review panel.

Each generator walks its rows earliest deadline first, so the centre's cap keeps the most
urgent.
"""

import datetime as dt
import functools
import itertools

from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.kernel.duties import Duty

from . import selectors
from .models import Proposal, ProposalState, ProposalStep, Suggestion, SuggestionState

S = ProposalState


def _url(proposal) -> str:
    return reverse_lazy("congress:proposal_detail", args=[proposal.pk])


def _name(p: Proposal) -> str:
    return _("Proposal no. %(n)s “%(title)s” (%(session)s)") % {
        "n": p.number,
        "title": p.title,
        "session": p.session.title,
    }


def unassigned(orgs, today: dt.date, policy):
    days = functools.cache(
        lambda org, held: int(policy.at(held).value("congress.proposal.assign_within_days", org))
    )
    rows = (
        Proposal.objects.filter(org__in=orgs, state__in=[S.SUBMITTED, S.SORTED, S.ACCEPTED])
        .select_related("session", "org")
        .order_by("session__held_on", "number")
    )
    for p in rows.iterator(chunk_size=500):
        due = p.session.held_on + dt.timedelta(days=days(p.org, p.session.held_on))
        if p.state == S.ACCEPTED:
            title = _("Assign %(proposal)s to a department.") % {"proposal": _name(p)}
        else:
            title = _("Sort %(proposal)s and accept it or convert it to an opinion.") % {
                "proposal": _name(p)
            }
        yield Duty(p.org, title, "congress.unassigned", due=due, url=_url(p))


def replies(orgs, today: dt.date, policy):
    rows = (
        Proposal.objects.filter(org__in=orgs, state=S.ASSIGNED, reply_due__isnull=False)
        .select_related("session", "org")
        .order_by("reply_due", "id")
    )
    for p in rows.iterator(chunk_size=500):
        yield Duty(
            p.org,
            _("%(department)s owes the reply to %(proposal)s (leader in charge: %(leader)s).")
            % {"department": p.department, "proposal": _name(p), "leader": p.leader},
            "congress.reply",
            due=p.reply_due,
            url=_url(p),
        )


def checks_and_feedback(orgs, today: dt.date, policy):
    """The mid-year check and the year-end feedback of proposals in hand, once their date is
    within the year (both are due in the session's year)."""
    rows = (
        Proposal.objects.filter(org__in=orgs, state__in=[S.ASSIGNED, S.REPLIED])
        .select_related("session", "org")
        .order_by("session__held_on", "number")
    )
    done = set(
        ProposalStep.objects.filter(
            proposal__org__in=orgs, proposal__state__in=[S.ASSIGNED, S.REPLIED], step="mid_year"
        ).values_list("proposal_id", flat=True)
    )
    for p in rows.iterator(chunk_size=500):
        if p.pk not in done:
            due = selectors.year_date(p, "congress.proposal.mid_year_check_by", policy)
            yield Duty(
                p.org,
                _("Mid-year check of %(proposal)s.") % {"proposal": _name(p)},
                "congress.mid_year",
                due=due,
                url=_url(p),
            )
        elif p.state == S.REPLIED:
            due = selectors.year_date(p, "congress.proposal.feedback_by", policy)
            yield Duty(
                p.org,
                _(
                    "Give the proposer the year-end feedback on %(proposal)s and record their satisfaction."
                )
                % {"proposal": _name(p)},
                "congress.feedback",
                due=due,
                url=_url(p),
            )


def suggestions(orgs, today: dt.date, policy):
    days = functools.cache(
        lambda org: int(policy.value("congress.suggestion.decide_within_days", org))
    )
    rows = (
        Suggestion.objects.filter(org__in=orgs, state=SuggestionState.SUBMITTED)
        .select_related("org")
        .order_by("submitted_on", "id")
    )
    for s in rows.iterator(chunk_size=500):
        yield Duty(
            s.org,
            _(
                "The review panel should decide on rationalization proposal no. %(n)s “%(title)s” by %(name)s."
            )
            % {"n": s.number, "title": s.title, "name": s.submitter_name},
            "congress.suggestion",
            due=s.submitted_on + dt.timedelta(days=days(s.org)),
            url=reverse_lazy("congress:suggestion_detail", args=[s.pk]),
        )


SOURCES = [replies, unassigned, checks_and_feedback, suggestions]


def duties(user, orgs, today: dt.date, *, limit: int, policy):
    for source in SOURCES:
        yield from itertools.islice(source(orgs, today, policy), limit)


# The label of each kind's group in the to-do centre.
KINDS = {
    "congress.unassigned": _lazy("Proposals to sort and assign"),
    "congress.reply": _lazy("Proposal replies owed"),
    "congress.mid_year": _lazy("Proposals due for the mid-year check"),
    "congress.feedback": _lazy("Proposals due for year-end feedback"),
    "congress.suggestion": _lazy("Rationalization proposals awaiting review"),
}
