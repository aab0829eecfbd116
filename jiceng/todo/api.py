import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from jiceng.kernel.schemas import OrgRef
from jiceng.orgs.selectors import get_visible

from . import selectors

router = Router(tags=["todo"])


class DutyOut(Schema):
    kind: str
    title: str
    urgency: str = Field(description="overdue, due_soon or open")
    due: dt.date | None
    url: str
    org: OrgRef
    actionable: bool = Field(description="the caller manages the organization that owes it")


class GroupOut(Schema):
    kind: str
    label: str = Field(description="the kind's group, e.g. 没有负责人的组织")
    count: int
    overdue: int
    capped: bool = Field(
        description="only the first items of the kind were listed: count is a floor"
    )


class TodoPage(Schema):
    items: list[DutyOut] = Field(description="this page, most urgent first")
    groups: list[GroupOut] = Field(description="every kind under the org and urgency filters")
    count: int = Field(description="items under every filter")
    page: int
    pages: int
    next: int | None = Field(description="the next page number, or null on the last page")
    read_only: bool = Field(description="the caller may act on none of them (an inspector)")


@router.get(
    "",
    response=TodoPage,
    summary="待办中心：按紧急程度排序、分组计数、分页的待办事项",
    description=(
        "Duties of the organizations the caller oversees, filtered by `org` (a subtree), "
        "`kind` and `urgency`; `page` from 1, 50 items a page."
    ),
)
def todo(
    request,
    org: str | None = Query(None, max_length=32),
    kind: str = Query("", max_length=64),
    urgency: Literal["", "overdue", "due_soon", "open"] = Query(""),
    page: int = Query(1, ge=1, le=100_000),
):
    try:
        scope = get_visible(request.user, org) if org else None
    except selectors.Organization.DoesNotExist:
        raise Http404 from None
    found = selectors.centre(request.user, org=scope, kind=kind, urgency=urgency, page=page)
    return {
        "items": [
            {
                "kind": i.duty.kind,
                "title": i.duty.title,
                "urgency": i.urgency,
                "due": i.duty.due,
                "url": str(i.duty.url),
                "org": i.duty.org,
                "actionable": i.actionable,
            }
            for i in found.items
        ],
        "groups": [g.__dict__ for g in found.groups],
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "next": found.page + 1 if found.page < found.pages else None,
        "read_only": found.read_only,
    }
