"""Member pages: the list, a member's record with its next steps, the pipeline board, union
members, "my record", transfers, floating members, development plans and congress delegates.
Thin views over `selectors` and the services (`services`, `transfers`, `floating`, …)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jiceng.kernel.discovery import app_modules
from jiceng.kernel.forms import form_data, submit
from jiceng.kernel.pagination import next_page_url, page_of
from jiceng.orgs import switcher
from jiceng.orgs.models import Tree
from jiceng.orgs.shortcuts import org_or_404

from . import delegates, floating, permissions, selectors, services, transfers, unions
from .choices import ethnicity_label
from .forms import (
    TRANSFER_STEPS,
    ApplicantForm,
    CardForm,
    DelegateForm,
    DisciplineForm,
    EndSeatForm,
    FollowUpForm,
    IdNumberForm,
    InflowForm,
    MemberFilterForm,
    MembershipEditForm,
    MonthForm,
    OutflowForm,
    PersonDetailsForm,
    PhotoForm,
    PlanForm,
    ReceiveForm,
    ReturnForm,
    RevealForm,
    StepForm,
    TransferForm,
    TransferStepForm,
    UnionChangeForm,
    UnionJoinForm,
    UnionLeaveForm,
)
from .models import (
    MEMBER_STAGES,
    OPEN_TRANSFER_STATES,
    Delegate,
    FloatingRecord,
    PartyMembership,
    Stage,
    Transfer,
    UnionMembership,
)
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


# --- The member list ---------------------------------------------------------------------


def _label(rows) -> None:
    """Each row's stage, category and floating labels, looked up once per page (the model's
    get_FOO_display rebuilds and translates the whole choice list on every call)."""
    labels = {
        name: {k: str(v) for k, v in PartyMembership._meta.get_field(name).flatchoices}
        for name in ("stage", "category", "floating")
    }
    for m in rows:
        m.stage_label = labels["stage"].get(m.stage, m.stage)
        m.category_label = labels["category"].get(m.category, m.category)
        m.floating_label = labels["floating"].get(m.floating, m.floating)


@login_required
def member_list(request):
    form = MemberFilterForm(request.GET or None)
    under = switcher.current_org(request)
    try:
        page = selectors.member_page(
            request.user,
            cursor=request.GET.get("cursor"),
            limit=MEMBER_LIMIT,
            under=under,
            **form.filters(),
        )
    except ValidationError:
        raise Http404(_("The page cursor is invalid.")) from None
    _label(page.items)
    tops = [under] if under is not None else selectors.top_orgs(request.user)
    return render(
        request,
        "people/member_list.html",
        {
            "form": form if request.GET else MemberFilterForm(),
            "page": page,
            "next_url": next_page_url(request, page),
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


def _member_forms(request, m, can_manage: bool, bound: dict) -> dict:
    """The letter, outflow and inflow forms of the member page (bound ones kept)."""
    user = request.user
    letters = selectors.member_transfers(user, m)
    is_member = m.stage in MEMBER_STAGES
    may_issue = (
        can_manage and is_member and not any(t.state in OPEN_TRANSFER_STATES for t in letters)
    )
    may_float = can_manage and is_member and not m.floating
    return {
        "transfers": letters,
        "transfer_form": bound.get("transfer") or (TransferForm(user=user) if may_issue else None),
        "outflow_form": bound.get("outflow") or (OutflowForm() if may_float else None),
        "inflow_form": bound.get("inflow") or (InflowForm(user=user) if may_float else None),
        "receiver_choices": selectors.receiver_suggestions(user, exclude=m.org)
        if may_issue or may_float
        else [],
        "floating_records": selectors.floating_records_of(user, m),
    }


def _member_page(
    request, m, *, bound: StepForm | None = None, revealed=None, status=200, bound_forms=None
):
    user = request.user
    steps = selectors.next_steps(user, m)
    can_manage = permissions.may_manage(user, m.org)
    forms = _step_forms(m, steps, bound=bound) if can_manage else {}
    for s in steps:
        s["form"] = forms.get(s["key"])
    bound_forms = bound_forms or {}
    may_edit = can_manage and m.stage in MEMBER_STAGES
    return render(
        request,
        "people/member_detail.html",
        {
            **_member_forms(request, m, can_manage, bound_forms),
            "membership_form": bound_forms.get("membership")
            or (MembershipEditForm(membership=m) if may_edit else None),
            "photo_form": bound_forms.get("photo") or (PhotoForm() if can_manage else None),
            "id_number_form": bound_forms.get("id_number")
            or (IdNumberForm() if can_manage else None),
            "details_form": bound_forms.get("details")
            or (PersonDetailsForm(user=user, person=m.person) if can_manage else None),
            "discipline_form": bound_forms.get("discipline")
            or (DisciplineForm() if may_edit else None),
            "disciplines": selectors.disciplines_of(user, m.person) if can_manage else [],
            "ethnicity": ethnicity_label(m.person.ethnicity),
            "m": m,
            "person": m.person,
            "steps": [s for s in steps if not s["exit"]],
            "first_possible": next(
                (s["key"] for s in steps if s["possible"] and bound is None), None
            ),
            "exits": [s for s in steps if s["exit"]],
            "timeline": selectors.timeline_with_transfers(user, m),
            "union": selectors.union_record(user, m.person),
            "can_manage": can_manage,
            "can_reveal": permissions.may_reveal(user, m.org),
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


def _member_form(request, pk, key: str, make_form, save, saved: str):
    """POST of one of the officers' forms on the member page: the form, the service call
    (`save` returns whether anything changed) and the page again with the errors (400)."""
    m = _membership_or_404(request, pk)
    if request.method != "POST":
        return redirect("people:member_detail", m.pk)
    permissions.require_manage(request.user, m.org)
    form = make_form(m)

    def perform(d):
        if save(m, d, form):
            messages.success(request, saved)
        else:
            messages.info(request, _("Nothing has changed."))

    if done := submit(request, form, perform, to=reverse("people:member_detail", args=[m.pk])):
        return done
    m = _membership_or_404(request, pk)
    return _member_page(request, m, bound_forms={key: form}, status=400)


@login_required
def member_edit(request, pk):
    """POST: correct the member's category, composition group and flags (from a date)."""
    return _member_form(
        request,
        pk,
        "membership",
        lambda m: MembershipEditForm(request.POST, membership=m),
        lambda m, d, form: services.update_membership(
            request.user, m, on=d["on"], **form.fields_for_service()
        ),
        _("The member's record has been updated."),
    )


