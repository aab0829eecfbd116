"""Who may do what in organizational life: each rule written once, used by the services (the
`require_…` functions), the pages and the API (the `may_…` predicates) alike."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.access import gate


def may_manage(user, org) -> bool:
    """Officers of the organization manage its meetings (leave, corrections, changes)."""
    return gate.can(user, gate.MANAGE, org)


def require_manage(user, org) -> None:
    gate.require(user, gate.MANAGE, org)


def may_plan(user, org) -> bool:
    """Scheduling meetings and the annual plan: officers of an organization not dissolved."""
    return org.is_active and may_manage(user, org)


def require_plan(user, org) -> None:
    require_manage(user, org)
    if not org.is_active:
        raise PermissionDenied(_("You may not change this organization's plan."))


def may_record(user, meeting) -> bool:
    """The meeting's recorder and officers of its organization keep the record: attendance,
    sign-in for others (and see the sign-in code), minutes, tasks, attachments."""
    return gate.acts_as(user, meeting.recorder_id) or may_manage(user, meeting.org)


def require_record(user, meeting) -> None:
    if not gate.acts_as(user, meeting.recorder_id):
        require_manage(user, meeting.org)


def may_close_task(user, item) -> bool:
    """A task is closed by its owner or by an officer of the meeting's organization."""
    return gate.acts_as(user, item.owner_id) or may_manage(user, item.meeting.org)


def require_close_task(user, item) -> None:
    if not gate.acts_as(user, item.owner_id):
        require_manage(user, item.meeting.org)


def may_see_attendance(user, meeting) -> bool:
    """Everyone's attendance and leave at a meeting: those who may view its organization (a
    member who is only expected there sees their own row)."""
    return gate.can(user, gate.VIEW, meeting.org)
