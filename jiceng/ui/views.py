"""Thin pages over the selectors and services of the ground-floor apps."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import selectors as access
from jiceng.audit.selectors import history
from jiceng.orgs import selectors as orgs
from jiceng.orgs.models import Kind
from jiceng.pagination import paginate
from jiceng.policy.selectors import in_force

from . import switcher

HISTORY_LIMIT = 500


class LoginView(auth_views.LoginView):
    template_name = "ui/login.html"
    redirect_authenticated_user = True


def home(request):
    return redirect("todo:centre" if request.user.is_authenticated else "ui:login")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def _visible_or_404(request, code):
    try:
        return orgs.get_visible(request.user, code)
    except orgs.Organization.DoesNotExist:
        raise Http404(_("No such organization, or you may not see it.")) from None


@login_required
def org_list(request):
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind") or None
    found = orgs.org_list(request.user, kind=kind, query=query, under=switcher.current_org(request))
    try:
        page = paginate(found, key="path", cursor=request.GET.get("cursor"), limit=50)
    except ValidationError:
        raise Http404(_("The page cursor is invalid.")) from None
    return render(
        request,
        "ui/org_list.html",
        {
            "page": page,
            "query": query,
            "kind": kind,
            "kinds": Kind.choices,
        },
    )


@login_required
def org_detail(request, code):
    org = _visible_or_404(request, code)
    return render(
        request,
        "ui/org_detail.html",
        {
            "org": org,
            "ancestors": orgs.ancestors(org).filter(pk__in=orgs.visible_orgs(request.user)),
            "children": orgs.children(request.user, org)[:200],
            "assignments": access.assignments_in_scope(request.user).filter(org=org),
        },
    )


@login_required
def org_policy(request, code):
    org = _visible_or_404(request, code)
    on = timezone.localdate()
    return render(request, "ui/org_policy.html", {"org": org, "rows": in_force(org, on), "on": on})


@login_required
def org_history(request, code):
    org = _visible_or_404(request, code)
    return render(
        request,
        "ui/history.html",
        {"object": org, "org": org, "events": history(org)[:HISTORY_LIMIT]},
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
    return _error(
        request,
        500,
        _("Server error"),
        _("Something went wrong on our side. It has been logged; please try again later."),
    )
