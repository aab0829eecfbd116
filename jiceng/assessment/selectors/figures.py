"""Figures of assessment results, scoped by the acting user: the grade distribution and class
shares of a subtree for a period (with its direct subordinates for drill-down), one round's
results for its .xlsx and its documents.

A share is a `Figure` (numerator over denominator); its `rate` has one decimal as everywhere
in the product: 127 of 179 branches in class one is 70.9% (003:L184 rounds it to 71%).
"""

from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.kernel.figures import Figure
from jiceng.kernel.paths import subtree_q
from jiceng.orgs import selectors as orgs
from jiceng.orgs.models import Organization

from ..models import GRADE_ORDER, Entry, Grade, Objection, Rectification, Round, RoundState
from .rounds import board


def shares(counts: Counter) -> dict:
    """Counts by grade and each grade's share of the whole, best grade first."""
    n = sum(counts.values())
    return {
        "count": n,
        "grades": [
            {
                "grade": g,
                "label": Grade(g).label,
                "count": counts.get(g, 0),
                "share": Figure(counts.get(g, 0), n),
            }
            for g in GRADE_ORDER
        ],
    }


def class_share(counts: Counter, grade_: str) -> Figure:
    return Figure(counts.get(grade_, 0), sum(counts.values()))


def distribution(user, root, period: str) -> dict:
    """Grades of the final results of `root`'s subtree for a period (every round of that
    period): counts and shares by grade, and the same per direct subordinate (a real
    organization, for drill-down) that has results below it."""
    gate.require(user, gate.VIEW, root)
    entries = (
        Entry.objects.filter(
            subtree_q(root.path, "org__path"), round__period=period, round__state=RoundState.FINAL
        )
        .filter(gate.org_filter(user, gate.VIEW, field="org"))
        .values_list("org__path", "grade")
    )
    total, below = Counter(), defaultdict(Counter)
    width = len(root.path)
    for path, grade_ in entries:
        total[grade_] += 1
        if len(path) > width:
            below[path[: path.index("/", width) + 1]][grade_] += 1
    children = Organization.objects.filter(path__in=list(below)).order_by("path")
    return {
        "root": root,
        "period": period,
        "totals": shares(total),
        "children": [{"org": c, "totals": shares(below[c.path])} for c in children],
    }


# -- one round's results ---------------------------------------------------------------------


def results_round(user, pk) -> Round:
    """A round whose results the user may read whole: they see the organization that runs
    it (an upper level). A branch that only sees its own entry gets 404, as does anyone else."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    found = Round.objects.filter(pk=pk).select_related("org", "scheme", "scheme__org").first()
    if found is None or not gate.can(user, gate.VIEW, found.org):
        raise Http404(_("No such round, or you may not see it."))
    return found


def subtree_rounds(user, root, period: str) -> list[Round]:
    """Rounds of a period opened for `root` or an organization below it, that the user may
    read whole, latest first."""
    gate.require(user, gate.VIEW, root)
    return list(
        Round.objects.filter(subtree_q(root.path, "org__path"), period=period)
        .filter(gate.org_filter(user, gate.VIEW, field="org"))
        .select_related("org", "scheme")
        .order_by("-opened_on", "-id")
    )


def round_for(user, org, period: str) -> Round:
    """The latest round of `period` opened for `org` itself (the CLI's documents)."""
    found = [r for r in subtree_rounds(user, org, period) if r.org_id == org.pk]
    if not found:
        raise ValidationError(
            _("No assessment round of %(period)s was opened for %(org)s.")
            % {"period": period, "org": org.name}
        )
    return found[0]


def round_results(user, round_: Round) -> list[dict]:
    """Every organization of the round the user may see: its totals, veto, grade, how many
    clauses the review changed, the objections raised with their answers, and the
    rectification it owes (once final)."""
    objections = defaultdict(list)
    for o in Objection.objects.filter(entry__round=round_).order_by("raised_on", "id"):
        objections[o.entry_id].append(o)
    owed = {r.entry_id: r for r in Rectification.objects.filter(entry__round=round_)}
    rows = board(user, round_)
    for row in rows:
        row["objections"] = objections.get(row["entry"].pk, [])
        row["rectification"] = owed.get(row["entry"].pk)
    return rows


def round_distribution(rows: list[dict]) -> dict:
    """Counts and shares by grade of the graded rows of `round_results`."""
    return shares(Counter(r["entry"].grade for r in rows if r["entry"].grade))


def require_published(round_: Round) -> None:
    """Results are published from publicity on; before that there is nothing to announce."""
    if round_.state not in (RoundState.PUBLICITY, RoundState.FINAL):
        raise ValidationError(_("The results of this round are not published yet."))


def require_final(round_: Round) -> None:
    if round_.state != RoundState.FINAL:
        raise ValidationError(_("The results of this round are not final yet."))


def visible_ancestors(user, org) -> list:
    """The organization's ancestors the user may see (the figures page's breadcrumbs)."""
    return list(orgs.ancestors(org).filter(pk__in=orgs.visible_orgs(user)))
