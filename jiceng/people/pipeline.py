"""The Party member development pipeline, declared as data (DOMAIN.md §2).

Each step names the stages it may be taken from, the stage it leads to, and its
requirements; each requirement reads its threshold from policy for the branch and the
date of the step, and explains a refusal: what is missing and from when it is possible.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.kernel.workflow import Refusal, Step, Workflow, after, on_input, steps
from jiceng.policy.context import PolicyContext

from .models import MEMBER_STAGES, Stage


class Context(PolicyContext):
    """A pipeline step's context: the record is the membership."""

    @property
    def name(self) -> str:
        return self.record.person.name


def _waited(step_key: str, policy_key: str, message):
    """At least the policy's number of days since `step_key`."""

    def requirement(ctx: Context):
        found = ctx.done.get(step_key)
        if found is None:
            return None  # reported by the ordering requirement
        days = int(ctx.policy(policy_key))
        earliest = found.on + dt.timedelta(days=days)
        if ctx.on < earliest:
            return Refusal(
                str(message)
                % {"name": ctx.name, "since": found.on, "days": days, "from": earliest},
                possible_from=earliest,
            )
        return None

    return requirement


def old_enough(ctx: Context):
    born = ctx.record.person.birth_date
    age = int(ctx.policy("people.party.min_age"))
    if born is None:
        return Refusal(
            _("Enter %(name)s's birth date first (applicants must be at least %(age)s).")
            % {"name": ctx.name, "age": age}
        )
    try:
        earliest = born.replace(year=born.year + age)
    except ValueError:  # born on 29 February
        earliest = dt.date(born.year + age, 3, 1)
    if ctx.on < earliest:
        return Refusal(
            _("%(name)s turns %(age)s on %(from)s; an application is possible from then.")
            % {"name": ctx.name, "age": age, "from": earliest},
            possible_from=earliest,
        )
    return None


@on_input
def two_full_introducers(ctx: Context):
    from .models import PartyMembership

    needed = int(ctx.policy("people.party.introducers_required"))
    ids = list(dict.fromkeys(ctx.data.get("introducers", [])))
    full = (
        PartyMembership.objects.filter(person_id__in=ids, stage=Stage.FULL)
        .exclude(pk=ctx.record.pk)
        .count()
    )
    if len(ids) != needed or full != needed:
        return Refusal(_("Name %(n)s introducers, each a full Party member.") % {"n": needed})
    return None


@on_input
def enough_training(ctx: Context):
    hours = int(ctx.policy("people.party.training_min_hours"))
    if float(ctx.data.get("hours", 0)) < hours:
        return Refusal(_("Concentrated training must last at least %(h)s hours.") % {"h": hours})
    return None


@on_input
def notice_long_enough(ctx: Context):
    days = int(ctx.policy("people.party.notice_min_days"))
    if int(ctx.data.get("days", 0)) < days:
        return Refusal(_("The public notice must run at least %(d)s days.") % {"d": days})
    return None


def exit_in_order(ctx: Context):
    """An exit (withdrawal, suspension, removal, death) is dated no later than today and no
    earlier than the member's last recorded milestone or admission."""
    today = timezone.localdate()
    if ctx.on > today:
        return Refusal(
            _("An exit cannot be dated in the future (today is %(today)s).") % {"today": today}
        )
    m = ctx.record
    known = [
        (ms.on, PIPELINE.step(ms.step).label)
        for ms in ctx.done.values()
        if ms.step in PIPELINE.steps
    ]
    known += [
        (day, label) for day, label in ((m.joined_on, ADMISSION), (m.full_on, FULL_SINCE)) if day
    ]
    if not known:
        return None
    last, label = max(known, key=lambda k: k[0])
    if ctx.on < last:
        return Refusal(
            _("The exit cannot be dated before “%(step)s” of %(name)s (%(date)s).")
            % {"step": label, "name": ctx.name, "date": last}
        )
    return None


