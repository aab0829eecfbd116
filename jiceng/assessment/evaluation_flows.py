"""Democratic evaluation of members (民主评议党员) as data: the campaign's stages and the handling
of a member graded 不合格.

Campaign (《关于建立民主评议党员制度的意见》, 1988; 003:L266-268): opened with the roll → study
(学习) → self-evaluation (个人自评) → mutual evaluation by secret ballot opened, then closed
(党员互评) → opinions of non-members (征求党外群众意见) → the branch decides each member's grade
(支部大会确定等次).

Handling of 不合格 (the 1988 opinion and 《中国共产党章程》第九条): correction within a deadline
(限期改正, at most a policy number of days) → once the deadline has come, either corrected
(the case closes) or advised to leave the Party (劝其退党) → the member leaves (退党) or, if
they will not, is removed (除名) with the upper committee's approval. Disciplinary measures
(党纪处分) are handled outside this workflow.

Both the services (to take a step) and the selectors (to show what stands in its way) build
the contexts here, below both."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.kernel.workflow import Refusal, Step, Taken, Workflow, after, on_input, steps
from jiceng.policy.context import PolicyContext as Context

from .models import Campaign, CampaignState, HandlingCase, HandlingState

# -- the campaign -----------------------------------------------------------------------------

OPEN = gettext_lazy("Open the evaluation")
STUDY = gettext_lazy("Study (学习)")
SELF = gettext_lazy("Self-evaluation (个人自评)")
OPEN_VOTING = gettext_lazy("Open the mutual evaluation (党员互评)")
CLOSE_VOTING = gettext_lazy("Close the mutual evaluation and count")
CONSULT = gettext_lazy("Opinions of non-members gathered (征求党外群众意见)")
DECIDE = gettext_lazy("The branch decides the grades (确定等次)")

# Each stage's date field on the campaign.
STAGE_FIELDS = {
    "open": "opened_on",
    "study": "studied_on",
    "self": "self_on",
    "open_voting": "voting_from",
    "close_voting": "voting_until",
    "consult": "consulted_on",
    "decide": "decided_on",
}


def campaign_context(campaign: Campaign, on: dt.date, data: dict | None = None) -> Context:
    done = {
        key: Taken(getattr(campaign, field))
        for key, field in STAGE_FIELDS.items()
        if getattr(campaign, field) is not None
    }
    return Context(campaign, on, data or {}, done)


def _opinions_recorded(ctx: Context):
    if not ctx.record.opinions.exists():
        return Refusal(_("Record at least one opinion of a non-member first."))
    return None


def _every_member_graded(ctx: Context):
    waiting = ctx.record.evaluees.filter(grade="")
    count = waiting.count()
    if count:
        names = "、".join(waiting.values_list("name", flat=True)[:5])
        return Refusal(
            _("%(count)s members have no grade yet (%(names)s…).")
            % {"count": count, "names": names}
        )
    return None


C = CampaignState
# A stage may be asked for from any earlier state: the refusal then names the stage missing.
_ORDER = [C.OPENED, C.STUDIED, C.SELF, C.VOTING, C.VOTED, C.CONSULTED]


def _upto(state: str) -> frozenset:
    return frozenset(_ORDER[: _ORDER.index(state) + 1])


CAMPAIGN = Workflow(
    "assessment.evaluation",
    dict(C.choices),
    steps(
        Step("study", STUDY, _upto(C.OPENED), C.STUDIED, (after("open", OPEN),)),
        Step("self", SELF, _upto(C.STUDIED), C.SELF, (after("study", STUDY),)),
        Step("open_voting", OPEN_VOTING, _upto(C.SELF), C.VOTING, (after("self", SELF),)),
        Step(
            "close_voting",
            CLOSE_VOTING,
            _upto(C.VOTING),
            C.VOTED,
            (after("open_voting", OPEN_VOTING),),
        ),
        Step(
            "consult",
            CONSULT,
            _upto(C.VOTED),
            C.CONSULTED,
            (after("close_voting", CLOSE_VOTING), _opinions_recorded),
        ),
        Step(
            "decide",
            DECIDE,
            _upto(C.CONSULTED),
            C.DECIDED,
            (after("consult", CONSULT), _every_member_graded),
        ),
    ),
)


# -- handling of a member graded 不合格 -------------------------------------------------------

CORRECT = gettext_lazy("Correction within a deadline (限期改正)")
CORRECTED = gettext_lazy("Corrected: close the case")
PERSUADE = gettext_lazy("Advise to leave the Party (劝其退党)")
LEAVE = gettext_lazy("Left the Party (退党)")
REMOVE = gettext_lazy("Removal from the Party (除名)")


def handling_context(case: HandlingCase, on: dt.date, data: dict | None = None) -> Context:
    done = {}
    for s in case.steps.all():
        done.setdefault(s.step, s)
    return Context(case, on, data or {}, done, org=case.evaluee.campaign.org)


@on_input
def _deadline_given(ctx: Context):
    deadline = ctx.data.get("deadline")
    if deadline is None:
        return Refusal(_("“限期改正” needs a deadline: give the date by which to correct."))
    if deadline <= ctx.on:
        return Refusal(_("The deadline must be after the date of the step."))
    most = int(ctx.policy("assessment.evaluation.correction_max_days"))
    if (deadline - ctx.on).days > most:
        return Refusal(
            _("The deadline may be at most %(days)s days after the step (policy), by %(last)s.")
            % {"days": most, "last": ctx.on + dt.timedelta(days=most)}
        )
    return None


def _deadline_come(ctx: Context):
    deadline = ctx.record.deadline
    if deadline is not None and ctx.on < deadline:
        return Refusal(
            _("Possible once the correction deadline has come (%(date)s).") % {"date": deadline},
            possible_from=deadline,
        )
    return None


def _filled(name: str, message):
    @on_input
    def requirement(ctx: Context):
        if not str(ctx.data.get(name) or "").strip():
            return Refusal(str(message))
        return None

    return requirement


H = HandlingState
HANDLING = Workflow(
    "assessment.handling",
    dict(H.choices),
    steps(
        Step("correct", CORRECT, frozenset({H.OPEN}), H.CORRECTING, (_deadline_given,)),
        Step(
            "corrected",
            CORRECTED,
            frozenset({H.OPEN, H.CORRECTING}),
            H.CORRECTED,
            (
                after("correct", CORRECT),
                _deadline_come,
                _filled("note", gettext_lazy("Say how the member corrected.")),
            ),
        ),
        Step(
            "persuade",
            PERSUADE,
            frozenset({H.OPEN, H.CORRECTING}),
            H.PERSUADED,
            (
                after("correct", CORRECT),
                _deadline_come,
                _filled("note", gettext_lazy("Say what was not corrected.")),
            ),
        ),
        Step(
            "leave",
            LEAVE,
            frozenset({H.CORRECTING, H.PERSUADED}),
            H.LEFT,
            (after("persuade", PERSUADE),),
        ),
        Step(
            "remove",
            REMOVE,
            frozenset({H.CORRECTING, H.PERSUADED}),
            H.REMOVED,
            (
                after("persuade", PERSUADE),
                _filled(
                    "approval",
                    gettext_lazy(
                        "Removal needs the upper Party committee's approval: give its document "
                        "number."
                    ),
                ),
            ),
        ),
    ),
)

CLOSING = {H.CORRECTED, H.LEFT, H.REMOVED}
