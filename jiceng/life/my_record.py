"""The organizational-life panel of a member's own page ("my record", `people.views`): the
coming meetings, attendance over the last six months and open tasks, each linking to "my
meetings". Found through `jiceng.kernel.discovery` like duties, so people imports nothing of life."""

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors
from .models import MeetingStatus, Presence

COMING = 3
LOOK_BACK_DAYS = 183


def panel(request) -> str:
    user, today = request.user, timezone.localdate()
    coming = list(
        selectors.my_meetings(user, start=today).exclude(status=MeetingStatus.CANCELLED)[:COMING]
    )
    held = selectors.my_meetings(
        user, start=today - dt.timedelta(days=LOOK_BACK_DAYS), end=today
    ).filter(status=MeetingStatus.HELD)
    presences = [m.my_presence for m in held]
    return render_to_string(
        "life/_my_record_panel.html",
        {
            "coming": coming,
            "held": len(presences),
            "present": presences.count(Presence.PRESENT),
            "leave": presences.count(Presence.ON_LEAVE),
            "tasks": selectors.my_action_items(user).count(),
        },
        request=request,
    )
