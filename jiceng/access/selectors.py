"""Reads about users and their rights, scoped by the acting user."""

import datetime as dt

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


def managing_roles():
    return [Role.UPPER_ADMIN, Role.OFFICER]