APPLY = gettext_lazy("Application")
TALK = gettext_lazy("Talk with the applicant")
ACTIVIST = gettext_lazy("Made an activist")
TARGET = gettext_lazy("Made a development target")
INTRODUCERS = gettext_lazy("Introducers named")
REVIEW = gettext_lazy("Political review")
TRAINING = gettext_lazy("Concentrated training")
NOTICE = gettext_lazy("Public notice")
PRE_REVIEW = gettext_lazy("Pre-review by the county organization department")
ADMIT = gettext_lazy("Admitted as probationary member by the branch meeting")
APPROVE = gettext_lazy("Approved by the upper Party committee")
CONVERT = gettext_lazy("Converted to full member by the branch meeting")
ADMISSION = gettext_lazy("Admission to the Party")
FULL_SINCE = gettext_lazy("Full membership")

PRE = frozenset({Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET})
MEMBERS = frozenset(MEMBER_STAGES)

PIPELINE = Workflow(
    name="party_membership",
    states=dict(Stage.choices),
    steps=steps(
        Step("apply", APPLY, frozenset({""}), Stage.APPLICANT, (old_enough,)),
        Step("talk", TALK, frozenset({Stage.APPLICANT}), None, (after("apply", APPLY),)),
        Step(
            "activist",
            ACTIVIST,
            frozenset({Stage.APPLICANT}),
            Stage.ACTIVIST,
            (after("talk", TALK),),
        ),
        Step(
            "target",
            TARGET,
            frozenset({Stage.ACTIVIST}),
            Stage.TARGET,
            (
                after("activist", ACTIVIST),
                _waited(
                    "activist",
                    "people.party.activist_min_days",
                    gettext_lazy(
                        "A development target needs at least %(days)s days as an activist: "
                        "%(name)s became an activist on %(since)s, so the earliest date is "
                        "%(from)s."
                    ),
                ),
            ),
        ),
        Step(
            "introducers",
            INTRODUCERS,
            frozenset({Stage.TARGET}),
            None,
            (after("target", TARGET), two_full_introducers),
        ),
        Step("review", REVIEW, frozenset({Stage.TARGET}), None, (after("target", TARGET),)),
        Step(
            "training",
            TRAINING,
            frozenset({Stage.TARGET}),
            None,
            (after("target", TARGET), enough_training),
        ),
        Step(
            "notice",
            NOTICE,
            frozenset({Stage.TARGET}),
            None,
            (
                after("introducers", INTRODUCERS),
                after("review", REVIEW),
                after("training", TRAINING),
                notice_long_enough,
            ),
        ),
        Step("pre_review", PRE_REVIEW, frozenset({Stage.TARGET}), None, (after("notice", NOTICE),)),
        Step(
            "admit",
            ADMIT,
            frozenset({Stage.TARGET}),
            Stage.PROBATIONARY,
            (after("pre_review", PRE_REVIEW),),
        ),
        Step("approve", APPROVE, frozenset({Stage.PROBATIONARY}), None, (after("admit", ADMIT),)),
        Step(
            "convert",
            CONVERT,
            frozenset({Stage.PROBATIONARY}),
            Stage.FULL,
            (
                after("approve", APPROVE),
                _waited(
                    "admit",
                    "people.party.probation_days",
                    gettext_lazy(
                        "The probation of %(name)s began on %(since)s and lasts %(days)s days: "
                        "the conversion is possible from %(from)s."
                    ),
                ),
            ),
        ),
        Step("withdraw", gettext_lazy("Left the pipeline"), PRE, Stage.WITHDRAWN, (exit_in_order,)),
        Step(
            "suspend",
            gettext_lazy("Membership suspended"),
            MEMBERS,
            Stage.SUSPENDED,
            (exit_in_order,),
        ),
        Step(
            "remove", gettext_lazy("Expelled or removed"), MEMBERS, Stage.REMOVED, (exit_in_order,)
        ),
        Step("decease", gettext_lazy("Deceased"), MEMBERS | PRE, Stage.DECEASED, (exit_in_order,)),
    ),
)
