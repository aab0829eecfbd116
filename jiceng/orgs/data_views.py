"""Import and export pages (/data/): thin views over jiceng.sheets, one page per sheet kind.

An upload's size is checked from the request headers before the body is read (and the
CSRF check, which reads the body, runs only after that). The error workbook of a failed
import is kept under HOME/imports with a random name that starts with the user's id, and
the token is remembered in that user's session: nobody else can fetch it.
"""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from jiceng import sheets
from jiceng.ui import switcher

from . import selectors

SESSION_KEY = "imports"
KEEP_RESULTS = 10  # results remembered per session
KEEP_FILES_SECONDS = 24 * 3600
TOKEN = re.compile(r"^[0-9a-f]{32}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MULTIPART_SLACK = 64 * 1024  # form fields and boundaries around the file


def _spec(kind: str) -> sheets.SheetSpec:
    try:
        return sheets.get_spec(kind)
    except KeyError:
        raise Http404(_("No such kind of sheet.")) from None


def _scope(request):
    """The organizations whose subtrees the page works on: the switcher's, else the user's roots."""
    org = switcher.current_org(request)
    return org, ([org] if org else list(selectors.org_list(request.user, roots=True)))


def _imports_dir() -> Path:
    path = settings.HOME / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _error_file(user, token: str) -> Path:
    return _imports_dir() / f"{user.pk}-{token}.xlsx"


def _sweep() -> None:
    """Drop error workbooks older than a day."""
    cutoff = time.time() - KEEP_FILES_SECONDS
    for path in _imports_dir().glob("*-*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


@login_required
def index(request):
    org, _roots = _scope(request)
    return render(request, "orgs/data/index.html", {"specs": sheets.specs().values(), "org": org})


@login_required
def kind_page(request, kind):
    spec = _spec(kind)
    org, _roots = _scope(request)
    limits = spec.limits(org)
    return render(
        request,
        "orgs/data/kind.html",
        {
            "spec": spec,
            "org": org,
            "columns": [
                (c, c.instruction().removeprefix(sheets.INSTRUCTION_MARK).strip())
                for c in spec.columns
            ],
            "max_size": sheets.size_text(limits.max_bytes),
            "max_rows": limits.max_rows,
        },
    )


def _download(write, filename: str) -> FileResponse:
    """Write a workbook to a temporary file and stream it; FileResponse closes the file."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 — closed by FileResponse
    write(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


@login_required
def template(request, kind):
    spec = _spec(kind)
    return _download(
        lambda out: sheets.write_template(spec, out, limits=spec.limits()),
        f"{spec.kind}-template.xlsx",
    )


@login_required
def export(request, kind):
    spec = _spec(kind)
    org, roots = _scope(request)
    return _download(
        lambda out: sheets.export_workbook(spec, request.user, roots, out),
        f"{spec.kind}-{org.code if org else 'all'}.xlsx",
    )


def _refuse(request, spec, message):
    return render(
        request,
        "orgs/data/result.html",
        {"spec": spec, "result": {"ok": False, "file_error": message, "summary": message}},
        status=400,
    )


@csrf_exempt  # checked by _receive below, once the size is known to be acceptable
@login_required
@require_POST
def upload(request, kind):
    spec = _spec(kind)
    org, _roots = _scope(request)
    limits = spec.limits(org)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limits.max_bytes + MULTIPART_SLACK:
        return _refuse(
            request,
            spec,
            _("The file is too large (%(size)s); at most %(max)s may be imported at once.")
            % {"size": sheets.size_text(length), "max": sheets.size_text(limits.max_bytes)},
        )
    return _receive(request, spec, limits)


@csrf_protect
def _receive(request, spec, limits):
    upload = request.FILES.get("file")
    if upload is None:
        return _refuse(request, spec, _("Choose a file to import."))
    if upload.size > limits.max_bytes:
        return _refuse(
            request,
            spec,
            _("The file is too large (%(size)s); at most %(max)s may be imported at once.")
            % {"size": sheets.size_text(upload.size), "max": sheets.size_text(limits.max_bytes)},
        )
    result = sheets.import_sheet(spec, upload, request.user, limits=limits)
    token = secrets.token_hex(16)
    digest = result.to_dict()
    digest["workbook"] = False
    if not result.ok and not result.file_error:
        _sweep()
        sheets.write_error_workbook(
            spec, upload, result, _error_file(request.user, token), limits=limits
        )
        digest["workbook"] = True
    kept = request.session.get(SESSION_KEY, {})
    kept[token] = digest
    request.session[SESSION_KEY] = dict(list(kept.items())[-KEEP_RESULTS:])
    return redirect(reverse("data:result", args=[spec.kind, token]))


def _kept(request, kind, token) -> dict:
    digest = request.session.get(SESSION_KEY, {}).get(token) if TOKEN.match(token) else None
    if digest is None or digest.get("kind") != kind:
        raise Http404(_("This import result is no longer available."))
    return digest


@login_required
def result(request, kind, token):
    spec = _spec(kind)
    digest = _kept(request, kind, token)
    return render(
        request, "orgs/data/result.html", {"spec": spec, "result": digest, "token": token}
    )


@login_required
def errors(request, kind, token):
    _spec(kind)
    digest = _kept(request, kind, token)
    path = _error_file(request.user, token)
    if not digest.get("workbook") or not path.is_file():
        raise Http404(_("This import result is no longer available."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{kind}-errors.xlsx",
        content_type=XLSX,
    )
