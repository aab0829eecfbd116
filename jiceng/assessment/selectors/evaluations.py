"""Reads of the democratic evaluation of members, scoped by the acting user through the gate:
a branch's campaigns, one campaign's stages, tally, grades, opinions and handling cases, and a
member's open ballots (found through the voters' roll, whatever their roles)."""

import datetime as dt
import math
from collections import Counter

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.kernel.workflow import next_steps
from jiceng.orgs.models import Organization
from jiceng.policy.selectors import value as policy_value

from .. import evaluation_flows as flows
from ..evaluation_permissions import may_run_evaluation
from ..models import (
    GRADE_ORDER,
    Campaign,
    CampaignState,
    EvaluationSlip,
    EvaluationVoter,
    Evaluee,
    Grade,
    HandlingCase,
)

COUNTED = {CampaignState.VOTED, CampaignState.CONSULTED, CampaignState.DECIDED}


def _today() -> dt.date:
    return timezone.localdate()


def _visible(user):
    return Campaign.objects.filter(gate.org_filter(user, gate.VIEW, field="org"))


def campaigns(user, org: Organization):
    return _visible(user).filter(org=org).select_related("org").order_by("-year")


def campaign_of(user, org: Organization, year: int | None = None) -> Campaign | None:
    """The campaign of `org` for `year` (default: the latest), None when there is none."""
    found = campaigns(user, org)
    if year is not None:
        found = found.filter(year=year)
    return found.first()


def get_campaign(user, org: Organization, year: int) -> Campaign:
    found = campaign_of(user, org, year)
    if found is None:
        raise Http404(_("No such evaluation, or you may not see it."))
    return found


def stages(campaign: Campaign) -> list[dict]:
    """Every stage with its label and date (None: not yet)."""
    labels = {"open": flows.OPEN, **{k: s.label for k, s in flows.CAMPAIGN.steps.items()}}
    return [
        {"key": key, "label": labels[key], "on": getattr(campaign, field)}
        for key, field in flows.STAGE_FIELDS.items()
    ]


def campaign_next_steps(user, campaign: Campaign, on: dt.date | None = None) -> list[dict]:
    ctx = flows.campaign_context(campaign, on or _today())
    mine = may_run_evaluation(user, campaign.org)
    return [{**s, "mine": mine} for s in next_steps(flows.CAMPAIGN, campaign.state, ctx)]


def roll(campaign: Campaign) -> list[Evaluee]:
    return list(campaign.evaluees.select_related("membership").order_by("name", "pk"))


def turnout(campaign: Campaign) -> dict:
    """How many may vote and how many ballots are in (electronic and paper): never how."""
    voters = campaign.voters.count()
    voted = campaign.voters.filter(has_voted=True).count()
    return {
        "voters": voters,
        "voted": voted,
        "paper": campaign.paper_ballots,
        "ballots": voted + campaign.paper_ballots,
    }


def tally(campaign: Campaign) -> list[dict] | None:
    """Per member the count of each grade on the ballots, once the box is opened (None before:
    nothing is counted while voting is open)."""
    if campaign.state not in COUNTED:
        return None
    counts = Counter(
        EvaluationSlip.objects.filter(campaign=campaign).values_list("evaluee_id", "grade")
    )
    rows = []
    for e in roll(campaign):
        by_grade = {g.value: counts.get((e.pk, g.value), 0) for g in GRADE_ORDER}
        rows.append(
            {
                "evaluee": e,
                "counts": by_grade,
                "cells": [by_grade[g.value] for g in GRADE_ORDER],
                "total": sum(by_grade.values()),
            }
        )
    return rows


def excellent_cap(campaign: Campaign, on: dt.date | None = None) -> dict:
    share = policy_value("assessment.evaluation.excellent_cap", org=campaign.org, on=on)
    total = campaign.evaluees.count()
    return {
        "share": share,
        "percent": f"{float(share) * 100:g}%",
        "total": total,
        "most": math.floor(float(share) * total + 1e-9),
        "count": campaign.evaluees.filter(grade=Grade.EXCELLENT).count(),
    }


