"""The assessment API's evaluation endpoints, mounted by api.py at /api/v1/assessment/evaluations/:
a branch's democratic evaluations of members (stages, turnout, tally, grades, opinions, handling
cases with their next steps), the writes of its officers, and a member's own ballot.

Every write names the branch first and is refused (404) before its body is judged when the
branch is out of sight; the bodies' fields are optional so that the service says what is
missing, in words."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jiceng.kernel.schemas import OrgRef, StepOut, step_out
from jiceng.orgs.models import Organization, Tree
from jiceng.orgs.selectors import get_visible

from . import selectors, services
from .evaluation_permissions import require_run_evaluation

router = Router(tags=["assessment"])


class StageOut(Schema):
    key: str
    label: str
    on: dt.date | None


class MemberOut(Schema):
    id: int = Field(description="参评党员在本次评议中的编号")
    name: str
    grade: str = Field(description="支部确定的等次：excellent/pass/basic/fail，未定为空")
    votes: dict[str, int] | None = Field(description="互评得票（各等次票数），计票前为空")


class OpinionOut(Schema):
    given_by: str
    about: str = Field(description="所评党员，空为对支部整体")
    text: str
    received_on: dt.date


class CaseStepOut(Schema):
    step: str
    label: str
    on: dt.date
    note: str
    data: dict


class CaseOut(Schema):
    member: int
    name: str
    state: str
    deadline: dt.date | None
    timeline: list[CaseStepOut]
    next_steps: list[StepOut]


class CapOut(Schema):
    share: float = Field(description="优秀比例上限（政策）")
    total: int
    most: int
    count: int


class CampaignOut(Schema):
    org: OrgRef
    year: int
    state: str
    stages: list[StageOut]
    next_steps: list[StepOut]
    voters: int
    voted: int
    paper_ballots: int
    cap: CapOut
    members: list[MemberOut]
    opinions: list[OpinionOut]
    cases: list[CaseOut]


class CampaignList(Schema):
    items: list[CampaignOut]


class YearFilter(Schema):
    year: int | None = Field(None, ge=1949, le=2999)


def _branch(request, code: str):
    try:
        org = get_visible(request.user, code)
    except Organization.DoesNotExist:
        raise Http404(_("No such organization, or you may not see it.")) from None
    if org.tree != Tree.PARTY:
        raise Http404(_("This page is not available for this organization."))
    return org


def _campaign_out(user, c) -> dict:
    tally = {row["evaluee"].pk: row["counts"] for row in selectors.tally(c) or []}
    turnout = selectors.turnout(c)
    cap = selectors.excellent_cap(c)
    return {
        "org": c.org,
        "year": c.year,
        "state": c.state,
        "stages": [{**s, "label": str(s["label"])} for s in selectors.stages(c)],
        "next_steps": [step_out(s) for s in selectors.campaign_next_steps(user, c)],
        "voters": turnout["voters"],
        "voted": turnout["voted"],
        "paper_ballots": turnout["paper"],
        "cap": {**cap, "share": float(cap["share"])},
        "members": [
            {"id": e.pk, "name": e.name, "grade": e.grade, "votes": tally.get(e.pk)}
            for e in selectors.roll(c)
        ],
        "opinions": [
            {
                "given_by": o.given_by,
                "about": o.evaluee.name if o.evaluee else "",
                "text": o.text,
                "received_on": o.received_on,
            }
            for o in selectors.opinions(c)
        ],
        "cases": [
            {
                "member": item["evaluee"].pk,
                "name": item["evaluee"].name,
                "state": item["case"].state,
                "deadline": item["case"].deadline,
                "timeline": [{**t, "label": str(t["label"])} for t in item["timeline"]],
                "next_steps": [step_out(s) for s in item["next"]],
            }
            for item in selectors.handling_cases(user, c)
        ],
    }


class OpenBallotOut(Schema):
    org: OrgRef
    year: int


@router.get("/mine", response=list[OpenBallotOut], summary="我可以投票的民主评议（互评进行中）")
def my_ballots(request):
    return [{"org": c.org, "year": c.year} for c in selectors.open_ballots_for(request.user)]


@router.get("/{code}", response=CampaignList, summary="党支部的民主评议党员（可按年度）")
def list_campaigns(request, code: str, filters: Query[YearFilter]):
    org = _branch(request, code)
    found = selectors.campaigns(request.user, org)
    if filters.year:
        found = found.filter(year=filters.year)
    return {"items": [_campaign_out(request.user, c) for c in found]}


class OpenIn(Schema):
    year: int | None = None
    on: dt.date | None = None


def _required(value, field: str):
    if value in (None, ""):
        raise ValidationError({field: _("This field is required.")})
    return value


def _campaign(request, code: str, year):
    org = _branch(request, code)
    require_run_evaluation(request.user, org)
    return selectors.get_campaign(request.user, org, _required(year, "year"))


@router.post("/{code}", response=CampaignOut, summary="开展年度民主评议党员（按当日党员名册）")
def open_campaign(request, code: str, payload: OpenIn):
    org = _branch(request, code)
    require_run_evaluation(request.user, org)
    c = services.open_campaign(
        request.user, org, year=_required(payload.year, "year"), on=payload.on
    )
    return _campaign_out(request.user, c)


class StageIn(Schema):
    year: int | None = None
    step: str = ""
    on: dt.date | None = None


@router.post("/{code}/stages", response=CampaignOut, summary="记录民主评议的一个环节")
def take_stage(request, code: str, payload: StageIn):
    c = _campaign(request, code, payload.year)
    c = services.take_stage(request.user, c, payload.step, on=payload.on)
    return _campaign_out(request.user, c)


class BallotMember(Schema):
    id: int
    name: str


class BallotOut(Schema):
    year: int | None
    on_roll: bool
    voted: bool
    members: list[BallotMember] = Field(description="要评的党员（不含本人）")


@router.get("/{code}/ballot", response=BallotOut, summary="我的互评选票：要评的党员，是否已投")
def my_ballot(request, code: str):
    found = selectors.ballot_for(request.user, code)
    c = found["campaign"]
    return {
        "year": c.year if c else None,
        "on_roll": found["on_roll"],
        "voted": found["voted"],
        "members": [{"id": e.pk, "name": e.name} for e in found["members"]],
    }


class BallotIn(Schema):
    grades: dict[str, str] = Field(
        default_factory=dict, description="党员编号 → 等次（excellent/pass/basic/fail）"
    )


class Done(Schema):
    ok: bool


@router.post("/{code}/ballot", response=Done, summary="投出我的互评选票（无记名，只能投一次）")
def cast_ballot(request, code: str, payload: BallotIn):
    found = selectors.ballot_for(request.user, code)
    if found["campaign"] is None:
        raise ValidationError({"grades": _("The mutual evaluation is not open for voting.")})
    services.cast_ballot(request.user, found["campaign"], payload.grades)
    return {"ok": True}


class PaperIn(Schema):
    year: int | None = None
    ballots: list[dict[str, str]] = Field(default_factory=list)


@router.post("/{code}/paper-ballots", response=Done, summary="录入纸质互评选票")
def paper_ballots(request, code: str, payload: PaperIn):
    c = _campaign(request, code, payload.year)
    services.enter_paper_ballots(request.user, c, payload.ballots)
    return {"ok": True}


class GradeIn(Schema):
    year: int | None = None
    member: int | None = None
    grade: str = ""
    on: dt.date | None = None
    note: str = ""


@router.post("/{code}/grades", response=MemberOut, summary="支部确定一名党员的评议等次")
def decide_grade(request, code: str, payload: GradeIn):
    c = _campaign(request, code, payload.year)
    e = services.decide_grade(
        request.user,
        c,
        selectors.get_evaluee(c, payload.member),
        grade=payload.grade,
        on=payload.on,
        note=payload.note,
    )
    return {"id": e.pk, "name": e.name, "grade": e.grade, "votes": None}


class OpinionIn(Schema):
    year: int | None = None
    member: int | None = None
    given_by: str = ""
    text: str = ""
    received_on: dt.date | None = None


@router.post("/{code}/opinions", response=Done, summary="记录党外群众的意见")
def record_opinion(request, code: str, payload: OpinionIn):
    c = _campaign(request, code, payload.year)
    services.record_opinion(
        request.user,
        c,
        given_by=payload.given_by,
        text=payload.text,
        received_on=payload.received_on,
        evaluee=selectors.get_evaluee(c, payload.member) if payload.member else None,
    )
    return {"ok": True}


class HandlingIn(Schema):
    year: int | None = None
    member: int | None = None
    step: str = ""
    on: dt.date | None = None
    deadline: dt.date | None = None
    approval: str = ""
    note: str = ""


@router.post("/{code}/handling", response=CaseOut, summary="处置不合格党员的一个步骤")
def take_handling_step(request, code: str, payload: HandlingIn):
    c = _campaign(request, code, payload.year)
    case = selectors.get_case(request.user, c, _required(payload.member, "member"))
    services.take_handling_step(
        request.user,
        case,
        payload.step,
        on=payload.on,
        data={"deadline": payload.deadline, "approval": payload.approval},
        note=payload.note,
    )
    item = next(i for i in selectors.handling_cases(request.user, c) if i["case"].pk == case.pk)
    return {
        "member": item["evaluee"].pk,
        "name": item["evaluee"].name,
        "state": item["case"].state,
        "deadline": item["case"].deadline,
        "timeline": [{**t, "label": str(t["label"])} for t in item["timeline"]],
        "next_steps": [step_out(s) for s in item["next"]],
    }