@never_cache
@login_required
def member_id_number(request, pk):
    """POST: correct the person's ID number (an officer of the member's organization); the
    audit holds the old and new numbers masked."""
    return _member_form(
        request,
        pk,
        "id_number",
        lambda m: IdNumberForm(request.POST),
        lambda m, d, form: services.update_person(
            request.user, m.person, org=m.org, id_number=d["id_number"]
        ),
        _("The ID number has been corrected."),
    )


@never_cache
@login_required
def member_details(request, pk):
    """POST: the person's basic details (ethnicity, education, occupation, post, employer,
    residence community, phone), by an officer of the member's organization."""
    return _member_form(
        request,
        pk,
        "details",
        lambda m: PersonDetailsForm(request.POST, user=request.user, person=m.person),
        lambda m, d, form: services.update_person(
            request.user, m.person, org=m.org, **form.fields_for_service()
        ),
        _("The basic details have been saved."),
    )


@login_required
def member_discipline(request, pk):
    """POST: enter a Party disciplinary sanction on the member's record (an officer)."""
    return _member_form(
        request,
        pk,
        "discipline",
        lambda m: DisciplineForm(request.POST),
        lambda m, d, form: bool(services.record_discipline(request.user, m.person, **d)),
        _("The disciplinary sanction has been recorded."),
    )


def _save_photo(user, m, photo) -> bool:
    services.set_photo(user, m.person, org=m.org, uploaded_file=photo)
    return True  # a new photo always replaces the old one


