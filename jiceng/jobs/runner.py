"""Running jobs: now (the command line), on a thread pool in the web process, or in a worker.

How a submitted job starts depends on JICENG_JOBS:

- ``thread`` (the default, for development and small sites): once the transaction that
  submitted the job commits, a thread pool inside the web process runs it
  (JICENG_JOB_THREADS threads, default 2). Jobs die with the process.
- ``worker`` (production): nothing starts in the web process; ``jiceng worker`` (one or
  more, any host sharing the database and JICENG_HOME) claims queued jobs and runs them.
- ``inline``: run in the submitting thread as soon as the transaction commits (tests, and
  one-shot scripts).

A job is claimed with one conditional UPDATE (queued → running), so a job runs once even
when a pool and workers compete for it. Progress is written to a small JSON file beside the
job (any process can read it, even while the job's own transaction is still open — on
SQLite a second connection could not write the row then) and to the row itself whenever no
transaction is open.
"""

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiceng.audit.context import source as audit_source
from jiceng.audit.models import Source
from jiceng.policy.selectors import value as policy_value

from . import registry
from .models import FINISHED, Job, Status

logger = logging.getLogger("jiceng.jobs")
MODES = ("thread", "worker", "inline")
REPORT_EVERY = 0.5  # seconds between progress writes (the last one is always written)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


class JobError(Exception):
    """A failure to show the user as it is (the job is marked failed with this message)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def mode() -> str:
    value = os.environ.get("JICENG_JOBS", "thread").strip().lower()
    return value if value in MODES else "thread"


def ident() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            threads = max(1, int(os.environ.get("JICENG_JOB_THREADS", "2")))
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="jiceng-job")
            # a restarted web process: jobs its predecessor was running will never end
            _pool.submit(_reclaim_in_thread)
        return _pool


def _reclaim_in_thread() -> None:
    try:
        fail_stale()
    except Exception:  # a database hiccup: the next start or a worker tries again
        logger.exception("could not fail the stale jobs")
    finally:
        connection.close()


def dispatch(job_id: int) -> Future | None:
    """Start job `job_id` as the mode says (called once the submitting transaction commits)."""
    how = mode()
    if how == "worker":
        return None
    if how == "inline":
        run_by_id(job_id)
        return None
    return _executor().submit(_in_thread, job_id)


def _in_thread(job_id: int) -> None:
    try:
        run_by_id(job_id)
    except Exception:  # pragma: no cover — run() already records failures
        logger.exception("job %s crashed outside its run", job_id)
    finally:
        close_old_connections()
        connection.close()


def claim(job_id: int) -> Job | None:
    """Take a queued job for this process; None when someone else has it (or it is done)."""
    taken = Job.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), worker=ident()
    )
    return Job.objects.select_related("created_by").get(pk=job_id) if taken else None


def claim_next() -> Job | None:
    """The oldest queued job, claimed; None when there is none."""
    for pk in (
        Job.objects.filter(status=Status.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:20]
    ):
        if (job := claim(pk)) is not None:
            return job
    return None


def run_by_id(job_id: int, echo=None) -> Job | None:
    job = claim(job_id)
    return run(job, echo=echo) if job is not None else None


class Reporter:
    """`report(done, total=None, message="")` for a running job: throttled writes of the
    progress file (and of the row when no transaction is open); `echo` sees every call."""

    def __init__(self, job: Job, echo=None):
        self.job, self.echo = job, echo
        self.done, self.total, self.message = job.done, job.total, job.message
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        self.done, self.total, self.message = int(done), total, str(message or "")
        if self.echo is not None:
            self.echo(self.done, self.total, self.message)
        now = time.monotonic()
        if now - self._last >= REPORT_EVERY:
            self._last = now
            self.flush()

    def state(self) -> dict:
        return {"done": self.done, "total": self.total, "message": self.message[:500]}

    def flush(self) -> None:
        path = self.job.progress_file
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(self.state()))
        os.replace(partial, path)
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(**self.state())


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, JobError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("You do not have permission to act on this organization.")
    return _("The job stopped with an error (%(error)s); the details are in the server log.") % {
        "error": type(exc).__name__
    }


def run(job: Job, *, echo=None) -> Job:
    """Run a claimed job here and now; record how it ended. Never raises for the job's errors."""
    report = Reporter(job, echo)
    beat = Heartbeat(job)
    try:
        kind = registry.get(job.kind)
        with (
            translation.override(job.language or settings.LANGUAGE_CODE),
            audit_source(Source.JOB),
        ):
            result = kind.run(job, report)
    except Exception as exc:
        if not isinstance(exc, JobError | ValidationError | PermissionDenied):
            logger.exception("job %s (%s) failed", job.pk, job.kind)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            message = _failure_message(exc)
        _finish(job, report, Status.FAILED, message=message)
    else:
        _finish(job, report, Status.DONE, result=result, message=report.message)
    finally:
        beat.stop()
    return job


