"""Elections pages: an organization's terms, cases and polls; the election case with its
timeline and next step; the candidate list with its surplus check; a poll with its ballot
sheet, figures, tally batches and corrections, and the result explained; the tellers' entry
screen; standalone polls, paper ballots one by one and their corrections, electronic voting,
officers added and leaving during the term. Thin views over `selectors` and `services`;
anything the user may not see is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.documents import docx_response, pdf_response
from jiceng.kernel.forms import form_data, submit
from jiceng.orgs import selectors as orgs
from jiceng.orgs.models import Tree
from jiceng.orgs.shortcuts import org_or_404
from jiceng.policy.selectors import value as policy_value

from . import ballot_pdf, documents, permissions, selectors, services
from .cases import committees_of, step_label
from .forms import (
    ApprovalForm,
    AttendanceForm,
    BallotForm,
    BeginTermForm,
    CongressForm,
    CorrectionForm,
    NextRoundForm,
    NominationForm,
    OfficerAddForm,
    OfficerEndForm,
    PlenaryForm,
    PollForm,
    ReasonForm,
    RequestForm,
    RollForm,
    SlateForm,
    TallyForm,
    TermChangeForm,
    TermStartForm,
    committees_for,
)
from .models import (
    CaseState,
    ElectionCase,
    Poll,
    PollStatus,
    Post,
    RoundKind,
    TermStatus,
)
from .services.cases import PLENARY_POSTS, related_party_orgs
from .text import add_months, committee_label

APPROVAL_STEPS = ("approve_party", "approve_upper", "review_slate")
CASE_FORM_STEPS = (*APPROVAL_STEPS, "congress", "plenary", "begin_term")
MAX_COPIES = 2000


def _case_or_404(request, pk) -> ElectionCase:
    try:
        return selectors.get_case(request.user, pk)
    except ElectionCase.DoesNotExist:
        raise Http404(_("No such election case, or you may not see it.")) from None


def _poll_or_404(request, pk) -> Poll:
    try:
        return selectors.get_poll(request.user, pk)
    except Poll.DoesNotExist:
        raise Http404(_("No such poll, or you may not see it.")) from None


# -- an organization's elections ------------------------------------------------------------


def _term_rows(org, terms, today):
    months = int(policy_value("elections.term.expiry_notice_months", org=org, on=today))
    notice_from = add_months(today, months)
    for t in terms:
        t.current = t.status == TermStatus.CURRENT
        t.overdue = t.current and t.ends_on < today
        t.due_soon = t.current and not t.overdue and t.ends_on <= notice_from
        t.title = committee_label(org.kind, t.committee)
    return terms


def _officers_in_office(terms, today):
    """Officers of the current `terms` still in office on `today`."""
    return [
        o for t in terms for o in t.officers.all() if o.valid_until is None or o.valid_until > today
    ]


def _org_page(request, org, *, start_form=None, change_form=None, officer_forms=None, status=200):
    user = request.user
    today = timezone.localdate()
    is_admin = permissions.may_administer(user, org)
    committees = committees_for(org)
    terms = _term_rows(org, list(selectors.terms_of(user, org)), today)
    current = [t for t in terms if t.current]
    cases = list(selectors.cases_of(user, org))
    return render(
        request,
        "elections/org_elections.html",
        {
            "org": org,
            "terms": terms,
            "cases": cases,
            "to_approve": selectors.cases_to_approve(user, org),
            "polls": selectors.standalone_polls(user, org),
            "can_manage": permissions.may_manage(user, org),
            "is_admin": is_admin,
            "start_form": start_form
            or (TermStartForm(committees=committees) if is_admin else None),
            "change_form": change_form
            or (
                TermChangeForm(committees=[t.committee for t in current])
                if is_admin and current
                else None
            ),
            "upper_orgs": orgs.ancestors(org),
            "open_case": any(c.state != CaseState.DONE for c in cases),
            **_officer_forms(org, current, today, is_admin, officer_forms or {}),
        },
        status=status,
    )


def _officer_forms(org, current, today, is_admin, bound) -> dict:
    if not (is_admin and current):
        return {"add_officer_form": None, "end_officer_form": None}
    serving = _officers_in_office(current, today)
    return {
        "add_officer_form": bound.get("add")
        or OfficerAddForm(committees=[t.committee for t in current]),
        "end_officer_form": bound.get("end")
        or (OfficerEndForm(officers=serving) if serving else None),
    }


@login_required
def org_elections(request, code):
    return _org_page(request, org_or_404(request, code))


@login_required
def term_start(request, code):
    org = org_or_404(request, code)
    if request.method != "POST":
        return redirect("elections:org", org.code)
    permissions.require_administer(request.user, org)
    form = TermStartForm(request.POST, committees=committees_for(org))

    def start(d):
        people, problems = selectors.people_named(org, [name for _post, name in d["officers"]])
        if problems:
            raise ValidationError({"officers": problems})
        return services.start_term(
            request.user,
            org=org,
            committee=d["committee"],
            starts_on=d["starts_on"],
            officers=[(p, post) for p, (post, _n) in zip(people, d["officers"], strict=True)],
            number=d["number"],
        )

    if done := submit(
        request,
        form,
        start,
        done=lambda term: (
            _("Term %(n)s has begun; it ends on %(date)s.")
            % {"n": term.number, "date": term.ends_on}
        ),
        to=reverse("elections:org", args=[org.code]),
    ):
        return done
    return _org_page(request, org, start_form=form, status=200)


@login_required
def term_change(request, code):
    org = org_or_404(request, code)
    if request.method != "POST":
        return redirect("elections:org", org.code)
    permissions.require_administer(request.user, org)
    current = selectors.current_terms(request.user, org)
    form = TermChangeForm(request.POST, committees=[t.committee for t in current])

    def change(d):
        term = next(t for t in current if t.committee == d["committee"])
        approver = next(
            (a for a in orgs.ancestors(org) if a.code == d["approved_by"].strip()), None
        )
        return services.change_term_end(
            request.user,
            term,
            new_end=d["new_end"],
            approved_by=approver,
            document_number=d["document_number"],
            approved_on=d["approved_on"],
            reason=d["reason"],
        )

    if done := submit(
        request,
        form,
        change,
        done=lambda change: (
            _("The term now ends on %(date)s (%(kind)s approved by %(org)s).")
            % {
                "date": change.new_end,
                "kind": change.get_kind_display(),
                "org": change.approved_by.name,
            }
        ),
        to=reverse("elections:org", args=[org.code]),
        rename={"approval": "approved_by"},
    ):
        return done
    return _org_page(request, org, change_form=form)


@login_required
def case_file(request, code):
    """File the request (请示): the form, and the case once filed."""
    org = org_or_404(request, code)
    user = request.user
    if not permissions.may_manage(user, org):
        raise PermissionDenied(_("You may not file a request for this organization."))
    union = org.tree == Tree.UNION
    today = timezone.localdate()
    party_orgs = list(related_party_orgs(org, today)) if union else []
    if union and not party_orgs:
        party_orgs = selectors.visible_party_orgs(user)
    form = RequestForm(form_data(request), union=union, party_orgs=party_orgs)
    if done := submit(
        request,
        form,
        lambda d: services.file_request(user, org=org, **form.service_fields()),
        done=_("The request has been filed."),
        to=lambda case: reverse("elections:case", args=[case.pk]),
        rename={"org": "__all__"},
    ):
        return done
    return render(request, "elections/case_file.html", {"org": org, "form": form})


# -- the election case ----------------------------------------------------------------------


def _case_forms(request, case, steps, bound=None, bound_step=None) -> dict:
    """The form of each step the user may take now (a bound one kept)."""
    found = {}
    for s in steps:
        key = s["key"]
        if key not in CASE_FORM_STEPS or not s["may"]:
            continue
        if key == bound_step and bound is not None:
            found[key] = bound
        elif s["possible"]:
            found[key] = _blank_form(case, key)
    return found


def _plenary_posts(case):
    return [
        (post, getattr(case, field))
        for post, _committee, field in PLENARY_POSTS[case.system]
        if getattr(case, field)
    ]


def _blank_form(case, key, data=None):
    prefix = key
    if key in APPROVAL_STEPS:
        return ApprovalForm(data, prefix=prefix)
    if key == "congress":
        return CongressForm(
            data,
            prefix=prefix,
            initial={"held_on": case.planned_on, "entitled": case.delegates},
        )
    if key == "plenary":
        proposed = case.proposed_officers or {}
        return PlenaryForm(
            data,
            prefix=prefix,
            posts=_plenary_posts(case),
            initial={f"post_{p}": " ".join(names) for p, names in proposed.items()},
        )
    return BeginTermForm(
        data,
        prefix=prefix,
        party=case.system == "party",
        initial={"starts_on": case.held_on},
    )


def _case_page(request, case, *, bound=None, bound_step=None, status=200):
    user = request.user
    steps = selectors.case_steps(user, case)
    forms = _case_forms(request, case, steps, bound, bound_step)
    for s in steps:
        s["form"] = forms.get(s["key"])
        s["on_slate_page"] = s["key"] in ("nominate", "slate")
    results = selectors.case_results(case)
    elected_names = sorted(
        {e["name"] for (c, post), r in results.items() if not post for e in r.elected}
    )
    timeline = selectors.case_timeline(case)
    for entry in timeline:
        entry.label = step_label(case, entry.step)
    return render(
        request,
        "elections/case_detail.html",
        {
            "case": case,
            "org": case.org,
            "steps": steps,
            "timeline": timeline,
            "approvals": [e for e in timeline if e.approved_by_id],
            "polls": selectors.case_polls(case),
            "can_see_polls": permissions.may_view(user, case.org),
            "years_elapsed": documents.years_elapsed(case),
            "congress_name": documents.congress_name(case),
            "report_ready": documents.report_ready(case),
            "may_issue": permissions.may_manage(user, case.org),
            "elected_names": elected_names,
            "proposed_officers": [
                (Post(post).label, names) for post, names in (case.proposed_officers or {}).items()
            ],
            "committees": [(c, committee_label(case.org.kind, c)) for c in committees_of(case)],
        },
        status=status,
    )


@login_required
def case_detail(request, case):
    return _case_page(request, _case_or_404(request, case))


@login_required
def case_step(request, case):
    """POST: take one step of the case; refusals go back on the step's form, in Chinese."""
    found = _case_or_404(request, case)
    if request.method != "POST":
        return redirect("elections:case", found.pk)
    step = request.POST.get("step", "")
    if step not in CASE_FORM_STEPS:
        raise Http404(_("No such step."))
    form = _blank_form(found, step, request.POST)
    user = request.user

    def take(d):
        if step in APPROVAL_STEPS:
            return services.approve(
                user, found, step, on=d["on"], document_number=d["document_number"], note=d["note"]
            )
        if step == "congress":
            return services.hold_congress(
                user, found, held_on=d["held_on"], entitled=d["entitled"], present=d["present"]
            )
        if step == "plenary":
            return services.hold_plenary(
                user, found, held_on=d["held_on"], candidates=form.candidates()
            )
        return services.begin_term(
            user, found, starts_on=d["starts_on"], divisions=form.divisions()
        )

    rename = {"step": "__all__", "divisions": "__all__", "officers": "__all__"}
    rename |= {p: f"post_{p}" for p, _n in _plenary_posts(found)}
    if done := submit(
        request,
        form,
        take,
        done=_("“%(step)s” has been recorded.") % {"step": step_label(found, step)},
        to=reverse("elections:case", args=[found.pk]),
        rename=rename,
    ):
        return done
    return _case_page(request, _case_or_404(request, case), bound=form, bound_step=step)


