import datetime as dt

from ninja import Field, Query, Router, Schema

from jiceng.kernel.pagination import paginate
from jiceng.kernel.schemas import OrgRef

from . import selectors, services
from .selectors import my_assignments

router = Router(tags=["access"])


class Assignment(Schema):
    role: str
    scope: str
    org: OrgRef | None
    valid_from: str
    valid_to: str | None = Field(
        description="最后有效日（含当日）；为空表示长期有效", json_schema_extra={"format": "date"}
    )


class Me(Schema):
    username: str
    name: str
    assignments: list[Assignment]


@router.get("/me", response=Me, summary="当前用户及其有效角色")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "name": str(user),
        "assignments": [
            {
                "role": a.role,
                "scope": a.scope,
                "org": a.org,
                "valid_from": a.valid_from.isoformat(),
                "valid_to": a.last_day.isoformat() if a.last_day else None,
            }
            for a in my_assignments(user)
        ],
    }


# -- role assignments of the organizations one manages (issue #12) ----------------------------


class AssignmentRow(Schema):
    id: int
    user: str
    name: str
    role: str
    scope: str
    org: OrgRef | None
    valid_from: dt.date
    valid_to: dt.date | None = Field(
        description="最后有效日（含当日）；为空表示长期有效", json_schema_extra={"format": "date"}
    )


class AssignmentPage(Schema):
    items: list[AssignmentRow]
    next: str | None


class AssignmentFilter(Schema):
    org: str = Field("", max_length=32, description="只看该组织（代码）的角色")
    user: str = Field("", max_length=150, description="只看该用户名的角色")
    ended: bool = Field(False, description="包括已结束的角色")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class EndIn(Schema):
    last_day: dt.date | None = Field(None, description="最后有效日（含当日）；默认今天")


def _row(a) -> dict:
    return {
        "id": a.pk,
        "user": a.user.username,
        "name": str(a.user),
        "role": a.role,
        "scope": a.scope,
        "org": a.org,
        "valid_from": a.valid_from,
        "valid_to": a.last_day,
    }


@router.get("/assignments", response=AssignmentPage, summary="所管组织的角色分配（游标分页）")
def list_assignments(request, filters: Query[AssignmentFilter]):
    found = selectors.assignments(
        request.user, org_code=filters.org, username=filters.user, ended=filters.ended
    )
    page = paginate(found, key="pk", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_row(a) for a in page.items], "next": page.next_cursor}


@router.post("/assignments/{id}/end", response=AssignmentRow, summary="结束一项角色分配（留痕）")
def end_assignment(request, id: int, payload: EndIn):
    found = selectors.assignment(request.user, id)
    return _row(services.end_role(request.user, found, last_day=payload.last_day))
