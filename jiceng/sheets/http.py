"""Downloads: a workbook written by an `ExportBook` writer as an HTTP attachment."""

import io
from collections.abc import Callable

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from jiceng.kernel.files import XLSX


def xlsx_response(write: Callable, filename: str) -> HttpResponse:
    """`write(out)` fills a file-like object; `filename` may be Chinese (RFC 5987)."""
    out = io.BytesIO()
    write(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
