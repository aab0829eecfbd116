"""Assessment pages: the home, schemes (list, page, editing a version, publishing), opening a
round, the round's review board and an organization's self-assessment and review form. Thin
views over `selectors` and `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.kernel.forms import submit
from jiceng.orgs.shortcuts import org_or_404

from . import defaults, evidence, permissions, selectors, services
from .forms import (
    AnswerForm,
    DecisionForm,
    EvidenceForm,
    NoteForm,
    ObjectionForm,
    OpenRoundForm,
    PlanForm,
    ReasonForm,
    SchemeForm,
)
from .models import EntryState, RoundState

LIST_LIMIT = 50


def _refused(request, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _int(value) -> int:
    return int(value) if (value or "").isdigit() else 0


# -- home ------------------------------------------------------------------------------------


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "assessment/home.html",
        {
            "rounds": selectors.rounds(user)[:LIST_LIMIT],
            "entries": selectors.my_entries(user),
            "orgs": selectors.home_orgs(user),
            "schemes": selectors.schemes(user)[:LIST_LIMIT],
            "ballots": selectors.open_ballots_for(user),
        },
    )


# -- schemes ---------------------------------------------------------------------------------


@login_required
def scheme_list(request, code):
    org = org_or_404(request, code)
    return render(
        request,
        "assessment/scheme_list.html",
        {
            "org": org,
            "schemes": selectors.schemes(request.user, org)[:LIST_LIMIT],
            "rounds": selectors.rounds(request.user, org)[:LIST_LIMIT],
            "may_run": permissions.may_run(request.user, org),
        },
    )


def _seed() -> dict:
    """The seed's scheme; a figure no app computes yet is left to be scored by hand."""
    blocks = [
        {
            **b,
            "clauses": [
                {
                    **c,
                    "evidence": c.get("evidence", "")
                    if c.get("evidence") in evidence.SOURCES
                    else "",
                }
                for c in b["clauses"]
            ],
        }
        for b in defaults.SEED_SCHEME["blocks"]
    ]
    return {**defaults.SEED_SCHEME, "cycle": "half_year", "blocks": blocks}


@login_required
def scheme_edit(request, code):
    """A new scheme or the next version of one, starting from the seed's scheme or from an
    existing version (`?from=<scheme id>`)."""
    org = org_or_404(request, code)
    if not permissions.may_run(request.user, org):
        raise PermissionDenied(_("You may not run assessments for this organization."))
    start = request.GET.get("from", "")
    if start.isdigit():
        data = selectors.scheme_data(selectors.scheme(request.user, int(start)))
    else:
        data = _seed()
    form = SchemeForm(
        request.POST or None, blocks=len(data["blocks"]), initial=SchemeForm.initial_of(data)
    )
    if done := submit(
        request,
        form,
        lambda d: services.save_scheme(
            request.user,
            org,
            code=d["code"],
            name=d["name"],
            cycle=d["cycle"],
            blocks=form.blocks(),
        ),
        done=lambda s: (
            _("%(scheme)s has been saved; publish it to open rounds with it.") % {"scheme": s}
        ),
        to=lambda s: reverse("assessment:scheme", args=[s.pk]),
    ):
        return done
    return render(
        request,
        "assessment/scheme_edit.html",
        {"org": org, "form": form, "figures": evidence.SOURCES.values(), "data": data},
    )


@login_required
def scheme_detail(request, scheme):
    s = selectors.scheme(request.user, scheme)
    may_run = permissions.may_run(request.user, s.org)
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied(_("You may not run assessments for this organization."))
        try:
            services.publish_scheme(request.user, s)
            messages.success(request, _("The scheme has been published."))
        except ValidationError as exc:
            _refused(request, exc)
        return redirect("assessment:scheme", s.pk)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": s,
            "blocks": selectors.scheme_blocks(s),
            "total": selectors.scheme_total(s),
            "versions": selectors.scheme_versions(request.user, s),
            "may_run": may_run,
            "sources": evidence.SOURCES,
        },
    )


# -- rounds ----------------------------------------------------------------------------------


@login_required
def round_open(request, code):
    org = org_or_404(request, code)
    if not permissions.may_run(request.user, org):
        raise PermissionDenied(_("You may not run assessments for this organization."))
    schemes = [s for s in selectors.schemes(request.user, org) if s.is_published]
    form = OpenRoundForm(request.POST or None, schemes=schemes)
    by_pk = {s.pk: s for s in schemes}
    if done := submit(
        request,
        form,
        lambda d: services.open_round(request.user, by_pk[d["scheme"]], org, d["period"]),
        done=_("The round is open; the organizations can fill in their self-assessment."),
        to=lambda r: reverse("assessment:round", args=[r.pk]),
    ):
        return done
    return render(
        request, "assessment/round_open.html", {"org": org, "form": form, "schemes": schemes}
    )


