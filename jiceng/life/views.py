"""Organizational-life pages: an organization's calendar, scheduling, the meeting page a recorder
uses on a phone during the meeting (live attendance, sign-in code and QR code, leave, minutes,
tasks, attachments, corrections after the freeze), the member's sign-in and leave, "my
meetings", notifications, the compliance dashboard with drill-down, the annual plan and the
documents. Thin views over `life.selectors` and `life.services`: what a user may not see
answers 404, what they may not do is refused by the services."""

import datetime as dt
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jiceng.kernel.forms import form_data, submit
from jiceng.orgs import switcher
from jiceng.orgs.shortcuts import org_or_404
from jiceng.people import selectors as people_selectors
from jiceng.sheets.http import xlsx_response

from . import documents, exports, permissions, selectors, services
from .duties import window_label
from .forms import (
    ActionItemForm,
    AttachmentForm,
    CancelForm,
    CloseActionForm,
    CodeForm,
    CorrectionForm,
    DecideLeaveForm,
    ItemFormSet,
    LeaveForm,
    MeetingFieldsForm,
    MinutesForm,
    PersonForm,
    PlanForm,
    PlanItemFormSet,
    ScheduleForm,
    person_choices,
)
from .models import (
    ActionItem,
    LeaveDecision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Presence,
)

NOTIFICATION_LIMIT = 100
MY_MEETINGS_DAYS = 60  # "my meetings": the coming ones and those of the last two months
MY_TASKS_LIMIT = 100  # "my meetings": the user's open tasks, soonest due first
POLL_SECONDS = 5
TIMES = {"starts_at": "start", "ends_at": "end"}  # the services' fields as the forms name them

# --- lookups --------------------------------------------------------------------------------


def _meeting_or_404(request, pk) -> Meeting:
    try:
        return selectors.meeting(request.user, pk)
    except Meeting.DoesNotExist:
        raise Http404(_("No such meeting, or you may not see it.")) from None


def _my_meeting_or_404(request, pk) -> Meeting:
    """A meeting where the user is expected (members without any role included)."""
    found = selectors.my_meeting(request.user, pk)
    if found is None:
        raise Http404(_("No such meeting, or you are not expected at it."))
    return found


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404(_("No such year.")) from None
    if not 1921 <= year <= 2200:
        raise Http404(_("No such year."))
    return year


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=True)


# --- "my meetings", sign-in, leave ----------------------------------------------------------


@login_required
def my_meetings(request):
    today = timezone.localdate()
    start = today - dt.timedelta(days=MY_MEETINGS_DAYS)
    found = list(selectors.my_meetings(request.user, start=start))
    person_id = getattr(request.user, "person_id", None)
    mine, leaves = selectors.my_rows(request.user, [m.pk for m in found])
    rows = [{"meeting": m, "attendance": mine.get(m.pk), "leave": leaves.get(m.pk)} for m in found]
    coming = [r for r in rows if r["meeting"].ends_at >= timezone.now()]
    past = [r for r in rows if r["meeting"].ends_at < timezone.now()][::-1]
    tasks = selectors.my_open_tasks(request.user, limit=MY_TASKS_LIMIT)
    return render(
        request,
        "life/my_meetings.html",
        {
            "coming": coming,
            "past": past,
            "tasks": tasks,
            "today": today,
            "has_person": person_id is not None,
        },
    )