def _slate_page(request, case, *, nomination_form=None, slate_form=None):
    user = request.user
    committees = [(c, committee_label(case.org.kind, c)) for c in committees_of(case)]
    steps = {s["key"]: s for s in selectors.case_steps(user, case)}
    slate = selectors.slate_of(case)
    tallies = selectors.nomination_tallies(case)
    nominate, propose = steps.get("nominate"), steps.get("slate")
    may_nominate = bool(nominate and nominate["may"])
    may_propose = bool(propose and propose["may"])
    if slate_form is None and may_propose:
        initial = {
            f"names_{c}": "\n".join(e.name for e in slate.get(c, []))
            or "\n".join(t["name"] for t in tallies.get(c, []))
            for c, _label in committees
        }
        slate_form = SlateForm(committees=committees, initial=initial)
    votes = {c: {t["name"]: t["total"] for t in tallies.get(c, [])} for c, _label in committees}
    return render(
        request,
        "elections/case_slate.html",
        {
            "case": case,
            "org": case.org,
            "committees": [
                {
                    "key": c,
                    "label": label,
                    "tallies": tallies.get(c, []),
                    "groups": selectors.nomination_groups(case).get(c, []),
                    "slate": [(e, votes[c].get(e.name, 0)) for e in slate.get(c, [])],
                }
                for c, label in committees
            ],
            "checks": selectors.slate_check(case),
            "nomination_form": nomination_form
            or (NominationForm(committees=committees) if may_nominate else None),
            "slate_form": slate_form,
            "nominate_step": nominate,
            "slate_step": propose,
        },
    )


