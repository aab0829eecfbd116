"""What the audit log records for workers' congress writes (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

from jiceng.audit.catalogue import workflow_actions

from .flows import PROPOSAL, SUGGESTION

ACTIONS = {
    "congress.session.create": _("Set up a workers' congress session"),
    "congress.session.update": _("Edit a workers' congress session"),
    "congress.session.refresh_roll": _("Redraw the delegate roll"),
    "congress.session.record_attendance": _("Record congress attendance"),
    "congress.report.add": _("Add a congress report"),
    "congress.report.decide": _("Record the vote on a congress report"),
    "congress.resolution.add": _("Add a congress resolution"),
    # submitting records `submit`; every later step records its own key
    **workflow_actions("congress.proposal", PROPOSAL, _("Proposal")),
    **workflow_actions("congress.suggestion", SUGGESTION, _("Rationalization proposal")),
}

LEGACY = {
    "congress.session": "congress.session.create",
    "congress.session_update": "congress.session.update",
    "congress.roll": "congress.session.refresh_roll",
    "congress.attendance": "congress.session.record_attendance",
    "congress.report": "congress.report.add",
    "congress.report_decided": "congress.report.decide",
    "congress.resolution": "congress.resolution.add",
    "congress.proposal": "congress.proposal.submit",
    "congress.suggestion": "congress.suggestion.submit",
    **{f"congress.proposal_{key}": f"congress.proposal.{key}" for key in PROPOSAL.steps},
    **{f"congress.suggestion_{key}": f"congress.suggestion.{key}" for key in SUGGESTION.steps},
}
