"""A figure is a numerator over a denominator; a period names the day it is counted on.

Every app that reports figures (stats, life) shares these, so none imports another's metrics.
"""

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        """Percentage with one decimal, as the seeds report it (62/162 → 38.3)."""
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    def as_dict(self) -> dict:
        """The figure as the API, the commands and the exports give it."""
        return {"numerator": self.numerator, "denominator": self.denominator, "rate": self.rate}


def period_end(period: str) -> dt.date:
    """'2026' → 2026-12-31, '2026H1' → 06-30, '2026Q3' → 09-30, '2026-05' → 05-31."""
    try:
        if len(period) == 4:
            return dt.date(int(period), 12, 31)
        year = int(period[:4])
        if period[4:5] == "H" and period[5:] in ("1", "2"):
            month = 6 * int(period[5:])
        elif period[4:5] == "Q" and period[5:] in ("1", "2", "3", "4"):
            month = 3 * int(period[5:])
        elif period[4:5] == "-" and 1 <= int(period[5:]) <= 12:
            month = int(period[5:])
        else:
            raise ValueError
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        raise ValueError(
            f"unknown period {period!r}: use 2026, 2026H1, 2026Q3 or 2026-05"
        ) from None
