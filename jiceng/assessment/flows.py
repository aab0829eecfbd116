"""A round's stages as data: self-assessment → review → publicity (公示) → final.

Each requirement says what is missing in words an officer can act on; the service that takes
the step writes the records (services.py), the round page lists the next steps (selectors)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.kernel.workflow import Context, Refusal, Step, Workflow, steps

from .models import EntryState, Objection, RoundState

S = RoundState


def _all_reviewed(ctx: Context):
    waiting = ctx.record.entries.exclude(state=EntryState.REVIEWED)
    count = waiting.count()
    if count:
        names = "、".join(e.org.name for e in waiting.select_related("org")[:5])
        return Refusal(
            _("%(count)s organizations are not reviewed yet (%(names)s…).")
            % {"count": count, "names": names}
        )
    return None


def _publicity_over(ctx: Context):
    until = ctx.record.publicity_until
    if until is not None and ctx.on < until:
        return Refusal(
            _("The publicity period runs until %(last)s.")
            % {"last": until.fromordinal(until.toordinal() - 1)},
            possible_from=until,
        )
    return None


def _objections_answered(ctx: Context):
    open_ = Objection.objects.filter(entry__round=ctx.record, answered_on__isnull=True).count()
    if open_:
        return Refusal(_("%(count)s objections are not answered yet.") % {"count": open_})
    return None


ROUND = Workflow(
    "assessment.round",
    dict(S.choices),
    steps(
        Step("review", _lazy("Start the review"), frozenset({S.OPEN}), S.REVIEW),
        Step(
            "publish",
            _lazy("Publish the results for publicity"),
            frozenset({S.REVIEW}),
            S.PUBLICITY,
            (_all_reviewed,),
        ),
        Step(
            "finalize",
            _lazy("Make the results final"),
            frozenset({S.PUBLICITY}),
            S.FINAL,
            (_publicity_over, _objections_answered),
        ),
    ),
)
