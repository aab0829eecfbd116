"""When did an organization last show signs of life? Apps that record activity answer.

An app contributes by having an `activity` module with
`last_activity(org_ids) -> {org_id: date}` (the life app: meetings held). With no
contributor nothing can be judged, so the empty-shell check finds nothing.
"""

import datetime as dt
import functools

from jiceng.kernel.discovery import app_modules


@functools.cache
def _providers():
    return [module.last_activity for _label, module in app_modules("activity", exclude=("orgs",))]


def has_providers() -> bool:
    return bool(_providers())


def last_activity(org_ids) -> dict[int, dt.date]:
    latest: dict[int, dt.date] = {}
    for provider in _providers():
        for org_id, day in provider(org_ids).items():
            if org_id not in latest or day > latest[org_id]:
                latest[org_id] = day
    return latest
