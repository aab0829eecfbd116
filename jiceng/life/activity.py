"""Signs of life for the organizations' empty-shell check (see `jiceng.orgs.activity`):
the day of each organization's last held meeting."""

import datetime as dt

from django.db.models import Max
from django.utils import timezone

from .models import Meeting, MeetingStatus

CHUNK = 5000  # ids per query (SQLite's limit on bound parameters)


def last_activity(org_ids) -> dict[int, dt.date]:
    ids = list(org_ids)
    latest: dict[int, dt.date] = {}
    for start in range(0, len(ids), CHUNK):
        rows = (
            Meeting.objects.filter(org_id__in=ids[start : start + CHUNK], status=MeetingStatus.HELD)
            .values_list("org_id")
            .annotate(last=Max("starts_at"))
            .order_by()
        )
        for org_id, last in rows:
            latest[org_id] = timezone.localtime(last).date()
    return latest
