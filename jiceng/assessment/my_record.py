"""The assessment panel of a member's own page ("my record", `people.views`), found through
`jiceng.kernel.discovery`. One function per section, so that other sections (the member's
democratic-evaluation result) are added beside the titles."""

from django.template.loader import render_to_string

from .selectors import awards as award_selectors


def titles_section(request) -> str:
    person = getattr(request.user, "person", None)
    if person is None:
        return ""
    titles = award_selectors.titles_of_person(person)
    return render_to_string("assessment/award/_my_titles.html", {"titles": titles}, request=request)


SECTIONS = [titles_section]


def panel(request) -> str:
    return "".join(section(request) for section in SECTIONS)
