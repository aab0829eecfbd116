"""Upcoming pipeline milestones, as duties of the member's branch."""

import datetime as dt
import functools

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from jiceng.policy.selectors import value as policy_value
from jiceng.todo.registry import Duty

from .models import Milestone, PartyMembership, Stage


def _days(key: str, today: dt.date):
    return functools.cache(lambda org: dt.timedelta(days=int(policy_value(key, org=org, on=today))))


def duties(user, orgs, today: dt.date, *, limit: int):
    talk = _days("people.party.talk_within_days", today)
    ripen = _days("people.party.activist_min_days", today)
    approve = _days("people.party.approval_within_days", today)
    probation = _days("people.party.probation_days", today)
    notice = _days("people.party.conversion_notice_days", today)
    pending = (
        PartyMembership.objects.filter(
            org__in=orgs, stage__in=[Stage.APPLICANT, Stage.ACTIVIST, Stage.PROBATIONARY]
        )
        .select_related("person", "org")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.only("membership_id", "step", "on"))
        )
        .order_by("id")
    )
    found = 0
    for m in pending.iterator(chunk_size=500):
        done = {ms.step: ms.on for ms in m.milestones.all()}
        name, org = m.person.name, m.org
        duty = None
        if m.stage == Stage.APPLICANT and "talk" not in done and "apply" in done:
            duty = Duty(
                org,
                _("Talk with applicant %(name)s (applied on %(date)s).")
                % {"name": name, "date": done["apply"]},
                "people.talk",
                due=done["apply"] + talk(org),
            )
        elif m.stage == Stage.ACTIVIST and "activist" in done:
            ready = done["activist"] + ripen(org)
            if ready <= today + notice(org):
                duty = Duty(
                    org,
                    _("%(name)s can be considered as a development target from %(date)s.")
                    % {"name": name, "date": ready},
                    "people.target_ready",
                    due=ready,
                )
        elif m.stage == Stage.PROBATIONARY and "admit" in done:
            if "approve" not in done:
                duty = Duty(
                    org,
                    _("The upper committee should approve %(name)s's admission by %(date)s.")
                    % {"name": name, "date": done["admit"] + approve(org)},
                    "people.approval_due",
                    due=done["admit"] + approve(org),
                )
            else:
                ends = done["admit"] + probation(org)
                if ends <= today + notice(org):
                    duty = Duty(
                        org,
                        _(
                            "%(name)s's probation ends on %(date)s: hold a branch meeting "
                            "to discuss the conversion."
                        )
                        % {"name": name, "date": ends},
                        "people.conversion_due",
                        due=ends,
                    )
        if duty:
            yield duty
            found += 1
            if found >= limit:
                return
