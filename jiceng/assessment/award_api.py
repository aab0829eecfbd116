"""The assessment API's award endpoints (rounds, nominations, titles) and the secretaries'
accountability reviews (under /reviews), mounted by api.py at /api/v1/assessment/awards/."""

import datetime as dt
from typing import Annotated

from django.http import Http404
from ninja import Field, Path, Router, Schema, Status

from jiceng.orgs.models import Organization
from jiceng.orgs.selectors import get_visible

from . import services
from .selectors import awards as award_selectors
from .selectors import reviews as review_selectors

router = Router(tags=["assessment"])

MAX_ID = 2**31 - 1
RecordId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="记录编号")]


def _org(user, code: str) -> Organization:
    try:
        return get_visible(user, code)
    except Organization.DoesNotExist:
        raise Http404 from None


class RoundOut(Schema):
    id: int
    org: str = Field(description="评选单位代码")
    year: int
    kind: str
    label: str
    state: str
    nominations_due: dt.date
    publicity_from: dt.date | None
    publicity_until: dt.date | None = Field(description="公示期结束后的第一天")
    document_number: str


class NominationOut(Schema):
    id: int
    by_org: str
    nominee: str
    deeds: str
    approved: bool | None


class QuotaOut(Schema):
    org: str
    quota: int
    used: int


class RoundDetail(RoundOut):
    quotas: list[QuotaOut]
    nominations: list[NominationOut]


class NominateIn(Schema):
    by_org: str = Field("", max_length=40)
    nominee_org: str | None = Field(None, max_length=40)
    nominee_person: int | None = Field(None, ge=1, le=MAX_ID)
    deeds: str = Field("", max_length=4000)


class TitleOut(Schema):
    kind: str
    label: str
    year: int
    holder: str
    awarded_by: str
    document_number: str
    awarded_on: dt.date


def _round_out(r) -> dict:
    return {
        "id": r.pk,
        "org": r.org.code,
        "year": r.year,
        "kind": r.kind,
        "label": r.get_kind_display(),
        "state": r.state,
        "nominations_due": r.nominations_due,
        "publicity_from": r.publicity_from,
        "publicity_until": r.publicity_until,
        "document_number": r.document_number,
    }


def _nomination_out(n) -> dict:
    return {
        "id": n.pk,
        "by_org": n.by_org.code,
        "nominee": n.nominee_name,
        "deeds": n.deeds,
        "approved": n.approved,
    }


@router.get("/rounds", response=list[RoundOut], summary="评先评优轮次")
def award_rounds(request):
    return [_round_out(r) for r in award_selectors.award_rounds(request.user)[:200]]


def _detail(user, r) -> dict:
    return {
        **_round_out(r),
        "quotas": [
            {"org": q["quota"].org.code, "quota": q["quota"].count, "used": q["used"]}
            for q in award_selectors.quotas(user, r)
        ],
        "nominations": [_nomination_out(n) for n in award_selectors.nominations(user, r)],
    }


@router.get("/rounds/{id}", response=RoundDetail, summary="评先评优轮次：名额与推荐对象")
def award_round(request, id: RecordId):
    return _detail(request.user, award_selectors.get_award_round(request.user, id))


@router.post(
    "/rounds/{id}/nominations",
    response={201: NominationOut},
    summary="推荐（按记录核查资格，不符合时说明原因）",
)
def nominate(request, id: RecordId, payload: NominateIn):
    user = request.user
    r = award_selectors.get_award_round(user, id)
    by_org = _org(user, payload.by_org or "")
    org = _org(user, payload.nominee_org) if payload.nominee_org else None
    person = (
        award_selectors.nominee_person(user, payload.nominee_person)
        if payload.nominee_person
        else None
    )
    n = services.nominate(user, r, by_org, org=org, person=person, deeds=payload.deeds)
    return Status(201, _nomination_out(n))


@router.get("/titles/{code}", response=list[TitleOut], summary="组织获得的荣誉称号")
def org_titles(request, code: str):
    org = _org(request.user, code)
    return [
        {
            "kind": t.kind,
            "label": t.get_kind_display(),
            "year": t.year,
            "holder": org.name,
            "awarded_by": t.awarded_by.name,
            "document_number": t.document_number,
            "awarded_on": t.awarded_on,
        }
        for t in award_selectors.titles_of_org(request.user, org)
    ]


# -- accountability reviews ------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    org: str
    secretary: str
    submitted_on: dt.date | None
    result: str
    counts: dict[str, int]
    my_rating: str


class ReviewOut(Schema):
    id: int
    org: str
    year: int
    title: str
    state: str
    reports_due: dt.date
    reports: list[ReportOut]


class RatingIn(Schema):
    rating: str = Field("", description="good 好 / fairly_good 较好 / fair 一般 / poor 差")


class ReportIn(Schema):
    secretary: str = Field("", max_length=60)
    text: str = Field("", max_length=20000)
    attachment: str = Field("", max_length=200)


@router.get("/reviews/{id}", response=ReviewOut, summary="书记抓党建述职评议")
def review(request, id: RecordId):
    user = request.user
    rv = review_selectors.get_review(user, id)
    return {
        "id": rv.pk,
        "org": rv.org.code,
        "year": rv.year,
        "title": rv.title,
        "state": rv.state,
        "reports_due": rv.reports_due,
        "reports": [
            {
                "id": row["report"].pk,
                "org": row["report"].org.code,
                "secretary": row["report"].secretary,
                "submitted_on": row["report"].submitted_on,
                "result": row["report"].result,
                "counts": row["report"].counts or {},
                "my_rating": row["my_rating"],
            }
            for row in review_selectors.reports(user, rv)
        ],
    }


@router.post("/reviews/reports/{id}", response={204: None}, summary="提交述职报告")
def submit_report(request, id: RecordId, payload: ReportIn):
    report = review_selectors.get_report(request.user, id)
    services.submit_report(
        request.user,
        report,
        secretary=payload.secretary,
        text=payload.text,
        attachment=payload.attachment,
    )
    return Status(204, None)


@router.post("/reviews/reports/{id}/rating", response={204: None}, summary="评议（每位评议人一票）")
def rate(request, id: RecordId, payload: RatingIn):
    report = review_selectors.get_report(request.user, id)
    services.rate(request.user, report, payload.rating)
    return Status(204, None)
