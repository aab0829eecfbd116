"""Checking reported figures: parts that do not add up, percentages that do not match.

Reports arriving from below (and the seeds themselves) contain such mistakes, e.g.
001:L130 "共有城市基层党组织366个" whose parts sum to 362. The system flags them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Finding:
    message: str
    stated: float
    computed: float


def check_total(stated_total: int, parts: dict[str, int], label: str = "") -> list[Finding]:
    """A finding when the stated total differs from the sum of its parts."""
    computed = sum(parts.values())
    if computed == stated_total:
        return []
    return [
        Finding(
            _(
                "%(label)sThe stated total %(stated)s does not equal the sum of its parts %(sum)s "
                "(difference %(diff)+d)."
            )
            % {
                "label": f"{label}：" if label else "",
                "stated": stated_total,
                "sum": computed,
                "diff": stated_total - computed,
            },
            stated_total,
            computed,
        )
    ]


def check_rate(
    numerator: int, denominator: int, stated_percent: float, tolerance: float = 0.5, label: str = ""
) -> list[Finding]:
    """A finding when a stated percentage is off its numbers by more than `tolerance` points."""
    if not denominator:
        return []
    computed = round(100 * numerator / denominator, 1)
    if abs(computed - stated_percent) <= tolerance:
        return []
    return [
        Finding(
            _("%(label)sThe stated rate %(stated)s%% does not match %(n)s/%(d)s = %(computed)s%%.")
            % {
                "label": f"{label}：" if label else "",
                "stated": stated_percent,
                "n": numerator,
                "d": denominator,
                "computed": computed,
            },
            stated_percent,
            computed,
        )
    ]


def check_against_records(
    stated: dict[str, int], computed: dict[str, int], labels: dict[str, str] | None = None
) -> list[Finding]:
    """Findings for each stated count that differs from what the records give."""
    labels = labels or {}
    return [
        Finding(
            _("%(label)s: stated %(stated)s, the records give %(computed)s.")
            % {"label": labels.get(k, k), "stated": v, "computed": computed.get(k, 0)},
            v,
            computed.get(k, 0),
        )
        for k, v in stated.items()
        if computed.get(k, 0) != v
    ]
