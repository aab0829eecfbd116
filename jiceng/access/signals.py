"""Any write to a role assignment makes the request's kept assignments stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import gate
from .models import RoleAssignment


@receiver([post_save, post_delete], sender=RoleAssignment)
def _forget(**_kwargs):
    gate.forget_assignments()
