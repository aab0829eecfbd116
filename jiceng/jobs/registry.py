"""Job kinds and periodic tasks.

A job kind is a name and a function `run(job, report) -> result (JSON-able)`;
`report(done, total=None, message="")` tells how far the job got. A periodic task is a
name and a function `run(actor, day, report) -> result` that a sweep runs once a day
(`jiceng sweep` from cron, or `jiceng worker` at the start of each day), as the system
actor, in a job of kind "sweep". Apps declare both in their own `tasks.py` with
`@register("name")` and `@periodic("app.name")`; they are discovered on first use.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jiceng.kernel.discovery import app_modules

Report = Callable[..., None]


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable[[Any, Report], Any]
    label: Any = ""


@dataclass(frozen=True)
class Periodic:
    name: str
    run: Callable[[Any, Any, Report], Any]  # (actor, day, report) -> JSON-able result
    label: Any = ""


_kinds: dict[str, Kind] = {}
_periodic: dict[str, Periodic] = {}


def register(name: str, *, label: Any = ""):
    """Decorator: `@register("import")` over `def run(job, report): ...`."""

    def wrap(fn):
        _kinds[name] = Kind(name, fn, label or name)
        return fn

    return wrap


def periodic(name: str, *, label: Any = ""):
    """Decorator: `@periodic("people.flag_unreported")` over `def run(actor, day, report): ...`.

    The task must be safe to run again for the same day (a forced sweep does).
    """

    def wrap(fn):
        _periodic[name] = Periodic(name, fn, label or name)
        return fn

    return wrap


@functools.cache
def _discover() -> None:
    app_modules("tasks")  # importing each app's tasks module registers its kinds


def kinds() -> dict[str, Kind]:
    _discover()
    return dict(_kinds)


def get(name: str) -> Kind:
    """The kind called `name`; KeyError when there is none."""
    _discover()
    return _kinds[name]


def periodic_tasks() -> dict[str, Periodic]:
    """Every registered periodic task by name, in name order."""
    _discover()
    return dict(sorted(_periodic.items()))
