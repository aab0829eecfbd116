"""What the audit log records for policy writes (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "policy.override.set": _("Override a policy value"),
}

LEGACY = {
    "policy.override": "policy.override.set",
}
