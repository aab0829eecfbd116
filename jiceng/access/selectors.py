"""Reads about users and their rights, scoped by the acting user."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from . import gate
from .models import Role, RoleAssignment


def my_assignments(user, on: dt.date | None = None):
    return gate.active_assignments(user, on).order_by("org__path")


def assignments_in_scope(user, on: dt.date | None = None):
    """Assignments at organizations the user administers, current on `on`."""
    on = on or timezone.localdate()
    return (
        RoleAssignment.objects.filter(gate.org_filter(user, gate.ADMIN, field="org", on=on))
        .in_force(on)
        .select_related("user", "org")
    )


def assignments(user, *, org_code: str = "", username: str = "", ended: bool = False, on=None):
    """Role assignments at organizations the user manages (and, for a system administrator,
    the system administrators' own), with their holders: current and coming ones, and with
    `ended` those already over too."""
    on = on or timezone.localdate()
    found = RoleAssignment.objects.filter(gate.org_filter(user, gate.MANAGE, field="org"))
    if not ended:
        found = found.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))
    if org_code:
        found = found.filter(org__code=org_code)
    if username:
        found = found.filter(user__username=username)
    return found.select_related("user", "org")


def assignment(user, pk: int) -> RoleAssignment:
    """One assignment the user may see (as in `assignments`, ended ones included); else
    `RoleAssignment.DoesNotExist`, whether it is missing or out of sight."""
    return assignments(user, ended=True).get(pk=pk)


def managing_roles():
    return [Role.UPPER_ADMIN, Role.OFFICER]
