"""Login throttling limits for django-axes, looked up from policy."""

import datetime as dt

from jiceng.policy.selectors import value


def failure_limit(request, credentials) -> int:
    return int(value("access.login.failure_limit"))


def cooloff(request) -> dt.timedelta:
    return dt.timedelta(minutes=int(value("access.login.cooloff_minutes")))
