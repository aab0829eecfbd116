"""Refuse control characters at the edge, before they reach a query (issue #12).

PostgreSQL refuses a NUL in text ("A string literal cannot contain NUL"), so `?q=%00` used to
end in a 500; other C0 characters have no business in a path, a search or a form field either.
The path and the query string may hold none of them; form fields and JSON strings may hold
tab, CR and LF (a multi-line text box), nothing else. The answer is a 400 a person can read:
the API's error object under /api/, a Chinese page elsewhere. Uploaded files are not looked
into here: their bytes are checked by the kernel's file kit.
"""

import json
import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

_ANY_C0 = re.compile(r"[\x00-\x1f]")
_C0_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # all but tab, LF, CR


def _has(pattern, values) -> bool:
    return any(pattern.search(v) for v in values)


def _strings(data):
    """Every string in a parsed JSON document, keys included."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _json_strings(request):
    try:
        return list(_strings(json.loads(request.body)))
    except ValueError:  # not JSON (or not UTF-8): the API answers that itself
        return []


def refused_part(request) -> str | None:
    """Which part of the request holds a control character it may not hold, or None."""
    if _ANY_C0.search(request.path_info):
        return "path"
    query = request.GET
    if _has(_ANY_C0, query.keys()) or _has(_ANY_C0, (v for k in query for v in query.getlist(k))):
        return "query"
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = request.POST
            values = (v for k in form for v in form.getlist(k))
            if _has(_C0_IN_TEXT, form.keys()) or _has(_C0_IN_TEXT, values):
                return "form"
        elif content_type == "application/json" and _has(_C0_IN_TEXT, _json_strings(request)):
            return "body"
    return None


def refusal(request, part: str):
    message = _("The request contains control characters, which are not allowed.")
    if request.path_info.startswith("/api/"):
        body = {"code": "control_characters", "message": message, "fields": {part: [message]}}
        return JsonResponse(body, status=400)
    context = {"status": 400, "title": _("Bad request"), "message": message}
    return render(request, "ui/error.html", context, status=400)


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        part = refused_part(request)
        if part is not None:
            return refusal(request, part)
        return self.get_response(request)
