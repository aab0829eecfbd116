"""Assessment API: schemes, rounds, entries and scores; member evaluations and awards are
mounted from their own modules."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from jiceng.kernel.pagination import paginate
from jiceng.kernel.schemas import OrgRef, StepOut, step_out
from jiceng.orgs.selectors import get_visible

from . import award_api, evaluation_api, export_api, permissions, selectors, services

router = Router(tags=["assessment"])
router.add_router("/evaluations", evaluation_api.router)
router.add_router("/awards", award_api.router)
router.add_router("/exports", export_api.router)

MAX_ID = 2**31 - 1
RecordId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="记录编号")]
Points = Annotated[Decimal, Field(ge=0, le=1000, max_digits=6, decimal_places=2)]


# -- schemes ---------------------------------------------------------------------------------


class ClauseIO(Schema):
    text: str = Field(..., max_length=4000, description="考评内容")
    points: Points = Decimal(0)
    kind: str = Field("", max_length=12, description="quantitative 或 qualitative，默认按数据来源")
    method: str = Field("self", max_length=8, description="self、peer、patrol、formal")
    veto: bool = Field(False, description="一票否决项（不计分）")
    evidence: str = Field("", max_length=40, description="系统数据来源，如 life.compliance")


class BlockIO(Schema):
    title: str = Field(..., max_length=120)
    clauses: list[ClauseIO] = Field(..., max_length=200)


class ClauseOut(ClauseIO):
    id: int
    number: int


class BlockOut(Schema):
    number: int
    title: str
    clauses: list[ClauseOut]


class SchemeOut(Schema):
    id: int
    org: OrgRef
    code: str
    version: int
    name: str
    cycle: str
    org_kinds: list[str]
    published_on: dt.date | None


class SchemeDetail(SchemeOut):
    total: Decimal
    blocks: list[BlockOut]
    versions: list[int]


class SchemePage(Schema):
    items: list[SchemeOut]
    next: str | None


class OrgFilter(Schema):
    org: str | None = Field(None, max_length=32, description="组织代码（默认全部可见）")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class SchemeIn(Schema):
    org: str = Field("", max_length=32, description="制定方案的上级组织代码")
    code: str = Field(..., max_length=40, description="方案代码；同代码再次保存即新版本")
    name: str = Field(..., max_length=120)
    cycle: str = Field("half_year", max_length=12, description="half_year 或 year_end")
    blocks: list[BlockIO] = Field(default_factory=list, max_length=50)


def _scheme(s) -> dict:
    return {
        "id": s.pk,
        "org": s.org,
        "code": s.code,
        "version": s.version,
        "name": s.name,
        "cycle": s.cycle,
        "org_kinds": s.org_kinds,
        "published_on": s.published_on,
    }


def _scheme_detail(user, s) -> dict:
    return {
        **_scheme(s),
        "total": selectors.scheme_total(s),
        "blocks": [
            {
                "number": b.number,
                "title": b.title,
                "clauses": [
                    {
                        "id": c.pk,
                        "number": c.number,
                        "text": c.text,
                        "points": c.points,
                        "kind": c.kind,
                        "method": c.method,
                        "veto": c.veto,
                        "evidence": c.evidence,
                    }
                    for c in b.clauses.all()
                ],
            }
            for b in selectors.scheme_blocks(s)
        ],
        "versions": [v.version for v in selectors.scheme_versions(user, s)],
    }


def _org_or_none(user, code):
    return get_visible(user, code) if code else None


@router.get("/schemes", response=SchemePage, summary="考评方案（各版本，游标分页）")
def list_schemes(request, filters: Query[OrgFilter]):
    org = _org_or_none(request.user, filters.org)
    page = paginate(
        selectors.schemes(request.user, org), key="id", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_scheme(s) for s in page.items], "next": page.next_cursor}


@router.get("/schemes/{id}", response=SchemeDetail, summary="一个考评方案版本：板块、条目、分值")
def get_scheme(request, id: RecordId):
    return _scheme_detail(request.user, selectors.scheme(request.user, id))


@router.post(
    "/schemes",
    response={201: SchemeDetail},
    summary="保存考评方案：新方案，或已发布方案的新版本（未发布的草稿原地替换）",
)
def save_scheme(request, payload: SchemeIn):
    org = get_visible(request.user, payload.org)
    s = services.save_scheme(
        request.user,
        org,
        code=payload.code,
        name=payload.name,
        cycle=payload.cycle,
        blocks=[b.model_dump() for b in payload.blocks],
    )
    return Status(201, _scheme_detail(request.user, s))


@router.post("/schemes/{id}/publish", response=SchemeDetail, summary="发布考评方案版本")
def publish_scheme(request, id: RecordId):
    s = services.publish_scheme(request.user, selectors.scheme(request.user, id))
    return _scheme_detail(request.user, s)


# -- rounds ----------------------------------------------------------------------------------


class RoundOut(Schema):
    id: int
    org: OrgRef
    scheme: int
    scheme_name: str
    version: int
    period: str
    state: str
    opened_on: dt.date
    self_due: dt.date
    review_from: dt.date | None
    publicity_from: dt.date | None
    publicity_until: dt.date | None
    final_on: dt.date | None


class RoundPage(Schema):
    items: list[RoundOut]
    next: str | None


class RoundIn(Schema):
    scheme: int = Field(0, ge=0, le=MAX_ID, description="已发布的方案版本编号")
    org: str = Field("", max_length=32, description="考评范围（该组织及下级）")
    period: str = Field("", max_length=8, description="2026H1、2026H2 或 2026")


class RoundStepIn(Schema):
    step: str = Field(..., max_length=12, description="review、publish、finalize 或 refresh")


class BoardRow(Schema):
    entry: int
    org: OrgRef
    state: str
    self_total: Decimal | None
    total: Decimal | None
    grade: str
    vetoed: bool
    changed: int = Field(description="审核改动的条目数")
    overridden: int = Field(description="自评与系统数据不同的条目数")
    missing: int = Field(description="尚未评分的条目数")


def _round(r) -> dict:
    return {
        "id": r.pk,
        "org": r.org,
        "scheme": r.scheme_id,
        "scheme_name": r.scheme.name,
        "version": r.scheme.version,
        "period": r.period,
        "state": r.state,
        "opened_on": r.opened_on,
        "self_due": r.self_due,
        "review_from": r.review_from,
        "publicity_from": r.publicity_from,
        "publicity_until": r.publicity_until,
        "final_on": r.final_on,
    }


@router.get("/rounds", response=RoundPage, summary="考评批次（游标分页）")
def list_rounds(request, filters: Query[OrgFilter]):
    org = _org_or_none(request.user, filters.org)
    page = paginate(
        selectors.rounds(request.user, org), key="id", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_round(r) for r in page.items], "next": page.next_cursor}


@router.get("/rounds/{id}", response=RoundOut, summary="一个考评批次")
def get_round(request, id: RecordId):
    return _round(selectors.get_round(request.user, id))


@router.post("/rounds", response={201: RoundOut}, summary="开启考评：方案版本、范围、考评期")
def open_round(request, payload: RoundIn):
    scheme = selectors.scheme(request.user, payload.scheme)
    org = get_visible(request.user, payload.org)
    return Status(201, _round(services.open_round(request.user, scheme, org, payload.period)))


@router.get("/rounds/{id}/steps", response=list[StepOut], summary="考评批次的下一步和阻碍")
def round_steps(request, id: RecordId):
    r = selectors.get_round(request.user, id)
    if not permissions.may_run(request.user, r.org):
        return []
    return [step_out(s) for s in selectors.round_steps(request.user, r)]


ROUND_STEPS = {
    "review": services.start_review,
    "publish": services.publish_results,
    "finalize": services.finalize_round,
    "refresh": services.refresh_evidence,
}


@router.post(
    "/rounds/{id}/steps", response=RoundOut, summary="推进考评批次（步骤不满足时说明原因）"
)
def take_round_step(request, id: RecordId, payload: RoundStepIn):
    r = selectors.get_round(request.user, id)
    permissions.require_run(request.user, r.org)
    take = ROUND_STEPS.get(payload.step)
    if take is None:
        raise ValidationError({"step": _("This is not one of the allowed values.")})
    take(request.user, r)
    return _round(selectors.get_round(request.user, id))


@router.get(
    "/rounds/{id}/board", response=list[BoardRow], summary="审核看板：各组织的阶段、得分、等次"
)
def round_board(request, id: RecordId):
    r = selectors.get_round(request.user, id)
    return [
        {
            "entry": row["entry"].pk,
            "org": row["org"],
            "state": row["entry"].state,
            "self_total": row["entry"].self_total,
            "total": row["entry"].total,
            "grade": row["entry"].grade,
            "vetoed": row["entry"].vetoed,
            "changed": row["changed"],
            "overridden": row["overridden"],
            "missing": row["missing"],
        }
        for row in selectors.board(request.user, r)
    ]


# -- entries ---------------------------------------------------------------------------------


class FigureOut(Schema):
    numerator: int
    denominator: int
    rate: float | None


class EvidenceOut(Schema):
    title: str
    url: str


class ScoreOut(Schema):
    clause: int
    block: int
    text: str
    points: Decimal
    veto: bool
    method: str
    source: str
    figure: FigureOut | None
    records_url: str
    auto_points: Decimal | None
    self_points: Decimal | None
    self_veto: bool | None
    self_note: str
    override_reason: str
    review_points: Decimal | None
    review_veto: bool | None
    review_reason: str
    evidence: list[EvidenceOut]


class RectificationOut(Schema):
    due: dt.date
    plan: str
    deadline: dt.date | None
    submitted_on: dt.date | None
    closed_on: dt.date | None
    closing_note: str


class LeaderFlagOut(Schema):
    previous: int
    decided_on: dt.date | None
    decision: str


class EntryOut(Schema):
    id: int
    round: int
    org: OrgRef
    state: str
    submitted_on: dt.date | None
    reviewed_on: dt.date | None
    self_total: Decimal | None
    total: Decimal | None
    vetoed: bool
    grade: str
    review_note: str
    scores: list[ScoreOut]
    rectification: RectificationOut | None
    leader_flag: LeaderFlagOut | None


class SelfAnswer(Schema):
    clause: int = Field(..., ge=1, le=MAX_ID)
    points: Points | None = None
    veto: bool = False
    note: str = Field("", max_length=4000)
    override_reason: str = Field("", max_length=4000, description="与系统数据不同时必填")


class SelfIn(Schema):
    answers: list[SelfAnswer] = Field(default_factory=list, max_length=500)
    submit: bool = Field(False, description="同时提交自评")


class ReviewAnswer(Schema):
    clause: int = Field(..., ge=1, le=MAX_ID)
    points: Points | None = None
    veto: bool | None = None
    reason: str = Field("", max_length=4000, description="改动自评时必填")


class ReviewIn(Schema):
    answers: list[ReviewAnswer] = Field(default_factory=list, max_length=500)
    note: str = Field("", max_length=4000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=4000)


class ObjectionIn(Schema):
    raised_by: str = Field("", max_length=60)
    text: str = Field("", max_length=4000)


class ObjectionOut(Schema):
    id: int
    entry: int
    raised_on: dt.date
    raised_by: str
    text: str
    answer: str
    answered_on: dt.date | None


class AnswerIn(Schema):
    answer: str = Field("", max_length=4000)


class PlanIn(Schema):
    plan: str = Field("", max_length=4000)
    deadline: dt.date | None = None


class NoteIn(Schema):
    note: str = Field("", max_length=4000)


class DecisionIn(Schema):
    decision: str = Field("", max_length=4000)


def _entry(e) -> dict:
    rect, flag = selectors.rectification_of(e), selectors.leader_flag_of(e)
    scores = []
    for block in selectors.form(e):
        for item in block["items"]:
            c, s = item["clause"], item["score"]
            scores.append(
                {
                    "clause": c.pk,
                    "block": block["block"].number,
                    "text": c.text,
                    "points": c.points,
                    "veto": c.veto,
                    "method": c.method,
                    "source": c.evidence,
                    "figure": item["figure"].as_dict() if item["figure"] else None,
                    "records_url": item["records_url"],
                    "auto_points": s.auto_points,
                    "self_points": s.self_points,
                    "self_veto": s.self_veto,
                    "self_note": s.self_note,
                    "override_reason": s.override_reason,
                    "review_points": s.review_points,
                    "review_veto": s.review_veto,
                    "review_reason": s.review_reason,
                    "evidence": [{"title": ev.title, "url": ev.url} for ev in item["evidence"]],
                }
            )
    return {
        "id": e.pk,
        "round": e.round_id,
        "org": e.org,
        "state": e.state,
        "submitted_on": e.submitted_on,
        "reviewed_on": e.reviewed_on,
        "self_total": e.self_total,
        "total": e.total,
        "vetoed": e.vetoed,
        "grade": e.grade,
        "review_note": e.review_note,
        "scores": scores,
        "rectification": rect,
        "leader_flag": {
            "previous": flag.previous_id,
            "decided_on": flag.decided_on,
            "decision": flag.decision,
        }
        if flag
        else None,
    }


def _fresh(request, id: int) -> dict:
    return _entry(selectors.get_entry(request.user, id))


@router.get("/entries/{id}", response=EntryOut, summary="一个组织的考评：各条目的分数和系统数据")
def get_entry(request, id: RecordId):
    return _fresh(request, id)


def _self(request, id: int, answers: list, submit: bool) -> dict:
    e = selectors.get_entry(request.user, id)
    permissions.require_self_assess(request.user, e)
    services.self_assess(
        request.user,
        e,
        {a.clause: a.model_dump(exclude={"clause"}) for a in answers},
        submit=submit,
    )
    return _fresh(request, id)


@router.post(
    "/entries/{id}/self-assessment",
    response=EntryOut,
    summary="保存自评（与系统数据不同的条目须说明理由），可同时提交",
)
def self_assess(request, id: RecordId, payload: SelfIn):
    return _self(request, id, payload.answers, payload.submit)


@router.post("/entries/{id}/submit", response=EntryOut, summary="提交自评")
def submit_entry(request, id: RecordId):
    return _self(request, id, [], True)


@router.post("/entries/{id}/review", response=EntryOut, summary="上级审核评分（改动须说明理由）")
def review_entry(request, id: RecordId, payload: ReviewIn):
    e = selectors.get_entry(request.user, id)
    permissions.require_review(request.user, e)
    answers = {a.clause: a.model_dump(exclude={"clause"}) for a in payload.answers}
    services.review_entry(request.user, e, answers, note=payload.note)
    return _fresh(request, id)


@router.post("/entries/{id}/return", response=EntryOut, summary="退回已提交的自评")
def return_entry(request, id: RecordId, payload: ReasonIn):
    e = selectors.get_entry(request.user, id)
    permissions.require_review(request.user, e)
    services.return_entry(request.user, e, payload.reason)
    return _fresh(request, id)


def _objection(o) -> dict:
    return {
        "id": o.pk,
        "entry": o.entry_id,
        "raised_on": o.raised_on,
        "raised_by": o.raised_by,
        "text": o.text,
        "answer": o.answer,
        "answered_on": o.answered_on,
    }


@router.post("/entries/{id}/objections", response={201: ObjectionOut}, summary="登记公示期间的异议")
def record_objection(request, id: RecordId, payload: ObjectionIn):
    e = selectors.get_entry(request.user, id)
    permissions.require_review(request.user, e)
    o = services.record_objection(request.user, e, raised_by=payload.raised_by, text=payload.text)
    return Status(201, _objection(o))


@router.post("/objections/{id}/answer", response=ObjectionOut, summary="答复异议")
def answer_objection(request, id: RecordId, payload: AnswerIn):
    o = selectors.objection(request.user, id)
    return _objection(services.answer_objection(request.user, o, payload.answer))


def _rectification(request, e):
    found = selectors.rectification_of(e)
    if found is None:
        raise ValidationError(_("No rectification is owed."))
    return found


@router.post("/entries/{id}/rectification", response=EntryOut, summary="提交整改方案和整改期限")
def submit_rectification(request, id: RecordId, payload: PlanIn):
    e = selectors.get_entry(request.user, id)
    permissions.require_self_assess(request.user, e)
    if payload.deadline is None:
        raise ValidationError({"deadline": _("This field is required.")})
    services.submit_rectification(
        request.user, _rectification(request, e), plan=payload.plan, deadline=payload.deadline
    )
    return _fresh(request, id)


@router.post("/entries/{id}/rectification/close", response=EntryOut, summary="整改销号（上级）")
def close_rectification(request, id: RecordId, payload: NoteIn):
    e = selectors.get_entry(request.user, id)
    permissions.require_review(request.user, e)
    services.close_rectification(request.user, _rectification(request, e), payload.note)
    return _fresh(request, id)


@router.post(
    "/entries/{id}/leader-flag", response=EntryOut, summary="登记“考虑调整负责人”的处理决定（上级）"
)
def decide_leader_flag(request, id: RecordId, payload: DecisionIn):
    e = selectors.get_entry(request.user, id)
    permissions.require_review(request.user, e)
    flag = selectors.leader_flag_of(e)
    if flag is None:
        raise PermissionDenied(_("Nothing to decide."))
    services.decide_leader_flag(request.user, flag, payload.decision)
    return _fresh(request, id)
