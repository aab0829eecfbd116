"""Who may do what in a union's congress: each rule written once, used by the services (the
`require_…` functions), the pages and the API (the `may_…` predicates) alike."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.access import gate


def may_manage(user, org) -> bool:
    """Officers keep the records of a union that is not dissolved: sessions, attendance,
    reports, resolutions, the handling of proposals, rationalization proposals."""
    return org.is_active and gate.can(user, gate.MANAGE, org)


def require_manage(user, org) -> None:
    gate.require(user, gate.MANAGE, org)
    if not org.is_active:
        raise PermissionDenied(_("You may not change the records of this union."))


def may_submit_proposal(user, session, proposer) -> bool:
    """A delegate submits their own proposal; officers enter anyone's."""
    return gate.acts_as(user, proposer.person_id) or may_manage(user, session.org)


def require_submit_proposal(user, session, proposer) -> None:
    if not gate.acts_as(user, proposer.person_id):
        require_manage(user, session.org)


def may_give_feedback(user, proposal) -> bool:
    """The proposer gives their own year-end feedback on the proposal's handling."""
    return gate.acts_as(user, proposal.proposer.person_id)


def may_take_step(user, proposal, step: str) -> bool:
    """Officers record every step of a proposal; the proposer their own feedback."""
    own = step == "feedback" and may_give_feedback(user, proposal)
    return own or may_manage(user, proposal.org)


def require_take_step(user, proposal, step: str) -> None:
    if not (step == "feedback" and may_give_feedback(user, proposal)):
        require_manage(user, proposal.org)
