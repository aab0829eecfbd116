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


def _strings(data):
    """Every string in a parsed JSON value, keys included."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _bad_keys(pattern, pairs) -> list[str]:
    """The names (of query parameters, form fields, JSON members) whose name or value holds
    a refused character: the fields the error names, as the API's other errors do."""
    return [k for k, v in pairs if pattern.search(k) or any(pattern.search(s) for s in _strings(v))]


def _json_pairs(request) -> list:
    try:
        data = json.loads(request.body)
    except ValueError:  # not JSON (or not UTF-8): the API answers that itself
        return []
    return list(data.items()) if isinstance(data, dict) else [("body", data)]


def refused_fields(request) -> list[str]:
    """Where the request holds a control character it may not hold (empty: nowhere)."""
    if _ANY_C0.search(request.path_info):
        return ["path"]
    query = request.GET
    found = _bad_keys(_ANY_C0, ((k, query.getlist(k)) for k in query))
    if found or request.method not in ("POST", "PUT", "PATCH"):
        return found
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = request.POST
        return _bad_keys(_C0_IN_TEXT, ((k, form.getlist(k)) for k in form))
    if content_type == "application/json":
        return _bad_keys(_C0_IN_TEXT, _json_pairs(request))
    return []


def refusal(request, fields: list[str]):
    message = _("The request contains control characters, which are not allowed.")
    if request.path_info.startswith("/api/"):
        body = {
            "code": "control_characters",
            "message": message,
            "fields": {f: [message] for f in fields},
        }
        return JsonResponse(body, status=400)
    context = {"status": 400, "title": _("Bad request"), "message": message}
    return render(request, "ui/error.html", context, status=400)


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = refused_fields(request)
        if fields:
            return refusal(request, fields)
        return self.get_response(request)
