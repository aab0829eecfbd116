"""Periodic sweeps: every registered periodic task (`registry.periodic`) once a day.

`jiceng sweep` runs them here and now (for cron); a long-running `jiceng worker` queues them
as each day begins. Each task runs as a job of kind "sweep" for the system actor, keyed
"sweep:<task>:<day>", so however many workers and crons compete, a task runs once a day;
`force` runs it again (the tasks are written to be safe to repeat).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from . import registry, services
from .models import Job

KIND = "sweep"


@dataclass
class Started:
    task: registry.Periodic
    job: Job
    new: bool  # False: the task had already been run (or queued) for the day


def key(task: str, day: dt.date) -> str:
    return f"{KIND}:{task}:{day.isoformat()}"


def start(
    day: dt.date | None = None,
    *,
    only=(),
    force: bool = False,
    foreground: bool = False,
    dispatch: bool = True,
    echo=None,
) -> list[Started]:
    """One job per periodic task (or per task named in `only`) for `day` (default: today).

    `foreground`: run each here and now, one after the other; otherwise queue them
    (`dispatch=False` leaves them to a worker). KeyError for an unknown name in `only`.
    """
    from jiceng.access.services import system_actor

    day = day or timezone.localdate()
    tasks = registry.periodic_tasks()
    for name in only:
        if name not in tasks:
            raise KeyError(name)
    actor = system_actor()
    found = []
    for name, task in tasks.items():
        if only and name not in only:
            continue
        once = None if force else key(name, day)
        if once and (done := Job.objects.filter(key=once).first()) is not None:
            found.append(Started(task, done, False))
            continue
        job = services.submit(
            actor,
            KIND,
            key=once,
            foreground=foreground,
            dispatch=dispatch,
            echo=echo,
            task=name,
            day=day.isoformat(),
        )
        found.append(Started(task, job, True))
    return found