@login_required
def case_slate(request, case):
    """Nomination tallies and the candidate list with its surplus check; POST either form."""
    found = _case_or_404(request, case)
    if request.method != "POST":
        return _slate_page(request, found)
    user = request.user
    committees = [(c, committee_label(found.org.kind, c)) for c in committees_of(found)]
    if request.POST.get("form") == "nomination":
        form = NominationForm(request.POST, committees=committees)
        if done := submit(
            request,
            form,
            lambda d: services.record_nominations(
                user,
                found,
                committee=d["committee"],
                group=d["group"],
                counts=d["counts"],
                on=d["on"],
            ),
            done=_("The nominations have been recorded."),
            to=reverse("elections:case_slate", args=[found.pk]),
            rename={"step": "__all__"},
        ):
            return done
        return _slate_page(request, _case_or_404(request, case), nomination_form=form)
    form = SlateForm(request.POST, committees=committees)

    def propose(d):
        slates, problems = {}, []
        for committee, names in form.names().items():
            people, missing = selectors.eligible_people(found, names)
            problems += missing
            slates[committee] = people
        if problems:
            raise ValidationError(problems)
        return services.propose_slate(user, found, slates=slates, on=d["on"], note=d["note"])

    if done := submit(
        request,
        form,
        propose,
        done=_("The candidate list has been proposed."),
        to=reverse("elections:case_slate", args=[found.pk]),
        rename={"step": "__all__"} | {c: f"names_{c}" for c, _l in committees},
    ):
        return done
    return _slate_page(request, _case_or_404(request, case), slate_form=form)


