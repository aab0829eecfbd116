import datetime as dt

from ninja import Query, Router, Schema

from jiceng.kernel.schemas import OrgRef
from jiceng.orgs.selectors import get_visible

from .selectors import duties_for

router = Router(tags=["todo"])


class DutyOut(Schema):
    kind: str
    title: str
    urgency: str
    due: dt.date | None
    url: str
    org: OrgRef


@router.get("", response=list[DutyOut], summary="待办中心：按紧急程度排序的待办事项")
def todo(request, org: str | None = Query(None, max_length=32)):
    scope = get_visible(request.user, org) if org else None
    return [
        {
            "kind": i.duty.kind,
            "title": i.duty.title,
            "urgency": i.urgency,
            "due": i.duty.due,
            "url": i.duty.url,
            "org": i.duty.org,
        }
        for i in duties_for(request.user, org=scope)
    ]
