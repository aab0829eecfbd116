"""`{% notifications_badge %}`: the navbar's bell with the user's unread count (one indexed
count per page; the user's own notifications only)."""

from django import template

from jiceng.life.models import Notification

register = template.Library()


@register.inclusion_tag("life/_badge.html", takes_context=True)
def notifications_badge(context):
    user = getattr(context.get("request"), "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"unread": unread}
