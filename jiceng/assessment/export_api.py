"""The assessment API's figures and results, mounted by api.py under /exports: the grade
distribution and class shares of a subtree for a period (with its direct subordinates), and
the results of the rounds of a period, every organization with its totals, veto, grade,
changes and objections. Reads only, through `selectors` as the acting user."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from jiceng.kernel.schemas import OrgRef
from jiceng.orgs.selectors import get_visible

from . import selectors

router = Router(tags=["assessment"])

PERIOD = r"^\d{4}(H[12])?$"


class FiguresFilter(Schema):
    org: str = Field(..., max_length=32, description="组织代码：统计其本级及下级")
    period: str | None = Field(
        None, pattern=PERIOD, description="考评期：2026（年度）、2026H1、2026H2；默认今年"
    )


class GradeShare(Schema):
    grade: str
    label: str
    count: int
    numerator: int
    denominator: int
    rate: float | None = Field(description="占比（%），一位小数；如127/179 → 70.9")


class Shares(Schema):
    count: int
    grades: list[GradeShare]


class ChildShares(Shares):
    org: OrgRef


class DistributionOut(Shares):
    org: OrgRef
    period: str
    children: list[ChildShares] = Field(description="直属下级（含其下级），可逐级查看")


class ObjectionOut(Schema):
    raised_on: dt.date
    raised_by: str
    text: str
    answer: str
    answered_on: dt.date | None


class ResultRow(Schema):
    org: OrgRef
    state: str
    self_total: float | None = Field(description="自评得分")
    total: float | None = Field(description="考评得分")
    vetoed: bool
    grade: str
    changed: int = Field(description="考评调整的条款数")
    objections: list[ObjectionOut]


class RoundResults(Shares):
    id: int
    org: OrgRef
    scheme: str
    version: int
    period: str
    stage: str
    rows: list[ResultRow]


def _period(value: str | None) -> str:
    return value or str(timezone.localdate().year)


def _shares(totals: dict) -> dict:
    return {
        "count": totals["count"],
        "grades": [
            {
                "grade": g["grade"],
                "label": str(g["label"]),
                "count": g["count"],
                **g["share"].as_dict(),
            }
            for g in totals["grades"]
        ],
    }


def _number(value):
    return None if value is None else float(value)


@router.get("/figures", response=DistributionOut, summary="考评等次分布和各等次占比（可逐级查看）")
def figures(request, filters: Query[FiguresFilter]):
    org = get_visible(request.user, filters.org)
    data = selectors.distribution(request.user, org, _period(filters.period))
    return {
        "org": org,
        "period": data["period"],
        **_shares(data["totals"]),
        "children": [{"org": c["org"], **_shares(c["totals"])} for c in data["children"]],
    }


@router.get("/results", response=list[RoundResults], summary="考评期内各轮考评的结果")
def results(request, filters: Query[FiguresFilter]):
    org = get_visible(request.user, filters.org)
    found = []
    for round_ in selectors.subtree_rounds(request.user, org, _period(filters.period)):
        rows = selectors.round_results(request.user, round_)
        found.append(
            {
                "id": round_.pk,
                "org": round_.org,
                "scheme": round_.scheme.name,
                "version": round_.scheme.version,
                "period": round_.period,
                "stage": round_.state,
                **_shares(selectors.round_distribution(rows)),
                "rows": [
                    {
                        "org": r["org"],
                        "state": r["entry"].state,
                        "self_total": _number(r["entry"].self_total),
                        "total": _number(r["entry"].total),
                        "vetoed": r["entry"].vetoed,
                        "grade": r["entry"].grade,
                        "changed": r["changed"],
                        "objections": r["objections"],
                    }
                    for r in rows
                ],
            }
        )
    return found
