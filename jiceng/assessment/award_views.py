"""Pages of awards and titles (评先评优) and of secretaries' accountability reviews
(书记抓党建述职评议). Thin: forms parse, services decide, selectors read; every refusal of a
service is shown as a message on the page it came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.documents.http import docx_response
from jiceng.orgs.shortcuts import org_or_404

from . import award_documents, permissions, services
from .award_forms import (
    CloseFollowUpForm,
    DecideAwardsForm,
    FollowUpForm,
    NominateForm,
    OpenAwardForm,
    OpenReviewForm,
    QuotaForm,
    RatingForm,
    ReportForm,
)
from .models import AwardState, ReviewState
from .selectors import awards as award_selectors
from .selectors import reviews as review_selectors


def _run(request, form, perform, *, done: str, to: str):
    """Valid form → service; its refusals become messages. Always back to `to` on POST."""
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, done)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errors:
                messages.error(request, f"{label}：{e}" if label else e)
    return redirect(to)


def _call(request, perform, *, done: str, to: str):
    """A POST with nothing to parse (publish, decide, withdraw)."""
    try:
        perform()
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, done)
    return redirect(to)


# -- awards --------------------------------------------------------------------------------


@login_required
def award_list(request):
    user = request.user
    if request.method == "POST":
        form = OpenAwardForm(request.POST)

        def perform(d):
            org = org_or_404(request, d["org"])
            return services.open_award_round(user, org, year=d["year"], kind=d["kind"])

        return _run(
            request, form, perform, done=_("The round is open."), to="assessment:award_list"
        )
    can_open = award_selectors.runnable_orgs(user).exists()
    return render(
        request,
        "assessment/award/list.html",
        {
            "rounds": award_selectors.award_rounds(user)[:100],
            "form": OpenAwardForm() if can_open else None,
        },
    )


@login_required
def award_round(request, award: int):
    user = request.user
    r = award_selectors.get_award_round(user, award)
    here = reverse("assessment:award_round", args=[r.pk])
    if request.method == "POST":
        return _award_action(request, r, request.POST.get("action", ""), here)
    runs = permissions.may_run(user, r.org)
    nominating = r.state == AwardState.NOMINATING
    my_orgs = award_selectors.my_quota_orgs(user, r) if nominating else []
    return render(
        request,
        "assessment/award/round.html",
        {
            "round": r,
            "runs": runs,
            "quotas": award_selectors.quotas(user, r),
            "nominations": award_selectors.nominations(user, r),
            "quota_form": QuotaForm() if runs and nominating else None,
            "nominate_form": NominateForm(orgs=my_orgs) if my_orgs else None,
            "decide_form": DecideAwardsForm() if runs and r.state == AwardState.PUBLICITY else None,
        },
    )


def _award_action(request, r, action: str, here: str):
    user = request.user
    if action == "quota":
        return _run(
            request,
            QuotaForm(request.POST),
            lambda d: services.set_quota(user, r, org_or_404(request, d["org"]), d["count"]),
            done=_("The quota has been set."),
            to=here,
        )
    if action == "nominate":

        def perform(d):
            by_org = org_or_404(request, d["by_org"])
            org = org_or_404(request, d["nominee_org"]) if d.get("nominee_org") else None
            person = (
                award_selectors.nominee_person(user, d["nominee_person"])
                if d.get("nominee_person")
                else None
            )
            return services.nominate(user, r, by_org, org=org, person=person, deeds=d["deeds"])

        return _run(
            request,
            NominateForm(request.POST, orgs=award_selectors.my_quota_orgs(user, r)),
            perform,
            done=_("The nominee has been put forward."),
            to=here,
        )
    if action == "publish":
        return _call(
            request,
            lambda: services.publish_nominees(user, r),
            done=_("The nominees are published for publicity."),
            to=here,
        )
    if action == "decide":
        form = DecideAwardsForm(request.POST)
        return _run(
            request,
            form,
            lambda d: services.decide_awards(
                user, r, document_number=d["document_number"], rejected=form.rejected_ids()
            ),
            done=_("The awards have been decided."),
            to=here,
        )
    if action == "withdraw":
        n = award_selectors.get_nomination(user, int(request.POST.get("nomination") or 0))
        if n.round_id != r.pk:
            raise Http404
        return _call(
            request,
            lambda: services.withdraw_nomination(user, n),
            done=_("The nomination has been withdrawn."),
            to=here,
        )
    raise Http404(_("No such action."))


@login_required
def award_nomination_form(request, nomination: int):
    n = award_selectors.get_nomination(request.user, nomination)
    return docx_response(
        award_documents.nomination_form(request.user, n), award_documents.filename(n)
    )


@login_required
def award_org_titles(request, code: str):
    org = org_or_404(request, code)
    return render(
        request,
        "assessment/award/org_titles.html",
        {"org": org, "titles": award_selectors.titles_of_org(request.user, org)},
    )


# -- accountability reviews ----------------------------------------------------------------


@login_required
def review_list(request):
    user = request.user
    if request.method == "POST":

        def perform(d):
            return services.open_review(user, org_or_404(request, d["org"]), d["year"])

        return _run(
            request,
            OpenReviewForm(request.POST),
            perform,
            done=_("The review is open."),
            to="assessment:review_list",
        )
    can_open = award_selectors.runnable_orgs(user).exists()
    return render(
        request,
        "assessment/award/review_list.html",
        {
            "reviews": review_selectors.reviews(user).order_by("-year", "-id")[:100],
            "form": OpenReviewForm() if can_open else None,
        },
    )


@login_required
def review_detail(request, review: int):
    user = request.user
    review = review_selectors.get_review(user, review)
    here = reverse("assessment:review_detail", args=[review.pk])
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "rate":
            report = review_selectors.get_report(user, int(request.POST.get("report") or 0))
            return _run(
                request,
                RatingForm(request.POST),
                lambda d: services.rate(user, report, d["rating"]),
                done=_("Your rating has been recorded."),
                to=here,
            )
        if action == "decide":
            return _call(
                request,
                lambda: services.decide_results(user, review),
                done=_("The results have been decided."),
                to=here,
            )
        raise Http404(_("No such action."))
    return render(
        request,
        "assessment/award/review.html",
        {
            "review": review,
            "rows": review_selectors.reports(user, review),
            "runs": permissions.may_run(user, review.org) and review.state == ReviewState.OPEN,
            "rating_form": RatingForm(),
        },
    )


@login_required
def review_report(request, secretary_report: int):
    user = request.user
    report = review_selectors.get_report(user, secretary_report)
    here = reverse("assessment:review_report", args=[report.pk])
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "report":
            return _run(
                request,
                ReportForm(request.POST),
                lambda d: services.submit_report(
                    user,
                    report,
                    secretary=d["secretary"],
                    text=d["text"],
                    attachment=d["attachment"],
                ),
                done=_("The report has been handed in."),
                to=here,
            )
        if action == "follow_up":
            return _run(
                request,
                FollowUpForm(request.POST),
                lambda d: services.add_follow_up(
                    user, report, kind=d["kind"], text=d["text"], deadline=d["deadline"]
                ),
                done=_("The item has been added."),
                to=here,
            )
        if action == "close":
            item = review_selectors.get_follow_up(user, int(request.POST.get("item") or 0))
            if item.report_id != report.pk:
                raise Http404
            return _run(
                request,
                CloseFollowUpForm(request.POST),
                lambda d: services.close_follow_up(user, item, note=d["note"]),
                done=_("The item has been closed."),
                to=here,
            )
        raise Http404(_("No such action."))
    officer = gate.can(user, gate.MANAGE, report.org)
    open_ = report.review.state == ReviewState.OPEN
    return render(
        request,
        "assessment/award/report.html",
        {
            "report": report,
            "follow_ups": review_selectors.follow_ups_of(report),
            "report_form": ReportForm(initial={"secretary": report.secretary, "text": report.text})
            if officer and open_
            else None,
            "follow_up_form": FollowUpForm()
            if permissions.may_run(user, report.review.org)
            else None,
            "may_close": officer or permissions.may_run(user, report.review.org),
        },
    )
