"""Looking policy up: `value(key, org=…, on=…)` and the full list in force for an organization."""

import datetime as dt
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


def _overrides(org, on: dt.date, keys=None):
    """Overrides in force on `on` for `org` and its ancestors, nearest ancestor first."""
    if org is None:
        return []
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
