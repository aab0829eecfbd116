from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalogue import label as action_label


class Source(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    IMPORT = "import", _("Import")
    JOB = "job", _("Background job")


class AuditEvent(models.Model):
    """One service write. Append-only: database triggers refuse UPDATE and DELETE.

    `hash` covers every other field plus `prev_hash`, so altering or removing any
    event breaks the chain at that event (`jiceng audit verify`).
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        null=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor"), max_length=150)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    org_path = models.CharField(max_length=255, blank=True, default="")
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"

    @property
    def label(self) -> str:
        """The action as people read it (old spellings included), from the catalogue."""
        return action_label(self.action)
