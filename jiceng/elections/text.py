"""Names of committees and terms as documents and alerts spell them (第3届支部委员会)."""

import datetime as dt

from django.utils.translation import gettext as _

from jiceng.orgs.models import Kind

from .models import Committee


def committee_label(org_kind: str, committee: str) -> str:
    if committee == Committee.UNION:
        return _("trade union committee")
    if committee == Committee.AUDIT:
        return _("funds audit committee")
    if org_kind == Kind.BRANCH:
        return _("branch committee")
    if org_kind == Kind.GENERAL_BRANCH:
        return _("general branch committee")
    return _("Party organization committee")


def term_title(term) -> str:
    """e.g. 第3届支部委员会."""
    return _("term %(number)s %(committee)s") % {
        "number": term.number,
        "committee": committee_label(term.org.kind, term.committee),
    }


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)
