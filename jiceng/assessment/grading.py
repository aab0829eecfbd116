"""Totals and grade bands. The bands are policy (`assessment.bands`): each band holds its lower
bound, so 95 is 优秀, 80 合格, 60 基本合格 and 79.5 基本合格 (002:L40 resolved, see policy.toml).
A triggered veto item fails the organization whatever its score (003:L294)."""

import datetime as dt
from decimal import Decimal

from jiceng.policy.selectors import value as policy_value

from .models import GRADE_ORDER, Grade


def total(scores, *, own: bool = False) -> Decimal:
    """Sum of the points that count (`own`: as the organization gave them, before review)."""
    found = Decimal(0)
    for s in scores:
        if s.clause.veto:
            continue
        points = (
            (s.self_points if s.self_points is not None else s.auto_points) if own else s.points
        )
        found += points or 0
    return found


def grade_from_bands(points: Decimal, vetoed: bool, bands: dict) -> str:
    if vetoed:
        return Grade.FAIL
    for grade in GRADE_ORDER:
        if points >= Decimal(str(bands[grade])):
            return grade
    return Grade.FAIL


def grade(points: Decimal, vetoed: bool, org, on: dt.date) -> str:
    return grade_from_bands(points, vetoed, policy_value("assessment.bands", org, on))


def at_or_below(grade_: str, worst_allowed: str) -> bool:
    """Whether `grade_` is `worst_allowed` or worse ("basic pass or below")."""
    return GRADE_ORDER.index(grade_) >= GRADE_ORDER.index(worst_allowed)
