"""Reads of award rounds and titles, scoped by the acting user, and the eligibility of a
nominee checked from the records as policy (membership length, no discipline in the period,
the organization's assessment grade, rolling promotion of union standardization titles)."""

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.orgs.models import Organization
from jiceng.people.models import PartyMembership, Stage
from jiceng.people.selectors import discipline_in_period
from jiceng.policy.selectors import value as policy_value

from ..models import (
    PERSON_TITLES,
    UNION_LEVELS,
    AwardRound,
    AwardState,
    Grade,
    Nomination,
    Title,
    TitleKind,
)
from .evaluations import decided_grade
from .rounds import annual_result


def period_of(round_: AwardRound) -> tuple[dt.date, dt.date]:
    """The period the records are checked over: the round's year."""
    return dt.date(round_.year, 1, 1), dt.date(round_.year, 12, 31)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _person_refusals(round_: AwardRound, person, on: dt.date) -> list[str]:
    start, end = period_of(round_)
    refusals = []
    m = PartyMembership.objects.filter(person=person).first()
    years = int(policy_value("assessment.award.membership_years", round_.org, on)[round_.kind])
    if m is None or m.stage != Stage.FULL or m.full_on is None:
        refusals.append(_("%(name)s is not a full Party member.") % {"name": person.name})
    elif m.full_on > _years_before(end, years):
        refusals.append(
            _(
                "%(name)s has been a full member since %(since)s: fewer than %(years)s years "
                "by %(end)s."
            )
            % {"name": person.name, "since": m.full_on, "years": years, "end": end}
        )
    sanction = discipline_in_period(person, start, end)
    if sanction is not None:
        refusals.append(
            _(
                "%(name)s received the Party disciplinary sanction “%(kind)s” on %(date)s "
                "%(number)s, within the period %(start)s to %(end)s."
            )
            % {
                "name": person.name,
                "kind": sanction.get_kind_display(),
                "date": sanction.decided_on,
                "number": f"（{sanction.document_number}）" if sanction.document_number else "",
                "start": start,
                "end": end,
            }
        )
    refusals.extend(_evaluation_refusals(round_, person, on))
    return refusals


def _evaluation_refusals(round_: AwardRound, person, on: dt.date) -> list[str]:
    """The member's democratic-evaluation grade (民主评议党员) of the round's year against policy
    `assessment.award.evaluation_grades`. A branch that has not decided grades yet refuses
    nothing here: the publicity and the decision come after the evaluation in practice."""
    found = decided_grade(person, round_.year)
    allowed = policy_value("assessment.award.evaluation_grades", round_.org, on).get(round_.kind)
    if found is None or allowed is None or found.grade in allowed:
        return []
    return [
        _("%(name)s was graded “%(grade)s” in the %(year)s democratic evaluation of members.")
        % {"name": person.name, "grade": _grade_label(found.grade), "year": round_.year}
    ]


