"""The shell's pages: home, sign-in, health check, choosing the organization to work on, and
the error pages (the organization and unit pages are in `jiceng.orgs.views`)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiceng.orgs import selectors as orgs
from jiceng.orgs import switcher

from . import selectors as ui_selectors


class LoginView(auth_views.LoginView):
    template_name = "ui/login.html"
    redirect_authenticated_user = True


def home(request):
    return redirect("todo:centre" if request.user.is_authenticated else "ui:login")


def healthz(request):
    """For load balancers and monitoring: 200 when this process and its database serve,
    503 when the database does not answer. Reads nothing else (no session, no user)."""
    database = ui_selectors.database_state()
    return JsonResponse(
        {"status": "ok" if database == "ok" else "degraded", "database": database},
        status=200 if database == "ok" else 503,
    )


@login_required
def switch_org(request):
    if request.method == "POST":
        try:
            switcher.switch(request, request.POST.get("org") or None)
        except orgs.Organization.DoesNotExist:
            raise Http404(_("No such organization, or you may not see it.")) from None
        return redirect(request.POST.get("next") or "todo:centre")
    query = request.GET.get("q", "").strip()
    found = (
        orgs.org_list(request.user, query=query)
        if query
        else orgs.org_list(request.user, roots=True)
    )
    return render(request, "ui/switch.html", {"orgs": found[:100], "query": query})


def _error(request, status, title, message):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": str(status), "message": message, "fields": {}}, status=status)
    return render(
        request,
        "ui/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request, exception=None):
    return _error(
        request, 403, _("No permission"), _("You do not have permission to see this page.")
    )


def page_not_found(request, exception=None):
    return _error(
        request, 404, _("Page not found"), _("The page does not exist, or you may not see it.")
    )


def server_error(request):
    """The 500 page, in Chinese, without the database: often the database is why we are here.
    The page stands alone (no base layout, no context processors, no session or user)."""
    title = _("Server error")
    message = _("Something went wrong on our side. It has been logged; please try again later.")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "server_error", "message": message, "fields": {}},
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    try:
        page = loader.get_template("ui/500.html").render(
            {"status": 500, "title": title, "message": message, "language": get_language()}
        )
    except Exception:  # never let the error page fail into the server's English one
        page = f"<!doctype html><meta charset=utf-8><title>500</title><h1>500 · {title}</h1>"
        page += f"<p>{message}</p>"
    return HttpResponseServerError(page)
