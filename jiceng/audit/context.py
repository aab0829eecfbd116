"""Where the current write comes from (web, api, cli, import, job)."""

import contextlib
import contextvars

from .models import Source

_source: contextvars.ContextVar[str] = contextvars.ContextVar("audit_source", default=Source.WEB)


def current_source() -> str:
    return _source.get()


@contextlib.contextmanager
def source(value: str):
    token = _source.set(value)
    try:
        yield
    finally:
        _source.reset(token)


class SourceMiddleware:
    """Marks writes made through /api/ as API writes, everything else as web."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with source(Source.API if request.path.startswith("/api/") else Source.WEB):
            return self.get_response(request)
