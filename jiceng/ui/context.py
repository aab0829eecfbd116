from django.utils.functional import SimpleLazyObject

from jiceng.orgs import selectors as orgs
from jiceng.orgs.models import Tree
from jiceng.orgs.switcher import current_org


def _union_org(request, current):
    """The union being worked on, or None on Party (or mixed) work: the current organization
    when it is a union; with none chosen, the first of the user's organizations when every
    one of them is a union (a union chair sees only unions). Templates use it to say 会员
    where a Party page says 党员."""
    if current is not None:
        return current if current.tree == Tree.UNION else None
    roots = orgs.org_list(request.user, roots=True)
    if roots.exclude(tree=Tree.UNION).exists():
        return None
    return roots.first()


def shell(request):
    """What the base layout needs on every page: the organization being worked on."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = current_org(request)
    return {
        "current_org": current,
        "union_org": SimpleLazyObject(lambda: _union_org(request, current)),
    }
