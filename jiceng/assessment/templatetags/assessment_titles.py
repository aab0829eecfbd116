"""The titles an organization or a person holds, shown on pages of apps below assessment (the
organization page, the member page) without those apps importing it:
`{% load assessment_titles %}{% org_titles org %}` / `{% person_titles person %}`."""

from django import template
from django.template.loader import render_to_string

from ..selectors import awards as award_selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def org_titles(context, org):
    titles = award_selectors.titles_of_org(context["request"].user, org)
    return render_to_string("assessment/award/_titles.html", {"titles": titles})


@register.simple_tag(takes_context=True)
def person_titles(context, person):
    """Shown where the page has already checked that the user may see the person."""
    titles = award_selectors.titles_of_person(person)
    return render_to_string("assessment/award/_titles.html", {"titles": titles})