def grade_counts(campaign: Campaign) -> list[tuple[str, object, int]]:
    found = Counter(campaign.evaluees.exclude(grade="").values_list("grade", flat=True))
    return [(g.value, g.label, found.get(g.value, 0)) for g in GRADE_ORDER]


def opinions(campaign: Campaign):
    return campaign.opinions.select_related("evaluee").order_by("received_on", "pk")


def handling_cases(user, campaign: Campaign, on: dt.date | None = None) -> list[dict]:
    """Each case of a member graded 不合格 with its timeline and next steps."""
    on = on or _today()
    mine = may_run_evaluation(user, campaign.org)
    cases = (
        HandlingCase.objects.filter(evaluee__campaign=campaign)
        .select_related("evaluee__campaign__org")
        .prefetch_related("steps")
        .order_by("evaluee__name", "pk")
    )
    found = []
    for case in cases:
        ctx = flows.handling_context(case, on)
        found.append(
            {
                "case": case,
                "evaluee": case.evaluee,
                "timeline": [
                    {
                        "step": s.step,
                        "label": flows.HANDLING.steps[s.step].label,
                        "on": s.on,
                        "note": s.note,
                        "data": s.data,
                    }
                    for s in case.steps.all()
                ],
                "next": [{**s, "mine": mine} for s in next_steps(flows.HANDLING, case.state, ctx)],
            }
        )
    return found


def get_case(user, campaign: Campaign, evaluee_id: int) -> HandlingCase:
    found = (
        HandlingCase.objects.filter(evaluee__campaign=campaign, evaluee_id=evaluee_id)
        .filter(gate.org_filter(user, gate.VIEW, field="evaluee__campaign__org"))
        .select_related("evaluee__campaign__org")
        .first()
    )
    if found is None:
        raise Http404(_("No such case, or you may not see it."))
    return found


def get_evaluee(campaign: Campaign, evaluee_id) -> Evaluee:
    found = campaign.evaluees.filter(pk=evaluee_id).first() if evaluee_id else None
    if found is None:
        raise Http404(_("No such member on this evaluation's roll."))
    return found


# -- a member's ballot -----------------------------------------------------------------------


def open_ballots_for(user) -> list[Campaign]:
    """The campaigns whose mutual evaluation is open and where the user may still vote."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    voters = EvaluationVoter.objects.filter(person_id=person_id, has_voted=False)
    return list(
        Campaign.objects.filter(state=CampaignState.VOTING, pk__in=voters.values("campaign"))
        .select_related("org")
        .order_by("-year", "org__path")
    )


def ballot_for(user, code: str) -> dict:
    """The ballot page of branch `code`: its campaign open for voting (if any), whether the user
    is on its roll and has voted, and the members to grade (all but themself). Http404 when the
    user may neither see the branch nor is on the roll of one of its campaigns."""
    person_id = getattr(user, "person_id", None)
    reach = gate.org_filter(user, gate.VIEW)
    if person_id:
        reach |= Q(evaluation_campaigns__voters__person_id=person_id)
    org = Organization.objects.filter(reach, code=code).distinct().first()
    if org is None:
        raise Http404(_("No such organization, or you may not see it."))
    campaign = (
        Campaign.objects.filter(org=org, state=CampaignState.VOTING).order_by("-year").first()
    )
    mark = None
    if campaign is not None and person_id:
        mark = EvaluationVoter.objects.filter(campaign=campaign, person_id=person_id).first()
    members = []
    if campaign is not None:
        members = [e for e in roll(campaign) if e.membership.person_id != person_id]
    return {
        "org": org,
        "campaign": campaign,
        "on_roll": mark is not None,
        "voted": bool(mark and mark.has_voted),
        "members": members,
    }


def grade_choices() -> list[tuple[str, object]]:
    return [(g.value, g.label) for g in GRADE_ORDER]


def excellent_label() -> object:
    return Grade.EXCELLENT.label


def decided_grade(person, year: int) -> Evaluee | None:
    """The grade the branch decided for `person` in `year`'s evaluation, if one was decided
    (for award eligibility; unscoped: the caller already sees the nominee)."""
    return (
        Evaluee.objects.filter(membership__person=person, campaign__year=year)
        .exclude(grade="")
        .select_related("campaign__org")
        .first()
    )
