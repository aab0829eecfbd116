"""Who may act on people's records: one predicate per rule, for services, pages and the API.

Built on the gate (which already refuses inactive users); the rules here add what the gate
cannot know, such as a dissolved organization keeping no new records.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.access import gate

from .models import OPEN_TRANSFER_STATES


def may_manage(user, org) -> bool:
    """Keep the records of `org`: an officer over it, and `org` not dissolved."""
    return org.is_active and gate.can(user, gate.MANAGE, org)


def require_manage(user, org) -> None:
    """`may_manage`, or PermissionDenied saying why (a dissolved organization is named)."""
    gate.require(user, gate.MANAGE, org)
    if not org.is_active:
        raise PermissionDenied(_("%(org)s has been dissolved.") % {"org": org.name})


def may_reveal(user, org) -> bool:
    """See the ID numbers and phones of `org`'s people in clear."""
    return gate.can(user, gate.REVEAL, org)


def may_view(user, org) -> bool:
    return gate.can(user, gate.VIEW, org)


def may_decide_transfer(user, transfer) -> bool:
    """Accept, reject or record the report-in of an open letter: the receiving side decides
    (the sender, for a letter to outside the system)."""
    deciding_side = transfer.to_org or transfer.from_org
    return transfer.state in OPEN_TRANSFER_STATES and may_manage(user, deciding_side)


def may_follow_floating(user, record) -> bool:
    """Issue the card, add follow-ups or end the floating of a record still open."""
    return record.valid_until is None and may_manage(user, record.membership.org)
