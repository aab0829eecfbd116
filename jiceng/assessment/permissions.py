"""Who may do what in an assessment, each rule written once for services, pages and the API.

The organization that defines a scheme or opens a round (an upper level) runs it: it reviews,
publishes, records objections, finalizes and closes rectifications. Each assessed
organization's officers fill in and submit its own self-assessment and rectification plan."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.access import gate


def may_run(user, org) -> bool:
    """Define schemes for `org`'s subtree and run its rounds."""
    return org.is_active and gate.can(user, gate.MANAGE, org)


def require_run(user, org) -> None:
    gate.require(user, gate.MANAGE, org)
    if not org.is_active:
        raise PermissionDenied(_("You may not run assessments for this organization."))


def may_self_assess(user, entry) -> bool:
    return gate.can(user, gate.MANAGE, entry.org)


def require_self_assess(user, entry) -> None:
    gate.require(user, gate.MANAGE, entry.org)


def may_review(user, entry) -> bool:
    return may_run(user, entry.round.org)


def require_review(user, entry) -> None:
    require_run(user, entry.round.org)
