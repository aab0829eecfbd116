"""Member pages: the list, a member's record with its next steps, the pipeline board, union
members, and "my record". Thin views over `selectors` and `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jiceng.access import gate
from jiceng.orgs import selectors as orgs
from jiceng.orgs.models import Organization, Tree
from jiceng.pagination import paginate
from jiceng.ui import switcher
from jiceng.ui.forms import add_service_errors

from . import selectors, services
from .forms import ApplicantForm, MemberFilterForm, RevealForm, StepForm
from .models import PartyMembership, Stage
from .pipeline import PIPELINE

MEMBER_LIMIT = 50
UNION_LIMIT = 50
BOARD_LIMIT = 50
BOARD_LINKS = 8


def _membership_or_404(request, pk) -> PartyMembership:
    try:
        return selectors.get_membership(request.user, pk)
    except PartyMembership.DoesNotExist:
        raise Http404(_("No such member, or you may not see them.")) from None


def _org_or_404(request, code, tree: str | None = None) -> Organization:
    try:
        org = orgs.get_visible(request.user, code)
    except Organization.DoesNotExist:
        raise Http404(_("No such organization, or you may not see it.")) from None
    if tree and org.tree != tree:
        raise Http404(_("This page is not available for this organization."))
    return org


def _page(request, queryset, *, limit: int):
    try:
        return paginate(queryset, key="id", cursor=request.GET.get("cursor"), limit=limit)
    except ValidationError:
        raise Http404(_("The page cursor is invalid.")) from None


def _next_url(request, page) -> str | None:
    if not page.next_cursor:
        return None
    query = request.GET.copy()
    query["cursor"] = page.next_cursor
    return f"{request.path}?{query.urlencode()}"


# --- The member list ---------------------------------------------------------------------


@login_required
def member_list(request):
    form = MemberFilterForm(request.GET or None)
    under = switcher.current_org(request)
    found = selectors.member_list(request.user, under=under, **form.filters())
    page = _page(request, found, limit=MEMBER_LIMIT)
    tops = [under] if under is not None else list(orgs.org_list(request.user, roots=True))
    return render(
        request,
        "people/member_list.html",
        {
            "form": form if request.GET else MemberFilterForm(),
            "page": page,
            "next_url": _next_url(request, page),
            "under": under,
            "boards": [o for o in tops if o.tree == Tree.PARTY][:BOARD_LINKS],
            "unions": [o for o in tops if o.tree == Tree.UNION][:BOARD_LINKS],
            "filtered": any(v for k, v in request.GET.items() if k != "cursor"),
        },
    )


# --- A member's record ----------------------------------------------------------------------


def _step_forms(m, steps, *, bound: StepForm | None = None) -> dict:
    forms = {}
    for s in steps:
        if not s["possible"]:
            continue
        if bound is not None and bound.step_key == s["key"]:
            forms[s["key"]] = bound
        else:
            choices = selectors.introducer_choices(m) if s["key"] == "introducers" else ()
            forms[s["key"]] = StepForm(step=s["key"], introducers=choices)
    return forms


def _member_page(request, m, *, bound: StepForm | None = None, revealed=None, status=200):
    user = request.user
    steps = selectors.next_steps(user, m)
    can_manage = gate.can(user, gate.MANAGE, m.org)
    forms = _step_forms(m, steps, bound=bound) if can_manage else {}
    for s in steps:
        s["form"] = forms.get(s["key"])
    return render(
        request,
        "people/member_detail.html",
        {
            "m": m,
            "person": m.person,
            "steps": [s for s in steps if not s["exit"]],
            "first_possible": next(
                (s["key"] for s in steps if s["possible"] and bound is None), None
            ),
            "exits": [s for s in steps if s["exit"]],
            "timeline": selectors.member_timeline(user, m),
            "union": selectors.union_record(user, m.person),
            "can_manage": can_manage,
            "can_reveal": gate.can(user, gate.REVEAL, m.org),
            "revealed": revealed or {},
            "flags": [f for f in selectors.FLAGS if getattr(m, f)],
        },
        status=status,
    )


@login_required
def member_detail(request, pk):
    return _member_page(request, _membership_or_404(request, pk))


@never_cache
@login_required
def member_reveal(request, pk):
    """POST: the clear ID number or phone, once (services.reveal checks and logs it)."""
    m = _membership_or_404(request, pk)
    if request.method != "POST":
        return redirect("people:member_detail", m.pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return redirect("people:member_detail", m.pk)
    field = form.cleaned_data["field"]
    value = services.reveal(request.user, m.person, field)  # PermissionDenied: 403
    if request.headers.get("HX-Request"):
        return render(request, "people/_revealed.html", {"value": value, "field": field})
    return _member_page(request, m, revealed={field: value})


@login_required
def member_step(request, pk):
    """POST: record one pipeline step; refusals go back on the step's form."""
    m = _membership_or_404(request, pk)
    if request.method != "POST":
        return redirect("people:member_detail", m.pk)
    gate.require(request.user, gate.MANAGE, m.org)
    step = request.POST.get("step", "")
    if step not in PIPELINE.steps:
        raise Http404(_("No such step."))
    form = StepForm(
        request.POST,
        step=step,
        introducers=selectors.introducer_choices(m) if step == "introducers" else (),
    )
    if form.is_valid():
        try:
            services.take_step(
                request.user,
                m,
                step,
                on=form.cleaned_data["on"],
                data=form.data_for_service(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"step": form.service_error_field() or "_"})
        else:
            messages.success(
                request,
                _("“%(step)s” has been recorded.") % {"step": PIPELINE.steps[step].label},
            )
            return redirect("people:member_detail", m.pk)
    m = _membership_or_404(request, pk)  # as stored: a refused step changed nothing
    return _member_page(request, m, bound=form)


