"""The dated row a workflow step leaves behind (a proposal's 交办, a member's 限期改正): the
timeline of a record whose workflow lives in `kernel.workflow`. Each app's model adds the
foreign key to its record."""

from django.db import models


class StepRecord(models.Model):
    step = models.CharField(max_length=20)
    on = models.DateField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["on", "id"]
