"""The assessment panel of a member's own page ("my record", `people.views`), found through
`jiceng.kernel.discovery`. One function per section, so that other sections (the member's
democratic-evaluation ballot) sit beside the titles."""

from django.template.loader import render_to_string

from . import selectors
from .selectors import awards as award_selectors


def titles_section(request) -> str:
    person = getattr(request.user, "person", None)
    if person is None:
        return ""
    titles = award_selectors.titles_of_person(person)
    return render_to_string("assessment/award/_my_titles.html", {"titles": titles}, request=request)


def ballots_section(request) -> str:
    """Democratic evaluations where the member still has a ballot to cast."""
    campaigns = selectors.open_ballots_for(request.user)
    if not campaigns:
        return ""
    return render_to_string(
        "assessment/evaluation/_my_ballots.html", {"ballots": campaigns}, request=request
    )


SECTIONS = [ballots_section, titles_section]


def panel(request) -> str:
    return "".join(section(request) for section in SECTIONS)
