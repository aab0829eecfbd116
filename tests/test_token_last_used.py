"""Bearer tokens: API reads do not turn into a write of `last_used_at` on every request."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.access import services as access_services
from jiceng.access.models import ApiToken
from jiceng.access.services import create_token


def _token_writes(queries) -> int:
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and "apitoken" in q["sql"].lower()
    )


def test_repeated_gets_write_last_used_once_per_interval(client, world, monkeypatch):
    token, raw = create_token(world.system, user=world.users["street_a_admin"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert client.get("/api/v1/orgs", **headers).status_code == 200
    assert _token_writes(queries.captured_queries) == 1  # the first use is noted
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None

    # 6 minutes later (policy default: every 5 minutes), the next use is noted again
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(access_services.timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/orgs", **headers).status_code == 200
        assert client.get("/api/v1/orgs", **headers).status_code == 200
    assert _token_writes(queries.captured_queries) == 1
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later
