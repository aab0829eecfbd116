"""The policy API (/api/v1/policy/…): every value in force for an organization.

It lives with the organizations because it resolves the organization the caller may see,
which `jiceng.policy` (below access and orgs) cannot do."""

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from ninja import Query, Router, Schema

from jiceng.orgs.selectors import get_visible
from jiceng.policy.registry import definitions
from jiceng.policy.selectors import lookup

router = Router(tags=["policy"])


class Value(Schema):
    key: str
    label: str
    unit: str
    value: object
    source: str
    org: str | None
    on: dt.date
    overridden_at: str | None


@router.get("/{key}", response=Value, summary="查询规则值（可指定组织与日期）")
def policy_value(
    request, key: str, org: str | None = Query(None, max_length=32), on: dt.date | None = None
):
    if key not in definitions():
        raise ObjectDoesNotExist(key)
    scope = get_visible(request.user, org) if org else None
    on = on or dt.date.today()
    found = lookup(key, org=scope, on=on)
    return {
        "key": key,
        "label": found.label,
        "unit": found.unit,
        "value": found.value,
        "source": found.source,
        "org": org,
        "on": on,
        "overridden_at": found.overridden_at.code if found.override else None,
    }
