"""The JSON API under /api/v1/: one NinjaAPI, one error format, two ways to authenticate.

Every error has the shape {"code": ..., "message": <Chinese text>, "fields": {field: [messages]}}.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from jiceng.access.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class ReadableJSON(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


api = NinjaAPI(
    title="Jiceng API",
    version="1",
    description="基层组织工作平台接口。认证：浏览器会话（需 CSRF 令牌）或 `Authorization: Bearer <令牌>`"
    "（用 `jiceng token create 用户名` 生成）。列表使用游标分页：响应中的 `next` 作为下一次请求的 `cursor`。",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    renderer=ReadableJSON(),
)


def error(request, status: int, code: str, message: str, fields=None):
    return api.create_response(
        request, {"code": code, "message": str(message), "fields": fields or {}}, status=status
    )


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def on_invalid(request, exc):
    return error(request, 400, "invalid", _("The input is invalid."), _field_errors(exc))


# Readable messages for the schema checks people actually trip over; others keep pydantic's text.
SCHEMA_MESSAGES = {
    "missing": _lazy("This field is required."),
    "string_too_short": _lazy("This field is too short."),
    "string_too_long": _lazy("This field is too long."),
    "enum": _lazy("This is not one of the allowed values."),
    "literal_error": _lazy("This is not one of the allowed values."),
    "int_parsing": _lazy("Enter a whole number."),
    "bool_parsing": _lazy("Enter true or false."),
    "date_from_datetime_parsing": _lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": _lazy("Enter a date as YYYY-MM-DD."),
    "greater_than_equal": _lazy("The number is too small."),
    "less_than_equal": _lazy("The number is too large."),
}


def _field_name(loc) -> str:
    # ("body", "payload", "code") -> "code"; ("query", "limit") -> "limit"
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def on_schema_invalid(request, exc):
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        message = SCHEMA_MESSAGES.get(item.get("type"), item.get("msg", ""))
        fields.setdefault(_field_name(item.get("loc", ())), []).append(str(message))
    return error(request, 422, "invalid", _("The input is invalid."), fields)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", _("Log in or send a valid API token."))


@api.exception_handler(PermissionDenied)
def on_denied(request, exc):
    return error(request, 403, "forbidden", _("You do not have permission for this."))


@api.exception_handler(ObjectDoesNotExist)
def on_missing(request, exc):
    return error(request, 404, "not_found", _("Not found, or you may not see it."))


@api.exception_handler(Http404)
def on_404(request, exc):
    return on_missing(request, exc)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_crash(request, exc):
    import logging

    logging.getLogger("jiceng.api").exception("API error")
    return error(request, 500, "server_error", _("Something went wrong on our side."))


def _routers():
    from jiceng.access.api import router as access
    from jiceng.assessment.api import router as assessment
    from jiceng.congress.api import router as congress
    from jiceng.elections.api import router as elections
    from jiceng.life.api import router as life
    from jiceng.orgs.api import router as orgs
    from jiceng.orgs.policy_api import router as policy
    from jiceng.people.api import router as people
    from jiceng.stats.api import router as stats
    from jiceng.todo.api import router as todo

    api.add_router("/", access)
    api.add_router("/assessment", assessment)
    api.add_router("/congress", congress)
    api.add_router("/elections", elections)
    api.add_router("/life", life)
    api.add_router("/orgs", orgs)
    api.add_router("/people", people)
    api.add_router("/policy", policy)
    api.add_router("/stats", stats)
    api.add_router("/todo", todo)


_routers()
