"""The job kind of the ground floor: running a periodic task for a day (a sweep, see
jobs/sweeps.py). Other apps declare their kinds in their own `tasks.py` (sheets: "import")."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .registry import periodic_tasks, register
from .runner import JobError


@register("sweep", label=gettext_lazy("Periodic task"))
def sweep(job, report):
    """params: task (a registered periodic task), day (ISO date). Runs as the job's creator."""
    try:
        task = periodic_tasks()[job.params["task"]]
    except KeyError:
        raise JobError(_("No such periodic task.")) from None
    return task.run(job.created_by, dt.date.fromisoformat(job.params["day"]), report)