@login_required
def case_document(request, case, kind):
    found = _case_or_404(request, case)
    if kind not in documents.DOCUMENTS:
        raise Http404(_("No such document."))
    if kind != "request" and not documents.report_ready(found):
        raise Http404(_("The results of the first plenary meetings are not all declared yet."))
    make = documents.DOCUMENTS[kind][0]
    to = request.GET.get("to") or "upper"
    if kind == "request" and (
        to not in documents.RECIPIENTS or (to == "party" and found.party_org is None)
    ):
        raise Http404(_("No such document."))
    options = {"to": to} if kind == "request" else {}
    # ?final=1: an officer's final version takes the organization's next document number
    # (once; a later download shows the same); anything else is a draft with 〔  〕号.
    if request.GET.get("final") == "1" and kind in services.numbers.TITLES:
        options |= services.issue_case_number(request.user, found, kind, to)
    name = documents.filename(found, kind, to)
    return docx_response(make(found, **options), name)


# -- polls ----------------------------------------------------------------------------------


def _poll_context(request, poll, *, forms=None) -> dict:
    user = request.user
    forms = forms or {}
    can_manage = permissions.may_count(user, poll)
    sheets = selectors.tally_sheets(poll)
    corrections = selectors.tally_corrections(poll)
    bound = forms.get("correct")
    for sheet in sheets:
        if not can_manage:
            sheet.form = None
        elif bound is not None and bound.sheet.pk == sheet.pk:
            sheet.form = bound
        else:
            sheet.form = CorrectionForm(sheet=sheet)
    data = selectors.result(user, poll)
    names = {line["key"]: line["name"] for line in data["lines"]}
    data["elected_names"] = [names[k] for k in data["elected"]]
    data["revote_names"] = [names[k] for k in data["revote"]]
    later = None
    rounds = selectors.next_rounds(poll)
    if (
        permissions.may_follow_up(user, poll)
        and (data.get("remaining_seats") or data.get("revote_seats"))
        and not rounds
    ):
        later = forms.get("next") or NextRoundForm(
            initial={"kind": RoundKind.REVOTE if data.get("revote") else RoundKind.ADDITIONAL}
        )
    return {
        "poll": poll,
        "org": poll.org,
        "candidates": selectors.ballot_sheet(poll),
        "sheets": sheets,
        "corrections": corrections,
        "result": data,
        "can_manage": can_manage,
        "attendance_form": forms.get("attendance")
        or (
            AttendanceForm(
                initial={"present": poll.present, "issued": poll.issued, "returned": poll.returned}
            )
            if can_manage
            else None
        ),
        "next_form": later,
        "next_rounds": rounds,
        "close_errors": forms.get("close_errors"),
        "roll_form": forms.get("roll") or (RollForm() if can_manage and poll.electronic else None),
        "ballots_entered": 0 if poll.electronic else selectors.ballots_entered(poll),
        "ballot_corrections": selectors.ballot_corrections(poll),
    }


