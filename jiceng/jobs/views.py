"""Progress of a job for the page that started it: JSON, and a Bootstrap bar htmx polls.

Only the job's creator (or a system administrator) sees it; anyone else gets 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import selectors
from .models import Job


def _job(request, pk: int) -> Job:
    try:
        return selectors.get_visible(request.user, pk=pk)
    except Job.DoesNotExist:
        raise Http404(_("No such job.")) from None


@login_required
def progress_json(request, pk: int):
    """{"status", "done", "total", "percent", "message", …} of the job."""
    return JsonResponse(selectors.progress(_job(request, pk)))


def progress_context(job: Job) -> dict:
    state = selectors.progress(job)
    count = f"{state['done']:,}" + (f"/{state['total']:,}" if state["total"] else "")
    return {"job": job, "state": state, "count": count}


@login_required
def progress_bar(request, pk: int):
    """The bar alone (polled every second by htmx); once the job ends, htmx reloads the page
    that shows it, which then shows the result."""
    context = progress_context(_job(request, pk))
    response = render(request, "jobs/_progress.html", context)
    if context["state"]["finished"]:
        response["HX-Refresh"] = "true"
    return response
