"""Writes of awards and titles (评先评优): an upper organization opens a nomination round of a
title for its subtree and a year and gives each subordinate organization a quota; those
organizations nominate organizations or members, each checked against the records
(selectors.awards.refusals) and refused with the reason; the list goes up for publicity (公示)
for the policy number of working days; the decision with its document number (文号) puts the
title on each approved nominee's record."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.kernel.workdays import add_working_days
from jiceng.orgs.models import Organization
from jiceng.people.models import PartyMembership
from jiceng.policy.selectors import value as policy_value

from .. import permissions
from ..models import (
    PERSON_TITLES,
    AwardQuota,
    AwardRound,
    AwardState,
    Nomination,
    Title,
    TitleKind,
)
from ..selectors import awards as award_selectors


def _today() -> dt.date:
    return timezone.localdate()


def _require_state(round_: AwardRound, state: str, message: str) -> None:
    if round_.state != state:
        raise ValidationError(message)


@transaction.atomic
def open_award_round(
    actor, org: Organization, *, year: int, kind: str, on: dt.date | None = None
) -> AwardRound:
    permissions.require_run(actor, org)
    on = on or _today()
    if kind not in TitleKind.values:
        raise ValidationError({"kind": _("Choose a title.")})
    if AwardRound.objects.filter(org=org, year=year, kind=kind).exists():
        raise ValidationError({"kind": _("A round for this title and year is already open.")})
    days = int(policy_value("assessment.award.nomination_days", org, on))
    round_ = AwardRound.objects.create(
        org=org,
        year=year,
        kind=kind,
        opened_on=on,
        nominations_due=on + dt.timedelta(days=days),
        opened_by=actor,
    )
    record(actor, "assessment.award.open", round_, org=org, after={"year": year, "kind": kind})
    return round_


@transaction.atomic
def set_quota(actor, round_: AwardRound, org: Organization, count: int) -> AwardQuota:
    """How many nominees `org` (in the round's subtree) may put forward; 0 removes the quota."""
    permissions.require_run(actor, round_.org)
    _require_state(round_, AwardState.NOMINATING, _("Nominations are closed."))
    if org.pk == round_.org.pk or not org.path.startswith(round_.org.path):
        raise ValidationError({"org": _("Quotas go to organizations under the awarding one.")})
    if count < 0:
        raise ValidationError({"count": _("Enter a number of nominees.")})
    used = round_.nominations.filter(by_org=org).count()
    if count < used:
        raise ValidationError(
            {"count": _("%(org)s has already nominated %(n)s.") % {"org": org.name, "n": used}}
        )
    quota, _created = AwardQuota.objects.update_or_create(
        round=round_, org=org, defaults={"count": count}
    )
    record(actor, "assessment.award.quota", quota, org=round_.org, after={org.code: count})
    return quota


def _in_subtree(by_org: Organization, org=None, person=None) -> bool:
    if org is not None:
        return org.path.startswith(by_org.path)
    m = PartyMembership.objects.filter(person=person).select_related("org").first()
    return m is not None and m.org.path.startswith(by_org.path)


@transaction.atomic
def nominate(
    actor,
    round_: AwardRound,
    by_org: Organization,
    *,
    org: Organization | None = None,
    person=None,
    deeds: str = "",
    on: dt.date | None = None,
) -> Nomination:
    """Put forward a nominee within `by_org`'s quota; refused with the reasons the records give."""
    gate.require(actor, gate.MANAGE, by_org)
    on = on or _today()
    _require_state(round_, AwardState.NOMINATING, _("Nominations are closed."))
    quota = AwardQuota.objects.select_for_update().filter(round=round_, org=by_org).first()
    if quota is None:
        raise ValidationError(_("%(org)s has no quota in this round.") % {"org": by_org.name})
    if round_.nominations.filter(by_org=by_org).count() >= quota.count:
        raise ValidationError(
            _("%(org)s has used its quota of %(n)s.") % {"org": by_org.name, "n": quota.count}
        )
    if round_.kind in PERSON_TITLES:
        org = None
    else:
        person = None
    if (org or person) is not None and not _in_subtree(by_org, org, person):
        raise ValidationError(_("The nominee does not belong to %(org)s.") % {"org": by_org.name})
    reasons = award_selectors.refusals(round_, org=org, person=person, on=on)
    if reasons:
        raise ValidationError(reasons)
    if round_.nominations.filter(nominee_org=org, nominee_person=person).exists():
        raise ValidationError(_("This nominee is already put forward in this round."))
    nomination = Nomination.objects.create(
        round=round_,
        by_org=by_org,
        nominee_org=org,
        nominee_person=person,
        deeds=(deeds or "").strip()[:4000],
        nominated_on=on,
        nominated_by=actor,
    )
    record(
        actor,
        "assessment.award.nominate",
        nomination,
        org=by_org,
        after={
            "round": round_.pk,
            "org": getattr(org, "code", None),
            "person": getattr(person, "pk", None),
        },
    )
    return nomination


@transaction.atomic
def withdraw_nomination(actor, nomination: Nomination) -> None:
    gate.require(actor, gate.MANAGE, nomination.by_org)
    _require_state(nomination.round, AwardState.NOMINATING, _("Nominations are closed."))
    record(
        actor,
        "assessment.award.withdraw",
        nomination,
        org=nomination.by_org,
        before={"nominee": nomination.nominee_name},
    )
    nomination.delete()


@transaction.atomic
def publish_nominees(actor, round_: AwardRound, on: dt.date | None = None) -> AwardRound:
    """The nominees go up for publicity (公示) for the policy number of working days."""
    permissions.require_run(actor, round_.org)
    _require_state(round_, AwardState.NOMINATING, _("The nominees are already published."))
    if not round_.nominations.exists():
        raise ValidationError(_("No one has been nominated yet."))
    on = on or _today()
    days = int(policy_value("assessment.award.publicity.working_days", round_.org, on))
    round_.publicity_from = on
    round_.publicity_until = add_working_days(on, days)
    round_.state = AwardState.PUBLICITY
    round_.save()
    record(
        actor,
        "assessment.award.publish",
        round_,
        org=round_.org,
        after={"from": on, "until": round_.publicity_until},
    )
    return round_


@transaction.atomic
def decide_awards(
    actor,
    round_: AwardRound,
    *,
    document_number: str,
    rejected: dict[int, str] | None = None,
    on: dt.date | None = None,
) -> list[Title]:
    """The decision (决定表彰) after the publicity: every nominee not in `rejected` (id → why)
    receives the title on their record with the year and the document number."""
    permissions.require_run(actor, round_.org)
    _require_state(round_, AwardState.PUBLICITY, _("Publish the nominees before the decision."))
    on = on or _today()
    if on < round_.publicity_until:
        last = round_.publicity_until - dt.timedelta(days=1)
        raise ValidationError(_("The publicity period runs until %(last)s.") % {"last": last})
    number = (document_number or "").strip()
    if not number:
        raise ValidationError({"document_number": _("Enter the document number of the decision.")})
    rejected = rejected or {}
    titles = []
    for n in round_.nominations.select_related("nominee_org", "nominee_person"):
        n.approved = n.pk not in rejected
        n.decision_note = (rejected.get(n.pk) or "")[:200]
        n.save(update_fields=["approved", "decision_note"])
        if n.approved:
            titles.append(
                Title(
                    kind=round_.kind,
                    year=round_.year,
                    org=n.nominee_org,
                    person=n.nominee_person,
                    awarded_by=round_.org,
                    document_number=number[:60],
                    awarded_on=on,
                    nomination=n,
                )
            )
    Title.objects.bulk_create(titles)
    round_.state, round_.decided_on, round_.document_number = AwardState.DECIDED, on, number[:60]
    round_.save()
    record(
        actor,
        "assessment.award.decide",
        round_,
        org=round_.org,
        after={"number": number, "titles": len(titles), "rejected": sorted(rejected)},
    )
    return titles


@transaction.atomic
def record_title(
    actor,
    awarded_by: Organization,
    *,
    kind: str,
    year: int,
    document_number: str,
    org: Organization | None = None,
    person=None,
    on: dt.date | None = None,
) -> Title:
    """Enter a title given earlier, outside a round (a roster being digitized), so that rolling
    promotion and the records know it."""
    permissions.require_run(actor, awarded_by)
    if kind not in TitleKind.values:
        raise ValidationError({"kind": _("Choose a title.")})
    if (org is None) == (person is None) or (kind in PERSON_TITLES) != (person is not None):
        raise ValidationError(_("Choose the organization or the person the title was given to."))
    if not _in_subtree(awarded_by, org, person):
        raise ValidationError(
            _("The holder does not belong to %(org)s.") % {"org": awarded_by.name}
        )
    if not (document_number or "").strip():
        raise ValidationError({"document_number": _("Enter the document number of the decision.")})
    title = Title.objects.create(
        kind=kind,
        year=year,
        org=org,
        person=person,
        awarded_by=awarded_by,
        document_number=document_number.strip()[:60],
        awarded_on=on or _today(),
    )
    record(
        actor,
        "assessment.award.record_title",
        title,
        org=awarded_by,
        after={"kind": kind, "year": year, "number": title.document_number},
    )
    return title
