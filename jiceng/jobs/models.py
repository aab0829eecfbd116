"""A background job: what to run, for whom, how far it got and what came of it."""

import secrets
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def jobs_folder() -> Path:
    """Where job files live: HOME/jobs/<id>/ (uploaded input, output, progress)."""
    return settings.HOME / "jobs"


def _token() -> str:
    return secrets.token_hex(16)


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = (Status.DONE, Status.FAILED)


class Job(models.Model):
    """One run of a registered job kind (jobs.registry) on behalf of the user who asked.

    Only `jobs.services` and `jobs.runner` write these rows. File paths are relative to
    `jobs_folder()`; the input (an uploaded workbook, say) is deleted when the job ends.
    """

    kind = models.CharField(_("kind"), max_length=64)
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    input_path = models.CharField(max_length=255, blank=True)
    output_path = models.CharField(max_length=255, blank=True)
    worker = models.CharField(max_length=100, blank=True)  # host:pid:thread that ran it
    # A job with a key runs once per key (a day's sweep: "sweep:people.flag_unreported:…").
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def folder(self) -> Path:
        return jobs_folder() / str(self.pk)

    @property
    def input_file(self) -> Path | None:
        return jobs_folder() / self.input_path if self.input_path else None

    @property
    def output_file(self) -> Path | None:
        return jobs_folder() / self.output_path if self.output_path else None

    @property
    def progress_file(self) -> Path:
        return self.folder / "progress.json"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
