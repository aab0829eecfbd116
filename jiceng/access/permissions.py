"""Who may end whose role assignment (issue #12): each rule once, for services, API and CLI."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from . import gate
from .models import Role, RoleAssignment

# The roles an officer may end at an organization they manage: never an administrator's.
OFFICER_ENDS = {Role.OFFICER, Role.MEMBER, Role.VIEWER}


def may_end(user, assignment: RoleAssignment) -> bool:
    """An administrator over the assignment's organization ends any role there; an officer
    who manages it ends officers', members' and viewers' roles; a system administrator's role
    only another system administrator."""
    if assignment.org_id is None:
        return gate.is_system_admin(user)
    if gate.can(user, gate.ADMIN, assignment.org):
        return True
    return assignment.role in OFFICER_ENDS and gate.can(user, gate.MANAGE, assignment.org)


def require_end(user, assignment: RoleAssignment) -> None:
    if not may_end(user, assignment):
        raise PermissionDenied(_("You may not end this role."))