@login_required
def member_photo_upload(request, pk):
    """POST: the member's photo (JPG or PNG, size from policy), by an officer of their branch."""
    return _member_form(
        request,
        pk,
        "photo",
        lambda m: PhotoForm(request.POST, request.FILES),
        lambda m, d, form: _save_photo(request.user, m, d["photo"]),
        _("The photo has been saved."),
    )


@never_cache
@login_required
def member_photo(request, pk):
    """The member's photo, for those who may see the member (404 for anyone else)."""
    m = _membership_or_404(request, pk)
    person = m.person
    if not person.photo:
        raise Http404(_("No photo has been uploaded."))
    response = FileResponse(person.photo.open("rb"))
    response["Content-Type"] = person.photo_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@login_required
def member_step(request, pk):
    """POST: record one pipeline step; refusals go back on the step's form."""
    m = _membership_or_404(request, pk)
    if request.method != "POST":
        return redirect("people:member_detail", m.pk)
    permissions.require_manage(request.user, m.org)
    step = request.POST.get("step", "")
    if step not in PIPELINE.steps:
        raise Http404(_("No such step."))
    form = StepForm(
        request.POST,
        step=step,
        introducers=selectors.introducer_choices(m) if step == "introducers" else (),
    )
    if done := submit(
        request,
        form,
        lambda d: services.take_step(
            request.user, m, step, on=d["on"], data=form.data_for_service(), note=d["note"]
        ),
        done=_("“%(step)s” has been recorded.") % {"step": PIPELINE.steps[step].label},
        to=reverse("people:member_detail", args=[m.pk]),
        rename={"step": form.service_error_field() or "_"},
    ):
        return done
    m = _membership_or_404(request, pk)  # as stored: a refused step changed nothing
    return _member_page(request, m, bound=form)


# --- The pipeline board of a Party organization ---------------------------------------------


@login_required
def pipeline_board(request, code):
    org = org_or_404(request, code, Tree.PARTY)
    user = request.user
    can_manage = permissions.may_manage(user, org)
    form = ApplicantForm(form_data(request))
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(_("You may not register applicants here."))
    if done := submit(
        request,
        form,
        lambda d: services.register_applicant(
            user, org=org, name=d["name"], id_number=d["id_number"], phone=d["phone"], on=d["on"]
        ),
        done=lambda person: (
            _("%(name)s has been registered as an applicant.") % {"name": person.name}
        ),
        to=reverse("people:pipeline_board", args=[org.code]),
        rename={"step": "on", "person": "name"},
    ):
        return done
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
    org = org_or_404(request, code, Tree.UNION)
    user = request.user
    page = page_of(request, selectors.union_members(user, org), key="id", limit=UNION_LIMIT)
    first = not request.GET.get("cursor")
    return render(
        request,
        "people/union_members.html",
        {
            "org": org,
            "page": page,
            "next_url": next_page_url(request, page),
            "delegates": selectors.delegates_by_category(user, org) if first else None,
            "rate": selectors.union_membership_rate(user, org) if first else None,
            "can_manage": permissions.may_manage(user, org),
        },
    )


@login_required
def union_member_add(request, code):
    """Enrol a union member: a person already registered (by ID number) or a new one."""
    org = org_or_404(request, code, Tree.UNION)
    if not permissions.may_manage(request.user, org):
        raise PermissionDenied(_("You may not enrol members of this union."))
    form = UnionJoinForm(form_data(request))
    if done := submit(
        request,
        form,
        lambda d: unions.enrol(request.user, org=org, **d),
        done=lambda m: (
            _("%(name)s has joined %(org)s (member number %(n)s).")
            % {"name": m.person.name, "org": org.name, "n": m.member_number}
        ),
        to=reverse("people:union_members", args=[org.code]),
        rename={"person": "id_number"},
    ):
        return done
    return render(request, "people/union_member_add.html", {"org": org, "form": form})