ROUND_ACTIONS = {
    "review": (services.start_review, _("The review has started.")),
    "publish": (services.publish_results, _("The results are published for publicity.")),
    "finalize": (services.finalize_round, _("The results are final.")),
    "refresh": (services.refresh_evidence, _("The figures have been read again.")),
}


@login_required
def round_detail(request, round):
    r = selectors.get_round(request.user, round)
    may_run = permissions.may_run(request.user, r.org)
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied(_("You may not run assessments for this organization."))
        key = request.POST.get("action", "")
        action = ROUND_ACTIONS.get(key)
        if key == "answer":
            _answer(request, r)
        elif action is None:
            messages.error(request, _("Unknown action."))
        else:
            try:
                action[0](request.user, r)
                messages.success(request, str(action[1]))
            except ValidationError as exc:
                _refused(request, exc)
        return redirect("assessment:round", r.pk)
    return render(
        request,
        "assessment/round_detail.html",
        {
            "round": r,
            "board": selectors.board(request.user, r),
            "steps": selectors.round_steps(request.user, r, timezone.localdate())
            if may_run
            else [],
            "objections": selectors.objections(request.user, r),
            "may_run": may_run,
        },
    )


def _answer(request, r):
    o = selectors.objection(request.user, _int(request.POST.get("objection")))
    if o.entry.round_id != r.pk:
        raise PermissionDenied(_("This objection is not of this round."))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer."))
        return
    try:
        services.answer_objection(request.user, o, form.cleaned_data["answer"])
        messages.success(request, _("The objection has been answered."))
    except ValidationError as exc:
        _refused(request, exc)


# -- an organization's form ------------------------------------------------------------------


def _self_answers(post, form_blocks) -> dict:
    answers = {}
    for block in form_blocks:
        for item in block["items"]:
            c = item["clause"]
            answers[c.pk] = {
                "points": post.get(f"points_{c.pk}", ""),
                "veto": post.get(f"veto_{c.pk}") == "yes",
                "note": post.get(f"note_{c.pk}", ""),
                "override_reason": post.get(f"override_{c.pk}", ""),
            }
    return answers


def _review_answers(post, form_blocks) -> dict:
    answers = {}
    for block in form_blocks:
        for item in block["items"]:
            c = item["clause"]
            veto = post.get(f"rveto_{c.pk}", "")
            answers[c.pk] = {
                "points": post.get(f"rpoints_{c.pk}", ""),
                "veto": None if veto == "" else veto == "yes",
                "reason": post.get(f"rreason_{c.pk}", ""),
            }
    return answers


def _entry_forms(request, entry, may_fill, may_review) -> dict:
    forms = {}
    rect = selectors.rectification_of(entry)
    if rect and may_fill and not rect.closed_on:
        forms["plan_form"] = PlanForm(
            initial={"plan": rect.plan, "deadline": rect.deadline}, prefix="plan"
        )
    if rect and may_review and rect.submitted_on and not rect.closed_on:
        forms["close_form"] = NoteForm(prefix="close")
    flag = selectors.leader_flag_of(entry)
    if flag and may_review and not flag.decided_on:
        forms["decision_form"] = DecisionForm(prefix="flag")
    state = entry.round.state
    if may_review and state == RoundState.OPEN and entry.state == EntryState.SUBMITTED:
        forms["return_form"] = ReasonForm(prefix="return")
    if may_review and state == RoundState.PUBLICITY:
        forms["objection_form"] = ObjectionForm(prefix="objection")
    if may_fill and state != RoundState.FINAL:
        forms["evidence_form"] = EvidenceForm(prefix="evidence")
    return {"rectification": rect, "flag": flag, **forms}


def _shown(value) -> str:
    return "" if value is None else str(value)


