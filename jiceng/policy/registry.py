"""Policy defaults, read from each installed app's policy.toml.

A key's default is either one `value`, or `periods` — a list of
{from, until, value, source} — when the rule itself changed on a date. A period is
in force over [from, until): `until` is the first day of the next rule, like every
dated range (jiceng/dated.py). Every value carries the regulation or seed line it
comes from.
"""

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps


@dataclass(frozen=True)
class Period:
    value: object
    source: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # exclusive

    def covers(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on < self.valid_until
        )


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    unit: str
    app: str
    periods: tuple[Period, ...] = field(default_factory=tuple)

    def default_on(self, on: dt.date) -> Period | None:
        return next((p for p in self.periods if p.covers(on)), None)


def _definition(app_label: str, key: str, raw: dict) -> Definition:
    if "periods" in raw:
        periods = tuple(
            Period(
                p["value"], p.get("source", raw.get("source", "")), p.get("from"), p.get("until")
            )
            for p in raw["periods"]
        )
    else:
        periods = (Period(raw["value"], raw["source"]),)
    return Definition(key, raw["label"], raw.get("unit", ""), app_label, periods)


@functools.cache
def definitions() -> dict[str, Definition]:
    found: dict[str, Definition] = {}
    for config in apps.get_app_configs():
        path = Path(config.path) / "policy.toml"
        if not path.exists():
            continue
        for key, raw in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if key in found:
                raise ValueError(f"policy key {key} is defined twice")
            found[key] = _definition(config.label, key, raw)
    return dict(sorted(found.items()))


def definition(key: str) -> Definition:
    try:
        return definitions()[key]
    except KeyError:
        raise KeyError(f"unknown policy key: {key}") from None
