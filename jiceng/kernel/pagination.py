"""Cursor pagination shared by pages and the API.

A cursor is the opaque, URL-safe encoding of the last row's value of a unique,
indexed ordering key, so the 1,000th page costs what the first does (no OFFSET).
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

MAX_LIMIT = 200


@dataclass
class Page:
    items: list
    next_cursor: str | None


def encode(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode(cursor: str):
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationError({"cursor": _("The page cursor is invalid.")}) from None


def paginate(queryset, *, key: str, cursor: str | None = None, limit: int = 50) -> Page:
    """The page after `cursor` of `queryset`, ordered by the unique field `key` ("-pk":
    descending)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    field = key.removeprefix("-")
    queryset = queryset.order_by(key)
    if cursor:
        after = decode(cursor)
        if not isinstance(after, str | int):
            raise ValidationError({"cursor": _("The page cursor is invalid.")})
        beyond = "lt" if key.startswith("-") else "gt"
        queryset = queryset.filter(**{f"{field}__{beyond}": after})
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode(getattr(rows[-1], field)) if more else None)


def page_of(request, queryset, *, key: str = "-pk", limit: int = 50) -> Page:
    """One page of `queryset` for a list page: the cursor from `?cursor=`, `limit` rows."""
    try:
        return paginate(queryset, key=key, cursor=request.GET.get("cursor"), limit=limit)
    except ValidationError:
        raise Http404(_("The page cursor is invalid.")) from None


def next_page_url(request, page: Page) -> str | None:
    """This list page's address with the next cursor (the other filters kept), or None."""
    if not page.next_cursor:
        return None
    query = request.GET.copy()
    query["cursor"] = page.next_cursor
    return f"{request.path}?{query.urlencode()}"