@login_required
def union_member_edit(request, code, pk):
    """One union member: change status and categories, or record that they left."""
    org = org_or_404(request, code, Tree.UNION)
    user = request.user
    try:
        member = selectors.get_union_member(user, org, pk)
    except UnionMembership.DoesNotExist:
        raise Http404(_("No such union member, or you may not see them.")) from None
    can_manage = permissions.may_manage(user, member.org)
    initial = {
        "status": member.status,
        "migrant_worker": member.migrant_worker,
        "card_issued": member.card_issued,
    }
    change_form, leave_form = UnionChangeForm(initial=initial), UnionLeaveForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("You may not change the members of this union."))
        if request.POST.get("step") == "leave":
            leave_form = UnionLeaveForm(request.POST)
            done = submit(
                request,
                leave_form,
                lambda d: unions.leave(user, member, on=d["on"], reason=d["reason"]),
                done=lambda _m: (
                    _("%(name)s has left the union on %(date)s.")
                    % {"name": member.person.name, "date": leave_form.cleaned_data["on"]}
                ),
                to=reverse("people:union_members", args=[org.code]),
                rename={"member": "on"},
            )
        else:
            change_form = UnionChangeForm(request.POST, initial=initial)
            done = submit(
                request,
                change_form,
                lambda d: unions.change_member(
                    user,
                    member,
                    on=d["on"],
                    status=d["status"],
                    migrant_worker=d["migrant_worker"],
                    card_issued=d["card_issued"],
                ),
                done=_("The union record of %(name)s has been saved.")
                % {"name": member.person.name},
                to=reverse("people:union_member_edit", args=[org.code, member.pk]),
                rename={"member": "on"},
            )
        if done:
            return done
    return render(
        request,
        "people/union_member_edit.html",
        {
            "org": org,
            "member": member,
            "can_manage": can_manage and member.status != "left",
            "change_form": change_form,
            "leave_form": leave_form,
        },
    )


# --- My record ------------------------------------------------------------------------------


@login_required
def my_record(request):
    person = request.user.person
    record = selectors.own_record(person) if person is not None else None
    # Apps above contribute panels of the member's own (meetings, later dues) by discovery.
    panels = [mark_safe(m.panel(request)) for _label, m in app_modules("my_record")]
    context = {"person": person, "record": record, "panels": panels}
    return render(request, "people/my_record.html", context)


# --- Transfers ------------------------------------------------------------------------------


def _transfer_or_404(request, pk) -> Transfer:
    try:
        return selectors.get_transfer(request.user, pk)
    except Transfer.DoesNotExist:
        raise Http404(_("No such transfer, or you may not see it.")) from None


@login_required
def member_transfer(request, pk):
    """POST: issue an introduction letter for the member (from the member page)."""
    m = _membership_or_404(request, pk)
    if request.method != "POST":
        return redirect("people:member_detail", m.pk)
    user = request.user
    permissions.require_manage(user, m.org)
    form = TransferForm(request.POST, user=user)
    if done := submit(
        request,
        form,
        lambda d: transfers.issue_transfer(
            user,
            m,
            to_org=d["receiver"],
            to_outside=d["to_outside"],
            letter_number=d["letter_number"],
            on=d["on"],
        ),
        done=lambda t: (
            _("The introduction letter %(n)s to %(to)s has been issued.")
            % {"n": t.letter_number, "to": t.receiver_name}
        ),
        to=lambda t: reverse("people:transfer_detail", args=[t.pk]),
    ):
        return done
    m = _membership_or_404(request, pk)
    return _member_page(request, m, bound_forms={"transfer": form})


