"""Pages of the democratic evaluation of members: a branch's campaign (stages, turnout, tally,
the branch's grades under the excellent cap, non-members' opinions, handling of 不合格), paper
ballot entry, and the member's ballot on a phone. Thin views over selectors and services; every
page of a branch answers 404 to whoever may not see it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jiceng.kernel.forms import form_data, submit
from jiceng.orgs.models import Tree
from jiceng.orgs.shortcuts import org_or_404

from . import evaluation_flows as flows
from . import selectors, services
from .evaluation_forms import (
    BallotForm,
    GradeForm,
    HandlingForm,
    OpenCampaignForm,
    OpinionForm,
    StageForm,
)
from .evaluation_permissions import may_run_evaluation
from .models import CampaignState


def _year(request) -> int | None:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and len(raw) == 4 else None


def _page_url(org, year) -> str:
    url = reverse("assessment:evaluation_org", args=[org.code])
    return f"{url}?year={year}" if year else url


def _campaign_page(request, org, *, year=None, bound=None, open_form=None):
    user = request.user
    campaign = selectors.campaign_of(user, org, year)
    can_run = may_run_evaluation(user, org)
    context = {
        "org": org,
        "campaign": campaign,
        "years": [c.year for c in selectors.campaigns(user, org)],
        "can_run": can_run,
        "bound": bound,
        "open_form": open_form or (OpenCampaignForm() if can_run else None),
    }
    if campaign is not None:
        members = selectors.roll(campaign)
        tally = selectors.tally(campaign)
        deciding = can_run and campaign.state in (CampaignState.VOTED, CampaignState.CONSULTED)
        rows = tally or [{"evaluee": e, "cells": None, "total": None} for e in members]
        for row in rows:
            e = row["evaluee"]
            row["form"] = (
                GradeForm(
                    initial={"year": campaign.year, "evaluee": e.pk, "grade": e.grade or "pass"},
                    auto_id=f"id_e{e.pk}_%s",
                )
                if deciding
                else None
            )
        steps = selectors.campaign_next_steps(user, campaign)
        for st in steps:
            st["form"] = (
                StageForm(
                    initial={"year": campaign.year, "step": st["key"]}, auto_id=f"id_{st['key']}_%s"
                )
                if st["mine"] and st["possible"]
                else None
            )
        cases = selectors.handling_cases(user, campaign)
        for c in cases:
            for st in c["next"]:
                st["form"] = (
                    HandlingForm(
                        initial={
                            "year": campaign.year,
                            "evaluee": c["evaluee"].pk,
                            "step": st["key"],
                        },
                        step=st["key"],
                        auto_id=f"id_h{c['evaluee'].pk}{st['key']}_%s",
                    )
                    if st["mine"] and st["possible"]
                    else None
                )
        context.update(
            {
                "stages": selectors.stages(campaign),
                "steps": steps,
                "turnout": selectors.turnout(campaign),
                "rows": rows,
                "counted": tally is not None,
                "grades": selectors.grade_choices(),
                "grade_counts": selectors.grade_counts(campaign),
                "cap": selectors.excellent_cap(campaign),
                "opinions": selectors.opinions(campaign),
                "opinion_form": (
                    OpinionForm(initial={"year": campaign.year}, members=members)
                    if can_run and campaign.state != CampaignState.DECIDED
                    else None
                ),
                "cases": cases,
                "voting": campaign.state == CampaignState.VOTING,
            }
        )
    return render(request, "assessment/evaluation/campaign.html", context)


def _party_branch(request, code):
    return org_or_404(request, code, Tree.PARTY)


def _require_run(request, org):
    if not may_run_evaluation(request.user, org):
        raise PermissionDenied(_("You may not run the evaluation of this organization's members."))


@login_required
def evaluation_org(request, code):
    org = _party_branch(request, code)
    if request.method != "POST":
        return _campaign_page(request, org, year=_year(request))
    _require_run(request, org)
    form = OpenCampaignForm(request.POST)
    if done := submit(
        request,
        form,
        lambda d: services.open_campaign(request.user, org, year=d["year"], on=d["on"]),
        done=lambda c: (
            _("The evaluation of %(year)s is open with %(count)s members.")
            % {"year": c.year, "count": c.evaluees.count()}
        ),
        to=lambda c: _page_url(org, c.year),
        rename={"org": "__all__"},
    ):
        return done
    return _campaign_page(request, org, open_form=form)


def _posted(request, code, form_class, perform, done, **form_kwargs):
    """A write of the campaign page: the campaign named by the posted year, the form, the
    service; on a refusal the page again with the form's errors shown."""
    org = _party_branch(request, code)
    year = _year(request)
    if request.method != "POST":
        return redirect(_page_url(org, year))
    _require_run(request, org)
    campaign = selectors.get_campaign(request.user, org, year) if year else None
    if campaign is None:
        raise Http404(_("No such evaluation, or you may not see it."))
    form = form_class(request.POST, **form_kwargs)
    if response := submit(
        request,
        form,
        lambda d: perform(campaign, d, form),
        done=done,
        to=_page_url(org, campaign.year),
        rename={"step": "__all__", "grades": "__all__", "evaluee": "__all__"},
    ):
        return response
    return _campaign_page(request, org, year=campaign.year, bound=form)


