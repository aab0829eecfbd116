"""Congress pages: a union's sessions, a session (attendance, quorum, reports, resolutions), its
proposals with figures and the register, a proposal's timeline and next steps, "my proposals",
and rationalization proposals. Thin views over `selectors` and `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jiceng.access import gate
from jiceng.kernel.forms import submit
from jiceng.kernel.pagination import next_page_url, page_of
from jiceng.orgs.models import Tree
from jiceng.orgs.shortcuts import org_or_404
from jiceng.people import selectors as people
from jiceng.policy.selectors import value as policy_value
from jiceng.sheets.http import xlsx_response

from . import flows, permissions, register, selectors, services
from .forms import (
    AttendanceForm,
    ProposalFilterForm,
    ProposalForm,
    ProposalStepForm,
    ReportForm,
    ResolutionForm,
    SessionForm,
    SuggestionFilterForm,
    SuggestionForm,
    SuggestionStepForm,
)
from .models import CongressSession, Proposal, Report, Suggestion

LIST_LIMIT = 50


def _session_or_404(request, pk) -> CongressSession:
    try:
        return selectors.get_session(request.user, pk)
    except CongressSession.DoesNotExist:
        raise Http404(_("No such congress session, or you may not see it.")) from None


def _proposal_or_404(request, pk) -> Proposal:
    try:
        return selectors.get_proposal(request.user, pk)
    except Proposal.DoesNotExist:
        raise Http404(_("No such proposal, or you may not see it.")) from None


def _suggestion_or_404(request, pk) -> Suggestion:
    try:
        return selectors.get_suggestion(request.user, pk)
    except Suggestion.DoesNotExist:
        raise Http404(_("No such rationalization proposal, or you may not see it.")) from None


def _page(request, queryset):
    page = page_of(request, queryset, key="id", limit=LIST_LIMIT)
    return page, next_page_url(request, page)


def _can_manage(request, org) -> bool:
    return permissions.may_manage(request.user, org)


def _require_manage(request, org):
    if not _can_manage(request, org):
        raise PermissionDenied(_("You may not change the records of this union."))


# --- a union's congress -------------------------------------------------------------------


@login_required
def org_sessions(request, code):
    org = org_or_404(request, code, Tree.UNION)
    can_manage = _can_manage(request, org)
    kinds = list(policy_value("congress.org_kinds", org=org))
    may_hold = org.kind in kinds
    form = None
    if can_manage and may_hold:
        form = SessionForm(request.POST or None)
        if done := submit(
            request,
            form,
            lambda d: services.create_session(
                request.user,
                org,
                term=d["term"],
                number=d["number"],
                held_on=d["held_on"],
                kind=d["kind"],
                place=d["place"],
                theme=d["theme"],
            ),
            done=lambda session: _("%(session)s has been recorded.") % {"session": session.title},
            to=lambda session: reverse("congress:session_detail", args=[session.pk]),
        ):
            return done
    elif request.method == "POST":
        raise PermissionDenied(_("You may not change the records of this union."))
    return render(
        request,
        "congress/org_sessions.html",
        {
            "org": org,
            "sessions": selectors.sessions(request.user, org),
            "may_hold": may_hold,
            "can_manage": can_manage,
            "form": form,
        },
    )


# --- a session ----------------------------------------------------------------------------


def _session_page(request, session, *, report_form=None, resolution_form=None, status=200):
    user = request.user
    can_manage = _can_manage(request, session.org)
    return render(
        request,
        "congress/session_detail.html",
        {
            "session": session,
            "org": session.org,
            "attendance": selectors.attendance(user, session),
            "reports": selectors.reports(user, session),
            "resolutions": selectors.resolutions(user, session),
            "figures": selectors.figures(user, session),
            "can_manage": can_manage,
            "report_form": report_form or (ReportForm() if can_manage else None),
            "resolution_form": resolution_form or (ResolutionForm() if can_manage else None),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _vote_noted(request, resolution):
    """Say how the vote went: adopted (success) or not passed (a warning)."""
    if resolution.adopted:
        messages.success(request, _("The resolution has been adopted."))
    else:
        messages.warning(request, _("The resolution did not pass."))
    return resolution


@login_required
def session_detail(request, session):
    s = _session_or_404(request, session)
    if request.method != "POST":
        return _session_page(request, s)
    _require_manage(request, s.org)
    action = request.POST.get("action", "")
    user = request.user
    back = reverse("congress:session_detail", args=[s.pk])
    if action == "report":
        form = ReportForm(request.POST)
        if done := submit(
            request,
            form,
            lambda d: services.add_report(
                user, s, title=d["title"], reporter=d["reporter"], adopted=form.adopted_value()
            ),
            done=_("The report has been recorded."),
            to=back,
        ):
            return done
        return _session_page(request, s, report_form=form)
    if action == "decide_report":
        try:
            report = selectors.report(user, s, int(request.POST.get("report", "0")))
        except (Report.DoesNotExist, ValueError):
            raise Http404(_("No such report.")) from None
        try:
            services.decide_report(user, report, adopted=request.POST.get("adopted") == "yes")
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        return redirect("congress:session_detail", s.pk)
    if action == "resolution":
        form = ResolutionForm(request.POST)
        if done := submit(
            request,
            form,
            lambda d: _vote_noted(
                request,
                services.add_resolution(
                    user,
                    s,
                    text=d["text"],
                    votes_for=d["votes_for"],
                    votes_against=d["votes_against"],
                    abstentions=d["abstentions"],
                ),
            ),
            to=back,
        ):
            return done
        return _session_page(request, s, resolution_form=form)
    if action == "refresh_roll":
        counts = services.refresh_roll(user, s)
        messages.success(
            request,
            _("The roll has been redrawn: %(added)s added, %(removed)s removed.") % counts,
        )
        return redirect("congress:session_detail", s.pk)
    raise Http404(_("No such action."))


@login_required
def session_attendance(request, session):
    """The roll as a checklist (phone-friendly) and the other attendees by category."""
    s = _session_or_404(request, session)
    _require_manage(request, s.org)
    user = request.user
    groups = selectors.roll(user, s)
    entries = [e for g in groups for e in g["entries"]]
    counts = selectors.headcounts(s)
    if request.method == "POST":
        form = AttendanceForm(request.POST, roll=entries, counts=counts)
        if done := submit(
            request,
            form,
            lambda d: services.record_attendance(
                user, s, present=d["present"], headcounts=form.headcounts()
            ),
            done=_("The attendance has been recorded."),
            to=reverse("congress:session_detail", args=[s.pk]),
        ):
            return done
        chosen = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    else:
        form = AttendanceForm(roll=entries, counts=counts)
        chosen = {e.pk for e in entries if e.present}
    return render(
        request,
        "congress/session_attendance.html",
        {"session": s, "org": s.org, "groups": groups, "form": form, "chosen": chosen},
    )


# --- proposals ----------------------------------------------------------------------------


def _min_seconders(session) -> int:
    return int(policy_value("congress.proposal.min_seconders", org=session.org, on=session.held_on))


def _propose(request, session, form):
    """Record the proposal of the bound, valid `form` (proposer and seconders by seat)."""

    def perform(d) -> Proposal:
        seats = selectors.seats_by_id(session, {d["proposer"], *d["seconders"]})
        proposer = seats.get(d["proposer"])
        if proposer is None:
            raise ValidationError({"proposer": _("Choose the proposer.")})
        return services.submit_proposal(
            request.user,
            session,
            proposer=proposer,
            seconders=[seats[i] for i in d["seconders"] if i in seats],
            title=d["title"],
            reasons=d["reasons"],
            measures=d["measures"],
            on=d["on"],
        )

    return submit(
        request,
        form,
        perform,
        done=lambda p: _("Proposal no. %(n)s has been recorded.") % {"n": p.number},
        to=lambda p: reverse("congress:proposal_detail", args=[p.pk]),
        rename={"step": "seconders"},
    )


@login_required
def proposal_list(request, session):
    s = _session_or_404(request, session)
    user = request.user
    can_manage = _can_manage(request, s.org)
    delegates = selectors.delegate_choices(user, s)
    form = None
    if can_manage:
        form = ProposalForm(
            request.POST or None, delegates=delegates, min_seconders=_min_seconders(s)
        )
        if done := _propose(request, s, form):
            return done
    elif request.method == "POST":
        raise PermissionDenied(_("You may not change the records of this union."))
    filters = ProposalFilterForm(request.GET or None, org=s.org)
    f = filters.cleaned_data if filters.is_valid() else {}
    found = selectors.proposals(
        user,
        session=s,
        category=f.get("category") or None,
        state=f.get("state") or None,
        query=(f.get("q") or "").strip(),
    )
    page, next_url = _page(request, found)
    return render(
        request,
        "congress/proposal_list.html",
        {
            "session": s,
            "org": s.org,
            "filters": filters,
            "proposals": page.items,
            "next_url": next_url,
            "figures": selectors.figures(user, s),
            "form": form,
            "can_manage": can_manage,
            "filtered": any(v for k, v in request.GET.items() if k != "cursor"),
            "today": timezone.localdate(),
        },
    )


@never_cache
@login_required
def proposal_register(request, session):
    """The proposal register (提案汇总表) of a session as .xlsx."""
    s = _session_or_404(request, session)
    return xlsx_response(
        lambda out: register.write(request.user, s, out), f"{s.org.name}{s.title}提案汇总表.xlsx"
    )


def _orphan_errors(request, bound, steps) -> None:
    """A refused step that has no form on the page (not open at this stage): its reasons go
    to the top of the page."""
    if bound is None or any(st["form"] is bound for st in steps):
        return
    for errors in bound.errors.values():
        for e in errors:
            messages.error(request, e)


def _proposal_page(request, p, *, bound: ProposalStepForm | None = None, status=200):
    user = request.user
    steps = selectors.proposal_next_steps(user, p)
    for st in steps:
        if not (st["mine"] and st["possible"]):
            st["form"] = None
        elif bound is not None and bound.step_key == st["key"]:
            st["form"] = bound
        else:
            st["form"] = ProposalStepForm(step=st["key"], org=p.org)
    _orphan_errors(request, bound, steps)
    return render(
        request,
        "congress/proposal_detail.html",
        {
            "p": p,
            "session": p.session,
            "org": p.org,
            "seconders": [d.person.name for d in p.seconders.all()],
            "timeline": selectors.timeline(p),
            "steps": steps,
            "open_step": bound.step_key if bound is not None else None,
            "can_see_session": gate.can(user, gate.VIEW, p.org),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def proposal_detail(request, proposal):
    p = _proposal_or_404(request, proposal)
    if request.method != "POST":
        return _proposal_page(request, p)
    step = request.POST.get("step", "")
    if step not in flows.PROPOSAL.steps or step == "submit":
        raise Http404(_("No such step."))
    if not permissions.may_take_step(request.user, p, step):
        raise PermissionDenied(_("You may not change the records of this union."))
    form = ProposalStepForm(request.POST, step=step, org=p.org)
    if done := submit(
        request,
        form,
        lambda d: services.take_proposal_step(
            request.user,
            p,
            step,
            on=d["on"],
            data=form.data_for_service(),
            note=d.get("note", ""),
        ),
        done=_("“%(step)s” has been recorded.") % {"step": flows.PROPOSAL.steps[step].label},
        to=reverse("congress:proposal_detail", args=[p.pk]),
        rename={"step": form.field_for_refusals() or "_"},
    ):
        return done
    return _proposal_page(request, _proposal_or_404(request, proposal), bound=form)


@login_required
def my_proposals(request):
    """The user's own proposals and, where they hold a seat, the form to submit one."""
    user = request.user
    seats = selectors.sessions_with_own_seat(user)
    form, chosen = None, None
    if seats:
        by_id = {str(s.pk): s for s in seats}
        chosen = (
            by_id.get(request.POST.get("session") or request.GET.get("session") or "") or seats[0]
        )
        own = selectors.own_seat(user, chosen)
        others = [d for d in selectors.delegate_choices(user, chosen) if d[0] != own.pk]
        form = ProposalForm(
            request.POST or None,
            delegates=others,
            own=own,
            min_seconders=_min_seconders(chosen),
        )
        if request.method == "POST":
            if request.POST.get("session") not in by_id:
                raise Http404(_("No such congress session, or you may not see it."))
            if done := _propose(request, chosen, form):
                return done
    elif request.method == "POST":
        raise Http404(_("No such congress session, or you may not see it."))
    return render(
        request,
        "congress/my_proposals.html",
        {
            "proposals": selectors.my_proposals(user, limit=200),
            "seats": seats,
            "chosen": chosen,
            "form": form,
        },
    )


