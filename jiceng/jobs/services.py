"""Submitting jobs. The job's own function checks the gate for what it writes (an import
goes through the services with the submitting user as the actor)."""

import contextlib
import os
import shutil
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from . import registry, runner
from .models import FINISHED, Job, jobs_folder

KEEP_FILES_SECONDS = 24 * 3600  # outputs of finished jobs (error workbooks …) are kept a day


def _copy_input(job: Job, source, filename: str) -> None:
    suffix = Path(filename or getattr(source, "name", "") or str(source)).suffix.lower()[:10]
    folder = job.folder
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"input{suffix}"
    if isinstance(source, str | os.PathLike):
        shutil.copyfile(source, target)
    else:
        f = getattr(source, "file", source)  # Django's UploadedFile wraps the real file
        f.seek(0)
        with open(target, "wb") as out:
            shutil.copyfileobj(f, out, 1024 * 1024)
        f.seek(0)
    target.chmod(0o600)
    job.input_path = str(target.relative_to(jobs_folder()))


def submit(
    actor,
    kind: str,
    *,
    source=None,
    filename: str = "",
    foreground: bool = False,
    echo=None,
    key: str | None = None,
    dispatch: bool = True,
    **params,
) -> Job:
    """Queue a job of `kind` for `actor` with JSON-able `params` and an optional input file
    (`source`: a path, a binary file or an upload, copied under HOME/jobs/<id>/).

    In the background (default) it starts once the current transaction commits, as
    `runner.mode()` says (`dispatch=False`: it waits for a `jiceng worker`). With
    `foreground=True` it runs here and now and the finished job is returned;
    `echo(done, total, message)` sees its progress (the command line prints it).

    A `key` makes the job once-only: if a job with that key exists (in any state), it is
    returned as it is and nothing new is queued or run.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to start a job."))
    try:
        registry.get(kind)
    except KeyError:
        raise ValidationError({"kind": _("No such kind of job.")}) from None
    _sweep()
    fields = {
        "kind": kind,
        "created_by": actor,
        "params": params,
        "language": translation.get_language() or "",
    }
    if key:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                job = Job.objects.create(key=key, **fields)
        except IntegrityError:  # another process queued it first
            return Job.objects.get(key=key)
    else:
        job = Job.objects.create(**fields)
    if source is not None:
        _copy_input(job, source, filename)
        job.save(update_fields=["input_path"])
    if foreground:
        return runner.run_by_id(job.pk, echo=echo) or job
    if dispatch:
        transaction.on_commit(lambda: runner.dispatch(job.pk))
    return job


def _sweep() -> None:
    """Remove the folders of jobs that finished more than a day ago (rows are kept)."""
    root = jobs_folder()
    if not root.is_dir():
        return
    cutoff = time.time() - KEEP_FILES_SECONDS
    old = []
    for folder in root.iterdir():
        with contextlib.suppress(OSError, ValueError):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                old.append(int(folder.name))
    for pk in Job.objects.filter(pk__in=old, status__in=FINISHED).values_list("pk", flat=True):
        shutil.rmtree(root / str(pk), ignore_errors=True)
