"""What assessments ask of organizations (to-do centre):

- a self-assessment to fill in and hand in, due on the round's date (the assessed branch);
- the review to start and finish, the publicity to close with every objection answered (the
  upper level that runs the round);
- a rectification plan owed after a basic pass or below (限期整改, 002:L40), the rectification
  itself by its deadline, and the upper level's check once it is due;
- “consider replacing the leader” after consecutive low results (002:L40-42), until the upper
  level records its decision.
"""

import datetime as dt
import itertools

from django.db.models import Count, F, Q
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.kernel.duties import Duty

from .models import (
    AwardQuota,
    AwardState,
    Campaign,
    CampaignState,
    Entry,
    EntryState,
    HandlingCase,
    HandlingState,
    LeaderFlag,
    Objection,
    Rectification,
    ReviewFollowUp,
    ReviewState,
    Round,
    RoundState,
    SecretaryReport,
)


def _entry_url(entry_id: int):
    return reverse_lazy("assessment:entry", args=[entry_id])


def _round_url(round_id: int):
    return reverse_lazy("assessment:round", args=[round_id])


def self_assessments(orgs, today, policy):
    rows = (
        Entry.objects.filter(org__in=orgs, state=EntryState.PENDING, round__state=RoundState.OPEN)
        .select_related("org", "round", "round__scheme")
        .order_by("round__self_due", "id")
    )
    for e in rows.iterator(chunk_size=500):
        yield Duty(
            e.org,
            _("Fill in and hand in the self-assessment “%(scheme)s” %(period)s.")
            % {"scheme": e.round.scheme.name, "period": e.round.period},
            "assessment.self",
            due=e.round.self_due,
            url=_entry_url(e.pk),
        )


def rounds_to_run(orgs, today, policy):
    rows = (
        Round.objects.filter(org__in=orgs)
        .exclude(state=RoundState.FINAL)
        .select_related("org", "scheme")
        .order_by("self_due", "id")
    )
    for r in rows.iterator(chunk_size=500):
        name = {"scheme": r.scheme.name, "period": r.period}
        if r.state == RoundState.OPEN:
            title, due = _("Start the review of “%(scheme)s” %(period)s.") % name, r.self_due
        elif r.state == RoundState.REVIEW:
            title, due = (
                _("Review every organization of “%(scheme)s” %(period)s and publish the results.")
                % name,
                None,
            )
        else:
            title = _("Answer the objections and make “%(scheme)s” %(period)s final.") % name
            due = r.publicity_until
        yield Duty(r.org, title, "assessment.round", due=due, url=_round_url(r.pk))


def objections(orgs, today, policy):
    rows = (
        Objection.objects.filter(entry__round__org__in=orgs, answered_on__isnull=True)
        .select_related("entry__org", "entry__round__org")
        .order_by("raised_on", "id")
    )
    for o in rows.iterator(chunk_size=500):
        yield Duty(
            o.entry.round.org,
            _("Answer the objection to the result of %(org)s raised by %(who)s.")
            % {"org": o.entry.org.name, "who": o.raised_by},
            "assessment.objection",
            due=o.entry.round.publicity_until,
            url=_entry_url(o.entry_id),
        )


def _open_rectifications(**where):
    return (
        Rectification.objects.filter(closed_on__isnull=True, **where)
        .select_related("entry__org", "entry__round__org", "entry__round__scheme")
        .order_by("due", "id")
    )


def _names(r: Rectification) -> dict:
    e = r.entry
    return {"org": e.org.name, "period": e.round.period, "grade": e.get_grade_display()}


def rectifications(orgs, today, policy):
    """The assessed organization's plan, then the rectification itself."""
    for r in _open_rectifications(entry__org__in=orgs).iterator(chunk_size=500):
        if r.submitted_on is None:
            title = _("Hand in the rectification plan after the %(period)s result “%(grade)s”.")
            due = r.due
        else:
            title, due = (
                _("Rectify by the deadline of the plan (%(period)s, %(grade)s)."),
                r.deadline,
            )
        yield Duty(
            r.entry.org,
            title % _names(r),
            "assessment.rectification",
            due=due,
            url=_entry_url(r.entry_id),
        )


