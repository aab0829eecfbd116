"""Documents of organizational life: an organization's minutes book (会议记录本) for a year and
its annual activity plan, as official documents (`jiceng.documents`, GB/T 9704 layout).

Everything is read through `life.selectors` as the acting user, so a document holds only what
that user may see. The minutes are printed as they were written; a correction made after the
freeze follows its meeting under "更正记录", with who made it, when and why, never merged in.

`EXPORT_DOCUMENTS` registers the kinds `jiceng export KIND` can write (see
jiceng/orgs/management/commands/export.py for the protocol).
"""

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone, translation

from jiceng.documents import OfficialDocument, cn_date

from .models import ActivityPlan, ItemKind, MeetingKind, MeetingStatus

ITEM_LABELS = {
    ItemKind.AGENDA: "议程",
    ItemKind.SPEECH: "发言",
    ItemKind.CRITICISM: "批评",
    ItemKind.SELF_CRITICISM: "自我批评",
    ItemKind.RESOLUTION: "决议",
}
STATUS_LABELS = {
    MeetingStatus.SCHEDULED: "未召开",
    MeetingStatus.HELD: "已召开",
    MeetingStatus.CANCELLED: "已取消",
}
METHOD_LABELS = {"code": "签到码", "qr": "扫码", "recorder": "记录人代签"}


