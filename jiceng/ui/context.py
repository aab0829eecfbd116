from jiceng.orgs.switcher import current_org


def shell(request):
    """What the base layout needs on every page: the organization being worked on."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_org": current_org(request)}
