"""The job kind of the ground floor: running a periodic task for a day (a sweep, see
jobs/sweeps.py). Other apps declare their kinds in their own `tasks.py` (sheets: "import")."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.audit import services as audit_services

from .registry import periodic, periodic_tasks, register
from .runner import JobError


@register("sweep", label=gettext_lazy("Periodic task"))
def sweep(job, report):
    """params: task (a registered periodic task), day (ISO date). Runs as the job's creator."""
    try:
        task = periodic_tasks()[job.params["task"]]
    except KeyError:
        raise JobError(_("No such periodic task.")) from None
    return task.run(job.created_by, dt.date.fromisoformat(job.params["day"]), report)


@periodic("audit.checkpoint", label=gettext_lazy("Sign the audit log's head (checkpoint)"))
def audit_checkpoint(actor, day, report):
    """Anchor the audit chain's head in the signed checkpoint file, so a deletion of the newest
    events is detected by `jiceng audit verify`. A broken chain fails the job (and is not
    anchored)."""
    try:
        point = audit_services.checkpoint()
    except ValueError as exc:
        raise JobError(_("The audit log does not verify: %(reason)s") % {"reason": exc}) from None
    report(point.count, point.count)
    return {"id": point.id, "count": point.count}
