"""The to-do centre's mechanism: every app's `duties.py` contributes what organizations owe.

A duties module exposes `duties(user, orgs, today, *, limit, policy)` and yields `Duty`
objects for the organizations in `orgs` (already limited to what `user` oversees). It works
set-based: a few queries per kind of duty over all of `orgs` at once, never one per
organization; `policy` is a snapshot of the policy in force (`policy.value(key, org)`,
`policy.lowest(key)`) read once per request. It lists at most `limit` items of a kind and,
when it stopped there, may yield `Total(kind, n)` with the full count. The centre merges
them into one list, most urgent first.
"""

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.kernel.discovery import app_modules

OVERDUE, DUE_SOON, OPEN = "overdue", "due_soon", "open"
URGENCY_LABELS = {OVERDUE: _("Overdue"), DUE_SOON: _("Due soon"), OPEN: _("To do")}
_URGENCY_ORDER = {OVERDUE: 0, DUE_SOON: 1, OPEN: 2}


@dataclass(frozen=True)
class Duty:
    org: object  # the organization that owes it
    title: str
    kind: str  # stable identifier, e.g. "access.no_officer"
    due: dt.date | None = None
    url: str = ""  # may be `reverse_lazy(...)`: built only for the items a page shows
    detail: str = ""

    def urgency(self, today: dt.date, soon_days: int) -> str:
        if self.due is None:
            return OPEN
        if self.due < today:
            return OVERDUE
        return DUE_SOON if (self.due - today).days <= soon_days else OPEN


@dataclass(frozen=True)
class Total:
    """How many items of `kind` there are when a source listed only the first `limit`."""

    kind: str
    count: int


# The organization columns a listed duty reads (its name and link, the API's reference, the
# policy snapshot's path): plug-ins may load `Duty.org` with `.only(*ORG_FIELDS)`.
ORG_FIELDS = ("code", "name", "kind", "tree", "path", "depth")


def org_fields(relation: str) -> list[str]:
    """ORG_FIELDS through a relation, for `.only()` of a query with `select_related`."""
    return [f"{relation}__{f}" for f in ORG_FIELDS]


DutySource = Callable[..., Iterable[Duty]]


@functools.cache
def sources() -> list[tuple[str, DutySource]]:
    """(app label, duties function) for every installed app that has a duties module."""
    return [(label, module.duties) for label, module in app_modules("duties")]


@functools.cache
def kind_labels() -> dict[str, object]:
    """kind → the label of its group in the centre ("Organizations without an officer"), from
    each duties module's `KINDS`."""
    labels: dict[str, object] = {}
    for _label, module in app_modules("duties"):
        labels.update(getattr(module, "KINDS", {}))
    return labels


def sort_key(duty: Duty, today: dt.date, soon_days: int):
    return (_URGENCY_ORDER[duty.urgency(today, soon_days)], duty.due or dt.date.max, duty.title)
