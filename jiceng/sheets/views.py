"""Import and export pages (/data/): thin views over jiceng.sheets.layer, one page per sheet kind.

An upload's size is checked from the request headers before the body is read (and the
CSRF check, which reads the body, runs only after that). Every import is a job
(jiceng.jobs, kind "import") owned by the uploader: a small file is imported within the
request, a larger one in the background while the result page shows a progress bar that
htmx polls. The result page and the error workbook of a failed import are found by the
job's random token and shown to its owner only (anyone else: 404).
"""

import re
import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from jiceng.jobs import selectors as job_selectors
from jiceng.jobs import services as jobs
from jiceng.jobs.models import Job, Status
from jiceng.jobs.views import progress_context
from jiceng.orgs import selectors, switcher
from jiceng.sheets import layer as sheets

INLINE_MAX_BYTES = 256 * 1024  # smaller uploads (a few thousand rows) finish in the request
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


@login_required
def index(request):
    org, _roots = _scope(request)
    return render(request, "sheets/index.html", {"specs": sheets.specs().values(), "org": org})


@login_required
def kind_page(request, kind):
    spec = _spec(kind)
    org, _roots = _scope(request)
    limits = spec.limits(org)
    return render(
        request,
        "sheets/kind.html",
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
    """The workbook; `?reveal=1` (sheets with personal information, users allowed to see it):
    ID numbers and phones in clear, which is logged. Otherwise they are masked."""
    spec = _spec(kind)
    org, roots = _scope(request)
    reveal = spec.personal and request.GET.get("reveal") == "1"
    return _download(
        lambda out: sheets.export_workbook(spec, request.user, roots, out, reveal=reveal),
        f"{spec.kind}-{org.code if org else 'all'}.xlsx",
    )


def _refuse(request, spec, message):
    return render(
        request,
        "sheets/result.html",
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
    org, _roots = _scope(request)
    params = {}
    code = (request.POST.get("org") or "").strip() if spec.org_field else ""
    if code:  # an import for one organization: blank organization cells go to it
        try:
            params["org"] = selectors.get_visible(request.user, code).pk
        except selectors.Organization.DoesNotExist:
            return _refuse(
                request,
                spec,
                _("There is no organization with code %(code)s within your scope.")
                % {"code": code},
            )
    job = jobs.submit(
        request.user,
        "import",
        source=upload,
        filename=upload.name,
        foreground=upload.size <= INLINE_MAX_BYTES,
        sheet=spec.kind,
        limits_org=org.pk if org else None,
        **params,
    )
    return redirect(reverse("data:result", args=[spec.kind, job.token]))


def _job(request, kind, token) -> Job:
    """The import job behind a result page, if it is this user's (else 404)."""
    try:
        if not TOKEN.match(token):
            raise Job.DoesNotExist
        job = job_selectors.get_visible(request.user, token=token)
    except Job.DoesNotExist:
        raise Http404(_("This import result is no longer available.")) from None
    if job.kind != "import" or job.params.get("sheet") != kind:
        raise Http404(_("This import result is no longer available."))
    return job


def _digest(job: Job) -> dict:
    if job.status == Status.DONE and isinstance(job.result, dict):
        return job.result
    message = job.message or _("The import did not finish.")
    return {"ok": False, "file_error": message, "summary": message, "workbook": False}


@login_required
def result(request, kind, token):
    spec = _spec(kind)
    job = _job(request, kind, token)
    context = {"spec": spec, "token": token, "job": job}
    if job.finished:
        context["result"] = _digest(job)
    else:
        context.update(progress_context(job))
    return render(request, "sheets/result.html", context)


@login_required
def errors(request, kind, token):
    _spec(kind)
    job = _job(request, kind, token)
    path = job.output_file
    if not _digest(job).get("workbook") or path is None or not path.is_file():
        raise Http404(_("This import result is no longer available."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{kind}-errors.xlsx",
        content_type=XLSX,
    )
