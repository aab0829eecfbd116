"""Looking policy up: `value(key, org=…, on=…)` and the full list in force for an organization."""

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils import timezone

from jiceng.kernel.paths import ancestor_paths

from .models import PolicyOverride
from .registry import definition, definitions


@dataclass(frozen=True)
class InForce:
    key: str
    label: str
    unit: str
    value: object
    source: str
    override: PolicyOverride | None  # None when the default applies

    @property
    def overridden_at(self):
        return self.override.org if self.override else None


def _today() -> dt.date:
    return timezone.localdate()


# Within a request (`PolicyMemoMiddleware`) an organization's overrides on a date are read
# once, whatever keys the page's figures, cards and checks ask for; any override write forgets.
_request_memo: ContextVar[dict | None] = ContextVar("jiceng_policy_overrides", default=None)


@contextmanager
def request_memo():
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def forget_overrides() -> None:
    memo = _request_memo.get()
    if memo is not None:
        memo.clear()


def _overrides(org, on: dt.date, keys=None):
    """Overrides in force on `on` for `org` and its ancestors, nearest ancestor first."""
    if org is None:
        return []
    memo = _request_memo.get()
    if memo is None:
        return _read_overrides(org, on, keys)
    found = memo.get((org.path, on))
    if found is None:
        found = memo[(org.path, on)] = _read_overrides(org, on, None)
    return found if keys is None else [o for o in found if o.key in keys]


def _read_overrides(org, on: dt.date, keys):
    found = (
        PolicyOverride.objects.in_force(on)
        .filter(org__path__in=ancestor_paths(org.path))
        .select_related("org")
    )
    if keys is not None:
        found = found.filter(key__in=keys)
    return sorted(found, key=lambda o: (-o.org.depth, -o.valid_from.toordinal(), -o.pk))


def _resolve(key: str, overrides, on: dt.date) -> InForce:
    d = definition(key)
    own = next((o for o in overrides if o.key == key), None)
    if own is not None:
        return InForce(key, d.label, d.unit, own.value, own.reason, own)
    period = d.default_on(on)
    if period is None:
        raise LookupError(f"policy {key} has no default in force on {on}")
    return InForce(key, d.label, d.unit, period.value, period.source, None)


def value(key: str, org=None, on: dt.date | None = None):
    """The value of policy `key` for `org` on date `on` (default: today)."""
    on = on or _today()
    return _resolve(key, _overrides(org, on, keys=[key]), on).value


def lookup(key: str, org=None, on: dt.date | None = None) -> InForce:
    on = on or _today()
    return _resolve(key, _overrides(org, on, keys=[key]), on)


def in_force(org, on: dt.date | None = None) -> list[InForce]:
    """Every policy value in force for `org` on `on`, with its source and override."""
    on = on or _today()
    overrides = _overrides(org, on)
    return [_resolve(key, overrides, on) for key in definitions()]


def lowest(key: str, on: dt.date | None = None):
    """The smallest value `key` takes anywhere on `on` (default or any override in force).

    Lets a query prefilter with one bound before each row is judged by its own subtree's value.
    """
    on = on or _today()
    values = [definition(key).default_on(on).value]
    values += list(
        PolicyOverride.objects.in_force(on).filter(key=key).values_list("value", flat=True)
    )
    return min(values)


class Snapshot:
    """Every override in force on one date, read once, resolved per organization in memory.

    For work that judges many organizations at once (the to-do centre): `value(key, org)`
    answers what `value(key, org=org, on=on)` would, without a query per organization.
    """

    def __init__(self, on: dt.date | None = None):
        self.on = on or _today()
        # key -> path -> the override that wins at that path (latest start, then latest row)
        self._at: dict[str, dict[str, PolicyOverride]] = {}
        for o in PolicyOverride.objects.in_force(self.on).select_related("org"):
            best = self._at.setdefault(o.key, {}).get(o.org.path)
            if best is None or (o.valid_from, o.pk) > (best.valid_from, best.pk):
                self._at[o.key][o.org.path] = o
        self._cache: dict[tuple[str, str], object] = {}
        self._others: dict[dt.date, Snapshot] = {self.on: self}

    def at(self, on: dt.date) -> "Snapshot":
        """The snapshot of another date (one query the first time it is asked for)."""
        if on not in self._others:
            self._others[on] = Snapshot(on)
            self._others[on]._others = self._others
        return self._others[on]

    def value(self, key: str, org=None):
        path = org.path if org is not None else ""
        found = self._cache.get((key, path), _MISSING)
        if found is _MISSING:
            found = self._cache[(key, path)] = self._resolve(key, path)
        return found

    def _resolve(self, key: str, path: str):
        at = self._at.get(key, {})
        for ancestor in reversed(ancestor_paths(path)) if path else ():
            if ancestor in at:
                return at[ancestor].value
        period = definition(key).default_on(self.on)
        if period is None:
            raise LookupError(f"policy {key} has no default in force on {self.on}")
        return period.value

    def lowest(self, key: str):
        """As `lowest(key, on)`: the smallest value anywhere (the default or any override)."""
        values = [definition(key).default_on(self.on).value]
        values += [o.value for o in self._at.get(key, {}).values()]
        return min(values)

    def highest(self, key: str):
        values = [definition(key).default_on(self.on).value]
        values += [o.value for o in self._at.get(key, {}).values()]
        return max(values)


_MISSING = object()
