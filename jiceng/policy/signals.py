"""Any write to a policy override makes the request's kept overrides stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import PolicyOverride
from .selectors import forget_overrides


@receiver([post_save, post_delete], sender=PolicyOverride)
def _forget(**_kwargs):
    forget_overrides()
