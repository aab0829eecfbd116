from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from jiceng.kernel.duties import URGENCY_LABELS
from jiceng.orgs.shortcuts import org_or_404
from jiceng.orgs.switcher import current_org
from jiceng.sheets.http import xlsx_response

from . import export, selectors


def _filters(request) -> dict:
    """The centre's filters from the query string: ?org=CODE (a subtree; default: the
    switcher's), ?kind=…, ?urgency=overdue|due_soon|open."""
    code = request.GET.get("org", "").strip()
    org = org_or_404(request, code[:32]) if code else current_org(request)
    urgency = request.GET.get("urgency", "")
    return {
        "org": org,
        "kind": request.GET.get("kind", "")[:64],
        "urgency": urgency if urgency in selectors.URGENCIES else "",
    }


def _page(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


@login_required
def centre(request):
    filters = _filters(request)
    found = selectors.centre(request.user, page=_page(request), **filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "todo/centre.html",
        {
            "centre": found,
            "items": found.items,
            "org": filters["org"],
            "urgency_labels": URGENCY_LABELS,
            "query": query.urlencode(),
        },
    )


@never_cache
@login_required
def export_xlsx(request):
    """The centre under the same filters as .xlsx (every listed item, not one page)."""
    filters = _filters(request)
    name = filters["org"].name if filters["org"] else ""
    return xlsx_response(
        lambda out: export.write(request.user, out, **filters), f"{name}待办事项.xlsx"
    )
