"""Duties about who can act for an organization."""

import datetime as dt
import itertools

from django.db.models import Exists, OuterRef
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.kernel.dated import until_after
from jiceng.kernel.duties import ORG_FIELDS, Duty, Total

from .models import Role, RoleAssignment


def _current(on: dt.date):
    return RoleAssignment.objects.in_force(on)


def duties(user, orgs, today: dt.date, *, limit: int, policy):
    # An organization nobody can act for is invisible work: its upper level must appoint someone.
    has_officer = _current(today).filter(
        org=OuterRef("pk"), role__in=[Role.OFFICER, Role.UPPER_ADMIN]
    )
    without = orgs.exclude(Exists(has_officer))
    listed = list(without.only(*ORG_FIELDS).order_by("path")[:limit])
    if len(listed) == limit:
        yield Total("access.no_officer", without.count())
    for org in listed:
        yield Duty(
            org=org,
            kind="access.no_officer",
            title=_("%(org)s has no officer account; appoint one.") % {"org": org.name},
            url=reverse_lazy("orgs:org_detail", args=[org.code]),
        )
    notice = int(policy.value("access.assignment.expiry_notice_days"))
    expiring = (
        _current(today)
        .filter(
            org__in=orgs,
            valid_until__isnull=False,
            valid_until__lte=until_after(today + dt.timedelta(days=notice)),
        )
        .select_related("user", "org")
        .order_by("valid_until")
    )
    for a in itertools.islice(expiring, limit):
        yield Duty(
            org=a.org,
            kind="access.assignment_expiring",
            due=a.last_day,
            title=_("%(user)s's role “%(role)s” at %(org)s ends on %(date)s.")
            % {"user": a.user, "role": a.get_role_display(), "org": a.org.name, "date": a.last_day},
            url=reverse_lazy("orgs:org_detail", args=[a.org.code]),
        )


# The label of each kind's group in the to-do centre.
KINDS = {
    "access.no_officer": _lazy("Organizations without an officer"),
    "access.assignment_expiring": _lazy("Role assignments ending soon"),
}
