"""Login throttling limits for django-axes, looked up from policy, and a lock per address.

Axes locks a username tried from one address (`access.login.failure_limit`). That leaves
password spraying open: one address trying a few passwords on each of many usernames.
`AddressThrottleBackend` also refuses an address once it has failed
`access.login.ip_failure_limit` times within the cool-off, whatever usernames it tried."""

import datetime as dt

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_ip_address, toggleable
from axes.models import AccessAttempt
from django.db.models import Sum
from django.utils import timezone

from jiceng.policy.selectors import value


def failure_limit(request, credentials) -> int:
    return int(value("access.login.failure_limit"))


def cooloff(request) -> dt.timedelta:
    return dt.timedelta(minutes=int(value("access.login.cooloff_minutes")))


def address_failures(ip_address: str, since: dt.datetime) -> int:
    """Failed logins from `ip_address` since `since`, over every username."""
    attempts = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def address_locked(request) -> bool:
    limit = int(value("access.login.ip_failure_limit"))  # 0: no limit per address
    ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if not limit or not ip_address:
        return False
    return address_failures(ip_address, timezone.now() - cooloff(request)) >= limit


class AddressThrottleBackend(AxesStandaloneBackend):
    """Axes's check (this username from this address), then the address's own limit. A
    refused address gets axes's lockout page (429), which says it is the address."""

    @toggleable
    def authenticate(self, request, username=None, password=None, **kwargs):
        super().authenticate(request, username=username, password=password, **kwargs)
        if address_locked(request):
            request.axes_locked_out = True
            request.address_locked_out = True  # the lockout page names the address
            raise AxesBackendPermissionDenied("too many failed logins from this address")
