"""Job kinds: a name and a function `run(job, report) -> result (JSON-able)`.

`report(done, total=None, message="")` tells how far the job got. Apps declare kinds in
their own `tasks.py` with `@register("name")`; `get` discovers them on first use.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jiceng.discovery import app_modules

Report = Callable[..., None]


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable[[Any, Report], Any]
    label: Any = ""


_kinds: dict[str, Kind] = {}


def register(name: str, *, label: Any = ""):
    """Decorator: `@register("import")` over `def run(job, report): ...`."""

    def wrap(fn):
        _kinds[name] = Kind(name, fn, label or name)
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