def _receive(user, org, d) -> Transfer:
    """Register (or find by ID number) the arriving person and receive them from outside."""
    try:
        return services.receive_arrival(
            user,
            org=org,
            name=d["name"],
            id_number=d["id_number"],
            phone=d["phone"],
            from_outside=d["from_outside"],
            letter_number=d["letter_number"],
            on=d["on"],
            stage=d["stage"],
            joined_on=d["joined_on"],
            full_on=d["full_on"],
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "person" in exc.error_dict:
            # Not where they are on the books: that may be beyond what this user sees.
            raise ValidationError(
                {"id_number": _("A person with this ID number is already registered.")}
            ) from None
        raise


@login_required
def org_transfers(request, code):
    """The letters of a Party organization; POST: receive a member from outside the system."""
    org = org_or_404(request, code, Tree.PARTY)
    can_manage = permissions.may_manage(request.user, org)
    form = ReceiveForm(form_data(request))
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(_("You may not receive members here."))
    if done := submit(
        request,
        form,
        lambda d: _receive(request.user, org, d),
        done=lambda t: (
            _("%(name)s has reported in from %(from)s.")
            % {"name": t.membership.person.name, "from": t.from_outside}
        ),
        to=lambda t: reverse("people:transfer_detail", args=[t.pk]),
        rename={"step": "stage"},
    ):
        return done
    return render(
        request,
        "people/org_transfers.html",
        {
            "org": org,
            "board": selectors.transfer_board(request.user, org),
            "can_manage": can_manage,
            "form": form,
        },
    )


def _transfer_page(request, t: Transfer, *, bound: TransferStepForm | None = None):
    user = request.user
    forms = {}
    if permissions.may_decide_transfer(user, t):
        keys = ("accept", "reject") if t.state == "issued" else ("report",)
        for key in keys:
            forms[key] = bound if bound and bound.step_key == key else TransferStepForm(step=key)
    visible = [o for o in (t.from_org, t.to_org) if o is not None and permissions.may_view(user, o)]
    return render(
        request,
        "people/transfer_detail.html",
        {
            "t": t,
            "row": selectors.transfer_row(t),
            "forms": forms,
            "member_visible": permissions.may_view(user, t.membership.org),
            "visible_orgs": {o.pk for o in visible},
        },
    )


TRANSFER_ACTS = {
    "accept": (lambda user, t, d: transfers.accept_transfer(user, t, d["on"]), transfers.ACCEPT),
    "reject": (
        lambda user, t, d: transfers.reject_transfer(user, t, d["reason"], d["on"]),
        transfers.REJECT,
    ),
    "report": (lambda user, t, d: transfers.report_in(user, t, d["on"]), transfers.REPORT),
}


@login_required
def transfer_detail(request, transfer):
    """A letter; POST: accept it, reject it with the reason, or record the report-in."""
    t = _transfer_or_404(request, transfer)
    if request.method != "POST":
        return _transfer_page(request, t)
    step = request.POST.get("step", "")
    if step not in TRANSFER_STEPS:
        raise Http404(_("No such step."))
    form = TransferStepForm(request.POST, step=step)
    act, label = TRANSFER_ACTS[step]
    if done := submit(
        request,
        form,
        lambda d: act(request.user, t, d),
        done=_("“%(step)s” has been recorded.") % {"step": label},
        to=reverse("people:transfer_detail", args=[t.pk]),
    ):
        return done
    return _transfer_page(request, _transfer_or_404(request, transfer), bound=form)


# --- Floating members -----------------------------------------------------------------------

ROSTER_LIMIT = 500


@login_required
def member_floating(request, pk):
    """POST: record the member floating out (outflow) or in (inflow, nearest branch)."""
    m = _membership_or_404(request, pk)
    if request.method != "POST":
        return redirect("people:member_detail", m.pk)
    user = request.user
    permissions.require_manage(user, m.org)
    step = request.POST.get("step", "")
    if step == "outflow":
        form = OutflowForm(request.POST)
    elif step == "inflow":
        form = InflowForm(request.POST, user=user)
    else:
        raise Http404(_("No such step."))

    def perform(d):
        if step == "outflow":
            return floating.record_outflow(
                user,
                m,
                place=d["place"],
                since=d["on"],
                contact_person=d["contact_person"],
                contact_phone=d["contact_phone"],
            )
        return floating.record_inflow(
            user,
            m,
            org=d["org"],
            origin=d["origin"],
            since=d["on"],
            contact_person=d["contact_person"],
        )

    if done := submit(
        request,
        form,
        perform,
        done=lambda rec: (
            _("%(name)s is recorded as floating (%(direction)s).")
            % {"name": m.person.name, "direction": rec.get_direction_display()}
        ),
        to=lambda rec: reverse("people:floating_record", args=[rec.pk]),
        rename={"phone": "contact_phone", "valid_from": "on"},
    ):
        return done
    m = _membership_or_404(request, pk)
    return _member_page(request, m, bound_forms={step: form})


@login_required
def org_floating(request, code):
    """The floating members under a Party organization, and its monthly report (000:L35)."""
    from jiceng.policy.selectors import value as policy_value

    org = org_or_404(request, code, Tree.PARTY)
    user, today = request.user, timezone.localdate()
    can_manage = permissions.may_manage(user, org)
    shown = MonthForm(request.GET if "month" in request.GET else {"month": f"{today:%Y-%m}"})
    month = shown.cleaned_data["month"] if shown.is_valid() else f"{today:%Y-%m}"
    form = MonthForm(form_data(request), initial={"month": month})
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(_("You may not submit reports for this organization."))
    if done := submit(
        request,
        form,
        lambda d: floating.submit_monthly_report(user, org, d["month"]),
        done=lambda _report: (
            _("The floating members' report for %(month)s has been submitted.")
            % {"month": form.cleaned_data["month"]}
        ),
        to=lambda _report: f"{request.path}?month={form.cleaned_data['month']}",
    ):
        return done
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"]  # the month tried, shown with its refusal
    roster = list(selectors.floating_roster(user, org)[: ROSTER_LIMIT + 1])
    kinds = policy_value("people.floating.report_org_kinds", org=org, on=today)
    return render(
        request,
        "people/org_floating.html",
        {
            "org": org,
            "outflow": [r for r in roster[:ROSTER_LIMIT] if r["direction"] == "outflow"],
            "inflow": [r for r in roster[:ROSTER_LIMIT] if r["direction"] == "inflow"],
            "more": len(roster) > ROSTER_LIMIT,
            "figures": selectors.floating_figures(user, org),
            "month": month,
            "month_figures": selectors.floating_month_figures(user, org, month),
            "report": selectors.floating_report(user, org, month),
            "reports": selectors.floating_reports_of(user, org),
            "reports_here": org.kind in kinds,
            "can_submit": can_manage and month <= f"{today:%Y-%m}",
            "form": form,
        },
    )


def _record_or_404(request, pk) -> FloatingRecord:
    try:
        return selectors.get_floating_record(request.user, pk)
    except FloatingRecord.DoesNotExist:
        raise Http404(_("No such floating record, or you may not see it.")) from None


RECORD_FORMS = {"card": CardForm, "follow_up": FollowUpForm, "return": ReturnForm}


def _record_act(user, rec, step):
    """The service call of a step on a floating record, and what to say once it is done."""
    if step == "card":
        return (
            lambda d: floating.issue_card(user, rec, d["card_number"], d["on"]),
            _("The activity card has been issued."),
        )
    if step == "follow_up":
        return (
            lambda d: floating.add_follow_up(
                user,
                rec,
                d["on"],
                thinking=d["thinking"],
                employment=d["employment"],
                living=d["living"],
                note=d["note"],
            ),
            _("The follow-up has been recorded."),
        )
    return lambda d: floating.record_return(user, rec, d["on"]), _("Floating has ended.")


@login_required
def floating_record(request, record):
    """A floating record: card, follow-ups with notes; POST: issue the card, add a
    follow-up, or end the floating."""
    rec = _record_or_404(request, record)
    user = request.user
    m = rec.membership
    bound = None
    if request.method == "POST":
        permissions.require_manage(user, m.org)
        step = request.POST.get("step", "")
        if step not in RECORD_FORMS:
            raise Http404(_("No such step."))
        bound = RECORD_FORMS[step](request.POST)
        perform, message = _record_act(user, rec, step)
        if done := submit(
            request,
            bound,
            perform,
            done=message,
            to=reverse("people:floating_record", args=[rec.pk]),
        ):
            return done
        rec = _record_or_404(request, record)
    forms = {}
    if permissions.may_follow_floating(user, rec):
        for key, cls in RECORD_FORMS.items():
            forms[key] = bound if bound is not None and bound.prefix == key else cls()
    return render(
        request,
        "people/floating_record.html",
        {
            "rec": rec,
            "m": m,
            "follow_ups": selectors.follow_ups_of(user, rec),
            "forms": forms,
        },
    )


# --- Development plans ----------------------------------------------------------------------


@login_required
def org_plans(request, code):
    org = org_or_404(request, code, Tree.PARTY)
    user = request.user
    can_manage = permissions.may_manage(user, org)
    form = PlanForm(form_data(request), initial={"first_year": timezone.localdate().year})
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(_("You may not set plans for this organization."))
    if done := submit(
        request,
        form,
        lambda d: services.set_plan(
            user,
            org=org,
            first_year=d["first_year"],
            last_year=d["last_year"],
            target=d["target"],
            targets_by_group=d["groups"],
        ),
        done=_("The development plan has been saved."),
        to=reverse("people:org_plans", args=[org.code]),
        rename={"targets_by_group": "groups"},
    ):
        return done
    return render(
        request,
        "people/org_plans.html",
        {
            "org": org,
            "plans": selectors.development_plans(user, org),
            "form": form,
            "can_manage": can_manage,
            "year": timezone.localdate().year,
        },
    )


# --- Union congress delegates ---------------------------------------------------------------


def _seat_delegate(user, org, d):
    """Seat the union member with the number given; their name is the success message."""
    member = selectors.union_member_by_number(user, org, d["member_number"])
    if member is None:
        raise ValidationError(
            {
                "member_number": _("No union member of %(org)s has the member number %(n)s.")
                % {"org": org.name, "n": d["member_number"]}
            }
        )
    if selectors.seated(org, member.person, d["term_from"]):
        raise ValidationError(
            {
                "member_number": _("%(name)s already holds a seat at this congress.")
                % {"name": member.person.name}
            }
        )
    delegates.seat_delegate(
        user,
        member.person,
        org=org,
        category=d["category"],
        valid_from=d["term_from"],
        valid_until=d["term_until"],
    )
    return _("%(name)s has been seated as a delegate.") % {"name": member.person.name}


def _end_seat(user, org, d):
    try:
        seat = selectors.get_delegate_seat(user, org, d["seat"])
    except Delegate.DoesNotExist:
        raise Http404(_("No such seat, or you may not see it.")) from None
    delegates.end_seat(user, seat, d["on"])
    return _("The seat of %(name)s has ended.") % {"name": seat.person.name}


@login_required
def union_delegates(request, code):
    """A union's congress delegates by category; POST: seat a member, or end a seat."""
    org = org_or_404(request, code, Tree.UNION)
    user = request.user
    can_manage = permissions.may_manage(user, org)
    seat_form, end_form = DelegateForm(), None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("You may not change the delegates of this union."))
        if request.POST.get("step") == "end":
            end_form = EndSeatForm(request.POST)
            form, act = end_form, _end_seat
        else:
            seat_form = DelegateForm(request.POST)
            form, act = seat_form, _seat_delegate
        if done := submit(
            request,
            form,
            lambda d: act(user, org, d),
            done=lambda message: message,
            to=reverse("people:union_delegates", args=[org.code]),
            rename={"valid_until": "term_until"},
        ):
            return done
    return render(
        request,
        "people/union_delegates.html",
        {
            "org": org,
            "categories": selectors.delegates_by_category(user, org),
            "past": selectors.past_delegates(user, org),
            "can_manage": can_manage,
            "seat_form": seat_form,
            "end_form": end_form,
            "end_seat": end_form["seat"].value() if end_form is not None else None,
            "today": timezone.localdate(),
        },
    )
