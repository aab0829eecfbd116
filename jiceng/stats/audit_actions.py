"""What the audit log records for figures (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "stats.period.snapshot": _("Close a statistics period"),
}

LEGACY = {
    "stats.snapshot": "stats.period.snapshot",
}
