"""Reading an object's history, for those who may see the object."""

from .models import AuditEvent


def history(obj):
    """Events about `obj`, newest first. The caller has already checked the user may see `obj`."""
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("-id")
