import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from jiceng.access import gate
from jiceng.audit.selectors import history
from jiceng.kernel.pagination import paginate
from jiceng.policy.selectors import in_force

from . import selectors, services
from .models import Kind

router = Router(tags=["orgs"])


class Org(Schema):
    code: str
    name: str
    kind: str
    tree: str
    parent: str | None = Field(None, alias="parent.code")
    depth: int
    founded_on: dt.date | None


class OrgPage(Schema):
    items: list[Org]
    next: str | None


class OrgFilter(Schema):
    kind: Kind | None = None
    roots: bool = False
    q: str = Field("", max_length=100)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class OrgIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=120)
    kind: Kind
    parent: str = Field(..., min_length=1, max_length=32, description="上级组织代码")
    founded_on: dt.date | None = None


class PolicyRow(Schema):
    key: str
    label: str
    unit: str
    value: object
    source: str
    overridden_at: str | None


class Event(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    label: str
    source: str
    before: object | None
    after: object | None


@router.get("", response=OrgPage, summary="可见的组织（游标分页）")
def list_orgs(request, filters: Query[OrgFilter]):
    found = selectors.org_list(
        request.user, kind=filters.kind, roots=filters.roots, query=filters.q
    )
    page = paginate(
        found.select_related("parent"), key="path", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next": page.next_cursor}


@router.post("", response={201: Org}, summary="设立组织")
def create_org(request, payload: OrgIn):
    parent = selectors.get_visible(request.user, payload.parent, gate.MANAGE)
    org = services.set_up(
        request.user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        founded_on=payload.founded_on,
    )
    return Status(201, org)


@router.get("/{code}", response=Org, summary="组织详情")
def get_org(request, code: str):
    return selectors.visible_orgs(request.user).select_related("parent").get(code=code)


@router.get("/{code}/policy", response=list[PolicyRow], summary="该组织现行的全部规则值")
def org_policy(request, code: str, on: dt.date | None = None):
    org = selectors.get_visible(request.user, code)
    return [
        {
            "key": r.key,
            "label": r.label,
            "unit": r.unit,
            "value": r.value,
            "source": r.source,
            "overridden_at": r.overridden_at.code if r.override else None,
        }
        for r in in_force(org, on)
    ]


@router.get("/{code}/history", response=list[Event], summary="组织的变更历史")
def org_history(request, code: str):
    org = selectors.get_visible(request.user, code)
    return [
        {
            "id": e.pk,
            "at": e.at,
            "actor": e.actor_name,
            "action": e.action,
            "label": e.label,
            "source": e.source,
            "before": e.before,
            "after": e.after,
        }
        for e in history(org)[:500]
    ]


class RenameIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    on: dt.date | None = None


class MoveIn(Schema):
    new_parent: str = Field(..., min_length=1, max_length=32, description="新的上级组织代码")
    on: dt.date | None = None


class DissolveIn(Schema):
    on: dt.date | None = None
    reason: str = Field("", max_length=200)


def _manageable(request, code):
    return selectors.get_visible(request.user, code, gate.MANAGE)


@router.post("/{code}/rename", response=Org, summary="更名（自指定日期起）")
def rename_org(request, code: str, payload: RenameIn):
    return services.rename(
        request.user, _manageable(request, code), name=payload.name, on=payload.on
    )


@router.post("/{code}/move", response=Org, summary="调整隶属关系：连同全部下级移到新的上级组织之下")
def move_org(request, code: str, payload: MoveIn):
    org = _manageable(request, code)
    new_parent = _manageable(request, payload.new_parent)
    return services.move(request.user, org, new_parent=new_parent, on=payload.on)


@router.post("/{code}/dissolve", response=Org, summary="撤销组织")
def dissolve_org(request, code: str, payload: DissolveIn):
    org = selectors.get_visible(request.user, code)
    return services.dissolve(request.user, org, on=payload.on, reason=payload.reason)
