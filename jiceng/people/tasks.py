"""Periodic tasks of people (run once a day by `jiceng sweep` or `jiceng worker`)."""

from django.utils.translation import gettext_lazy

from jiceng.jobs.registry import periodic

from .transfers import flag_unreported


@periodic(
    "people.flag_unreported",
    label=gettext_lazy("Flag members who did not report in by their letter's deadline"),
)
def flag_unreported_members(actor, day, report):
    """Accepted transfer letters past their deadline: the member is flagged "never reported
    in" (rosters and figures read the flag; the to-do duties come from the letters)."""
    flagged = flag_unreported(actor, on=day)
    report(flagged, flagged)
    return {"flagged": flagged}
