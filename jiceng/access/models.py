from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.dated import DatedRange


class User(AbstractUser):
    """A login. Linked to the person it belongs to, when it belongs to one."""

    person = models.OneToOneField(
        "people.Person",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    UPPER_ADMIN = "upper_admin", _("Upper-level administrator")
    OFFICER = "officer", _("Organization officer")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Read-only viewer")


class Scope(models.TextChoices):
    SUBTREE = "subtree", _("Whole subtree")
    NODE = "node", _("This organization only")


class RoleAssignment(DatedRange):
    """(user, role, organization, subtree or node, [valid from, valid until)) — DESIGN.md 'One visibility gate'."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("organization"),
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.NODE)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [models.Index(fields=["user", "valid_from"], name="assignment_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="system_admin") | Q(org__isnull=False),
                name="assignment_needs_org_unless_sysadmin",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="assignment_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org or '*'}"


class ApiToken(models.Model):
    """A bearer token for another system. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