@login_required
def poll_detail(request, poll):
    found = _poll_or_404(request, poll)
    context = _poll_context(request, found)
    if request.headers.get("HX-Request") and request.GET.get("part") == "result":
        return render(request, "elections/_poll_result.html", context)
    return render(request, "elections/poll_detail.html", context)


@login_required
def poll_ballots(request, poll):
    """The ballot sheet as a PDF (`?copies=N` for a stack to print)."""
    found = _poll_or_404(request, poll)
    try:
        copies = min(max(int(request.GET.get("copies", "1")), 1), MAX_COPIES)
    except ValueError:
        copies = 1
    data = ballot_pdf.render(found, selectors.ballot_sheet(found), copies=copies)
    return pdf_response(data, f"{found.org.name}{found.title}选票.pdf")


@login_required
def poll_tally(request, poll):
    """The tellers' entry screen: one batch, per candidate for / against / abstain, and names
    written in. Laid out for a phone."""
    found = _poll_or_404(request, poll)
    user = request.user
    candidates = selectors.ballot_sheet(found)
    may = permissions.may_count(user, found)
    form = TallyForm(request.POST or None, candidates=candidates) if may else None
    if request.method == "POST" and not may:
        raise PermissionDenied(_("You may not enter counts for this poll."))
    if form is not None and (
        done := submit(
            request,
            form,
            lambda d: services.enter_sheet(
                user,
                found,
                label=d["label"],
                ballots=d["ballots"],
                invalid=d["invalid"],
                lines=form.lines(),
            ),
            done=lambda sheet: (
                _("Batch “%(label)s” has been entered: %(n)s ballots.")
                % {"label": sheet.label, "n": sheet.ballots}
            ),
            to=reverse("elections:poll", args=[found.pk]),
            rename={"lines": "__all__", "poll": "__all__"},
        )
    ):
        return done
    return render(
        request,
        "elections/poll_tally.html",
        {
            "poll": found,
            "org": found.org,
            "form": form,
            "sheets": selectors.tally_sheet_count(found),
        },
    )


