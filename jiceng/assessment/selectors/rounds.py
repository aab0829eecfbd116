"""Every read of an assessment, scoped by the acting user through the gate: schemes, rounds,
the review board, one organization's form with its evidence, results over time, the grade
distribution and class shares of a subtree."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.kernel.figures import Figure, period_end
from jiceng.kernel.paths import ancestor_paths
from jiceng.kernel.workflow import Context, next_steps
from jiceng.policy.selectors import value as policy_value

from .. import evidence, flows, grading
from ..models import (
    Clause,
    Entry,
    EntryState,
    Grade,
    LeaderFlag,
    Objection,
    Rectification,
    Round,
    RoundState,
    Scheme,
    Score,
)


def period_start(period: str) -> dt.date:
    """'2026' → 2026-01-01, '2026H2' → 2026-07-01."""
    year = int(period[:4])
    return dt.date(year, 7, 1) if period[4:] == "H2" else dt.date(year, 1, 1)


def scheme_total(scheme: Scheme) -> Decimal:
    return Clause.objects.filter(block__scheme=scheme).aggregate(t=Sum("points"))["t"] or Decimal(0)


# -- schemes and rounds ----------------------------------------------------------------------


def _schemes_q(user) -> Q:
    """Schemes defined by an organization the user may see, or by one of its ancestors (a
    branch sees the scheme it is assessed by)."""
    return gate.org_filter(user, gate.VIEW, field="org") | Q(
        rounds__entries__in=Entry.objects.filter(gate.org_filter(user, gate.VIEW, field="org"))
    )


def schemes(user, org=None):
    found = Scheme.objects.filter(gate.org_filter(user, gate.VIEW, field="org"))
    if org is not None:
        found = found.filter(org__path__in=ancestor_paths(org.path))
    return found.select_related("org").order_by("code", "-version")


def scheme(user, pk: int) -> Scheme:
    found = Scheme.objects.filter(pk=pk).filter(_schemes_q(user)).distinct().first()
    if found is None:
        raise Http404(_("No such scheme, or you may not see it."))
    return found


def scheme_blocks(scheme_: Scheme) -> list:
    """Blocks with their clauses, in order, for showing and exporting a scheme."""
    return list(scheme_.blocks.prefetch_related("clauses").order_by("number"))


def _rounds_q(user) -> Q:
    return gate.org_filter(user, gate.VIEW, field="org") | Q(
        pk__in=Entry.objects.filter(gate.org_filter(user, gate.VIEW, field="org")).values("round")
    )


def rounds(user, org=None):
    found = Round.objects.filter(_rounds_q(user))
    if org is not None:
        found = found.filter(Q(org__path__in=ancestor_paths(org.path)) | Q(entries__org=org))
    return found.select_related("org", "scheme").distinct().order_by("-opened_on", "-id")


def get_round(user, pk: int) -> Round:
    found = (
        Round.objects.filter(pk=pk).filter(_rounds_q(user)).select_related("org", "scheme").first()
    )
    if found is None:
        raise Http404(_("No such round, or you may not see it."))
    return found


def round_steps(user, round_: Round, on: dt.date | None = None) -> list[dict]:
    return next_steps(flows.ROUND, round_.state, Context(round_, on or timezone.localdate()))


def board(user, round_: Round) -> list[dict]:
    """The review board: every organization of the round the user may see, its stage, its
    own total and the reviewed total, how many clauses the review changed, what is missing."""
    entries = (
        round_.entries.filter(gate.org_filter(user, gate.VIEW, field="org"))
        .select_related("org")
        .order_by("org__path")
    )
    counts = {
        row["entry"]: row
        for row in Score.objects.filter(entry__round=round_)
        .values("entry")
        .annotate(
            changed=_count(Q(review_reason__gt="")),
            overridden=_count(Q(override_reason__gt="")),
            missing=_count(
                Q(clause__veto=False, self_points__isnull=True, auto_points__isnull=True)
            ),
        )
    }
    rows = []
    for e in entries:
        c = counts.get(e.pk, {})
        rows.append(
            {
                "entry": e,
                "org": e.org,
                "changed": c.get("changed", 0),
                "overridden": c.get("overridden", 0),
                "missing": c.get("missing", 0),
            }
        )
    return rows


def _count(condition: Q) -> Count:
    return Count("id", filter=condition)


def get_entry(user, pk: int) -> Entry:
    found = (
        Entry.objects.filter(pk=pk)
        .filter(
            gate.org_filter(user, gate.VIEW, field="org")
            | gate.org_filter(user, gate.VIEW, field="round__org")
        )
        .select_related("org", "round", "round__scheme", "round__org")
        .first()
    )
    if found is None:
        raise Http404(_("No such assessment, or you may not see it."))
    return found


def entry_for(user, round_: Round, org) -> Entry:
    found = round_.entries.filter(org=org).first()
    if found is None:
        raise Http404(_("This organization is not assessed in this round."))
    return get_entry(user, found.pk)


def form(entry: Entry) -> list[dict]:
    """The entry's clauses by block, each with its score, the figure behind an automatic score
    and a link to the records it came from, and the evidence offered."""
    scores = {
        s.clause_id: s
        for s in entry.scores.select_related("clause", "clause__block").prefetch_related("evidence")
    }
    start, end = period_start(entry.round.period), period_end(entry.round.period)
    blocks = []
    for block in scheme_blocks(entry.round.scheme):
        items = []
        for clause in block.clauses.all():
            s = scores.get(clause.pk)
            source = evidence.SOURCES.get(clause.evidence)
            figure = (
                Figure(s.auto_numerator, s.auto_denominator)
                if s is not None and s.auto_denominator is not None
                else None
            )
            items.append(
                {
                    "clause": clause,
                    "score": s,
                    "source": source,
                    "figure": figure,
                    "records_url": source.records_url(entry.org, start, end) if source else "",
                    "evidence": list(s.evidence.all()) if s else [],
                }
            )
        blocks.append(
            {
                "block": block,
                "items": items,
                "points": sum((c.points for c in block.clauses.all()), Decimal(0)),
            }
        )
    return blocks


# -- what an organization is asked to do -----------------------------------------------------


def my_entries(user, *, limit: int = 50) -> list[Entry]:
    """Self-assessments of open rounds for organizations the user keeps the records of."""
    return list(
        Entry.objects.filter(
            gate.org_filter(user, gate.MANAGE, field="org"), round__state=RoundState.OPEN
        )
        .select_related("org", "round", "round__scheme")
        .order_by("round__self_due")[:limit]
    )


def results_of(user, org, *, limit: int = 20) -> list[Entry]:
    """An organization's final results, latest first."""
    gate.require(user, gate.VIEW, org)
    return list(
        Entry.objects.filter(org=org, round__state=RoundState.FINAL)
        .select_related("round", "round__scheme")
        .order_by("-round__final_on")[:limit]
    )