def rectification_checks(orgs, today, policy):
    """The upper level checks a rectification once its deadline has come."""
    rows = _open_rectifications(
        entry__round__org__in=orgs, submitted_on__isnull=False, deadline__lte=today
    )
    for r in rows.iterator(chunk_size=500):
        yield Duty(
            r.entry.round.org,
            _("Check the rectification of %(org)s and close it.") % _names(r),
            "assessment.rectification_check",
            due=r.deadline,
            url=_entry_url(r.entry_id),
        )


def leader_flags(orgs, today, policy):
    rows = (
        LeaderFlag.objects.filter(entry__round__org__in=orgs, decided_on__isnull=True)
        .select_related("entry__org", "entry__round__org")
        .order_by("id")
    )
    for f in rows.iterator(chunk_size=500):
        yield Duty(
            f.entry.round.org,
            _(
                "%(org)s was graded basic pass or below again: consider replacing its "
                "leader and record the decision."
            )
            % {"org": f.entry.org.name},
            "assessment.leader",
            url=_entry_url(f.entry_id),
        )


# -- democratic evaluation of members --


def _evaluation_url(code: str, year: int | None = None):
    url = reverse_lazy("assessment:evaluation_org", args=[code])
    return format_lazy("{url}?year={year}", url=url, year=year) if year else url


def _evaluation_due(year: int, policy, org) -> dt.date:
    month, day = (int(p) for p in str(policy.value("assessment.evaluation.due", org)).split("-"))
    return dt.date(year, month, day)


def evaluations_due(orgs, today, policy):
    """A branch with no democratic evaluation of its members this year, from a policy number of
    days before the date by which it should be done."""
    kinds = list(policy.value("assessment.evaluation.org_kinds"))
    rows = (
        orgs.filter(kind__in=kinds, dissolved_on__isnull=True)
        .exclude(evaluation_campaigns__year=today.year)
        .order_by("path")
    )
    for org in rows.iterator(chunk_size=500):
        due = _evaluation_due(today.year, policy, org)
        remind = int(policy.value("assessment.evaluation.remind_days", org))
        if today < due - dt.timedelta(days=remind):
            continue
        yield Duty(
            org,
            _("Hold the democratic evaluation of members of %(year)s.") % {"year": today.year},
            "assessment.evaluation",
            due=due,
            url=_evaluation_url(org.code),
        )


def evaluations_running(orgs, today, policy):
    """A campaign under way: its next stage; while ballots are open, how many voted."""
    rows = (
        Campaign.objects.filter(org__in=orgs)
        .exclude(state=CampaignState.DECIDED)
        .annotate(
            voter_count=Count("voters"), voted=Count("voters", filter=Q(voters__has_voted=True))
        )
        .select_related("org")
        .order_by("year", "id")
    )
    for c in rows.iterator(chunk_size=500):
        if c.state == CampaignState.VOTING:
            title = _(
                "Mutual evaluation of %(year)s open: %(voted)s of %(voters)s members have "
                "voted; close it when the ballots are in."
            ) % {"year": c.year, "voted": c.voted, "voters": c.voter_count}
        else:
            title = _("Carry on the democratic evaluation of members of %(year)s (%(stage)s).") % {
                "year": c.year,
                "stage": c.get_state_display(),
            }
        yield Duty(
            c.org,
            title,
            "assessment.evaluation_running",
            due=_evaluation_due(c.year, policy, c.org),
            url=_evaluation_url(c.org.code, c.year),
        )


def member_handling(orgs, today, policy):
    """A member graded 不合格: decide the handling; once the correction deadline has come, judge
    whether they corrected."""
    rows = (
        HandlingCase.objects.filter(
            evaluee__campaign__org__in=orgs,
            state__in=[HandlingState.OPEN, HandlingState.CORRECTING, HandlingState.PERSUADED],
        )
        .select_related("evaluee__campaign__org")
        .order_by("deadline", "id")
    )
    for case in rows.iterator(chunk_size=500):
        e = case.evaluee
        names = {"name": e.name, "year": e.campaign.year}
        if case.state == HandlingState.OPEN:
            title = _("%(name)s was graded unqualified in %(year)s: decide the handling.") % names
        elif case.state == HandlingState.CORRECTING:
            title = _("Judge whether %(name)s corrected by the deadline (%(year)s).") % names
        else:
            title = _("%(name)s was advised to leave the Party: record the outcome.") % names
        yield Duty(
            e.campaign.org,
            title,
            "assessment.member_handling",
            due=case.deadline if case.state == HandlingState.CORRECTING else None,
            url=_evaluation_url(e.campaign.org.code, e.campaign.year),
        )


