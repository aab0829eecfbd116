"""What the audit log records for organizational life writes (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "life.meeting.schedule": _("Schedule a meeting"),
    "life.meeting.update": _("Edit a meeting"),
    "life.meeting.cancel": _("Cancel a meeting"),
    "life.meeting.mark_held": _("Mark a meeting as held"),
    "life.meeting.sign_in": _("Sign in to a meeting"),
    "life.leave.request": _("Ask for leave from a meeting"),
    "life.leave.decide": _("Decide a leave request"),
    "life.minutes.save": _("Save the minutes"),
    "life.minutes.lock": _("Lock the minutes"),
    "life.action.add": _("Add an action item"),
    "life.action.close": _("Close an action item"),
    "life.attachment.add": _("Add an attachment"),
    "life.correction.add": _("Correct a closed meeting's record"),
    "life.plan.save": _("Save the annual activity plan"),
    "life.demo_meetings.load": _("Load the demo meetings"),
}

LEGACY = {
    "life.meeting.held": "life.meeting.mark_held",
    "life.sign_in": "life.meeting.sign_in",
    "demo.life": "life.demo_meetings.load",
}