def _grade_label(grade: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(Grade(grade).label) if grade in Grade.values else grade


def _org_refusals(round_: AwardRound, org, on: dt.date) -> list[str]:
    refusals = []
    if round_.kind in policy_value("assessment.award.graded_titles", round_.org, on):
        result = annual_result(org, round_.year)
        allowed = policy_value("assessment.advanced.grades", round_.org, on)
        if result is None:
            refusals.append(
                _("%(org)s has no final assessment result for %(year)s.")
                % {"org": org.name, "year": round_.year}
            )
        elif result["grade"] not in allowed:
            refusals.append(
                _("%(org)s was graded “%(grade)s” in %(year)s; the title needs %(allowed)s.")
                % {
                    "org": org.name,
                    "grade": _grade_label(result["grade"]),
                    "year": round_.year,
                    "allowed": "、".join(_grade_label(g) for g in allowed),
                }
            )
    union_title = round_.kind in UNION_LEVELS or round_.kind == TitleKind.MODEL_HOME
    if union_title and org.tree != "union":
        refusals.append(_("%(org)s is not a trade union.") % {"org": org.name})
    if round_.kind in UNION_LEVELS:
        held = current_union_level(org, round_.year)
        steps = int(policy_value("assessment.award.union_steps", round_.org, on))
        wanted = UNION_LEVELS.index(round_.kind)
        if wanted > held + steps:
            current = (
                TitleKind(UNION_LEVELS[held]).label if held >= 0 else _("no standardization title")
            )
            refusals.append(
                _(
                    "%(org)s holds %(current)s: it may apply for at most %(steps)s level above "
                    "it (rolling promotion)."
                )
                % {"org": org.name, "current": current, "steps": steps}
            )
    return refusals


def current_union_level(org, year: int) -> int:
    """Index in UNION_LEVELS of the highest standardization title `org` holds before `year`,
    -1 when it holds none."""
    kinds = set(
        Title.objects.filter(org=org, kind__in=UNION_LEVELS, year__lt=year).values_list(
            "kind", flat=True
        )
    )
    return max((UNION_LEVELS.index(k) for k in kinds), default=-1)


def refusals(round_: AwardRound, *, org=None, person=None, on: dt.date) -> list[str]:
    """Why the nominee may not be put forward, from the records; empty when eligible."""
    if round_.kind in PERSON_TITLES:
        if person is None:
            return [_("This title is given to a person: choose a member.")]
        return _person_refusals(round_, person, on)
    if org is None:
        return [_("This title is given to an organization: choose one.")]
    return _org_refusals(round_, org, on)


# -- scoped reads --------------------------------------------------------------------------


def award_rounds(user):
    """Rounds the user may see: run by an organization they see, or where one of theirs has a
    quota."""
    seen = gate.org_filter(user, gate.VIEW, field="org")
    quota_seen = gate.org_filter(user, gate.VIEW, field="quotas__org")
    return (
        AwardRound.objects.filter(seen | quota_seen)
        .distinct()
        .select_related("org")
        .order_by("-year", "-id")
    )


def get_award_round(user, pk: int) -> AwardRound:
    found = award_rounds(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def quotas(user, round_: AwardRound) -> list[dict]:
    """Each quota with the nominations made under it; an officer of one subordinate sees its
    own line, the awarding organization sees all."""
    rows = round_.quotas.select_related("org")
    if not gate.can(user, gate.VIEW, round_.org):
        rows = rows.filter(gate.org_filter(user, gate.VIEW, field="org"))
    used = dict(
        round_.nominations.values("by_org_id").annotate(n=Count("id")).values_list("by_org_id", "n")
    )
    return [{"quota": q, "used": used.get(q.org_id, 0)} for q in rows]


def nominations(user, round_: AwardRound):
    rows = round_.nominations.select_related("by_org", "nominee_org", "nominee_person")
    if round_.state != AwardState.NOMINATING or gate.can(user, gate.VIEW, round_.org):
        return list(rows)  # during publicity and after, the list is public to the round
    return list(rows.filter(gate.org_filter(user, gate.VIEW, field="by_org")))


def get_nomination(user, pk: int) -> Nomination:
    found = (
        Nomination.objects.filter(pk=pk)
        .select_related("round__org", "by_org", "nominee_org", "nominee_person")
        .first()
    )
    if found is None or not (
        gate.can(user, gate.VIEW, found.by_org) or gate.can(user, gate.VIEW, found.round.org)
    ):
        raise Http404
    return found


def my_quota_orgs(user, round_: AwardRound) -> list:
    """The subordinate organizations of the round the user may nominate for."""
    return [
        q.org
        for q in round_.quotas.select_related("org")
        if gate.can(user, gate.MANAGE, q.org) and q.org.is_active
    ]


def titles_of_org(user, org) -> list[Title]:
    gate.require(user, gate.VIEW, org)
    return list(Title.objects.filter(org=org).select_related("awarded_by"))


def titles_of_person(person) -> list[Title]:
    """A person's titles: for their own record, or after the caller checked the person."""
    return list(Title.objects.filter(person=person).select_related("awarded_by"))


def nominee_person(user, pk: int):
    """A member the user may see (through their Party organization), else 404."""
    m = (
        PartyMembership.objects.filter(gate.org_filter(user, gate.VIEW, field="org"), person_id=pk)
        .select_related("person")
        .first()
    )
    if m is None:
        raise Http404
    return m.person


def runnable_orgs(user):
    """Organizations the user may run award rounds and reviews for (upper levels)."""
    return Organization.objects.filter(
        gate.org_filter(user, gate.MANAGE), dissolved_on__isnull=True
    ).order_by("path")
