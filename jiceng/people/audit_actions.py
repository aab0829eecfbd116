"""What the audit log records for people and membership writes (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

from jiceng.audit.catalogue import workflow_actions

from .pipeline import PIPELINE
from .transfers import TRANSFER

ACTIONS = {
    "people.person.register": _("Register a person"),
    "people.person.update": _("Edit a person's details"),
    "people.person.reveal": _("Reveal an ID number or phone number"),
    "people.person.export_revealed": _("Export unmasked personal data"),
    "people.person.set_photo": _("Upload a photo"),
    "people.person.change_phone": _("Change a phone number"),
    # applying records `apply`; every later development step records its own key
    **workflow_actions("people.party", PIPELINE),
    "people.party.enrol": _("Enter an existing Party member"),
    "people.party.update": _("Edit Party membership details"),
    "people.party.set_plan": _("Save a development plan"),
    "people.party.flag_unreported": _("Flag a member who never reported in"),
    **workflow_actions("people.transfer", TRANSFER, _("Transfer")),
    "people.floating.record_outflow": _("Record a member floating out"),
    "people.floating.record_inflow": _("Record a member floating in"),
    "people.floating.issue_card": _("Issue a floating member's activity card"),
    "people.floating.record_return": _("Record a floating member's return"),
    "people.floating.add_follow_up": _("Add a floating member follow-up"),
    "people.floating.submit_report": _("Submit the floating members' monthly report"),
    "people.union.join": _("Enrol a union member"),
    "people.union.change": _("Edit union membership details"),
    "people.union.leave": _("Record leaving the union"),
    "people.delegate.seat": _("Seat a congress delegate"),
    "people.delegate.end_seat": _("End a delegate's seat"),
    "people.discipline.record": _("Record a Party disciplinary sanction"),
}

_FLOATING = {
    "outflow": "record_outflow",
    "inflow": "record_inflow",
    "card": "issue_card",
    "return": "record_return",
    "follow_up": "add_follow_up",
    "report": "submit_report",
}
LEGACY = {
    "person.register": "people.person.register",
    "person.update": "people.person.update",
    "person.reveal": "people.person.reveal",
    "person.reveal_export": "people.person.export_revealed",
    "person.photo": "people.person.set_photo",
    "person.phone": "people.person.change_phone",
    **{f"party.{step}": f"people.party.{step}" for step in PIPELINE.steps},
    "party.enrol": "people.party.enrol",
    "party.update": "people.party.update",
    "party.plan": "people.party.set_plan",
    "party.transfer.never_reported": "people.party.flag_unreported",
    **{f"party.transfer.{step}": f"people.transfer.{step}" for step in TRANSFER.steps},
    **{f"party.floating.{old}": f"people.floating.{new}" for old, new in _FLOATING.items()},
    "union.join": "people.union.join",
    "union.change": "people.union.change",
    "union.leave": "people.union.leave",
    "union.delegate": "people.delegate.seat",
    "union.delegate_end": "people.delegate.end_seat",
}
