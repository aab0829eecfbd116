"""Reading jobs: a job is seen by the user who started it, and by system administrators."""

import contextlib
import json

from jiceng.access import gate

from .models import Job, Status


def visible_jobs(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    if gate.is_system_admin(user):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)


def get_visible(user, **lookup) -> Job:
    """The job matching `lookup` (pk=… or token=…) if `user` may see it; else DoesNotExist."""
    return visible_jobs(user).get(**lookup)


def progress(job: Job) -> dict:
    """{status, done, total, percent, message, finished}: the row, or while the job runs the
    progress file its runner keeps beside it (fresher than the row during a transaction)."""
    done, total, message = job.done, job.total, job.message
    if job.status == Status.RUNNING:
        with contextlib.suppress(OSError, ValueError, TypeError):
            state = json.loads(job.progress_file.read_text())
            if int(state["done"]) >= done:
                done, total, message = int(state["done"]), state.get("total"), state["message"]
    percent = None
    if total:
        percent = max(0, min(100, int(100 * done / total)))
    elif job.status == Status.DONE:
        percent = 100
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(Status(job.status).label),
        "done": done,
        "total": total,
        "percent": percent,
        "message": message,
        "finished": job.finished,
    }