# --- rationalization proposals -------------------------------------------------------------


def _suggest(request, org, form):
    """Record the rationalization proposal of the bound `form` (a member by number, or a name)."""

    def perform(d) -> Suggestion:
        person = None
        if d["member_number"].strip():
            member = people.union_member_by_number(request.user, org, d["member_number"])
            if member is None:
                raise ValidationError(
                    {"member_number": _("No union member with this number that you may see.")}
                )
            person = member.person
        return services.submit_suggestion(
            request.user,
            org,
            title=d["title"],
            content=d["content"],
            submitter_name=d["submitter_name"],
            person=person,
            submitter_unit=d["submitter_unit"],
            on=d["on"],
        )

    return submit(
        request,
        form,
        perform,
        done=lambda s: _("Rationalization proposal no. %(n)s has been recorded.") % {"n": s.number},
        to=lambda s: reverse("congress:suggestion_detail", args=[s.pk]),
        rename={"step": "submitter_name"},
    )


@login_required
def suggestion_list(request, code):
    org = org_or_404(request, code, Tree.UNION)
    user = request.user
    can_manage = _can_manage(request, org)
    form = SuggestionForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        _require_manage(request, org)
        if done := _suggest(request, org, form):
            return done
    filters = SuggestionFilterForm(request.GET or None)
    f = filters.cleaned_data if filters.is_valid() else {}
    found = selectors.suggestions(
        user, org, state=f.get("state") or None, query=(f.get("q") or "").strip()
    )
    page, next_url = _page(request, found)
    return render(
        request,
        "congress/suggestion_list.html",
        {
            "org": org,
            "filters": filters,
            "suggestions": page.items,
            "next_url": next_url,
            "figures": selectors.suggestion_figures(user, org),
            "bands": policy_value("congress.suggestion.reward_bands", org=org),
            "form": form,
            "can_manage": can_manage,
        },
    )


