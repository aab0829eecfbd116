"""People API: Party records (masked identity), their milestones, recording a pipeline step,
the composition of the members under an organization on a date, and trade-union members
(list, enrol, leave)."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from jiceng.kernel.pagination import paginate
from jiceng.kernel.schemas import OrgRef, StepOut, step_out
from jiceng.orgs.models import Tree
from jiceng.orgs.selectors import get_visible

from . import selectors, services, unions
from .models import Category, Floating, Gender, Stage, UnionStatus
from .pipeline import PIPELINE

router = Router(tags=["people"])

MAX_ID = 2**31 - 1
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
RecordId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="党员记录编号")]


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    stage: str
    stage_label: str
    category: str
    floating: str
    flags: list[str]
    org: OrgRef
    id_number: str = Field(description="身份证号码（脱敏）")
    phone: str = Field(description="手机号码（脱敏）")
    joined_on: dt.date | None
    full_on: dt.date | None


class MemberPage(Schema):
    items: list[MemberOut]
    next: str | None


class MilestoneOut(Schema):
    step: str
    label: str
    on: dt.date
    note: str
    data: dict


class MemberDetail(MemberOut):
    milestones: list[MilestoneOut]
    next_steps: list[StepOut]


class MemberFilter(Schema):
    stage: str | None = Field(None, max_length=20, description="阶段；all 含已离开者")
    category: Category | None = None
    floating: str | None = Field(None, max_length=8, description="outflow、inflow 或 any")
    flag: list[str] = Field([], description="标记，可多个：" + "、".join(selectors.FLAGS))
    gender: Gender | None = None
    org: str | None = Field(None, max_length=32, description="组织代码（仅该组织）")
    under: str | None = Field(None, max_length=32, description="组织代码（含全部下级）")
    q: str = Field("", max_length=60, description="姓名片段或完整身份证号码")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class StepIn(Schema):
    step: str = Field(..., max_length=32, description="步骤：" + "、".join(PIPELINE.steps))
    on: dt.date | None = Field(None, description="日期，默认今天；不能晚于今天")
    note: str = Field("", max_length=200)
    introducers: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        [], max_length=10, description="入党介绍人（人员编号）"
    )
    hours: float | None = Field(None, ge=0, le=1000, description="集中培训学时")
    days: int | None = Field(None, ge=0, le=365, description="公示天数")


def _member(m) -> dict:
    p = m.person
    return {
        "id": m.pk,
        "name": p.name,
        "gender": p.gender,
        "stage": m.stage,
        "stage_label": str(m.get_stage_display()),
        "category": m.category,
        "floating": m.floating,
        "flags": [f for f in selectors.FLAGS if getattr(m, f)],
        "org": m.org,
        "id_number": p.id_number_masked,
        "phone": p.phone_masked,
        "joined_on": m.joined_on,
        "full_on": m.full_on,
    }


def _detail(request, m) -> dict:
    milestones = [
        {
            "step": ms.step,
            "label": str(getattr(PIPELINE.steps.get(ms.step), "label", ms.step)),
            "on": ms.on,
            "note": ms.note,
            "data": ms.data,
        }
        for ms in selectors.milestones_of(request.user, m)
    ]
    steps = [step_out(s) for s in selectors.next_steps(request.user, m)]
    return {**_member(m), "milestones": milestones, "next_steps": steps}


def _valid_choice(value, allowed, field):
    if value and value not in allowed:
        raise ValidationError({field: _("This is not one of the allowed values.")})
    return value or None


@router.get("/members", response=MemberPage, summary="党员和发展对象名单（游标分页，身份信息脱敏）")
def list_members(request, filters: Query[MemberFilter]):
    under = get_visible(request.user, filters.under) if filters.under else None
    stage = _valid_choice(filters.stage, {*Stage.values, "all"}, "stage")
    floating = _valid_choice(
        filters.floating, {f for f in Floating.values if f} | {selectors.ANY_FLOATING}, "floating"
    )
    for flag in filters.flag:
        _valid_choice(flag, selectors.FLAGS, "flag")
    found = selectors.member_list(
        request.user,
        under=under,
        stage=stage,
        category=filters.category,
        floating=floating,
        flags=filters.flag,
        gender=filters.gender,
        org_code=filters.org,
        query=filters.q,
    )
    page = paginate(found, key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_member(m) for m in page.items], "next": page.next_cursor}


@router.get("/members/{id}", response=MemberDetail, summary="党员记录：里程碑和下一步")
def get_member(request, id: RecordId):
    return _detail(request, selectors.get_membership(request.user, id))


@router.post(
    "/members/{id}/steps",
    response={201: MemberDetail},
    summary="登记发展党员的一个步骤（不满足条件时在 fields 中说明原因和可办理日期）",
)
def record_step(request, id: RecordId, payload: StepIn):
    m = selectors.get_membership(request.user, id)
    if payload.step not in PIPELINE.steps:
        raise ValidationError({"step": _("This is not one of the allowed values.")})
    on = payload.on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < EARLIEST:
        raise ValidationError({"on": _("The date is too early.")})
    data = {}
    if payload.step == "introducers":
        data["introducers"] = payload.introducers
    elif payload.step == "training":
        data["hours"] = payload.hours or 0
    elif payload.step == "notice":
        data["days"] = payload.days or 0
    services.take_step(request.user, m, payload.step, on=on, data=data, note=payload.note)
    return Status(201, _detail(request, selectors.get_membership(request.user, id)))


class CompositionOut(Schema):
    org: OrgRef
    on: dt.date
    total: int
    stage: dict[str, int]
    category: dict[str, int]
    composition: dict[str, int]
    gender: dict[str, int]
    education: dict[str, int]
    age_band: dict[str, int]


@router.get("/composition", response=CompositionOut, summary="某组织（含下级）某日的党员构成")
def composition(
    request,
    org: str = Query(..., max_length=32),
    on: dt.date | None = None,
):
    if on is not None and not EARLIEST <= on <= LATEST:
        raise ValidationError({"on": _("The date is out of range.")})
    target = get_visible(request.user, org)
    on = on or timezone.localdate()
    found = selectors.composition(request.user, target, on)
    return {
        "org": target,
        "on": on,
        "total": found["total"]["members"],
        **{k: dict(found[k]) for k in ("stage", "category", "composition", "gender")},
        "education": dict(found["education"]),
        "age_band": dict(found["age_band"]),
    }


# -- trade-union members ---------------------------------------------------------------------

UnionCode = Annotated[str, Path(..., max_length=32, description="工会组织代码")]


class UnionMemberOut(Schema):
    id: int
    name: str
    gender: str
    org: OrgRef
    id_number: str = Field(description="身份证号码（脱敏）")
    phone: str = Field(description="手机号码（脱敏）")
    member_number: str
    joined_on: dt.date
    status: str
    status_label: str
    retired_on: dt.date | None
    migrant_worker: bool
    card_issued: bool
    left_on: dt.date | None
    left_reason: str


class UnionMemberPage(Schema):
    items: list[UnionMemberOut]
    next: str | None


class UnionMemberFilter(Schema):
    status: str | None = Field(
        None, max_length=8, description="working、retired、left，或 current（未离会）"
    )
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class UnionEnrolIn(Schema):
    # Required in fact; checked by the service (after the permission check), in Chinese.
    name: str = Field("", max_length=60)
    id_number: str = Field("", max_length=24, description="公民身份号码")
    phone: str = Field("", max_length=20)
    member_number: str = Field("", max_length=32, description="会员编号（本工会内唯一）")
    joined_on: dt.date | None = Field(None, description="入会日期，不能晚于今天")
    status: UnionStatus = Field(UnionStatus.WORKING, description="working 或 retired")
    migrant_worker: bool = False
    card_issued: bool = False


class UnionLeaveIn(Schema):
    on: dt.date | None = Field(None, description="离会日期，不能晚于今天")
    reason: str = Field("", max_length=200, description="离会原因")


def _union(request, code: str):
    """The trade union `code` the user may see (404 otherwise)."""
    org = get_visible(request.user, code)
    if org.tree != Tree.UNION:
        raise Http404  # no such union
    return org


def _union_member(m) -> dict:
    p = m.person
    return {
        "id": m.pk,
        "name": p.name,
        "gender": p.gender,
        "org": m.org,
        "id_number": p.id_number_masked,
        "phone": p.phone_masked,
        "member_number": m.member_number,
        "joined_on": m.joined_on,
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "retired_on": m.retired_on,
        "migrant_worker": m.migrant_worker,
        "card_issued": m.card_issued,
        "left_on": m.left_on,
        "left_reason": m.left_reason,
    }


@router.get(
    "/unions/{code}/members",
    response=UnionMemberPage,
    summary="工会会员名单（含下级工会，游标分页，身份信息脱敏）",
)
def list_union_members(request, code: UnionCode, filters: Query[UnionMemberFilter]):
    org = _union(request, code)
    status = _valid_choice(filters.status, {*UnionStatus.values, "current"}, "status")
    found = selectors.union_members(request.user, org, status)
    page = paginate(found, key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_union_member(m) for m in page.items], "next": page.next_cursor}


@router.post(
    "/unions/{code}/members",
    response={201: UnionMemberOut},
    summary="登记工会会员入会（按身份证号码查找已登记人员，或同时登记）",
)
def enrol_union_member(request, code: UnionCode, payload: UnionEnrolIn):
    org = _union(request, code)
    if payload.status == UnionStatus.LEFT:
        raise ValidationError({"status": _("To record that a member left, use “Leave the union”.")})
    m = unions.enrol(request.user, org=org, **payload.model_dump())
    return Status(201, _union_member(selectors.get_union_member(request.user, org, m.pk)))


@router.post(
    "/unions/{code}/members/{id}/leave",
    response=UnionMemberOut,
    summary="登记会员离会（日期和原因）",
)
def leave_union(request, code: UnionCode, id: RecordId, payload: UnionLeaveIn):
    org = _union(request, code)
    m = selectors.get_union_member(request.user, org, id)
    if payload.on is not None and payload.on < EARLIEST:
        raise ValidationError({"on": _("The date is too early.")})
    m = unions.leave(request.user, m, on=payload.on, reason=payload.reason)
    return _union_member(m)