@login_required
def poll_attendance(request, poll):
    found = _poll_or_404(request, poll)
    if request.method != "POST":
        return redirect("elections:poll", found.pk)
    form = AttendanceForm(request.POST)
    if done := submit(
        request,
        form,
        lambda d: services.record_attendance(request.user, found, **d),
        done=_("The figures have been recorded."),
        to=reverse("elections:poll", args=[found.pk]),
        rename={"poll": "__all__"},
    ):
        return done
    found = _poll_or_404(request, poll)
    return render(
        request,
        "elections/poll_detail.html",
        _poll_context(request, found, forms={"attendance": form}),
    )


@login_required
def poll_correct(request, poll):
    found = _poll_or_404(request, poll)
    if request.method != "POST":
        return redirect("elections:poll", found.pk)
    try:
        sheet_pk = int(request.POST.get("sheet", ""))
    except ValueError:
        raise Http404(_("No such batch.")) from None
    sheet = selectors.tally_sheet(found, sheet_pk)
    if sheet is None:
        raise Http404(_("No such batch."))
    form = CorrectionForm(request.POST, sheet=sheet)
    if done := submit(
        request,
        form,
        lambda d: services.correct_sheet(request.user, sheet, **form.service_args()),
        done=lambda changes: _("%(n)s figures have been corrected.") % {"n": len(changes)},
        to=reverse("elections:poll", args=[found.pk]),
        rename={"lines": "__all__", "poll": "__all__"},
    ):
        return done
    found = _poll_or_404(request, poll)
    return render(
        request,
        "elections/poll_detail.html",
        _poll_context(request, found, forms={"correct": form}),
    )


@login_required
def poll_close(request, poll):
    found = _poll_or_404(request, poll)
    if request.method != "POST":
        return redirect("elections:poll", found.pk)
    try:
        services.close_poll(request.user, found)
    except ValidationError as exc:
        problems = [m for ms in exc.message_dict.values() for m in ms]
        found = _poll_or_404(request, poll)
        return render(
            request,
            "elections/poll_detail.html",
            _poll_context(request, found, forms={"close_errors": problems}),
        )
    messages.success(request, _("The result has been declared."))
    return redirect("elections:poll", found.pk)


@login_required
def poll_next(request, poll):
    found = _poll_or_404(request, poll)
    if request.method != "POST":
        return redirect("elections:poll", found.pk)
    form = NextRoundForm(request.POST)
    if done := submit(
        request,
        form,
        lambda d: services.next_round(
            request.user, found, kind=d["kind"], candidates=form.names(), held_on=d["held_on"]
        ),
        done=_("The next round has been set up."),
        to=lambda later: reverse("elections:poll", args=[later.pk]),
        rename={"parent": "__all__", "seats": "__all__"},
    ):
        return done
    found = _poll_or_404(request, poll)
    return render(
        request,
        "elections/poll_detail.html",
        _poll_context(request, found, forms={"next": form}),
    )


# -- standalone polls -----------------------------------------------------------------------


