from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jiceng.kernel.duties import URGENCY_LABELS
from jiceng.orgs.switcher import current_org

from .selectors import duties_for


@login_required
def centre(request):
    org = current_org(request)
    items = duties_for(request.user, org=org)
    return render(
        request,
        "todo/centre.html",
        {
            "items": items,
            "org": org,
            "urgency_labels": URGENCY_LABELS,
        },
    )