@login_required
def evaluation_stage(request, code):
    step = request.POST.get("step", "")
    label = flows.CAMPAIGN.steps[step].label if step in flows.CAMPAIGN.steps else ""
    return _posted(
        request,
        code,
        StageForm,
        lambda c, d, _f: services.take_stage(request.user, c, d["step"], on=d["on"]),
        _("“%(step)s” has been recorded.") % {"step": label},
    )


@login_required
def evaluation_grade(request, code):
    def perform(campaign, d, _form):
        evaluee = selectors.get_evaluee(campaign, d["evaluee"])
        return services.decide_grade(
            request.user, campaign, evaluee, grade=d["grade"], on=d["on"], note=d["note"]
        )

    return _posted(
        request,
        code,
        GradeForm,
        perform,
        lambda e: _("%(name)s: %(grade)s.") % {"name": e.name, "grade": e.get_grade_display()},
    )


@login_required
def evaluation_opinion(request, code):
    def perform(campaign, d, _form):
        evaluee = selectors.get_evaluee(campaign, d["evaluee"]) if d["evaluee"] else None
        return services.record_opinion(
            request.user,
            campaign,
            given_by=d["given_by"],
            text=d["text"],
            received_on=d["received_on"],
            evaluee=evaluee,
        )

    org = _party_branch(request, code)
    year = _year(request)
    campaign = selectors.campaign_of(request.user, org, year) if year else None
    members = selectors.roll(campaign) if campaign else []
    return _posted(
        request,
        code,
        OpinionForm,
        perform,
        _("The opinion has been recorded."),
        members=members,
    )


@login_required
def evaluation_handling(request, code):
    step = request.POST.get("step", "")
    label = flows.HANDLING.steps[step].label if step in flows.HANDLING.steps else ""

    def perform(campaign, d, form):
        case = selectors.get_case(request.user, campaign, d["evaluee"])
        return services.take_handling_step(
            request.user, case, d["step"], on=d["on"], data=form.data_for_service(), note=d["note"]
        )

    return _posted(
        request,
        code,
        HandlingForm,
        perform,
        _("“%(step)s” has been recorded.") % {"step": label},
        step=step,
    )


@login_required
def evaluation_paper(request, code):
    """Officers enter paper ballots, one form per ballot, while the mutual evaluation is open."""
    org = _party_branch(request, code)
    campaign = selectors.campaign_of(request.user, org, _year(request))
    if campaign is None or campaign.state != CampaignState.VOTING:
        return redirect(_page_url(org, _year(request)))
    can_run = may_run_evaluation(request.user, org)
    if request.method == "POST" and not can_run:
        raise PermissionDenied(_("You may not run the evaluation of this organization's members."))
    form = BallotForm(form_data(request), members=selectors.roll(campaign), paper=True)
    if can_run and (
        done := submit(
            request,
            form,
            lambda d: services.enter_paper_ballots(request.user, campaign, [form.grades()]),
            done=_("The paper ballot has been entered."),
            to=f"{reverse('assessment:evaluation_paper', args=[org.code])}?year={campaign.year}",
            rename={"grades": "__all__"},
        )
    ):
        return done
    return render(
        request,
        "assessment/evaluation/paper.html",
        {
            "org": org,
            "campaign": campaign,
            "form": form if can_run else None,
            "turnout": selectors.turnout(campaign),
        },
    )


@never_cache
@login_required
def evaluation_ballot(request, code):
    """A member's own ballot: every other member with a grade each, cast once. Nothing here shows
    how anyone voted."""
    found = selectors.ballot_for(request.user, code)
    campaign = found["campaign"]
    form = None
    if campaign is not None and found["on_roll"] and not found["voted"]:
        form = BallotForm(form_data(request), members=found["members"])
    if request.method == "POST" and form is None:
        if found["voted"]:
            found["refused"] = _("You have already voted in this evaluation.")
        else:
            raise PermissionDenied(_("Only a member on the roll of this evaluation can vote."))
    elif form is not None and (
        done := submit(
            request,
            form,
            lambda d: services.cast_ballot(request.user, campaign, form.grades()),
            done=_("Your ballot has been cast. Thank you."),
            to=reverse("assessment:evaluation_ballot", args=[code]),
            rename={"grades": "__all__"},
        )
    ):
        return done
    return render(request, "assessment/evaluation/ballot.html", {**found, "form": form})