def rectification(user, pk: int) -> Rectification:
    found = Rectification.objects.filter(pk=pk).select_related("entry__org", "entry__round").first()
    if found is None or not gate.can(user, gate.VIEW, found.entry.org):
        raise Http404(_("No such rectification, or you may not see it."))
    return found


def leader_flag(user, pk: int) -> LeaderFlag:
    found = LeaderFlag.objects.filter(pk=pk).select_related("entry__org", "entry__round").first()
    if found is None or not gate.can(user, gate.VIEW, found.entry.round.org):
        raise Http404(_("No such flag, or you may not see it."))
    return found


# -- results over time -----------------------------------------------------------------------


def _final_entries(org) -> list[Entry]:
    found = Entry.objects.filter(org=org, round__state=RoundState.FINAL).select_related("round")
    return sorted(found, key=lambda e: (period_end(e.round.period), e.round.final_on, e.pk))


def annual_result(org, year: int, on: dt.date | None = None) -> dict | None:
    """The year's result (002:L40): by policy the average of the half-year and year-end
    totals, or the year-end result alone. Any veto in the year fails it."""
    found = [e for e in _final_entries(org) if e.round.period[:4] == str(year)]
    if not found:
        return None
    on = on or period_end(str(year))
    method = policy_value("assessment.annual.method", org, on)
    counted = found[-1:] if method == "year_end" else found
    points = sum((e.total or 0 for e in counted), Decimal(0)) / len(counted)
    points = points.quantize(Decimal("0.01"))
    vetoed = any(e.vetoed for e in counted)
    return {
        "year": year,
        "total": points,
        "vetoed": vetoed,
        "entries": counted,
        "grade": grading.grade(points, vetoed, org, on),
    }


