"""Closing a period: freezing every node's figures so published numbers never move."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.kernel.figures import period_end

from .metrics import METRICS
from .models import FigureSnapshot, PeriodClose
from .selectors import rollup

BATCH = 5000


@transaction.atomic
def snapshot_period(actor, period: str) -> PeriodClose:
    """Compute every metric for every node at the period's end and publish it (system administrators)."""
    if not gate.is_system_admin(actor):
        raise ValidationError({"period": _("Only a system administrator can close a period.")})
    try:
        on = period_end(period)
    except ValueError:
        raise ValidationError(
            {"period": _("Write the period as 2026, 2026H1, 2026Q3 or 2026-05.")}
        ) from None
    if PeriodClose.objects.filter(period=period).exists():
        raise ValidationError(
            {
                "period": _("Period %(p)s is already closed; its figures are published.")
                % {"p": period}
            }
        )
    closed = PeriodClose.objects.create(period=period, on=on, closed_by=actor)
    total = 0
    for key in METRICS:
        rows = [
            FigureSnapshot(
                period=closed,
                metric=key,
                org_id=pk,
                numerator=f.numerator,
                denominator=f.denominator,
            )
            for pk, f in rollup(key, on).items()
        ]
        FigureSnapshot.objects.bulk_create(rows, batch_size=BATCH)
        total += len(rows)
    record(
        actor, "stats.period.snapshot", closed, after={"period": period, "on": on, "figures": total}
    )
    return closed