def _finish(job: Job, report: Reporter, status: str, *, message: str = "", result=None) -> None:
    job.status, job.finished_at, job.result = status, timezone.now(), result
    job.done, job.total, job.message = report.done, report.total, message[:500]
    job.save(
        update_fields=[
            "status",
            "finished_at",
            "result",
            "done",
            "total",
            "message",
            "output_path",
        ]
    )
    _remove_files(job)


def _remove_files(job: Job) -> None:
    """The job's input (uploaded data: personal information is not kept) and its progress
    and heartbeat files; its output stays for the user to download."""
    for path in (job.input_file, job.progress_file, heartbeat_file(job)):
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()


# ---------------------------------------------------------------------------------------
# Leases: a running job beats; one whose beat stopped (its process was killed) is failed.

HEARTBEAT_EVERY = 30.0  # seconds between beats (far below the policy's stale-after minutes)


def heartbeat_file(job: Job):
    return job.folder / "heartbeat"


class Heartbeat:
    """Touches the job's heartbeat file every HEARTBEAT_EVERY seconds from a daemon thread
    while the job runs. A file, not the row: on SQLite the job's own transaction (an import)
    holds the write lock, and a worker on another host shares JICENG_HOME anyway."""

    def __init__(self, job: Job):
        self.path, self._stop = heartbeat_file(job), threading.Event()
        self.beat()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=f"beat-{job.pk}")
        self._thread.start()

    def beat(self) -> None:
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()

    def _loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY):
            self.beat()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def last_beat(job: Job):
    """When `job` last showed life: its heartbeat file, else its progress file, else its start."""
    moments = [job.started_at or job.created_at]
    for path in (heartbeat_file(job), job.progress_file):
        with contextlib.suppress(OSError):
            moments.append(dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC))
    return max(m for m in moments if m is not None)


def _fail_abandoned(job: Job, message: str) -> bool:
    """Mark a running job failed (if it is still running: a conditional UPDATE) and remove
    its input. False when it finished meanwhile."""
    failed = Job.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.FAILED, finished_at=timezone.now(), message=message[:500]
    )
    if failed:
        _remove_files(job)
    return bool(failed)


def fail_stale(now: dt.datetime | None = None) -> int:
    """Fail the running jobs that have not beaten for `jobs.lease.stale_after_minutes`
    (their process was killed: nothing else would ever finish them), removing their input.
    Run when a worker starts, every minute in its loop, and when a web process starts its
    job threads. Returns how many were failed."""
    now = now or timezone.now()
    minutes = float(policy_value("jobs.lease.stale_after_minutes"))
    limit = now - dt.timedelta(minutes=minutes)
    count = 0
    for job in Job.objects.filter(status=Status.RUNNING, started_at__lt=limit):
        if last_beat(job) >= limit:
            continue
        with translation.override(job.language or settings.LANGUAGE_CODE):
            message = _(
                "This job stopped answering (the process running it was probably stopped) "
                "and was marked failed; please submit it again."
            )
        if _fail_abandoned(job, message):
            logger.warning("job %s (%s) stopped beating; marked failed", job.pk, job.kind)
            count += 1
    return count


def recover_stale() -> int:
    """Mark failed the jobs left "running" by processes of this host that no longer exist."""
    host = socket.gethostname()
    stale = 0
    for job in Job.objects.filter(status=Status.RUNNING, worker__startswith=f"{host}:"):
        try:
            pid = int(job.worker.split(":")[1])
            os.kill(pid, 0)
            continue  # still alive
        except ProcessLookupError:
            pass
        except (ValueError, IndexError, PermissionError):
            continue
        with translation.override(job.language or settings.LANGUAGE_CODE):
            message = _("The process running this job stopped before it finished.")
        stale += _fail_abandoned(job, message)
    return stale


__all__ = ["FINISHED", "JobError", "claim", "dispatch", "mode", "run"]
