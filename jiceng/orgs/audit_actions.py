"""What the audit log records for organization and unit writes (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "orgs.org.set_up": _("Set up an organization"),
    "orgs.org.rename": _("Rename an organization"),
    "orgs.org.move": _("Move an organization under another"),
    "orgs.org.set_host_units": _("Change an organization's host units"),
    "orgs.org.dissolve": _("Dissolve an organization"),
    "orgs.org.merge": _("Merge an organization into another"),
    "orgs.org.split": _("Split an organization"),
    "orgs.org.set_flags": _("Edit status flags and counts"),
    "orgs.unit.register": _("Register a host unit"),
    "orgs.unit.update": _("Edit a host unit"),
    "orgs.unit.close": _("Close a host unit"),
    "orgs.document_number.issue": _("Issue a document number"),
}

_ORG = {"set_up", "rename", "move", "dissolve", "merge", "split"}
LEGACY = {
    **{f"org.{verb}": f"orgs.org.{verb}" for verb in _ORG},
    "org.host_units": "orgs.org.set_host_units",
    "org.flags": "orgs.org.set_flags",
    **{f"unit.{verb}": f"orgs.unit.{verb}" for verb in ("register", "update", "close")},
}