def _low(grade: str) -> bool:
    return bool(grade) and grading.at_or_below(grade, Grade.BASIC)


def previous_low_results(entry: Entry, on: dt.date) -> Entry | None:
    """When this result is the n-th consecutive one at basic pass or below (n and whether
    results are counted by assessment or by year are policy, 002:L40 vs L42), the latest
    earlier result of the run; else None."""
    org = entry.round.org
    needed = int(policy_value("assessment.replace_leader.consecutive", org, on))
    if not _low(entry.grade):
        return None
    earlier = [
        e
        for e in _final_entries(entry.org)
        if e.pk != entry.pk and period_end(e.round.period) <= period_end(entry.round.period)
    ]
    if policy_value("assessment.replace_leader.basis", org, on) == "years":
        year = int(entry.round.period[:4])
        results = [annual_result(entry.org, y, on) for y in range(year - needed + 1, year + 1)]
        if all(r is not None and _low(r["grade"]) for r in results) and len(results) > 1:
            return results[-2]["entries"][-1]
        return None
    run = earlier[-(needed - 1) :] if needed > 1 else []
    if len(run) == needed - 1 and all(_low(e.grade) for e in run) and run:
        return run[-1]
    return None


def submitted(entry: Entry) -> bool:
    return entry.state != EntryState.PENDING


# -- pages and API -----------------------------------------------------------------------------


def scheme_versions(user, scheme_: Scheme) -> list[Scheme]:
    """Every version of `scheme_`'s code the user may see, latest first."""
    return list(
        Scheme.objects.filter(org=scheme_.org, code=scheme_.code)
        .filter(_schemes_q(user))
        .distinct()
        .order_by("-version")
    )


def scheme_data(scheme_: Scheme) -> dict:
    """A scheme as the plain data `services.save_scheme` takes (to start a new version)."""
    return {
        "code": scheme_.code,
        "name": scheme_.name,
        "cycle": scheme_.cycle,
        "blocks": [
            {
                "title": b.title,
                "clauses": [
                    {
                        "text": c.text,
                        "points": c.points,
                        "kind": c.kind,
                        "method": c.method,
                        "veto": c.veto,
                        "evidence": c.evidence,
                    }
                    for c in b.clauses.all()
                ],
            }
            for b in scheme_blocks(scheme_)
        ],
    }


def home_orgs(user) -> list:
    """The organizations of the user's own roles that they may run assessments for."""
    seen, found = set(), []
    for a in gate.assignments(user):
        if a.org_id and a.org_id not in seen and gate.can(user, gate.MANAGE, a.org):
            seen.add(a.org_id)
            found.append(a.org)
    return sorted(found, key=lambda o: o.path)


def objections(user, round_: Round) -> list:
    """The objections of the round's organizations the user may see."""
    return list(
        Objection.objects.filter(entry__round=round_)
        .filter(gate.org_filter(user, gate.VIEW, field="entry__org"))
        .select_related("entry__org")
        .order_by("raised_on", "id")
    )


def objection(user, pk: int):
    found = (
        Objection.objects.filter(pk=pk).select_related("entry__round__org", "entry__org").first()
    )
    if found is None or not gate.can(user, gate.VIEW, found.entry.org):
        raise Http404(_("No such objection, or you may not see it."))
    return found


def score(user, entry: Entry, clause_id: int) -> Score:
    found = entry.scores.filter(clause_id=clause_id).select_related("entry__round").first()
    if found is None:
        raise Http404(_("No such clause in this assessment."))
    return found


def rectification_of(entry: Entry) -> Rectification | None:
    return Rectification.objects.filter(entry=entry).first()


def leader_flag_of(entry: Entry) -> LeaderFlag | None:
    return LeaderFlag.objects.filter(entry=entry).first()
