from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.dated import DatedRange


class PolicyOverride(DatedRange):
    """A subtree's own value for one policy key over [valid_from, valid_until) (DOMAIN.md §9)."""

    key = models.CharField(_("policy key"), max_length=120)
    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="policy_overrides",
        verbose_name=_("organization"),
    )
    value = models.JSONField(_("value"))
    reason = models.CharField(_("reason or document number"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("policy override")
        verbose_name_plural = _("policy overrides")
        indexes = [models.Index(fields=["key", "org"], name="policy_key_org_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="policy_override_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.org}"