def _kind_label(kind: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(MeetingKind(kind).label) if kind in MeetingKind.values else kind


def _name(person) -> str:
    return person.name if person is not None else ""


def _when(meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    text = f"{cn_date(start.date())} {start:%H:%M}—"
    if end.date() != start.date():
        text += cn_date(end.date()) + " "
    return text + f"{end:%H:%M}"


def _lines(doc: OfficialDocument, text: str) -> None:
    for line in (text or "").splitlines():
        if line.strip():
            doc.paragraph(line.strip())


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def year_meetings(user, org, year: int) -> list:
    """The organization's meetings of the year (its own, not its subordinates'), in order."""
    from . import selectors

    start, end = year_bounds(year)
    found = selectors.meetings(user, org=org, start=start, end=end).filter(org=org)
    return list(found.order_by("starts_at", "pk"))


# --- The minutes book ---------------------------------------------------------------------


def _attendance_lines(doc: OfficialDocument, meeting, record: dict) -> None:
    rows = record.get("attendance") or []
    present = [a for a in rows if a.presence == "present"]
    leave = [a for a in rows if a.presence == "leave"]
    absent = [a for a in rows if a.presence == "expected"]
    expected = meeting.expected_count
    counts = f"应到{expected}人，实到{meeting.present_count}人，请假{meeting.leave_count}人"
    if meeting.status == MeetingStatus.HELD:
        counts += f"，缺席{max(0, expected - meeting.present_count - meeting.leave_count)}人"
    doc.paragraph(counts + "。", label="出席情况：", indent=False)
    if present:
        names = "、".join(
            a.person.name + ("（代签）" if a.method == "recorder" else "") for a in present
        )
        doc.paragraph(names, label="出席人员：", indent=False)
    if leave:
        doc.paragraph("、".join(a.person.name for a in leave), label="请假人员：", indent=False)
    if absent and meeting.status == MeetingStatus.HELD:
        doc.paragraph("、".join(a.person.name for a in absent), label="缺席人员：", indent=False)
    if meeting.quorum_met is not None:
        doc.paragraph(
            "到会人数符合规定。" if meeting.quorum_met else "到会人数未达到规定人数。",
            label="有效人数：",
            indent=False,
        )


def _correction_target(target: str, record: dict) -> str:
    if target == "content":
        return "会议内容"
    kind, _sep, ident = target.partition(":")
    if kind == "item":
        for position, item in enumerate(record.get("items") or [], 1):
            if str(item.pk) == ident:
                return f"第{position}条记录（{ITEM_LABELS.get(item.kind, item.kind)}）"
        return "记录条目"
    if kind == "action":
        return "工作任务"
    if kind == "attendance":
        for a in record.get("attendance") or []:
            if str(a.person_id) == ident:
                return f"{a.person.name}的出席情况"
        return "出席情况"
    return target


def _meeting_section(doc: OfficialDocument, meeting, record: dict) -> None:
    doc.heading(1, f"{_kind_label(meeting.kind)}：{meeting.topic}")
    doc.paragraph(_when(meeting), label="时间：", indent=False)
    if meeting.place:
        doc.paragraph(meeting.place, label="地点：", indent=False)
    if meeting.host_id:
        doc.paragraph(_name(meeting.host), label="主持人：", indent=False)
    if meeting.recorder_id:
        doc.paragraph(_name(meeting.recorder), label="记录人：", indent=False)
    _attendance_lines(doc, meeting, record)

    minutes = record.get("minutes")
    items = record.get("items") or []
    doc.heading(2, "会议记录")
    if minutes is not None and minutes.content.strip():
        _lines(doc, minutes.content)
    elif not items:
        doc.paragraph("（无记录）")
    for item in items:
        label = ITEM_LABELS.get(item.kind, item.kind)
        speaker = f"{item.speaker.name}：" if item.speaker_id else ""
        doc.paragraph(speaker + item.text, label=f"【{label}】")

    actions = record.get("action_items") or []
    if actions:
        doc.heading(2, "工作任务")
        doc.table(
            ["事项", "负责人", "完成期限", "完成情况"],
            [
                [
                    a.text,
                    _name(a.owner),
                    cn_date(a.due_on),
                    (f"{cn_date(a.closed_on)}完成" + (f"：{a.follow_up}" if a.follow_up else ""))
                    if a.closed_on
                    else "未完成",
                ]
                for a in actions
            ],
            widths=[62, 26, 32, 36],
        )
    attachments = record.get("attachments") or []
    if attachments:
        doc.heading(2, "附件")
        for n, a in enumerate(attachments, 1):
            doc.paragraph(f"{n}. {a.name}", indent=False)
    corrections = record.get("corrections") or []
    if corrections:
        doc.heading(2, "更正记录")
        doc.paragraph("以下更正在会议记录锁定后追加，原记录保持不变。")
        for c in corrections:
            made = timezone.localtime(c.made_at)
            who = c.made_by.get_full_name() or c.made_by.get_username()
            text = f"{cn_date(made.date())}，{who}更正{_correction_target(c.target, record)}。"
            if c.old:
                text += f"原文：“{c.old}”；"
            text += f"更正为：“{c.new}”；理由：{c.reason}。"
            doc.paragraph(text, label="【更正】")


def minutes_book(user, org, year: int) -> OfficialDocument:
    """The minutes book (会议记录本) of `org` for `year`: a list of the year's meetings, then
    each meeting that was held or has minutes, with its attendance, minutes, tasks and
    corrections. Raises Meeting.DoesNotExist never: meetings out of sight are simply absent."""
    from . import selectors

    meetings = year_meetings(user, org, year)
    doc = OfficialDocument(f"{org.name}\n会议记录本（{year}年）", issuer=org.name)
    held = sum(1 for m in meetings if m.status == MeetingStatus.HELD)
    doc.paragraph(
        f"本记录本收录{org.name}{year}年度的会议和活动{len(meetings)}次，其中已召开{held}次。"
        "会议记录在规定期限后锁定，此后的更正均以“更正记录”附于该次会议之后。"
    )
    if meetings:
        doc.table(
            ["序号", "日期", "类型", "议题", "实到/应到", "状态"],
            [
                [
                    n,
                    timezone.localtime(m.starts_at).strftime("%m-%d"),
                    _kind_label(m.kind),
                    m.topic,
                    f"{m.present_count}/{m.expected_count}",
                    STATUS_LABELS.get(m.status, m.status),
                ]
                for n, m in enumerate(meetings, 1)
            ],
            widths=[14, 18, 32, 50, 22, 20],
            size="小四",
        )
    else:
        doc.paragraph("本年度没有会议记录。")
    for m in meetings:
        if m.status == MeetingStatus.CANCELLED:
            continue
        record = selectors.record(user, m)
        if m.status != MeetingStatus.HELD and record.get("minutes") is None:
            continue
        _meeting_section(doc, m, record)
    doc.signature(seal=False, date=timezone.localdate())
    return doc


# --- The annual plan ------------------------------------------------------------------------


def annual_plan(org, plan: ActivityPlan | None, year: int) -> OfficialDocument:
    """The annual activity plan as a document; `plan` is read by the caller (a visible org)."""
    doc = OfficialDocument(f"{org.name}\n{year}年度组织生活计划", issuer=org.name)
    items = list(plan.items.all()) if plan is not None else []
    if plan is not None and plan.note.strip():
        _lines(doc, plan.note)
    doc.heading(1, "全年安排")
    if items:
        doc.table(
            ["月份", "类型", "主题"],
            [[f"{i.month}月", _kind_label(i.kind), i.topic] for i in items],
            widths=[20, 46, 90],
        )
    else:
        doc.paragraph("（尚未列入计划事项）")
    doc.signature(
        seal=False,
        date=timezone.localtime(plan.updated_at).date() if plan else timezone.localdate(),
    )
    return doc


# --- Registration for `jiceng export` -------------------------------------------------------


class DocumentKind(NamedTuple):
    help: str
    # argparse options the kind needs beyond --org/-o/--pdf/--as: (flags, kwargs)
    arguments: tuple
    build: Callable  # build(actor, org, **options) -> OfficialDocument


def _minutes_book(actor, org, *, year, **_options):
    return minutes_book(actor, org, year)


def _annual_plan(actor, org, *, year, **_options):
    # `org` is visible to `actor` (the export command looked it up through the gate).
    return annual_plan(org, ActivityPlan.objects.filter(org=org, year=year).first(), year)


EXPORT_DOCUMENTS = {
    "minutes-book": DocumentKind(
        help="会议记录本：一个组织一年的会议记录（.docx，--pdf 另存 PDF）",
        arguments=((("--year",), {"type": int, "metavar": "YYYY", "help": "the year"}),),
        build=_minutes_book,
    ),
    "activity-plan": DocumentKind(
        help="年度组织生活计划（.docx，--pdf 另存 PDF）",
        arguments=((("--year",), {"type": int, "metavar": "YYYY", "help": "the year"}),),
        build=_annual_plan,
    ),
}
