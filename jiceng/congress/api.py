"""Congress API: sessions with attendance, quorum, reports and resolutions; proposals with their
timeline, next steps and figures; recording a proposal step; rationalization proposals."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from jiceng.kernel.pagination import paginate
from jiceng.kernel.schemas import OrgRef, StepOut, step_out
from jiceng.orgs.selectors import get_visible

from . import flows, selectors, services
from .models import ProposalState, Satisfaction, SuggestionState

router = Router(tags=["congress"])

MAX_ID = 2**31 - 1
RecordId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="记录编号")]


class AttendanceRow(Schema):
    category: str
    label: str
    due: int | None = Field(description="应到（代表名册）；非代表人员为空")
    present: int


class QuorumOut(Schema):
    base: int = Field(description="应到职工代表（有表决权）")
    present: int
    needed: int = Field(description="法定最少到会人数（按政策）")
    recorded: bool
    met: bool


class ReportOut(Schema):
    title: str
    reporter: str
    adopted: bool | None


class ResolutionOut(Schema):
    text: str
    votes_for: int
    votes_against: int
    abstentions: int
    adopted: bool


class SessionOut(Schema):
    id: int
    org: OrgRef
    kind: str
    label: str = Field(description="届次，如“六届三次”")
    title: str
    term: int
    number: int
    held_on: dt.date
    place: str
    theme: str


class SessionPage(Schema):
    items: list[SessionOut]
    next: str | None


class FiguresOut(Schema):
    total: int
    by_category: dict[str, int]
    by_state: dict[str, int]
    accepted: int
    opinions: int
    replies_due: int
    on_time: int
    overdue: int
    on_time_rate: float | None
    responses: int
    satisfied: int
    satisfaction: dict[str, int]
    satisfaction_rate: float | None
    excellent: int


class SessionDetail(SessionOut):
    attendance: list[AttendanceRow]
    total_present: int
    quorum: QuorumOut
    reports: list[ReportOut]
    resolutions: list[ResolutionOut]
    figures: FiguresOut


class SessionFilter(Schema):
    org: str = Field(..., max_length=32, description="工会组织代码")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


def _session(s) -> dict:
    return {
        "id": s.pk,
        "org": s.org,
        "kind": s.kind,
        "label": s.label,
        "title": s.title,
        "term": s.term,
        "number": s.number,
        "held_on": s.held_on,
        "place": s.place,
        "theme": s.theme,
    }


def _figures(f: dict) -> dict:
    return {
        **{k: f[k] for k in FiguresOut.model_fields if k in f and not isinstance(f[k], list)},
        "by_category": {str(c): n for c, n in f["by_category"]},
        "by_state": {k: n for k, _label, n in f["by_state"]},
        "satisfaction": {k: n for k, _label, n in f["satisfaction"]},
    }


@router.get("/sessions", response=SessionPage, summary="工会的职工代表大会届次（游标分页）")
def list_sessions(request, filters: Query[SessionFilter]):
    org = get_visible(request.user, filters.org)
    page = paginate(
        selectors.sessions(request.user, org), key="id", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_session(s) for s in page.items], "next": page.next_cursor}


@router.get(
    "/sessions/{id}",
    response=SessionDetail,
    summary="一次职代会：分类出席人数、法定人数、审议报告、决议和提案统计",
)
def get_session(request, id: RecordId):
    user = request.user
    s = selectors.get_session(user, id)
    att = selectors.attendance(user, s)
    return {
        **_session(s),
        "attendance": [
            {
                "category": r["key"],
                "label": str(r["label"]),
                "due": r["due"],
                "present": r["present"],
            }
            for r in att["rows"]
        ],
        "total_present": att["total"],
        "quorum": att["quorum"],
        "reports": selectors.reports(user, s),
        "resolutions": selectors.resolutions(user, s),
        "figures": _figures(selectors.figures(user, s)),
    }


class TimelineStepOut(Schema):
    step: str
    label: str
    on: dt.date
    note: str
    data: dict


class ProposalOut(Schema):
    id: int
    session: int
    session_label: str
    number: int
    title: str
    proposer: str
    submitted_on: dt.date
    state: str
    state_label: str
    category: str
    department: str
    leader: str
    reply_due: dt.date | None
    replied_on: dt.date | None
    on_time: bool | None
    satisfaction: str
    excellent: bool


class ProposalDetail(ProposalOut):
    reasons: str
    measures: str
    seconders: list[str]
    opinion_reason: str
    reply: str
    timeline: list[TimelineStepOut]
    next_steps: list[StepOut]


class ProposalPage(Schema):
    items: list[ProposalOut]
    next: str | None


class ProposalFilter(Schema):
    org: str = Field(..., max_length=32, description="工会组织代码")
    session: int | None = Field(None, ge=1, le=MAX_ID, description="职代会届次编号（默认全部）")
    category: str | None = Field(None, max_length=40)
    state: str | None = Field(None, max_length=12, description="状态；overdue 为答复逾期")
    q: str = Field("", max_length=60)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


_STATE_LABELS = dict(ProposalState.choices)


def _proposal(p) -> dict:
    return {
        "id": p.pk,
        "session": p.session_id,
        "session_label": p.session.label,
        "number": p.number,
        "title": p.title,
        "proposer": p.proposer.person.name,
        "submitted_on": p.submitted_on,
        "state": p.state,
        "state_label": str(_STATE_LABELS.get(p.state, p.state)),
        "category": p.category,
        "department": p.department,
        "leader": p.leader,
        "reply_due": p.reply_due,
        "replied_on": p.replied_on,
        "on_time": p.on_time,
        "satisfaction": p.satisfaction,
        "excellent": p.excellent,
    }


def _proposal_detail(request, p) -> dict:
    return {
        **_proposal(p),
        "reasons": p.reasons,
        "measures": p.measures,
        "seconders": [d.person.name for d in p.seconders.all()],
        "opinion_reason": p.opinion_reason,
        "reply": p.reply,
        "timeline": [
            {
                "step": e["step"],
                "label": str(e["label"]),
                "on": e["on"],
                "note": e["note"],
                "data": e["data"],
            }
            for e in selectors.timeline(p)
        ],
        "next_steps": [
            step_out(s) for s in selectors.proposal_next_steps(request.user, p) if s["mine"]
        ],
    }


@router.get("/proposals", response=ProposalPage, summary="工会的提案（可按届次、类别、状态筛选）")
def list_proposals(request, filters: Query[ProposalFilter]):
    org = get_visible(request.user, filters.org)
    session = selectors.get_session(request.user, filters.session) if filters.session else None
    if filters.state and filters.state not in {*ProposalState.values, "overdue"}:
        raise ValidationError({"state": _("This is not one of the allowed values.")})
    found = selectors.proposals(
        request.user,
        org=org,
        session=session,
        category=filters.category,
        state=filters.state,
        query=filters.q.strip(),
    )
    page = paginate(found, key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_proposal(p) for p in page.items], "next": page.next_cursor}


@router.get("/proposals/{id}", response=ProposalDetail, summary="提案：办理过程和下一步")
def get_proposal(request, id: RecordId):
    return _proposal_detail(request, selectors.get_proposal(request.user, id))


class ProposalStepIn(Schema):
    step: str = Field(
        ...,
        max_length=20,
        description="步骤：" + "、".join(k for k in flows.PROPOSAL.steps if k != "submit"),
    )
    on: dt.date | None = Field(None, description="日期，默认今天；不能晚于今天")
    note: str = Field("", max_length=4000)
    category: str = Field("", max_length=40, description="分类（sort）")
    reason: str = Field("", max_length=200, description="转为意见建议的理由（convert）")
    department: str = Field("", max_length=120, description="承办部门（assign）")
    leader: str = Field("", max_length=60, description="责任领导（assign）")
    reply: str = Field("", max_length=4000, description="承办部门答复（reply）")
    satisfaction: Satisfaction | None = Field(None, description="提案人满意度（feedback）")


@router.post(
    "/proposals/{id}/steps",
    response={201: ProposalDetail},
    summary="登记提案办理的一个步骤（顺序不对或缺少内容时在 fields 中说明）",
)
def record_proposal_step(request, id: RecordId, payload: ProposalStepIn):
    p = selectors.get_proposal(request.user, id)
    if payload.step not in flows.PROPOSAL.steps or payload.step == "submit":
        raise ValidationError({"step": _("This is not one of the allowed values.")})
    data = payload.model_dump(exclude={"step", "on", "note"})
    data["satisfaction"] = data["satisfaction"] or ""
    services.take_proposal_step(
        request.user,
        p,
        payload.step,
        on=payload.on or timezone.localdate(),
        data=data,
        note=payload.note,
    )
    return Status(201, _proposal_detail(request, selectors.get_proposal(request.user, id)))


class SuggestionOut(Schema):
    id: int
    org: OrgRef
    number: int
    title: str
    content: str
    submitter_name: str
    submitter_unit: str
    submitted_on: dt.date
    state: str
    panel: str
    decision_reason: str
    implemented_on: dt.date | None
    benefit: float | None
    reward: float | None


class SuggestionPage(Schema):
    items: list[SuggestionOut]
    next: str | None


class SuggestionFilter(Schema):
    org: str = Field(..., max_length=32, description="工会组织代码")
    state: SuggestionState | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


def _suggestion(s) -> dict:
    return {
        "id": s.pk,
        "org": s.org,
        "number": s.number,
        "title": s.title,
        "content": s.content,
        "submitter_name": s.submitter_name,
        "submitter_unit": s.submitter_unit,
        "submitted_on": s.submitted_on,
        "state": s.state,
        "panel": s.panel,
        "decision_reason": s.decision_reason,
        "implemented_on": s.implemented_on,
        "benefit": float(s.benefit) if s.benefit is not None else None,
        "reward": float(s.reward) if s.reward is not None else None,
    }


@router.get("/suggestions", response=SuggestionPage, summary="工会征集的合理化建议")
def list_suggestions(request, filters: Query[SuggestionFilter]):
    org = get_visible(request.user, filters.org)
    found = selectors.suggestions(request.user, org, state=filters.state)
    page = paginate(found, key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_suggestion(s) for s in page.items], "next": page.next_cursor}


@router.get("/suggestions/{id}", response=SuggestionOut, summary="一条合理化建议")
def get_suggestion(request, id: RecordId):
    return _suggestion(selectors.get_suggestion(request.user, id))