# --- The pipeline board of a Party organization ---------------------------------------------


@login_required
def pipeline_board(request, code):
    org = _org_or_404(request, code, Tree.PARTY)
    user = request.user
    can_manage = org.is_active and gate.can(user, gate.MANAGE, org)
    form = ApplicantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("You may not register applicants here."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():  # a refused application leaves no stray person
                    person = services.register_person(
                        user, org=org, name=d["name"], id_number=d["id_number"], phone=d["phone"]
                    )
                    services.apply(user, person, org=org, on=d["on"])
            except ValidationError as exc:
                add_service_errors(form, exc, rename={"step": "on", "person": "name"})
            else:
                messages.success(
                    request,
                    _("%(name)s has been registered as an applicant.") % {"name": person.name},
                )
                return redirect("people:pipeline_board", org.code)
    board = selectors.pipeline_board(user, org, limit=BOARD_LIMIT)
    return render(
        request,
        "people/pipeline_board.html",
        {
            "org": org,
            "columns": [
                (stage, label, board[stage]) for stage, label in Stage.choices if stage in board
            ],
            "form": form,
            "can_manage": can_manage,
            "plans": selectors.plans_in_force(user, org),
        },
    )


# --- Union members and delegates -----------------------------------------------------------


@login_required
def union_members(request, code):
    org = _org_or_404(request, code, Tree.UNION)
    user = request.user
    page = _page(request, selectors.union_members(user, org), limit=UNION_LIMIT)
    first = not request.GET.get("cursor")
    return render(
        request,
        "people/union_members.html",
        {
            "org": org,
            "page": page,
            "next_url": _next_url(request, page),
            "delegates": selectors.delegates_by_category(user, org) if first else None,
            "rate": selectors.union_membership_rate(user, org) if first else None,
        },
    )


# --- My record ------------------------------------------------------------------------------


@login_required
def my_record(request):
    person = request.user.person
    record = selectors.own_record(person) if person is not None else None
    return render(request, "people/my_record.html", {"person": person, "record": record})