def _veto_word(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def _with_inputs(blocks, posted, errors) -> list:
    """What each clause's inputs show: what was just typed (after a refusal) or what is kept."""
    for block in blocks:
        for item in block["items"]:
            c, s = item["clause"], item["score"]
            own = s.self_points if s.self_points is not None else s.auto_points
            kept = {
                "points": _shown(own),
                "veto": _veto_word(s.self_veto),
                "note": s.self_note,
                "override": s.override_reason,
                "rpoints": _shown(s.review_points),
                "rveto": _veto_word(s.review_veto),
                "rreason": s.review_reason,
            }
            if posted is not None:
                kept = {k: posted.get(f"{k}_{c.pk}", v) for k, v in kept.items()}
            item["input"] = kept
            item["errors"] = errors.get(f"points_{c.pk}", [])
    return blocks


def _entry_page(request, entry, *, errors=None, posted=None, status=200, **overrides):
    user = request.user
    may_fill = permissions.may_self_assess(user, entry)
    may_review = permissions.may_review(user, entry)
    state = entry.round.state
    context = {
        "entry": entry,
        "round": entry.round,
        "blocks": _with_inputs(selectors.form(entry), posted, errors or {}),
        "may_fill": may_fill and state == RoundState.OPEN and entry.state == EntryState.PENDING,
        "may_review": may_review and state in (RoundState.REVIEW, RoundState.PUBLICITY),
        "errors": errors or {},
        "posted": posted,
        **_entry_forms(request, entry, may_fill, may_review),
        **overrides,
    }
    return render(request, "assessment/entry.html", context, status=status)


def _field_errors(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {k: v for k, v in exc.message_dict.items()}
    return {"__all__": exc.messages}


@login_required
def entry_detail(request, entry):
    e = selectors.get_entry(request.user, entry)
    if request.method != "POST":
        return _entry_page(request, e)
    action = request.POST.get("action", "")
    handler = ENTRY_ACTIONS.get(action)
    if handler is None:
        messages.error(request, _("Unknown action."))
        return redirect("assessment:entry", e.pk)
    return handler(request, e)


def _save(request, e, *, submit_: bool):
    if not permissions.may_self_assess(request.user, e):
        raise PermissionDenied(_("You may not fill in this self-assessment."))
    answers = _self_answers(request.POST, selectors.form(e))
    try:
        services.self_assess(request.user, e, answers, submit=submit_)
    except ValidationError as exc:
        return _entry_page(request, e, errors=_field_errors(exc), posted=request.POST, status=400)
    if submit_:
        messages.success(request, _("The self-assessment has been handed in."))
    else:
        messages.success(request, _("The self-assessment has been saved."))
    return redirect("assessment:entry", e.pk)


def _review(request, e):
    if not permissions.may_review(request.user, e):
        raise PermissionDenied(_("You may not review this organization."))
    answers = _review_answers(request.POST, selectors.form(e))
    try:
        services.review_entry(request.user, e, answers, note=request.POST.get("review_note", ""))
    except ValidationError as exc:
        return _entry_page(request, e, errors=_field_errors(exc), posted=request.POST, status=400)
    messages.success(request, _("The review has been saved."))
    return redirect("assessment:entry", e.pk)


def _with_form(request, e, form, perform, done, form_key, *, review: bool):
    allowed = permissions.may_review if review else permissions.may_self_assess
    if not allowed(request.user, e):
        raise PermissionDenied(_("You may not do this for this organization."))
    if done_ := submit(
        request, form, perform, done=done, to=reverse("assessment:entry", args=[e.pk])
    ):
        return done_
    return _entry_page(request, e, status=400, **{form_key: form})


def _return(request, e):
    form = ReasonForm(request.POST, prefix="return")
    return _with_form(
        request,
        e,
        form,
        lambda d: services.return_entry(request.user, e, d["reason"]),
        _("The self-assessment has been returned to the organization."),
        "return_form",
        review=True,
    )


def _evidence(request, e):
    form = EvidenceForm(request.POST, prefix="evidence")

    def perform(d):
        s = selectors.score(request.user, e, d["clause"])
        return services.add_evidence(request.user, s, title=d["title"], url=d["url"])

    return _with_form(
        request, e, form, perform, _("The evidence has been added."), "evidence_form", review=False
    )


def _objection(request, e):
    form = ObjectionForm(request.POST, prefix="objection")
    return _with_form(
        request,
        e,
        form,
        lambda d: services.record_objection(
            request.user, e, raised_by=d["raised_by"], text=d["text"]
        ),
        _("The objection has been recorded."),
        "objection_form",
        review=True,
    )


def _owed_rectification(e):
    rect = selectors.rectification_of(e)
    if rect is None:
        raise PermissionDenied(_("No rectification is owed."))
    return rect


def _plan(request, e):
    form = PlanForm(request.POST, prefix="plan")
    rect = _owed_rectification(e)
    return _with_form(
        request,
        e,
        form,
        lambda d: services.submit_rectification(
            request.user, rect, plan=d["plan"], deadline=d["deadline"]
        ),
        _("The rectification plan has been handed in."),
        "plan_form",
        review=False,
    )


def _close(request, e):
    form = NoteForm(request.POST, prefix="close")
    rect = _owed_rectification(e)
    return _with_form(
        request,
        e,
        form,
        lambda d: services.close_rectification(request.user, rect, d["note"]),
        _("The rectification has been closed."),
        "close_form",
        review=True,
    )


def _decide(request, e):
    form = DecisionForm(request.POST, prefix="flag")
    flag = selectors.leader_flag_of(e)
    if flag is None:
        raise PermissionDenied(_("Nothing to decide."))
    return _with_form(
        request,
        e,
        form,
        lambda d: services.decide_leader_flag(request.user, flag, d["decision"]),
        _("The decision has been recorded."),
        "decision_form",
        review=True,
    )


ENTRY_ACTIONS = {
    "save": lambda request, e: _save(request, e, submit_=False),
    "submit": lambda request, e: _save(request, e, submit_=True),
    "review": _review,
    "return": _return,
    "evidence": _evidence,
    "objection": _objection,
    "plan": _plan,
    "close": _close,
    "decide": _decide,
}
