"""The organization switcher: the organization a user is working on, kept in the session."""

from jiceng.orgs import selectors as orgs

SESSION_KEY = "current_org"


def current_org(request):
    """The chosen organization if the user may still see it, else None (meaning: all of theirs)."""
    code = request.session.get(SESSION_KEY)
    if not code:
        return None
    try:
        return orgs.get_visible(request.user, code)
    except orgs.Organization.DoesNotExist:
        request.session.pop(SESSION_KEY, None)
        return None


def switch(request, code: str | None):
    if code:
        org = orgs.get_visible(request.user, code)  # raises DoesNotExist when out of sight
        request.session[SESSION_KEY] = org.code
    else:
        request.session.pop(SESSION_KEY, None)
