"""The figures dashboard: every metric for one organization, its children, and the counts."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.kernel.figures import Figure, period_end
from jiceng.orgs import selectors as orgs
from jiceng.orgs import switcher
from jiceng.orgs.models import Kind, Organization, UnitKind
from jiceng.sheets.http import xlsx_response

from . import exports
from .metrics import METRICS
from .selectors import orgs_by_kind_and_host, published, report, rollup, units_by_kind

CHILDREN_LIMIT = 200

# Host categories of stats.selectors.host_category: enterprises by ownership, others by kind.
HOST_LABELS = {
    "enterprise_non_public": gettext_lazy("Non-public enterprise"),
    "enterprise_state": gettext_lazy("State-owned enterprise"),
    "enterprise_collective": gettext_lazy("Collective enterprise"),
    **{value: label for value, label in UnitKind.choices if value != UnitKind.ENTERPRISE},
    "none": gettext_lazy("No host unit"),
}
HOST_ORDER = list(HOST_LABELS)


class DashboardForm(forms.Form):
    org = forms.CharField(required=False, max_length=32)
    on = forms.DateField(
        label=gettext_lazy("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period = forms.RegexField(
        label=gettext_lazy("Closed period"),
        regex=r"^\d{4}(H[12]|Q[1-4]|-(0[1-9]|1[0-2]))?$",
        required=False,
        max_length=7,
        error_messages={
            "invalid": gettext_lazy("Write the period as 2026, 2026H1, 2026Q3 or 2026-05.")
        },
    )
    metric = forms.ChoiceField(required=False, choices=[(k, k) for k in METRICS])


def _choose_org(request, code: str) -> Organization | None:
    """?org=CODE among visible organizations, else the switcher's, else the first visible root."""
    if code:
        try:
            return orgs.get_visible(request.user, code)
        except Organization.DoesNotExist:
            raise Http404(_("No such organization, or you may not see it.")) from None
    return switcher.current_org(request) or orgs.org_list(request.user, roots=True).first()


def _rate_text(figure: Figure | None) -> str:
    return "—" if figure is None or figure.rate is None else f"{figure.rate:.1f}%"


@login_required
def dashboard(request):
    form = DashboardForm(request.GET)
    form.is_valid()
    params = form.cleaned_data
    org = _choose_org(request, params.get("org") or "")
    if org is None:
        return render(request, "stats/dashboard.html", {"form": form, "org": None})

    period = params.get("period") or ""
    on = period_end(period) if period else (params.get("on") or timezone.localdate())
    metrics = [m for m in METRICS.values() if m.tree == org.tree]
    focus = METRICS.get(params.get("metric") or "")
    if focus not in metrics:
        focus = metrics[0] if metrics else None
    children = list(orgs.child_nodes(request.user, org)[:CHILDREN_LIMIT])

    cards, child_figures, is_published = [], {}, False
    for metric in metrics:
        figure = published(metric.key, org, period) if period else None
        if figure is not None:  # the period is closed: its published figures, never recomputed
            is_published = True
            if metric is focus:
                child_figures = {c.pk: published(metric.key, c, period) for c in children}
        else:
            by_org = rollup(metric.key, on, within=org)
            figure = by_org.get(org.pk, Figure(0, 0))
            if metric is focus:
                child_figures = {c.pk: by_org.get(c.pk, Figure(0, 0)) for c in children}
        cards.append(
            {
                "metric": metric,
                "figure": figure,
                "rate": _rate_text(figure),
                "basis": metric.describe(org, on),  # the rule values, not their keys
            }
        )

    rows = [{"org": c, "figure": child_figures.get(c.pk) or Figure(0, 0)} for c in children]
    for row in rows:
        row["rate"] = _rate_text(row["figure"])
    charted = [r for r in rows if r["figure"].denominator]
    chart = {
        "title": str(focus.label) if focus else "",
        "names": [r["org"].name for r in charted],
        "codes": [r["org"].code for r in charted],
        "rates": [r["figure"].rate for r in charted],
        "numerators": [r["figure"].numerator for r in charted],
        "denominators": [r["figure"].denominator for r in charted],
    }

    by_kind = orgs_by_kind_and_host(org, on)
    columns = [c for c in HOST_ORDER if any(c in counts for counts in by_kind.values())]
    columns += sorted({c for counts in by_kind.values() for c in counts} - set(columns))
    kind_rows = [
        {
            "label": Kind(kind).label if kind in Kind.values else kind,
            "cells": [by_kind[kind].get(c, 0) for c in columns],
            "total": sum(by_kind[kind].values()),
        }
        for kind in Kind.values
        if kind in by_kind
    ]
    units = units_by_kind(org, on)
    unit_rows = [
        {"label": HOST_LABELS.get(c, c), "count": n}
        for c, n in sorted(units.items(), key=lambda item: (-item[1], item[0]))
    ]

    base_query = request.GET.copy()
    base_query.pop("metric", None)
    base_query.pop("org", None)
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "org": org,
            "on": on,
            "period": period,
            "published": is_published,
            "cards": cards,
            "focus": focus,
            "rows": rows,
            "chart": chart,
            "chart_height": 80 + 30 * max(len(charted), 1),
            "host_columns": [HOST_LABELS.get(c, c) for c in columns],
            "kind_rows": kind_rows,
            "column_totals": [
                sum(counts.get(c, 0) for counts in by_kind.values()) for c in columns
            ],
            "orgs_total": sum(sum(counts.values()) for counts in by_kind.values()),
            "unit_rows": unit_rows,
            "units_total": sum(units.values()),
            "units_chart_height": 80 + 30 * len(unit_rows),
            "units_chart": {
                "names": [str(r["label"]) for r in unit_rows],
                "counts": [r["count"] for r in unit_rows],
            },
            "keep": base_query.urlencode(),
            "ancestors": orgs.ancestors(org).filter(pk__in=orgs.visible_orgs(request.user)),
        },
    )


@login_required
def coverage_xlsx(request):
    """The dashboard's figures (every metric, the organization and its children) as .xlsx:
    the same file as `jiceng stats coverage --format xlsx`."""
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("；".join(m for ms in form.errors.values() for m in ms))
    params = form.cleaned_data
    org = _choose_org(request, params.get("org") or "")
    if org is None:
        raise Http404(_("No such organization, or you may not see it."))
    try:
        data = report(request.user, org, on=params.get("on"), period=params.get("period") or None)
    except ValidationError as exc:
        return HttpResponseBadRequest("；".join(exc.messages))
    return xlsx_response(
        lambda out: exports.write_xlsx(data, out), f"{org.name}统计指标{data['on']}.xlsx"
    )
