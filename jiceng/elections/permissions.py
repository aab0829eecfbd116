"""Who may act on elections: one predicate per rule, for services, pages and the API.

Built on the gate (which already refuses inactive users); the rules here add what the gate
cannot know: a dissolved organization holds no new elections, a declared poll takes no counts.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.access import gate

from .models import PollStatus


def _require_active(org) -> None:
    if not org.is_active:
        raise PermissionDenied(
            _("%(org)s was dissolved on %(date)s.") % {"org": org.name, "date": org.dissolved_on}
        )


def may_manage(user, org) -> bool:
    """File requests and set up polls for `org`: an officer over it, `org` not dissolved."""
    return org.is_active and gate.can(user, gate.MANAGE, org)


def require_manage(user, org) -> None:
    """`may_manage`, or PermissionDenied saying why (a dissolved organization is named)."""
    gate.require(user, gate.MANAGE, org)
    _require_active(org)


def may_administer(user, org) -> bool:
    """Start terms, change their end, add and end officers: the upper level's act."""
    return org.is_active and gate.can(user, gate.ADMIN, org)


def require_administer(user, org) -> None:
    gate.require(user, gate.ADMIN, org)
    _require_active(org)


def may_view(user, org) -> bool:
    return gate.can(user, gate.VIEW, org)


def may_count(user, poll) -> bool:
    """Enter counts, figures, corrections and the roll of a poll still open."""
    return poll.status == PollStatus.OPEN and gate.can(user, gate.MANAGE, poll.org)


def may_enter_paper_ballots(user, poll) -> bool:
    """Enter (and put right) paper ballots one by one: an open poll held on paper."""
    return may_count(user, poll) and not poll.electronic


def may_follow_up(user, poll) -> bool:
    """Set up the next round of a declared poll."""
    return poll.status == PollStatus.CLOSED and gate.can(user, gate.MANAGE, poll.org)
