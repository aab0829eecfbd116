from ninja import Field, Router, Schema

from jiceng.kernel.schemas import OrgRef

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