@login_required
def poll_create(request, code):
    """A poll outside an election case: a branch electing its committee at its general meeting,
    a by-election."""
    org = org_or_404(request, code)
    user = request.user
    if not permissions.may_manage(user, org):
        raise PermissionDenied(_("You may not set up polls for this organization."))
    committees = committees_for(org)
    form = PollForm(form_data(request), committees=committees, initial={"committee": committees[0]})
    if done := submit(
        request,
        form,
        lambda d: services.create_poll(
            user,
            org=org,
            title=d["title"],
            seats=d["seats"],
            entitled=d["entitled"],
            held_on=d["held_on"],
            candidates=form.names(),
            committee=d["committee"],
            electronic=d["electronic"],
        ),
        done=_("The poll has been set up."),
        to=lambda poll: reverse("elections:poll", args=[poll.pk]),
        rename={"system": "__all__"},
    ):
        return done
    return render(request, "elections/poll_create.html", {"org": org, "form": form})


# -- paper ballots one by one ---------------------------------------------------------------


@login_required
def poll_ballot(request, poll):
    """A teller enters paper ballots one at a time: a mark per candidate, names written in."""
    found = _poll_or_404(request, poll)
    may = permissions.may_enter_paper_ballots(request.user, found)
    if request.method == "POST" and not may:
        raise PermissionDenied(_("You may not enter ballots for this poll."))
    candidates = selectors.ballot_sheet(found)
    form = BallotForm(request.POST or None, candidates=candidates) if may else None
    if form is not None and (
        done := submit(
            request,
            form,
            lambda d: services.enter_ballots(request.user, found, [form.entry()]),
            done=lambda _result: (
                _("Ballot entered (%(n)s so far).") % {"n": selectors.ballots_entered(found)}
            ),
            to=reverse("elections:poll_ballot", args=[found.pk]),
            rename={"ballots": "__all__", "poll": "__all__"},
        )
    ):
        return done
    return render(
        request,
        "elections/poll_ballot.html",
        {
            "poll": found,
            "org": found.org,
            "form": form,
            "entered": selectors.ballots_entered(found),
        },
    )


@login_required
def poll_ballot_correct(request, poll):
    """Put right a paper ballot entered wrongly: the ballot as entered, as it should be, and why."""
    found = _poll_or_404(request, poll)
    may = permissions.may_enter_paper_ballots(request.user, found)
    if request.method == "POST" and not may:
        raise PermissionDenied(_("You may not enter ballots for this poll."))
    candidates = selectors.ballot_sheet(found)
    data = form_data(request)
    old = new = reason = None
    if may:
        old = BallotForm(data, candidates=candidates, prefix="old")
        new = BallotForm(data, candidates=candidates, prefix="new")
        reason = ReasonForm(data)

    def correct(d):
        ballot_id = selectors.matching_ballot(found, **old.entry())
        if ballot_id is None:
            raise ValidationError(_("No ballot was entered with these marks."))
        fixed = new.entry()
        return services.correct_ballot(
            request.user,
            found,
            ballot_id,
            marks=fixed["marks"],
            write_ins=fixed["write_ins"],
            void=fixed["void"],
            reason=d["reason"],
        )

    if (
        data is not None
        and old.is_valid()
        and new.is_valid()
        and (
            done := submit(
                request,
                reason,
                correct,
                done=_("The ballot has been corrected."),
                to=reverse("elections:poll", args=[found.pk]),
                rename={"ballots": "__all__", "poll": "__all__"},
            )
        )
    ):
        return done
    return render(
        request,
        "elections/poll_ballot_correct.html",
        {
            "poll": found,
            "org": found.org,
            "old_form": old,
            "new_form": new,
            "reason_form": reason,
            "ballot_corrections": selectors.ballot_corrections(found),
        },
    )


# -- electronic voting ----------------------------------------------------------------------


