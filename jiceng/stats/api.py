import datetime as dt

from ninja import Query, Router, Schema

from jiceng.kernel.schemas import OrgRef
from jiceng.orgs.selectors import get_visible

from .metrics import METRICS
from .selectors import orgs_by_kind_and_host, region_figure, report, units_by_kind

router = Router(tags=["stats"])


class MetricOut(Schema):
    key: str
    label: str
    numerator: str
    denominator: str
    definition: str
    source: str
    unit: str


class FigureOut(Schema):
    numerator: int
    denominator: int
    rate: float | None


class ChildFigure(Schema):
    org: OrgRef
    figure: FigureOut


class MetricFigures(Schema):
    metric: str
    label: str
    figure: FigureOut
    children: list[ChildFigure]


class Report(Schema):
    org: OrgRef
    on: dt.date
    period: str | None
    published: bool
    metrics: list[MetricFigures]


class Counts(Schema):
    org: OrgRef
    on: dt.date
    organizations_by_kind_and_host: dict[str, dict[str, int]]
    units_by_kind: dict[str, int]


@router.get("/metrics", response=list[MetricOut], summary="指标定义（分子、分母、口径）")
def metrics(request):
    return [
        {
            "key": m.key,
            "label": str(m.label),
            "numerator": str(m.numerator),
            "denominator": str(m.denominator),
            "definition": str(m.definition),
            "source": m.source,
            "unit": m.unit,
        }
        for m in METRICS.values()
    ]


@router.get(
    "/figures", response=Report, summary="某组织及其直属下级的各项指标（任意日期或已关账期间）"
)
def figures(
    request,
    org: str = Query(..., max_length=32),
    on: dt.date | None = None,
    period: str | None = Query(None, max_length=8, pattern=r"^\d{4}([HQ]\d|-\d{2})?$"),
):
    data = report(request.user, get_visible(request.user, org), on=on, period=period)
    return {
        **data,
        "metrics": [
            {
                "metric": m["metric"].key,
                "label": str(m["metric"].label),
                "figure": m["figure"].as_dict(),
                "children": [{"org": c, "figure": f.as_dict()} for c, f in m["children"]],
            }
            for m in data["metrics"]
        ],
    }


class RegionFigure(Schema):
    metric: str
    label: str
    figure: FigureOut


@router.get(
    "/region", response=list[RegionFigure], summary="按行政区划代码统计各项指标（仅含可见单位）"
)
def region(request, code: str = Query(..., pattern=r"^\d{2,12}$"), on: dt.date | None = None):
    return [
        {
            "metric": key,
            "label": str(m.label),
            "figure": region_figure(request.user, key, code, on).as_dict(),
        }
        for key, m in METRICS.items()
    ]


@router.get("/counts", response=Counts, summary="组织按类别×所在单位类别、单位按类别计数")
def counts(request, org: str = Query(..., max_length=32), on: dt.date | None = None):
    scope = get_visible(request.user, org)
    on = on or dt.date.today()
    table = orgs_by_kind_and_host(scope, on)
    return {
        "org": scope,
        "on": on,
        "organizations_by_kind_and_host": {k: dict(v) for k, v in table.items()},
        "units_by_kind": dict(units_by_kind(scope, on)),
    }
