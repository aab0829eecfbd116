"""Downloads: an OfficialDocument (or .docx/.pdf bytes) as an HTTP attachment."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .official import DOCX_CONTENT_TYPE

PDF_CONTENT_TYPE = "application/pdf"


def docx_response(document, filename: str) -> HttpResponse:
    """An attachment response; `filename` may be Chinese (RFC 5987 filename*=UTF-8'')."""
    data = document if isinstance(document, bytes) else document.to_bytes()
    if not filename.lower().endswith(".docx"):
        filename += ".docx"
    return _attachment(data, filename, DOCX_CONTENT_TYPE)


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    if not filename.lower().endswith(".pdf"):
        filename += ".pdf"
    return _attachment(data, filename, PDF_CONTENT_TYPE)


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    return response
