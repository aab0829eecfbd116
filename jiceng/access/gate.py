"""The one visibility gate: which organizations a user may act on, for which purpose.

Every selector filters through `org_filter`; every service checks `require`.
Fail closed: no valid assignment, no data.
"""

import datetime as dt
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.kernel.paths import subtree_q

from .models import Role, RoleAssignment, Scope

# The role assignments read during the current request: {(user id, active, day): [...]},
# or None outside a request. A context variable, so each thread serving a request has its own.
_request_cache: ContextVar[dict | None] = ContextVar("jiceng_assignments", default=None)

VIEW, MANAGE, ADMIN = "view", "manage", "admin"
REVEAL = "reveal"  # see personal information (ID numbers, phones) in clear
# Follow what organizations owe (the to-do centre) without acting on it: managers, and the
# read-only inspectors (viewers) over their subtree; plain members are not told.
OVERSEE = "oversee"

# What each role may do within its scope.
ROLE_ACTIONS = {
    Role.SYSTEM_ADMIN: {VIEW, MANAGE, ADMIN, REVEAL, OVERSEE},
    Role.UPPER_ADMIN: {VIEW, MANAGE, ADMIN, REVEAL, OVERSEE},
    Role.OFFICER: {VIEW, MANAGE, REVEAL, OVERSEE},
    Role.MEMBER: {VIEW},
    Role.VIEWER: {VIEW, OVERSEE},
}


# "Every row": what a system administrator's filter is. Not the empty `Q()`, which `|` drops
# (`Q() | own` is just `own`, issue #12): a condition that is always true, on the queried
# model's own key, so it holds whatever relation `field` names and survives `|` and `&`.
EVERYTHING = ~Q(pk__in=[])


def sees_everything(q: Q) -> bool:
    """`q` is the filter of someone who sees every organization (a system administrator)."""
    return q == EVERYTHING


def active_assignments(user, on: dt.date | None = None):
    if user is None or not user.is_authenticated or not user.is_active:
        return RoleAssignment.objects.none()
    on = on or timezone.localdate()
    return RoleAssignment.objects.in_force(on).filter(user=user).select_related("org")


def assignments(user, on: dt.date | None = None) -> list[RoleAssignment]:
    """The user's assignments in force on `on`, as a list: read once per request.

    A page asks the gate a dozen times (the menu, the selector, each permission check);
    within a request (`AssignmentCacheMiddleware`) the first answer is kept for the others.
    Outside a request (CLI, jobs) every call reads the database."""
    on = on or timezone.localdate()
    kept = _request_cache.get()
    if kept is None or user is None or not user.is_authenticated:
        return list(active_assignments(user, on))
    key = (user.pk, user.is_active, on)
    if key not in kept:
        kept[key] = list(active_assignments(user, on))
    return kept[key]


def forget_assignments() -> None:
    """Drop what this request has read (an assignment was added, ended or changed)."""
    kept = _request_cache.get()
    if kept is not None:
        kept.clear()


def _granting(user, action: str, on: dt.date | None):
    return [a for a in assignments(user, on) if action in ROLE_ACTIONS[a.role]]


def org_filter(user, action: str = VIEW, *, field: str = "", on: dt.date | None = None) -> Q:
    """Q over organizations (or over rows whose organization is reached through `field`)."""
    prefix = f"{field}__" if field else ""
    q = Q(**{f"{prefix}pk__in": []})  # nothing, unless an assignment grants it
    for a in _granting(user, action, on):
        if a.role == Role.SYSTEM_ADMIN:
            return EVERYTHING.copy()
        if a.scope == Scope.SUBTREE:
            q |= subtree_q(a.org.path, f"{prefix}path")
        else:
            q |= Q(**{f"{prefix}pk": a.org_id})
    return q


def is_system_admin(user, on: dt.date | None = None) -> bool:
    return any(a.role == Role.SYSTEM_ADMIN for a in assignments(user, on))


def can(user, action: str, org, on: dt.date | None = None) -> bool:
    for a in _granting(user, action, on):
        if a.role == Role.SYSTEM_ADMIN:
            return True
        if a.org_id == org.pk or (a.scope == Scope.SUBTREE and org.path.startswith(a.org.path)):
            return True
    return False


def require(user, action: str, org, on: dt.date | None = None) -> None:
    if not can(user, action, org, on):
        raise PermissionDenied(_("You do not have permission to act on this organization."))


def acts_as(user, person_id) -> bool:
    """The user is an active login linked to the person `person_id`: someone acting on their
    own record (the recorder of a meeting, the owner of a task, the proposer of a motion)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    own = getattr(user, "person_id", None)
    return own is not None and own == person_id
