"""Branch assessment for the demo (`jiceng demo`), made through the services: the seed's
scheme published by the demo street, last half-year's round final with a spread of grades
(about a third 优秀, the sibling branch 基本合格 and owing a rectification plan), and this
half-year's round open, the demo branch secretary still owing the self-assessment."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from jiceng.access.models import User
from jiceng.kernel.figures import period_end
from jiceng.kernel.workdays import add_working_days

from . import services
from .defaults import SEED_SCHEME
from .models import Cycle
from .selectors import period_start

EXCELLENT, PASS, BASIC = Decimal("0.97"), Decimal("0.88"), Decimal("0.72")
AUDITED = "按核实的台账材料计分"  # the reason given where a share differs from the records


def _periods(today: dt.date) -> tuple[str, str]:
    """(last half-year, this half-year), e.g. ("2026H1", "2026H2") in December 2026."""
    if today.month > 6:
        return f"{today.year}H1", f"{today.year}H2"
    return f"{today.year - 1}H2", f"{today.year}H1"


def _answers(entry, share: Decimal) -> dict:
    """Every clause at `share` of its points (no veto); a figure-bound clause whose records
    say otherwise carries the reason."""
    answers = {}
    for score in entry.scores.select_related("clause"):
        clause = score.clause
        if clause.veto:
            answers[clause.pk] = {"veto": False}
            continue
        points = (clause.points * share).quantize(Decimal("0.5"), ROUND_HALF_UP)
        differs = score.auto_points is not None and score.auto_points != points
        answers[clause.pk] = {"points": points, "override_reason": AUDITED if differs else ""}
    return answers


def _share(index: int, entry, marks) -> Decimal:
    if entry.org_id == marks.sibling_branch.pk:
        return BASIC
    if entry.org_id == marks.branch.pk or index % 3 == 0:
        return EXCELLENT
    return PASS


def _final_round(runner, scheme, marks, period: str) -> None:
    end = period_end(period)
    opened = end + dt.timedelta(days=3)
    round_ = services.open_round(runner, scheme, marks.street_party, period, on=opened)
    entries = list(round_.entries.select_related("org").order_by("org__path"))
    for i, entry in enumerate(entries):
        answers = _answers(entry, _share(i, entry, marks))
        services.self_assess(runner, entry, answers, submit=True, on=opened + dt.timedelta(days=7))
    reviewed = opened + dt.timedelta(days=14)
    services.start_review(runner, round_, on=reviewed)
    for entry in entries:
        services.review_entry(runner, entry, {}, on=reviewed)
    services.publish_results(runner, round_, on=reviewed + dt.timedelta(days=1))
    round_.refresh_from_db()
    services.finalize_round(runner, round_, on=add_working_days(round_.publicity_until, 1))


def _open_round(runner, scheme, marks, period: str, today: dt.date) -> None:
    """Opened a week ago (or on the first day of the half-year); a few branches have handed
    their self-assessment in, the demo branch has not."""
    opened = max(today - dt.timedelta(days=7), period_start(period))
    round_ = services.open_round(runner, scheme, marks.street_party, period, on=opened)
    for i, entry in enumerate(round_.entries.order_by("org__path")):
        if entry.org_id in (marks.branch.pk, marks.sibling_branch.pk) or i % 2:
            continue
        services.self_assess(runner, entry, _answers(entry, PASS), submit=True, on=today)


def create_demo_assessment(actor, marks, today: dt.date) -> None:
    runner = User.objects.filter(username="jd").first() or actor  # the street's organizer
    last, current = _periods(today)
    published = period_end(last).replace(day=1)
    scheme = services.save_scheme(
        runner,
        marks.street_party,
        code=SEED_SCHEME["code"],
        name=SEED_SCHEME["name"],
        cycle=Cycle.HALF_YEAR,
        blocks=SEED_SCHEME["blocks"],
    )
    services.publish_scheme(runner, scheme, on=published)
    _final_round(runner, scheme, marks, last)
    _open_round(runner, scheme, marks, current, today)
