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

from jiceng.access import gate
from jiceng.kernel.forms import add_service_errors, form_data, submit
from jiceng.orgs import selectors as orgs
from jiceng.orgs import switcher
from jiceng.orgs.shortcuts import org_or_404
from jiceng.people import selectors as people_selectors
from jiceng.people.models import Person

from . import documents, selectors, services
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
    ActivityPlan,
    Attendance,
    LeaveDecision,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Notification,
    PlanItem,
    Presence,
)

NOTIFICATION_LIMIT = 100
MY_MEETINGS_DAYS = 60  # "my meetings": the coming ones and those of the last two months
MY_TASKS_LIMIT = 100  # "my meetings": the user's open tasks, soonest due first
POLL_SECONDS = 5

# --- lookups --------------------------------------------------------------------------------


def _meeting_or_404(request, pk) -> Meeting:
    try:
        return selectors.meeting(request.user, pk)
    except Meeting.DoesNotExist:
        raise Http404(_("No such meeting, or you may not see it.")) from None


def _my_meeting_or_404(request, pk) -> Meeting:
    """A meeting where the user is expected (members without any role included)."""
    found = selectors.my_meetings(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such meeting, or you are not expected at it."))
    return found


def _persons(ids) -> dict:
    ids = [i for i in ids if i]
    return Person.objects.in_bulk(ids) if ids else {}


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404(_("No such year.")) from None
    if not 1921 <= year <= 2200:
        raise Http404(_("No such year."))
    return year


def _may_record(user, meeting) -> bool:
    """Managers of the organization and the meeting's recorder see the recorder's tools."""
    if gate.can(user, gate.MANAGE, meeting.org):
        return True
    person_id = getattr(user, "person_id", None)
    return person_id is not None and person_id == meeting.recorder_id


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=True)


# --- "my meetings", sign-in, leave ----------------------------------------------------------