def _suggestion_page(request, s, *, bound: SuggestionStepForm | None = None):
    user = request.user
    steps = selectors.suggestion_next_steps(user, s)
    for st in steps:
        if not (st["mine"] and st["possible"]):
            st["form"] = None
        elif bound is not None and bound.step_key == st["key"]:
            st["form"] = bound
        else:
            st["form"] = SuggestionStepForm(step=st["key"])
    _orphan_errors(request, bound, steps)
    return render(
        request,
        "congress/suggestion_detail.html",
        {
            "s": s,
            "org": s.org,
            "timeline": selectors.suggestion_timeline(s),
            "steps": steps,
            "open_step": bound.step_key if bound is not None else None,
        },
    )


@login_required
def suggestion_detail(request, suggestion):
    s = _suggestion_or_404(request, suggestion)
    if request.method != "POST":
        return _suggestion_page(request, s)
    _require_manage(request, s.org)
    step = request.POST.get("step", "")
    if step not in flows.SUGGESTION.steps or step == "submit":
        raise Http404(_("No such step."))
    form = SuggestionStepForm(request.POST, step=step)
    if done := submit(
        request,
        form,
        lambda d: services.take_suggestion_step(
            request.user,
            s,
            step,
            on=d["on"],
            data=form.data_for_service(),
            note=d.get("note", ""),
        ),
        done=_("“%(step)s” has been recorded.") % {"step": flows.SUGGESTION.steps[step].label},
        to=reverse("congress:suggestion_detail", args=[s.pk]),
        rename={"step": form.field_for_refusals() or "_"},
    ):
        return done
    return _suggestion_page(request, _suggestion_or_404(request, suggestion), bound=form)
