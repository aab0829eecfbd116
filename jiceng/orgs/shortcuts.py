"""What every app's pages do first: find the organization named in the URL, or answer 404."""

from django.http import Http404
from django.utils.translation import gettext as _

from . import selectors
from .models import Organization


def org_or_404(request, code: str, tree: str | None = None) -> Organization:
    """The organization `code` if the user may see it (and it is in `tree`, when given); the
    same 404 otherwise, so that a page never tells what exists out of sight."""
    try:
        org = selectors.get_visible(request.user, code)
    except Organization.DoesNotExist:
        raise Http404(_("No such organization, or you may not see it.")) from None
    if tree and org.tree != tree:
        raise Http404(_("This page is not available for this organization."))
    return org
