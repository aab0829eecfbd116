from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodClose(models.Model):
    """A reporting period whose figures are published from snapshots from now on."""

    period = models.CharField(_("period"), max_length=16, unique=True)
    on = models.DateField(_("period end"))
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.period


class FigureSnapshot(models.Model):
    """One organization's published figure for one metric in a closed period."""

    period = models.ForeignKey(PeriodClose, models.CASCADE, related_name="figures")
    metric = models.CharField(max_length=64)
    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "metric", "org"], name="snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.metric} {self.org_id}: {self.numerator}/{self.denominator}"
