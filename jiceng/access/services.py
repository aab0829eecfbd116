"""Writes to users, role assignments and API tokens. Each is audited."""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import record
from jiceng.kernel.dated import until_after
from jiceng.policy.selectors import value as policy_value

from . import gate
from .models import ApiToken, Role, RoleAssignment, Scope, User
from .permissions import require_end

TOKEN_PREFIX = "jc_"
SYSTEM_USERNAME = "system"


def system_actor() -> User:
    """The built-in actor for command-line and scheduled work (a system administrator)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": _("System"), "is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        RoleAssignment.objects.create(
            user=user, role=Role.SYSTEM_ADMIN, valid_from=dt.date(2000, 1, 1)
        )
    return user


def _assignment_snapshot(a: RoleAssignment) -> dict:
    return {
        "user": a.user.username,
        "role": a.role,
        "org": a.org.code if a.org else None,
        "scope": a.scope,
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
    }


@transaction.atomic
def create_user(
    actor, *, username: str, password: str | None, full_name: str = "", person=None
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, first_name=full_name, person=person)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(actor, "access.user.create", user, after={"username": username, "full_name": full_name})
    return user


@transaction.atomic
def assign_role(
    actor,
    *,
    user: User,
    role: str,
    org=None,
    scope: str = Scope.NODE,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> RoleAssignment:
    """Grant `role` at `org` over [valid_from, valid_until) (`valid_until` exclusive).

    Only an administrator over `org` may grant, and never above their own."""
    if role == Role.SYSTEM_ADMIN:
        if not gate.is_system_admin(actor):
            raise ValidationError({"role": _("Only a system administrator can grant this role.")})
    elif org is None:
        raise ValidationError({"org": _("Choose an organization for this role.")})
    else:
        gate.require(actor, gate.ADMIN, org)
    valid_from = valid_from or timezone.localdate()
    if valid_until and valid_until <= valid_from:
        raise ValidationError({"valid_until": _("The end date must not be before the start date.")})
    a = RoleAssignment.objects.create(
        user=user, role=role, org=org, scope=scope, valid_from=valid_from, valid_until=valid_until
    )
    record(actor, "access.role.assign", a, after=_assignment_snapshot(a), org=org)
    return a


@transaction.atomic
def end_assignment(
    actor, assignment: RoleAssignment, until: dt.date | None = None
) -> RoleAssignment:
    """The rights end on `until`, the first day without them (default tomorrow: they last
    through today); never before the day after they began."""
    if assignment.org:
        gate.require(actor, gate.ADMIN, assignment.org)
    elif not gate.is_system_admin(actor):
        raise ValidationError({"role": _("Only a system administrator can change this role.")})
    before = _assignment_snapshot(assignment)
    until = until or until_after(timezone.localdate())
    assignment.valid_until = max(until, until_after(assignment.valid_from))
    assignment.save(update_fields=["valid_until"])
    record(
        actor,
        "access.role.end",
        assignment,
        before=before,
        after=_assignment_snapshot(assignment),
        org=assignment.org,
    )
    return assignment


@transaction.atomic
def end_role(actor, assignment: RoleAssignment, *, last_day: dt.date | None = None):
    """End a role by hand (CLI, API): `last_day` is the last day it is in force (default
    today). Refused before the role began, and later than it already ends: this ends or
    shortens a role, it never extends one (a new term or a new grant does that)."""
    require_end(actor, assignment)
    a = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("user", "org")
        .get(pk=assignment.pk)
    )
    last_day = last_day or timezone.localdate()
    if last_day < a.valid_from:
        raise ValidationError(
            {
                "last_day": _("The role began on %(date)s; it cannot end before.")
                % {"date": a.valid_from}
            }
        )
    if a.valid_until is not None and until_after(last_day) > a.valid_until:
        raise ValidationError(
            {
                "last_day": _("The role already ends on %(date)s; it can only end earlier.")
                % {"date": a.last_day}
            }
        )
    before = _assignment_snapshot(a)
    a.valid_until = until_after(last_day)
    a.save(update_fields=["valid_until"])
    record(actor, "access.role.end", a, before=before, after=_assignment_snapshot(a), org=a.org)
    return a


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(actor, *, user: User, name: str = "api") -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the raw token is returned once and never stored."""
    if actor.pk != user.pk and not gate.is_system_admin(actor):
        raise ValidationError(
            {"user": _("Only a system administrator can create tokens for others.")}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    days = int(policy_value("access.token.lifetime_days"))
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:10],
        digest=_digest(raw),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    record(
        actor,
        "access.token.create",
        token,
        after={"user": user.username, "name": name, "prefix": token.prefix},
    )
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown, expired or revoked one."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw)).first()
    now = timezone.now()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at < now):
        return None
    if not token.user.is_active:
        return None
    _touch(token, now)
    return token.user


def _touch(token: ApiToken, now) -> None:
    """Note when a token was last used, at most once per policy interval: a write on every
    GET would make each API read a database write (on SQLite, one that waits for the lock)."""
    if token.last_used_at is not None:
        minutes = float(policy_value("access.token.last_used_interval_minutes"))
        if now - token.last_used_at < dt.timedelta(minutes=minutes):
            return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