@login_required
def close_my_task(request):
    """The owner closes their own task from "my meetings" (the service allows owners)."""
    if request.method != "POST":
        return redirect("life:my_meetings")
    form = CloseActionForm(request.POST)
    if form.is_valid():
        try:
            item = selectors.my_action_item(request.user, form.cleaned_data["item"])
        except ActionItem.DoesNotExist:
            raise Http404(_("No such task, or it is not yours.")) from None
        try:
            services.close_action_item(request.user, item, follow_up=form.cleaned_data["follow_up"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The task has been closed."))
    return redirect(reverse("life:my_meetings") + "#my-tasks")


def _sign_in(request, *, code=None, token=None):
    """Sign the user in; a login without a person record is refused like a wrong code."""
    try:
        return services.sign_in(request.user, code=code, token=token)
    except PermissionDenied as exc:
        raise ValidationError(str(exc)) from None


def _signed_in(attendance) -> str:
    return _("Signed in to “%(topic)s” at %(time)s.") % {
        "topic": attendance.meeting.topic,
        "time": timezone.localtime(attendance.signed_at).strftime("%H:%M"),
    }


@never_cache
@login_required
def sign_in(request):
    """The member's sign-in page: a box for the 6-digit code shown at the meeting."""
    form = CodeForm(form_data(request))
    if done := submit(
        request,
        form,
        lambda d: _sign_in(request, code=d["code"]),
        done=_signed_in,
        to="life:my_meetings",
        rename={"token": "code"},
    ):
        return done
    return render(request, "life/sign_in.html", {"form": form})


@never_cache
@login_required
def sign_in_token(request, sign_in_token):
    """Where the QR code points: confirm, then sign in (a GET never signs anyone in)."""
    token = sign_in_token
    meeting = selectors.my_meeting_by_token(request.user, token)
    if meeting is None:
        raise Http404(_("No such meeting, or you are not expected at it."))
    error = None
    if request.method == "POST":
        try:
            attendance = _sign_in(request, token=token)
        except ValidationError as exc:
            error = exc.messages
        else:
            messages.success(request, _signed_in(attendance))
            return redirect("life:my_meetings")
    return render(request, "life/sign_in_token.html", {"meeting": meeting, "errors": error})


@login_required
def leave(request, meeting):
    m = _my_meeting_or_404(request, meeting)
    form = LeaveForm(form_data(request))
    if done := submit(
        request,
        form,
        lambda d: services.request_leave(request.user, m, reason=d["reason"]),
        done=_("Your leave request has been sent to the secretary."),
        to="life:my_meetings",
    ):
        return done
    return render(request, "life/leave.html", {"meeting": m, "form": form})


# --- notifications ----------------------------------------------------------------------------


@login_required
def notifications(request):
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
        services.mark_notifications_read(request.user, ids=ids)
        return redirect("life:notifications")
    items = selectors.my_notifications(request.user, limit=NOTIFICATION_LIMIT)
    return render(
        request,
        "life/notifications.html",
        {"items": items, "unread": sum(1 for n in items if n.read_at is None)},
    )


# --- the calendar and scheduling -------------------------------------------------------------


def _month(request) -> tuple[int, int]:
    text = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        day = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Http404(_("No such month.")) from None
    return day.year, day.month


@login_required
def calendar(request, code):
    org = org_or_404(request, code)
    year, month = _month(request)
    weeks = selectors.month_calendar(request.user, org, year, month)
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    days = [(day, found) for week in weeks for day, found in week if found and day.month == month]
    return render(
        request,
        "life/calendar.html",
        {
            "org": org,
            "weeks": weeks,
            "days": days,
            "month": first,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
            "today": timezone.localdate(),
            "can_manage": permissions.may_plan(request.user, org),
        },
    )


def _plan_choices(user, org, year: int) -> list[tuple[int, str]]:
    plan = selectors.plan(user, org, year)
    if plan is None:
        return []
    return [(i.pk, f"{i.month}月 · {i.topic}") for i in plan.items.all()]


@login_required
def schedule(request, code):
    org = org_or_404(request, code)
    if not permissions.may_plan(request.user, org):
        raise PermissionDenied(_("You may not schedule meetings for this organization."))
    people = person_choices(request.user, org)
    form = ScheduleForm(
        form_data(request),
        org=org,
        people_choices=people,
        plan_choices=_plan_choices(request.user, org, timezone.localdate().year),
        initial={k: request.GET[k] for k in ("kind", "day") if request.GET.get(k)},
    )

    def perform(d):
        persons = selectors.people_by_id(
            request.user, [d.get("host"), d.get("recorder"), *d["attendees"]]
        )
        plan_item = None
        if d.get("plan_item"):
            plan_item = selectors.plan_item(request.user, org, d["plan_item"])
        return services.schedule_meeting(
            request.user,
            org,
            kind=d["kind"],
            attendees=[persons[i] for i in d["attendees"] if i in persons] or None,
            plan_item=plan_item,
            **form.meeting_fields(persons),
        )

    if done := submit(
        request,
        form,
        perform,
        done=lambda m: (
            _("The meeting has been scheduled; %(n)s people are expected and notified.")
            % {"n": m.expected_count}
        ),
        to=lambda m: reverse("life:meeting", args=[m.pk]),
        rename=TIMES,
    ):
        return done
    return render(request, "life/schedule.html", {"org": org, "form": form})


# --- the meeting page -------------------------------------------------------------------------


def _targets(m: Meeting) -> list[tuple[str, str]]:
    """What a correction may be about, as (target, label)."""
    return [(key, label) for key, label, _text in services.correction_targets(m)]


def _minutes_forms(record: dict, people, data=None):
    minutes = record.get("minutes")
    form = MinutesForm(data, initial={"content": minutes.content if minutes else ""})
    initial = [
        {"kind": i.kind, "speaker": i.speaker_id, "text": i.text} for i in record.get("items") or []
    ]
    formset = ItemFormSet(
        data, initial=initial, prefix="item", form_kwargs={"people_choices": people}
    )
    return form, formset


def _meeting_page(request, m: Meeting, *, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    record = selectors.record(user, m)
    frozen = bool(record.get("frozen"))
    can_manage = permissions.may_manage(user, m.org)
    may_record = permissions.may_record(user, m)
    live = m.status == MeetingStatus.SCHEDULED
    signing = selectors.sign_in_open(m)
    writable = may_record and m.status != MeetingStatus.CANCELLED and not frozen
    people = person_choices(user, m.org) if may_record else []
    person_id = getattr(user, "person_id", None)
    mine = next((a for a in record.get("attendance") or [] if a.person_id == person_id), None)
    my_leave = next(
        (r for r in record.get("leave_requests") or [] if r.person_id == person_id), None
    )
    context = {
        "m": m,
        "record": record,
        "frozen": frozen,
        "can_manage": can_manage,
        "may_record": may_record,
        "writable": writable,
        "live": live,
        "signing": signing,
        "mine": mine,
        "my_leave": my_leave,
        "poll": POLL_SECONDS,
        "now": timezone.now(),
    }
    if may_record and signing:  # the code stays up until the window ends, held or not
        url = request.build_absolute_uri(reverse("life:sign_in_token", args=[m.sign_in_token]))
        context["qr"] = _qr_svg(url)
        context["sign_in_url"] = url
    if may_record and live:
        context["cancel_form"] = bound.get("cancel") or CancelForm()
    if "minutes" in bound and not writable:  # e.g. frozen since the page was loaded
        form = bound["minutes"][0]
        context["minutes_refused"] = [e for errors in form.errors.values() for e in errors]
    if writable:
        if "minutes" in bound:
            context["minutes_form"], context["items_formset"] = bound["minutes"]
        else:
            context["minutes_form"], context["items_formset"] = _minutes_forms(record, people)
        context["action_form"] = bound.get("action") or ActionItemForm(
            people_choices=people, prefix="action"
        )
        context["attachment_form"] = bound.get("attachment") or AttachmentForm()
    if may_record and m.status != MeetingStatus.CANCELLED:
        context["close_form"] = True
    context["may_lock"] = may_record and m.status == MeetingStatus.HELD and not frozen
    if can_manage and frozen:
        context["correction_form"] = bound.get("correction") or CorrectionForm(
            targets=_targets(m), prefix="correction"
        )
    if record.get("corrections"):
        context["target_labels"] = dict(_targets(m))
    context.update(_attendance_context(user, m, record))
    return render(request, "life/meeting.html", context, status=status)


def _attendance_context(user, m: Meeting, record: dict) -> dict:
    rows = record.get("attendance") or []
    pending = [r for r in record.get("leave_requests") or [] if r.decision == LeaveDecision.PENDING]
    return {
        "attendance": rows,
        "pending_leave": pending,
        "decided_leave": [
            r for r in record.get("leave_requests") or [] if r.decision != LeaveDecision.PENDING
        ],
        "absent": max(0, m.expected_count - m.present_count - m.leave_count),
        "can_sign_for": permissions.may_record(user, m) and selectors.sign_in_open(m),
        "can_decide": permissions.may_manage(user, m.org) and m.status != MeetingStatus.CANCELLED,
        "Presence": Presence,
    }


@login_required
def meeting(request, meeting):
    return _meeting_page(request, _meeting_or_404(request, meeting))


@never_cache
@login_required
def attendance(request, meeting):
    """The attendance list alone (htmx polls it while the meeting runs)."""
    m = _meeting_or_404(request, meeting)
    record = selectors.record(request.user, m)
    context = {
        "m": m,
        "poll": POLL_SECONDS,
        "live": m.status == MeetingStatus.SCHEDULED,
        "signing": selectors.sign_in_open(m),
        "partial": True,  # refusals of an htmx sign-in/leave decision are shown in the list
    }
    context.update(_attendance_context(request.user, m, record))
    return render(request, "life/_attendance.html", context)


def _back(request, m: Meeting, anchor: str = ""):
    if request.headers.get("HX-Request"):
        return attendance(request, m.pk)
    return redirect(reverse("life:meeting", args=[m.pk]) + (f"#{anchor}" if anchor else ""))


def _refused(request, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.warning(request, text)  # Bootstrap has no "alert-error"


@login_required
def sign_in_for(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    form = PersonForm(request.POST)
    if form.is_valid():
        person = selectors.expected_person(request.user, m, form.cleaned_data["person"])
        if person is None:
            raise Http404(_("This person is not expected at the meeting."))
        try:
            services.sign_in_for(request.user, m, person)
        except ValidationError as exc:
            _refused(request, exc)
    return _back(request, m, "attendance")


@login_required
def decide_leave(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    form = DecideLeaveForm(request.POST)
    if form.is_valid():
        leave_request = selectors.leave_request(request.user, m, form.cleaned_data["leave"])
        if leave_request is None:
            raise Http404(_("No such leave request."))
        try:
            services.decide_leave(request.user, leave_request, approve=form.cleaned_data["approve"])
        except ValidationError as exc:
            _refused(request, exc)
    return _back(request, m, "attendance")


@login_required
def mark_held(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    try:
        m = services.mark_held(request.user, m)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        if m.quorum_met is False:
            messages.warning(request, _("Marked as held; the quorum was not met."))
        else:
            messages.success(request, _("Marked as held."))
    return redirect("life:meeting", m.pk)


@login_required
def lock_minutes(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    try:
        services.lock_minutes(request.user, m)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The minutes are locked."))
    return redirect(reverse("life:meeting", args=[m.pk]) + "#minutes")


@login_required
def cancel(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    form = CancelForm(request.POST)
    if done := submit(
        request,
        form,
        lambda d: services.cancel_meeting(request.user, m, reason=d["reason"]),
        done=_("The meeting has been cancelled."),
        to=reverse("life:meeting", args=[m.pk]),
    ):
        return done
    return _meeting_page(request, m, bound={"cancel": form}, status=400)


@login_required
def edit(request, meeting):
    m = _meeting_or_404(request, meeting)
    if not permissions.may_manage(request.user, m.org):
        raise PermissionDenied(_("You may not change this meeting."))
    people = person_choices(request.user, m.org)
    start, end = timezone.localtime(m.starts_at), timezone.localtime(m.ends_at)
    form = MeetingFieldsForm(
        form_data(request),
        people_choices=people,
        initial={
            "topic": m.topic,
            "day": start.date(),
            "start": start.time(),
            "end": end.time(),
            "place": m.place,
            "host": m.host_id,
            "recorder": m.recorder_id,
        },
    )

    def perform(d):
        persons = selectors.people_by_id(request.user, [d.get("host"), d.get("recorder")])
        return services.update_meeting(request.user, m, **form.meeting_fields(persons))

    if done := submit(
        request,
        form,
        perform,
        done=_("The meeting has been changed."),
        to=reverse("life:meeting", args=[m.pk]),
        rename=TIMES,
    ):
        return done
    return render(request, "life/edit.html", {"m": m, "form": form})


@login_required
def minutes(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    record = selectors.record(request.user, m)
    people = person_choices(request.user, m.org) if permissions.may_record(request.user, m) else []
    form, formset = _minutes_forms(record, people, request.POST)

    def perform(d):
        speakers = [f.cleaned_data.get("speaker") for f in formset.forms if f.cleaned_data]
        persons = selectors.people_by_id(request.user, speakers)
        return services.save_minutes(
            request.user, m, content=d["content"], items=formset.items(persons)
        )

    valid = form.is_valid() and formset.is_valid()
    if valid and (
        done := submit(
            request,
            form,
            perform,
            done=_("The minutes have been saved."),
            to=reverse("life:meeting", args=[m.pk]) + "#minutes",
        )
    ):
        return done
    return _meeting_page(request, m, bound={"minutes": (form, formset)}, status=400)


@login_required
def add_action(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    people = person_choices(request.user, m.org)
    form = ActionItemForm(request.POST, people_choices=people, prefix="action")

    def perform(d):
        owner = selectors.people_by_id(request.user, [d["owner"]]).get(d["owner"])
        return services.add_action_item(
            request.user, m, text=d["text"], owner=owner, due_on=d["due_on"]
        )

    if done := submit(
        request,
        form,
        perform,
        done=_("The task has been added."),
        to=reverse("life:meeting", args=[m.pk]) + "#actions",
    ):
        return done
    return _meeting_page(request, m, bound={"action": form}, status=400)


@login_required
def close_action(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    form = CloseActionForm(request.POST)
    if form.is_valid():
        item = selectors.action_item(request.user, m, form.cleaned_data["item"])
        if item is None:
            raise Http404(_("No such task."))
        try:
            services.close_action_item(request.user, item, follow_up=form.cleaned_data["follow_up"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The task has been closed."))
    return redirect(reverse("life:meeting", args=[m.pk]) + "#actions")


@login_required
def add_attachment(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    form = AttachmentForm(request.POST, request.FILES)
    if done := submit(
        request,
        form,
        lambda d: services.add_attachment(request.user, m, uploaded_file=d["file"]),
        done=_("The attachment has been added."),
        to=reverse("life:meeting", args=[m.pk]) + "#attachments",
        rename={"uploaded_file": "file"},
    ):
        return done
    return _meeting_page(request, m, bound={"attachment": form}, status=400)


@login_required
def attachment(request, meeting):
    """Download one attachment of a meeting the user may see (`?id=`)."""
    m = _meeting_or_404(request, meeting)
    pk = request.GET.get("id", "")
    found = selectors.attachment(request.user, m, int(pk)) if pk.isdigit() else None
    if found is None:
        raise Http404(_("No such attachment."))
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)
    response["Content-Type"] = found.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def correction(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    form = CorrectionForm(request.POST, targets=_targets(m), prefix="correction")
    if done := submit(
        request,
        form,
        lambda d: services.add_correction(
            request.user, m, target=d["target"], new=d["new"], reason=d["reason"]
        ),
        done=_("The correction has been appended."),
        to=reverse("life:meeting", args=[m.pk]) + "#corrections",
    ):
        return done
    return _meeting_page(request, m, bound={"correction": form}, status=400)


# --- compliance dashboard -----------------------------------------------------------------------


QUARTERS = ("Q1", "Q2", "Q3", "Q4")
MONTHS = tuple(f"{n:02d}" for n in range(1, 13))


def _period(request) -> tuple[int, str, str]:
    """(year, part, period): `?year=2026&part=` a quarter (Q1–Q4), a month (01–12) or nothing
    (the whole year); the period as the selectors read it (2026, 2026Q3, 2026-05)."""
    year = _year(request)
    part = request.GET.get("part") or ""
    if part in QUARTERS:
        return year, part, f"{year}{part}"
    if part in MONTHS:
        return year, part, f"{year}-{part}"
    if part:
        raise Http404(_("No such period."))
    return year, part, str(year)


def _part_choices(year: int) -> list[tuple[str, str]]:
    choices = [("", _("Whole year"))]
    for part, period in [(q, f"{year}{q}") for q in QUARTERS] + [
        (m, f"{year}-{m}") for m in MONTHS
    ]:
        choices.append((part, window_label(*selectors.period_bounds(period))))
    return choices


def _compliance_org(request):
    """?org=CODE (404 if not visible), else the switcher's, else the user's first top org."""
    code = request.GET.get("org")
    if code:
        return org_or_404(request, code)
    org = switcher.current_org(request)
    if org is None:
        tops = people_selectors.top_orgs(request.user)
        org = tops[0] if tops else None
    return org


@login_required
def compliance_xlsx(request):
    """The compliance page's figures as .xlsx: the same file as `jiceng life compliance
    --format xlsx` (meetings held by kind; the subtree, its subordinates, each organization)."""
    org = _compliance_org(request)
    if org is None:
        raise Http404(_("No such organization, or you may not see it."))
    period = _period(request)[2]
    data = exports.payload(selectors.meeting_figures(request.user, org, period=period))
    return xlsx_response(
        lambda out: exports.write_xlsx(data, out),
        f"{org.name}组织生活达标情况{data['start']}至{data['end']}.xlsx",
    )


@login_required
def compliance(request):
    """Upper levels: the subtree's totals and each subordinate organization's compliance
    (drill down by clicking); an organization's own kinds, windows and meetings."""
    user = request.user
    org = _compliance_org(request)
    year, part, period = _period(request)
    if org is None:
        return render(request, "life/compliance.html", {"org": None, "year": year})
    summary = selectors.meeting_figures(user, org, period=period)
    start, end = summary["start"], summary["end"]
    held_by_kind = summary["totals"]["held_by_kind"]
    held = selectors.latest_meetings(user, org, start=start, end=end, limit=100)
    return render(
        request,
        "life/compliance.html",
        {
            "org": org,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "part": part,
            "parts": _part_choices(year),
            "period_query": urlencode({"year": year, **({"part": part} if part else {})}),
            "held_by_kind": [
                {"kind": kind, "label": label, "held": held_by_kind[kind]}
                for kind, label in MeetingKind.choices
                if held_by_kind.get(kind)
            ],
            "summary": summary,
            "compliance_chart": [
                (c["org"].name, c["totals"]["compliance_rate"]) for c in summary["children"]
            ],
            "own": summary["own"],
            "kinds": [
                {
                    **k,
                    "label": MeetingKind(k["kind"]).label
                    if k["kind"] in MeetingKind.values
                    else k["kind"],
                }
                for k in (summary["own"] or {}).get("kinds", ())
            ],
            "today": timezone.localdate(),
            "meetings": held,
            "ancestors": selectors.visible_ancestors(user, org),
        },
    )


# --- the annual plan and the documents ------------------------------------------------------------


@login_required
def plan(request, code):
    org = org_or_404(request, code)
    year = _year(request)
    user = request.user
    current = selectors.plan(user, org, year)
    can_manage = permissions.may_plan(user, org)
    items = list(current.items.all()) if current else []
    data = form_data(request)
    if data is not None and not can_manage:
        raise PermissionDenied(_("You may not change this organization's plan."))
    form = PlanForm(data, initial={"note": current.note if current else ""})
    formset = PlanItemFormSet(
        data,
        prefix="item",
        initial=[{"month": i.month, "kind": i.kind, "topic": i.topic} for i in items],
        form_kwargs={"org": org},
    )
    valid = data is not None and form.is_valid() and formset.is_valid()
    if valid and (
        done := submit(
            request,
            form,
            lambda d: services.save_plan(
                user, org, year=year, items=formset.items(), note=d["note"]
            ),
            done=_("The annual plan has been saved."),
            to=reverse("life:plan", args=[org.code]) + f"?year={year}",
        )
    ):
        return done
    return render(
        request,
        "life/plan.html",
        {
            "org": org,
            "year": year,
            "plan": current,
            "items": items,
            "form": form,
            "formset": formset,
            "can_manage": can_manage,
        },
        status=400 if data is not None else 200,
    )


@login_required
def plan_document(request, code):
    from jiceng.documents import docx_response

    org = org_or_404(request, code)
    year = _year(request)
    current = selectors.plan(request.user, org, year)
    doc = documents.annual_plan(org, current, year)
    return docx_response(doc, f"{org.name}{year}年度组织生活计划.docx")


@login_required
def minutes_book(request, code):
    from jiceng.documents import DocumentError, docx_response, pdf_bytes, pdf_response

    org = org_or_404(request, code)
    year = _year(request)
    doc = documents.minutes_book(request.user, org, year)
    name = f"{org.name}{year}年会议记录本"
    if request.GET.get("format") == "pdf":
        try:
            return pdf_response(pdf_bytes(doc), name + ".pdf")
        except DocumentError as exc:
            return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    return docx_response(doc, name + ".docx")
