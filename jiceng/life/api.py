"""Organizational life API: meetings (list, detail with the record), signing in with the
short code or the QR token, asking for leave, the user's own meetings, and compliance.

The sign-in code and token are shown only to those who may sign others in (officers of the
organization and the meeting's recorder): a member who can read the meeting cannot sign in
without being there."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from jiceng.kernel.pagination import paginate
from jiceng.kernel.schemas import OrgRef
from jiceng.orgs.selectors import get_visible

from . import permissions, selectors, services
from .models import Meeting, MeetingKind

router = Router(tags=["life"])

MAX_ID = 2**31 - 1
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
MAX_SPAN_DAYS = 366 * 5  # compliance over at most five years per request
MeetingId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="会议编号")]


class MeetingOut(Schema):
    id: int
    org: OrgRef
    kind: str
    kind_label: str
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    status: str
    status_label: str
    expected: int = Field(description="应到人数")
    present: int = Field(description="实到人数")
    on_leave: int = Field(description="请假人数（已批准）")
    absent: int | None = Field(description="缺席人数（会议召开后）")
    quorum_met: bool | None = Field(description="是否达到法定人数；无此要求或未召开时为 null")
    freezes_on: dt.date = Field(description="会议记录锁定日期（此后只能追加更正）")
    minutes_locked_at: dt.datetime | None = Field(
        None, description="会议记录人工锁定的时间；未锁定为 null（锁定后只能追加更正）"
    )


class MeetingPage(Schema):
    items: list[MeetingOut]
    next: str | None


class MyMeetingOut(MeetingOut):
    my_presence: str = Field(description="我的出勤：expected（未签到）、present、leave")


class MyMeetingPage(Schema):
    items: list[MyMeetingOut]
    next: str | None


class AttendanceOut(Schema):
    name: str
    presence: str
    presence_label: str
    signed_at: dt.datetime | None
    method: str


class ItemOut(Schema):
    kind: str
    kind_label: str
    speaker: str | None
    text: str


class ActionOut(Schema):
    id: int
    text: str
    owner: str
    due_on: dt.date
    closed_on: dt.date | None
    follow_up: str


class MyTaskOut(ActionOut):
    meeting_id: int
    meeting_topic: str


class MyTaskPage(Schema):
    items: list[MyTaskOut]
    next: str | None


class TaskFilter(Schema):
    closed: bool = Field(False, description="true：已完成的任务")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class CloseTaskIn(Schema):
    follow_up: str = Field("", max_length=2000, description="完成情况")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class CorrectionOut(Schema):
    target: str
    old: str
    new: str
    reason: str
    made_by: str
    made_at: dt.datetime


class LeaveOut(Schema):
    id: int
    meeting: int
    name: str
    reason: str
    decision: str
    decision_label: str
    requested_at: dt.datetime


class SignInCodes(Schema):
    code: str
    token: str
    opens: dt.datetime
    closes: dt.datetime


class MeetingDetail(MeetingOut):
    host: str | None
    recorder: str | None
    frozen: bool
    minutes: str | None = Field(description="会议内容；尚无记录时为 null")
    items: list[ItemOut]
    action_items: list[ActionOut]
    attachments: list[AttachmentOut]
    corrections: list[CorrectionOut] = Field(description="锁定后追加的更正（原记录不变）")
    attendance: list[AttendanceOut] = Field(description="应到人员及出勤（可查看本组织者可见）")
    leave_requests: list[LeaveOut]
    sign_in: SignInCodes | None = Field(description="签到码（仅本组织管理人员和记录人可见）")


class MeetingFilter(Schema):
    org: str = Field(..., max_length=32, description="组织代码")
    subtree: bool = Field(False, description="含全部下级组织")
    start: dt.date | None = Field(None, description="开始日期（含）")
    end: dt.date | None = Field(None, description="结束日期（含）")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class MineFilter(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class SignInIn(Schema):
    code: str | None = Field(None, max_length=16, description="6 位签到码")
    token: str | None = Field(None, max_length=64, description="二维码中的签到令牌")


class SignedIn(Schema):
    meeting: MeetingOut
    presence: str
    method: str
    signed_at: dt.datetime | None


class LeaveIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200, description="请假事由")


class KindRow(Schema):
    kind: str
    kind_label: str
    every: int = Field(description="每 N 个月至少一次")
    required: int = Field(description="已结束的应开窗口数")
    held: int
    met_windows: int
    missed_windows: int
    due: dt.date | None = Field(description="当前窗口尚未召开时的截止日期")
    status: str = Field(description="met、due 或 missed")


class FigureOut(Schema):
    numerator: int
    denominator: int
    rate: float | None


HELD_BY_KIND = "各类会议已召开次数（键为会议种类代码）"


class ComplianceRow(Schema):
    org: OrgRef
    kinds: list[KindRow]
    meetings_held: int
    held_by_kind: dict[str, int] = Field(description=HELD_BY_KIND)
    compliance: FigureOut
    attendance: FigureOut


class ComplianceTotals(Schema):
    organizations: int = Field(description="有应开会议要求的组织数")
    compliant: int = Field(description="其中没有未开窗口的组织数")
    meetings_held: int
    held_by_kind: dict[str, int] = Field(description=HELD_BY_KIND)
    compliance: FigureOut
    attendance: FigureOut


class ComplianceFilter(Schema):
    org: str = Field(..., max_length=32, description="组织代码")
    period: str | None = Field(
        None,
        max_length=7,
        pattern=r"^\d{4}(Q[1-4]|H[12]|-\d{2})?$",
        description="期间：2026、2026H1、2026Q3 或 2026-05（代替 start/end）",
    )
    start: dt.date | None = Field(None, description="默认本年 1 月 1 日")
    end: dt.date | None = Field(None, description="默认本年 12 月 31 日")


class ComplianceOut(Schema):
    org: OrgRef
    period: str | None
    start: dt.date
    end: dt.date
    totals: ComplianceTotals = Field(description="本组织及下级（可见范围内）合计")
    rows: list[ComplianceRow]


def _check_dates(start, end) -> None:
    for name, day in (("start", start), ("end", end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationError({name: _("The date is out of range.")})
    if start and end and end < start:
        raise ValidationError({"end": _("The end date must not be before the start date.")})


def _meeting(m: Meeting) -> dict:
    held = m.status == "held"
    return {
        "id": m.pk,
        "org": m.org,
        "kind": m.kind,
        "kind_label": str(m.get_kind_display()),
        "topic": m.topic,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "place": m.place,
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "expected": m.expected_count,
        "present": m.present_count,
        "on_leave": m.leave_count,
        "absent": m.expected_count - m.present_count - m.leave_count if held else None,
        "quorum_met": m.quorum_met if held else None,
        "freezes_on": m.freezes_on,
        "minutes_locked_at": m.minutes_locked_at,
    }


def _leave(leave) -> dict:
    return {
        "id": leave.pk,
        "meeting": leave.meeting_id,
        "name": leave.person.name,
        "reason": leave.reason,
        "decision": leave.decision,
        "decision_label": str(leave.get_decision_display()),
        "requested_at": leave.requested_at,
    }


def _detail(user, m: Meeting) -> dict:
    record = selectors.record(user, m)
    sees_org = permissions.may_see_attendance(user, m)
    own = getattr(user, "person_id", None)
    attendance = [a for a in record["attendance"] if sees_org or a.person_id == own]
    leave = [x for x in record["leave_requests"] if sees_org or x.person_id == own]
    codes = None
    if permissions.may_record(user, m):
        codes = {
            "code": m.sign_in_code,
            "token": m.sign_in_token,
            "opens": m.sign_in_opens,
            "closes": m.sign_in_closes,
        }
    minutes = record["minutes"]
    return {
        **_meeting(m),
        "host": m.host.name if m.host else None,
        "recorder": m.recorder.name if m.recorder else None,
        "frozen": record["frozen"],
        "minutes": minutes.content if minutes else None,
        "items": [
            {
                "kind": i.kind,
                "kind_label": str(i.get_kind_display()),
                "speaker": i.speaker.name if i.speaker else None,
                "text": i.text,
            }
            for i in record["items"]
        ],
        "action_items": [_action(a) for a in record["action_items"]],
        "attachments": [
            {"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size}
            for a in record["attachments"]
        ],
        "corrections": [
            {
                "target": c.target,
                "old": c.old,
                "new": c.new,
                "reason": c.reason,
                "made_by": c.made_by.get_full_name() or c.made_by.username,
                "made_at": c.made_at,
            }
            for c in record["corrections"]
        ],
        "attendance": [
            {
                "name": a.person.name,
                "presence": a.presence,
                "presence_label": str(a.get_presence_display()),
                "signed_at": a.signed_at,
                "method": a.method,
            }
            for a in attendance
        ],
        "leave_requests": [_leave(x) for x in leave],
        "sign_in": codes,
    }


@router.get("/meetings", response=MeetingPage, summary="组织的会议和活动（游标分页）")
def list_meetings(request, filters: Query[MeetingFilter]):
    _check_dates(filters.start, filters.end)
    org = get_visible(request.user, filters.org)
    found = selectors.meetings(
        request.user, org=org, start=filters.start, end=filters.end, subtree=filters.subtree
    )
    page = paginate(found, key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_meeting(m) for m in page.items], "next": page.next_cursor}


@router.get(
    "/meetings/{id}",
    response=MeetingDetail,
    summary="会议详情：出勤、请假、会议记录、任务、附件和锁定后的更正",
)
def get_meeting(request, id: MeetingId):
    return _detail(request.user, selectors.meeting(request.user, id))


@router.post(
    "/sign-in",
    response={201: SignedIn},
    summary="本人签到：输入签到码或扫描二维码（仅在签到时段内有效，重复签到不重复计数）",
)
def sign_in(request, payload: SignInIn):
    att = services.sign_in(request.user, code=payload.code, token=payload.token)
    return Status(
        201,
        {
            "meeting": _meeting(att.meeting),
            "presence": att.presence,
            "method": att.method,
            "signed_at": att.signed_at,
        },
    )


@router.post(
    "/meetings/{id}/leave", response={201: LeaveOut}, summary="本人请假（会议结束前，待审批）"
)
def request_leave(request, id: MeetingId, payload: LeaveIn):
    m = selectors.meeting(request.user, id)
    leave = services.request_leave(request.user, m, reason=payload.reason)
    return Status(201, _leave(leave))


@router.post(
    "/meetings/{id}/minutes/lock",
    response=MeetingOut,
    summary="锁定会议记录（记录人或本组织管理者；会议须已召开，锁定后只能追加更正）",
)
def lock_minutes(request, id: MeetingId):
    m = selectors.meeting(request.user, id)
    return _meeting(services.lock_minutes(request.user, m))


@router.get("/my-meetings", response=MyMeetingPage, summary="我应参加的会议及我的出勤")
def my_meetings(request, filters: Query[MineFilter]):
    _check_dates(filters.start, filters.end)
    found = selectors.my_meetings(request.user, start=filters.start, end=filters.end)
    page = paginate(found, key="id", cursor=filters.cursor, limit=filters.limit)
    return {
        "items": [{**_meeting(m), "my_presence": m.my_presence} for m in page.items],
        "next": page.next_cursor,
    }


def _action(a) -> dict:
    return {
        "id": a.pk,
        "text": a.text,
        "owner": a.owner.name,
        "due_on": a.due_on,
        "closed_on": a.closed_on,
        "follow_up": a.follow_up,
    }


@router.get("/my-tasks", response=MyTaskPage, summary="交办给我的任务（未完成的按期限排序）")
def my_tasks(request, filters: Query[TaskFilter]):
    found = selectors.my_action_items(request.user, closed=filters.closed)
    page = paginate(found, key="id", cursor=filters.cursor, limit=filters.limit)
    return {
        "items": [
            {**_action(a), "meeting_id": a.meeting_id, "meeting_topic": a.meeting.topic}
            for a in page.items
        ],
        "next": page.next_cursor,
    }


@router.post("/my-tasks/{id}/close", response=MyTaskOut, summary="本人完成交办任务并说明结果")
def close_my_task(request, id: Annotated[int, Path(ge=1)], payload: CloseTaskIn):
    item = selectors.my_action_item(request.user, id)  # 404 unless mine and open
    item = services.close_action_item(request.user, item, follow_up=payload.follow_up)
    return {**_action(item), "meeting_id": item.meeting_id, "meeting_topic": item.meeting.topic}


@router.get(
    "/compliance",
    response=ComplianceOut,
    summary="组织生活达标情况：本组织及下级各类会议应开、已开、未开窗口，出勤率",
)
def compliance(request, filters: Query[ComplianceFilter]):
    year = timezone.localdate().year
    if filters.period:
        if filters.start or filters.end:
            raise ValidationError({"period": _("Give either a period or start and end dates.")})
        try:
            start, end = selectors.period_bounds(filters.period)
        except ValueError:
            raise ValidationError({"period": _("This is not one of the allowed values.")}) from None
    else:
        start = filters.start or dt.date(year, 1, 1)
        end = filters.end or dt.date(year, 12, 31)
    _check_dates(start, end)
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValidationError({"end": _("Ask for at most five years at a time.")})
    org = filters.org
    target = get_visible(request.user, org)
    labels = dict(MeetingKind.choices)
    summary = selectors.compliance_summary(request.user, target, start=start, end=end)
    totals = summary["totals"]
    return {
        "org": target,
        "period": filters.period,
        "start": start,
        "end": end,
        "totals": {
            **totals,
            "held_by_kind": dict(totals["held_by_kind"]),
            "compliance": totals["compliance"].as_dict(),
            "attendance": totals["attendance"].as_dict(),
        },
        "rows": [
            {
                "org": r["org"],
                "kinds": [
                    {**k, "kind_label": str(labels.get(k["kind"], k["kind"]))} for k in r["kinds"]
                ],
                "meetings_held": r["meetings_held"],
                "held_by_kind": r["held_by_kind"],
                "compliance": r["compliance"].as_dict(),
                "attendance": r["attendance"].as_dict(),
            }
            for r in summary["rows"]
        ],
    }
