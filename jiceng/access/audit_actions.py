"""What the audit log records for access writes (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "access.user.create": _("Create a login account"),
    "access.role.assign": _("Assign a role"),
    "access.role.end": _("End a role"),
    "access.token.create": _("Create an API token"),
}

LEGACY = {
    "user.create": "access.user.create",
    "role.assign": "access.role.assign",
    "role.end": "access.role.end",
    "token.create": "access.token.create",
}