@login_required
def my_meetings(request):
    today = timezone.localdate()
    start = today - dt.timedelta(days=MY_MEETINGS_DAYS)
    found = list(selectors.my_meetings(request.user, start=start))
    person_id = getattr(request.user, "person_id", None)
    ids = [m.pk for m in found]
    # The user's own rows only (their person), two queries for the whole list.
    mine = {
        a.meeting_id: a for a in Attendance.objects.filter(meeting__in=ids, person_id=person_id)
    }
    leaves = {
        r.meeting_id: r for r in LeaveRequest.objects.filter(meeting__in=ids, person_id=person_id)
    }
    rows = [{"meeting": m, "attendance": mine.get(m.pk), "leave": leaves.get(m.pk)} for m in found]
    coming = [r for r in rows if r["meeting"].ends_at >= timezone.now()]
    past = [r for r in rows if r["meeting"].ends_at < timezone.now()][::-1]
    tasks = list(selectors.my_action_items(request.user)[:MY_TASKS_LIMIT])
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
        item = selectors.my_action_items(request.user).filter(pk=form.cleaned_data["item"]).first()
        if item is None:
            raise Http404(_("No such task, or it is not yours."))
        try:
            services.close_action_item(request.user, item, follow_up=form.cleaned_data["follow_up"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The task has been closed."))
    return redirect(reverse("life:my_meetings") + "#my-tasks")


def _sign_in(request, *, code=None, token=None):
    try:
        attendance = services.sign_in(request.user, code=code, token=token)
    except ValidationError as exc:
        return None, exc
    except PermissionDenied as exc:  # a login without a person record
        return None, ValidationError(str(exc))
    return attendance, None


@never_cache
@login_required
def sign_in(request):
    """The member's sign-in page: a box for the 6-digit code shown at the meeting."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        attendance, error = _sign_in(request, code=form.cleaned_data["code"])
        if error is None:
            messages.success(
                request,
                _("Signed in to “%(topic)s” at %(time)s.")
                % {
                    "topic": attendance.meeting.topic,
                    "time": timezone.localtime(attendance.signed_at).strftime("%H:%M"),
                },
            )
            return redirect("life:my_meetings")
        add_service_errors(form, error, rename={"token": "code"})
    return render(request, "life/sign_in.html", {"form": form})


@never_cache
@login_required
def sign_in_token(request, sign_in_token):
    """Where the QR code points: confirm, then sign in (a GET never signs anyone in)."""
    token = sign_in_token
    meeting = selectors.my_meetings(request.user).filter(sign_in_token=token).first()
    if meeting is None:
        raise Http404(_("No such meeting, or you are not expected at it."))
    error = None
    if request.method == "POST":
        attendance, exc = _sign_in(request, token=token)
        if exc is None:
            messages.success(
                request,
                _("Signed in to “%(topic)s” at %(time)s.")
                % {
                    "topic": attendance.meeting.topic,
                    "time": timezone.localtime(attendance.signed_at).strftime("%H:%M"),
                },
            )
            return redirect("life:my_meetings")
        error = exc.messages
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


def _my_notifications(user):
    # Only the user's own notices: nothing of anyone else can be reached from here.
    return Notification.objects.filter(user=user)


@login_required
def notifications(request):
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
        services.mark_notifications_read(request.user, ids=ids)
        return redirect("life:notifications")
    items = list(
        _my_notifications(request.user).order_by("-created_at", "-pk")[:NOTIFICATION_LIMIT]
    )
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
            "can_manage": org.is_active and gate.can(request.user, gate.MANAGE, org),
        },
    )


def _plan_choices(org, year: int) -> list[tuple[int, str]]:
    plan = ActivityPlan.objects.filter(org=org, year=year).first()
    if plan is None:
        return []
    return [(i.pk, f"{i.month}月 · {i.topic}") for i in plan.items.all()]


@login_required
def schedule(request, code):
    org = org_or_404(request, code)
    if not org.is_active or not gate.can(request.user, gate.MANAGE, org):
        raise PermissionDenied(_("You may not schedule meetings for this organization."))
    people = person_choices(request.user, org)
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        org=org,
        people_choices=people,
        plan_choices=_plan_choices(org, timezone.localdate().year),
        initial={k: request.GET[k] for k in ("kind", "day") if request.GET.get(k)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        persons = _persons([d.get("host"), d.get("recorder"), *d["attendees"]])
        plan_item = None
        if d.get("plan_item"):
            plan_item = PlanItem.objects.filter(pk=d["plan_item"], plan__org=org).first()
        try:
            m = services.schedule_meeting(
                request.user,
                org,
                kind=d["kind"],
                attendees=[persons[i] for i in d["attendees"] if i in persons] or None,
                plan_item=plan_item,
                **form.meeting_fields(persons),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"starts_at": "start", "ends_at": "end"})
        else:
            messages.success(
                request,
                _("The meeting has been scheduled; %(n)s people are expected and notified.")
                % {"n": m.expected_count},
            )
            return redirect("life:meeting", m.pk)
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
    can_manage = gate.can(user, gate.MANAGE, m.org)
    may_record = _may_record(user, m)
    live = m.status == MeetingStatus.SCHEDULED
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
        "mine": mine,
        "my_leave": my_leave,
        "poll": POLL_SECONDS,
        "now": timezone.now(),
    }
    if may_record and live:
        url = request.build_absolute_uri(reverse("life:sign_in_token", args=[m.sign_in_token]))
        context["qr"] = _qr_svg(url)
        context["sign_in_url"] = url
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
        "can_sign_for": _may_record(user, m) and m.status == MeetingStatus.SCHEDULED,
        "can_decide": gate.can(user, gate.MANAGE, m.org) and m.status != MeetingStatus.CANCELLED,
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
        row = m.attendance.filter(person_id=form.cleaned_data["person"]).select_related("person")
        row = row.first()
        if row is None:
            raise Http404(_("This person is not expected at the meeting."))
        try:
            services.sign_in_for(request.user, m, row.person)
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
        leave_request = m.leave_requests.filter(pk=form.cleaned_data["leave"]).first()
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
def cancel(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_meeting(request.user, m, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting has been cancelled."))
            return redirect("life:meeting", m.pk)
    return _meeting_page(request, m, bound={"cancel": form}, status=400)


@login_required
def edit(request, meeting):
    m = _meeting_or_404(request, meeting)
    if not gate.can(request.user, gate.MANAGE, m.org):
        raise PermissionDenied(_("You may not change this meeting."))
    people = person_choices(request.user, m.org)
    start, end = timezone.localtime(m.starts_at), timezone.localtime(m.ends_at)
    form = MeetingFieldsForm(
        request.POST if request.method == "POST" else None,
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
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        persons = _persons([d.get("host"), d.get("recorder")])
        try:
            services.update_meeting(request.user, m, **form.meeting_fields(persons))
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"starts_at": "start", "ends_at": "end"})
        else:
            messages.success(request, _("The meeting has been changed."))
            return redirect("life:meeting", m.pk)
    return render(request, "life/edit.html", {"m": m, "form": form})


@login_required
def minutes(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    record = selectors.record(request.user, m)
    people = person_choices(request.user, m.org) if _may_record(request.user, m) else []
    form, formset = _minutes_forms(record, people, request.POST)
    if form.is_valid() and formset.is_valid():
        persons = _persons([f.cleaned_data.get("speaker") for f in formset.forms if f.cleaned_data])
        try:
            services.save_minutes(
                request.user,
                m,
                content=form.cleaned_data["content"],
                items=formset.items(persons),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The minutes have been saved."))
            return redirect(reverse("life:meeting", args=[m.pk]) + "#minutes")
    return _meeting_page(request, m, bound={"minutes": (form, formset)}, status=400)


@login_required
def add_action(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    people = person_choices(request.user, m.org)
    form = ActionItemForm(request.POST, people_choices=people, prefix="action")
    if form.is_valid():
        d = form.cleaned_data
        owner = _persons([d["owner"]]).get(d["owner"])
        try:
            services.add_action_item(
                request.user, m, text=d["text"], owner=owner, due_on=d["due_on"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The task has been added."))
            return redirect(reverse("life:meeting", args=[m.pk]) + "#actions")
    return _meeting_page(request, m, bound={"action": form}, status=400)


@login_required
def close_action(request, meeting):
    m = _meeting_or_404(request, meeting)
    if request.method != "POST":
        return redirect("life:meeting", m.pk)
    form = CloseActionForm(request.POST)
    if form.is_valid():
        item = m.action_items.filter(pk=form.cleaned_data["item"]).first()
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
    if form.is_valid():
        try:
            services.add_attachment(request.user, m, uploaded_file=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"uploaded_file": "file"})
        else:
            messages.success(request, _("The attachment has been added."))
            return redirect(reverse("life:meeting", args=[m.pk]) + "#attachments")
    return _meeting_page(request, m, bound={"attachment": form}, status=400)


@login_required
def attachment(request, meeting):
    """Download one attachment of a meeting the user may see (`?id=`)."""
    m = _meeting_or_404(request, meeting)
    pk = request.GET.get("id", "")
    found = m.attachments.filter(pk=int(pk)).first() if pk.isdigit() else None
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
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_correction(
                request.user, m, target=d["target"], new=d["new"], reason=d["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The correction has been appended."))
            return redirect(reverse("life:meeting", args=[m.pk]) + "#corrections")
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


@login_required
def compliance(request):
    """Upper levels: the subtree's totals and each subordinate organization's compliance
    (drill down by clicking); an organization's own kinds, windows and meetings."""
    user = request.user
    code = request.GET.get("org")
    if code:
        org = org_or_404(request, code)
    else:
        org = switcher.current_org(request)
        if org is None:
            tops = people_selectors.top_orgs(user)
            org = tops[0] if tops else None
    year, part, period = _period(request)
    if org is None:
        return render(request, "life/compliance.html", {"org": None, "year": year})
    summary = selectors.meeting_figures(user, org, period=period)
    start, end = summary["start"], summary["end"]
    held_by_kind = summary["totals"]["held_by_kind"]
    held = (
        selectors.meetings(user, org=org, start=start, end=end)
        .filter(org=org)
        .order_by("-starts_at")[:100]
    )
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
            "ancestors": orgs.ancestors(org).filter(pk__in=orgs.visible_orgs(user)),
        },
    )


# --- the annual plan and the documents ------------------------------------------------------------


@login_required
def plan(request, code):
    org = org_or_404(request, code)
    year = _year(request)
    user = request.user
    current = ActivityPlan.objects.filter(org=org, year=year).first()
    can_manage = org.is_active and gate.can(user, gate.MANAGE, org)
    items = list(current.items.all()) if current else []
    data = request.POST if request.method == "POST" else None
    if data is not None and not can_manage:
        raise PermissionDenied(_("You may not change this organization's plan."))
    form = PlanForm(data, initial={"note": current.note if current else ""})
    formset = PlanItemFormSet(
        data,
        prefix="item",
        initial=[{"month": i.month, "kind": i.kind, "topic": i.topic} for i in items],
        form_kwargs={"org": org},
    )
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            services.save_plan(
                user, org, year=year, items=formset.items(), note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The annual plan has been saved."))
            return redirect(reverse("life:plan", args=[org.code]) + f"?year={year}")
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
    current = ActivityPlan.objects.filter(org=org, year=year).first()
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