# -- accountability reviews and awards -------------------------------------------------------


def secretary_reports(orgs, today, policy):
    """The reviewed organization's secretary owes the year's accountability report."""
    rows = (
        SecretaryReport.objects.filter(
            org__in=orgs, submitted_on__isnull=True, review__state=ReviewState.OPEN
        )
        .select_related("org", "review")
        .order_by("review__reports_due", "id")
    )
    for r in rows.iterator(chunk_size=500):
        yield Duty(
            r.org,
            _("Hand in the secretary's accountability report for %(year)s.")
            % {"year": r.review.year},
            "assessment.review_report",
            due=r.review.reports_due,
            url=reverse_lazy("assessment:review_report", args=[r.pk]),
        )


def review_follow_ups(orgs, today, policy):
    """Problems pointed out and rectification items, open until the organization closes them."""
    rows = (
        ReviewFollowUp.objects.filter(report__org__in=orgs, closed_on__isnull=True)
        .select_related("report__org", "report__review")
        .order_by("deadline", "id")
    )
    for item in rows.iterator(chunk_size=500):
        yield Duty(
            item.report.org,
            _("Follow up the accountability review %(year)s: %(item)s")
            % {"year": item.report.review.year, "item": item.text[:80]},
            "assessment.review_follow_up",
            due=item.deadline,
            url=reverse_lazy("assessment:review_report", args=[item.report_id]),
        )


def award_nominations(orgs, today, policy):
    """An organization with a quota in an open round has nominees to put forward."""
    rows = (
        AwardQuota.objects.filter(org__in=orgs, count__gt=0, round__state=AwardState.NOMINATING)
        .annotate(used=Count("round__nominations", filter=Q(round__nominations__by_org=F("org"))))
        .filter(used__lt=F("count"))
        .select_related("org", "round")
        .order_by("round__nominations_due", "id")
    )
    for q in rows.iterator(chunk_size=500):
        yield Duty(
            q.org,
            _("Nominate up to %(n)s for “%(title)s” %(year)s.")
            % {"n": q.count - q.used, "title": q.round.get_kind_display(), "year": q.round.year},
            "assessment.award_nomination",
            due=q.round.nominations_due,
            url=reverse_lazy("assessment:award_round", args=[q.round_id]),
        )


SOURCES = [
    self_assessments,
    rounds_to_run,
    objections,
    rectifications,
    rectification_checks,
    leader_flags,
    secretary_reports,
    review_follow_ups,
    award_nominations,
    evaluations_due,
    evaluations_running,
    member_handling,
]


def duties(user, orgs, today: dt.date, *, limit: int, policy):
    for source in SOURCES:
        yield from itertools.islice(source(orgs, today, policy), limit)


KINDS = {
    "assessment.self": _lazy("Self-assessments to hand in"),
    "assessment.round": _lazy("Assessment rounds to run"),
    "assessment.objection": _lazy("Objections to assessment results"),
    "assessment.review_report": _lazy("Secretaries' accountability reports to hand in"),
    "assessment.review_follow_up": _lazy("Follow-up items of accountability reviews"),
    "assessment.award_nomination": _lazy("Award nominations to make"),
    "assessment.rectification": _lazy("Rectifications after an assessment"),
    "assessment.rectification_check": _lazy("Rectifications to check"),
    "assessment.leader": _lazy("Leaders to consider replacing"),
    "assessment.evaluation": _lazy("Democratic evaluations of members to hold"),
    "assessment.evaluation_running": _lazy("Democratic evaluations of members under way"),
    "assessment.member_handling": _lazy("Members graded unqualified to handle"),
}
