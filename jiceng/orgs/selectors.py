"""Reads of organizations, always through the visibility gate."""

from django.db.models import Q

from jiceng.access import gate

from .models import Organization
from .paths import subtree_q


def visible_orgs(user, action: str = gate.VIEW):
    return Organization.objects.filter(gate.org_filter(user, action))


def org_list(
    user,
    *,
    kind: str | None = None,
    roots: bool = False,
    query: str = "",
    under: Organization | None = None,
):
    """Organizations `user` may see; `roots` keeps only the top of what they see."""
    orgs = visible_orgs(user).filter(dissolved_on__isnull=True)
    if kind:
        orgs = orgs.filter(kind=kind)
    if under is not None:
        orgs = orgs.filter(subtree_q(under.path))
    if query:
        orgs = orgs.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if roots:
        visible = visible_orgs(user)
        orgs = orgs.exclude(parent__in=visible)
    return orgs.order_by("path")


def get_visible(user, code: str, action: str = gate.VIEW) -> Organization:
    """The organization with `code`, or Organization.DoesNotExist when it is out of sight."""
    return visible_orgs(user, action).get(code=code)


def children(user, org: Organization):
    return visible_orgs(user).filter(parent=org, dissolved_on__isnull=True).order_by("code")


def ancestors(org: Organization):
    """The chain above `org`, for breadcrumbs (visible up to the user's own top)."""
    from .paths import ancestor_paths

    return Organization.objects.filter(path__in=ancestor_paths(org.path)[:-1]).order_by("depth")