@login_required
def poll_roll(request, poll):
    """The officer opens the electronic roll: the delegates who may vote, by name."""
    found = _poll_or_404(request, poll)
    if request.method != "POST":
        return redirect("elections:poll", found.pk)
    form = RollForm(request.POST)

    def open_roll(d):
        people, problems = selectors.people_named(found.org, form.names())
        if problems:
            raise ValidationError({"voters": problems})
        if not people:
            raise ValidationError({"voters": _("Enter the voters' names.")})
        return services.open_roll(request.user, found, people)

    if done := submit(
        request,
        form,
        open_roll,
        done=lambda added: _("%(n)s voters have been put on the roll.") % {"n": added},
        to=reverse("elections:poll", args=[found.pk]),
        rename={"persons": "voters", "poll": "__all__"},
    ):
        return done
    found = _poll_or_404(request, poll)
    return render(
        request, "elections/poll_detail.html", _poll_context(request, found, forms={"roll": form})
    )


@login_required
def poll_vote(request, poll):
    """An entitled delegate's ballot: shown to them, cast once. Nothing here shows how anyone
    voted; the voter sees no count."""
    user = request.user
    found, on_roll = selectors.voting_poll(user, poll)
    if found is None:
        raise Http404(_("No such poll, or you may not see it."))
    is_open = found.status == PollStatus.OPEN
    form = None
    if on_roll and is_open:
        form = BallotForm(
            request.POST if request.method == "POST" else None,
            candidates=selectors.ballot_sheet(found),
            paper=False,
        )
    if request.method == "POST" and form is None:
        raise PermissionDenied(_("Only a voter on the roll can vote."))
    if form is not None and (
        done := submit(
            request,
            form,
            lambda d: services.cast_vote(
                user, found, marks=form.marks(), write_ins=form.write_ins()
            ),
            done=_("Your vote has been cast. Thank you."),
            to=reverse("elections:poll_vote", args=[found.pk]),
            rename={"ballots": "__all__", "poll": "__all__"},
        )
    ):
        return done
    return render(
        request,
        "elections/poll_vote.html",
        {"poll": found, "org": found.org, "form": form, "on_roll": on_roll, "is_open": is_open},
    )


# -- officers during the term ---------------------------------------------------------------


@login_required
def officer_add(request, code):
    """A by-election or appointment during the term (the upper level's act)."""
    org = org_or_404(request, code)
    if request.method != "POST":
        return redirect("elections:org", org.code)
    permissions.require_administer(request.user, org)
    current = selectors.current_terms(request.user, org)
    form = OfficerAddForm(request.POST, committees=[t.committee for t in current])

    def add(d):
        term = next(t for t in current if t.committee == d["committee"])
        people, problems = selectors.people_named(org, [d["name"].strip()])
        if problems:
            raise ValidationError({"name": problems})
        return services.add_officer(
            request.user, term, person=people[0], post=d["post"], on=d["on"]
        )

    if done := submit(
        request,
        form,
        add,
        done=lambda officer: (
            _("%(name)s is %(post)s from %(date)s.")
            % {
                "name": officer.person.name,
                "post": officer.get_post_display(),
                "date": officer.valid_from,
            }
        ),
        to=reverse("elections:org", args=[org.code]),
        rename={"person": "name", "valid_from": "on", "term": "__all__"},
    ):
        return done
    return _org_page(request, org, officer_forms={"add": form})


@login_required
def officer_end(request, code):
    """An officer leaves the post before the term ends: the last day and the reason."""
    org = org_or_404(request, code)
    if request.method != "POST":
        return redirect("elections:org", org.code)
    permissions.require_administer(request.user, org)
    serving = _officers_in_office(selectors.current_terms(request.user, org), timezone.localdate())
    form = OfficerEndForm(request.POST, officers=serving)
    if done := submit(
        request,
        form,
        lambda d: services.end_officer(request.user, d["officer"], on=d["on"], reason=d["reason"]),
        done=lambda officer: (
            _("%(name)s left the post of %(post)s on %(date)s.")
            % {
                "name": officer.person.name,
                "post": officer.get_post_display(),
                "date": officer.last_day,
            }
        ),
        to=reverse("elections:org", args=[org.code]),
    ):
        return done
    return _org_page(request, org, officer_forms={"end": form})
