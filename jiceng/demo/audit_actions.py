"""What the audit log records when the demo data is loaded (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "demo.dataset.load": _("Load the demo data"),
}

LEGACY = {
    "demo.load": "demo.dataset.load",
}
