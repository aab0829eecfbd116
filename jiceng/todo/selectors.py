"""The to-do centre: one list of duties for the organizations a user manages."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from jiceng.access import gate
from jiceng.kernel.duties import Duty, sort_key, sources
from jiceng.kernel.paths import subtree_q
from jiceng.orgs.models import Organization
from jiceng.policy.selectors import value as policy_value


@dataclass
class Item:
    duty: Duty
    urgency: str


def duties_for(
    user, *, org: Organization | None = None, today: dt.date | None = None
) -> list[Item]:
    """Duties of the organizations `user` manages (within `org`'s subtree if given), most urgent first."""
    today = today or timezone.localdate()
    orgs = Organization.objects.filter(
        gate.org_filter(user, gate.MANAGE), dissolved_on__isnull=True
    )
    if org is not None:
        orgs = orgs.filter(subtree_q(org.path))
    soon = int(policy_value("todo.due_soon_days", org=org, on=today))
    limit = int(policy_value("todo.max_items_per_source", org=org, on=today))
    found: list[Duty] = []
    for _label, source in sources():
        found.extend(source(user, orgs, today, limit=limit))
    found.sort(key=lambda d: sort_key(d, today, soon))
    return [Item(d, d.urgency(today, soon)) for d in found]
