"""Who may run a democratic evaluation of members, written once for services, pages and API.

The branch's officers (and the levels above with the right to manage it) run the campaign:
stages, paper ballots, non-members' opinions, grades, handling. Voting is not a role: only a
member on the campaign's roll votes, once (checked by the service against the roll)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.access import gate


def may_run_evaluation(user, org) -> bool:
    return org.is_active and gate.can(user, gate.MANAGE, org)


def require_run_evaluation(user, org) -> None:
    gate.require(user, gate.MANAGE, org)
    if not org.is_active:
        raise PermissionDenied(_("You may not run the evaluation of this organization's members."))
