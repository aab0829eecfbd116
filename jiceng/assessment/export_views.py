"""Pages of the assessment's figures and downloads: the grade distribution and class shares of
a subtree with drill-down, a round's results (.xlsx), its publicity notice and result notice
(.docx), a scheme version as .xlsx and its import. Every read goes through `selectors` as the
acting user (404 for what they may not see); the one write goes through `exports.import_scheme`."""

import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.documents import docx_response
from jiceng.kernel.forms import BootstrapForm, submit
from jiceng.orgs import selectors as orgs_selectors
from jiceng.orgs import switcher
from jiceng.orgs.shortcuts import org_or_404
from jiceng.sheets.http import xlsx_response

from . import documents, exports, permissions, selectors

PERIOD = re.compile(r"^\d{4}(H[12])?$")


def _org(request):
    """?org=CODE (404 if not visible), else the switcher's, else the user's first top org."""
    code = request.GET.get("org")
    if code:
        return org_or_404(request, code)
    org = switcher.current_org(request)
    if org is None:
        org = orgs_selectors.org_list(request.user, roots=True).first()
    if org is None:
        raise Http404(_("No such organization, or you may not see it."))
    return org


def _period(request) -> str:
    period = (request.GET.get("period") or "").strip().upper()
    return period if PERIOD.match(period) else str(timezone.localdate().year)


def _periods(period: str) -> list[tuple[str, str]]:
    year = int(period[:4])
    found = []
    for y in range(year + 1, year - 4, -1):
        found += [(str(y), f"{y}年度"), (f"{y}H2", f"{y}年下半年"), (f"{y}H1", f"{y}年上半年")]
    return found


@login_required
def figures(request):
    """Counts and shares by grade for a subtree and period, a bar chart, each direct
    subordinate (click to drill down) and the rounds of the period with their downloads."""
    org, period = _org(request), _period(request)
    data = selectors.distribution(request.user, org, period)
    children = [
        {
            "org": c["org"],
            "name": c["org"].name,
            "totals": c["totals"],
            "rate": c["totals"]["grades"][0]["share"].rate,
        }
        for c in data["children"]
    ]
    return render(
        request,
        "assessment/export/figures.html",
        {
            "org": org,
            "period": period,
            "period_label": documents.period_label(period),
            "periods": _periods(period),
            "ancestors": selectors.visible_ancestors(request.user, org),
            "totals": data["totals"],
            "grade_chart": [
                {"label": g["label"], "rate": g["share"].rate} for g in data["totals"]["grades"]
            ],
            "children": children,
            "rounds": selectors.subtree_rounds(request.user, org, period),
        },
    )


def _round(request):
    return selectors.results_round(request.user, request.GET.get("round"))


@login_required
def export_results_xlsx(request):
    """A round's results: every organization the user may see, and counts by grade."""
    round_ = _round(request)
    rows = selectors.round_results(request.user, round_)
    figures_ = selectors.round_distribution(rows)
    return xlsx_response(
        lambda out: exports.write_results(round_, rows, figures_, out),
        f"{documents.period_label(round_.period)}{round_.scheme.name}考评结果.xlsx",
    )


def _document(request, kind: str):
    round_ = _round(request)
    rows = selectors.round_results(request.user, round_)
    try:
        if kind == "publicity":
            doc = documents.publicity_notice(round_, rows)
        else:
            doc = documents.result_notice(round_, rows, selectors.round_distribution(rows))
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from None
    return docx_response(doc, documents.filename(round_, kind))


@login_required
def export_publicity_docx(request):
    """考评结果公示 of a round in publicity or final."""
    return _document(request, "publicity")


@login_required
def export_notice_docx(request):
    """考评结果通报 of a final round."""
    return _document(request, "notice")


@login_required
def export_scheme_xlsx(request):
    """A scheme version as .xlsx (importable again as a new scheme or the next version)."""
    try:
        pk = int(request.GET.get("scheme") or 0)
    except ValueError:
        pk = 0
    scheme = selectors.scheme(request.user, pk)
    return xlsx_response(
        lambda out: exports.write_scheme(scheme, selectors.scheme_blocks(scheme), out),
        f"{scheme.name}（第{scheme.version}版）.xlsx",
    )


class SchemeImportForm(BootstrapForm):
    file = forms.FileField(label=_lazy("Scheme workbook (.xlsx)"))
    code = forms.SlugField(
        label=_lazy("Code"),
        max_length=40,
        required=False,
        help_text=_lazy("Leave empty to use the code in the file (方案代码)."),
    )
    name = forms.CharField(
        label=_lazy("Name"),
        max_length=120,
        required=False,
        help_text=_lazy("Leave empty to use the name in the file (方案名称)."),
    )


@login_required
def export_scheme_import(request):
    """Upload a scheme workbook for the organization: all rows are checked first; any bad
    row and nothing is saved, each problem shown with its row number."""
    org = _org(request)
    if not permissions.may_run(request.user, org):
        raise Http404(_("You may not define assessment schemes for this organization."))
    form = SchemeImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )

    def perform(data):
        try:
            return exports.import_scheme(
                request.user, org, data["file"], code=data["code"], name=data["name"]
            )
        except exports.SchemeFileError as exc:
            raise ValidationError(exc.errors) from None
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from None

    done = submit(
        request,
        form,
        perform,
        done=lambda s: (
            _("Saved %(name)s, version %(version)s.") % {"name": s.name, "version": s.version}
        ),
    )
    if done is not None:
        return done
    return render(
        request,
        "assessment/export/scheme_import.html",
        {"org": org, "form": form, "schemes": selectors.schemes(request.user, org)},
    )
