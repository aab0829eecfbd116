"""The handling of proposals (提案) and of rationalization proposals (合理化建议) as data.

Proposal (004:L342, L384): submitted by a delegate with seconders → sorted by category →
accepted (立案) or converted to an opinion (意见建议) with a reason → assigned (交办) to a
department with a leader in charge → the department's reply by the deadline → follow-ups
(督办, any number) → mid-year check → year-end feedback with the proposer's satisfaction →
selected as an excellent proposal.

Rationalization proposal (000:L165-167): submitted by any staff member → the review panel
adopts it or not (with the reason) → implemented or not → rewarded by its economic benefit.

Each requirement reads its threshold from policy for the union and the step's date, and
explains a refusal: what is missing.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.kernel.workflow import Refusal, Step, Workflow, after, on_input, steps
from jiceng.policy.context import PolicyContext as Context

from .models import Proposal, ProposalState, Satisfaction, Suggestion, SuggestionState

# Both the services (to check a step) and the selectors (to show what stands in a step's way)
# build the same context; it lives here, below both.


def proposal_context(proposal: Proposal, on: dt.date, data: dict, note: str = "") -> Context:
    done = {}
    for s in proposal.steps.all():
        done.setdefault(s.step, s)
    return Context(proposal, on, {**data, "note": note}, done)


def suggestion_context(s: Suggestion, on: dt.date, data: dict) -> Context:
    done = {}
    for row in s.steps.all():
        done.setdefault(row.step, row)
    return Context(s, on, data, done)


def _filled(name: str, message):
    @on_input
    def requirement(ctx: Context):
        if not str(ctx.data.get(name) or "").strip():
            return Refusal(str(message))
        return None

    return requirement


# -- proposals -------------------------------------------------------------------------------


@on_input
def proposer_is_delegate(ctx: Context):
    """The proposer holds a seat of a category that may propose, on the session's roll."""
    proposer = ctx.data.get("proposer")
    allowed = set(ctx.policy("congress.proposal.proposer_categories"))
    roll = ctx.data.get("roll", {})  # delegate id -> category on the session's roll
    if proposer is None:
        return Refusal(_("Name the delegate who makes the proposal."))
    if roll.get(proposer.pk) not in allowed:
        return Refusal(
            _("%(name)s is not a delegate of this session who may make proposals.")
            % {"name": proposer.person.name}
        )
    return None


@on_input
def enough_seconders(ctx: Context):
    needed = int(ctx.policy("congress.proposal.min_seconders"))
    allowed = set(ctx.policy("congress.proposal.proposer_categories"))
    roll = ctx.data.get("roll", {})
    proposer = ctx.data.get("proposer")
    seconders = [s for s in ctx.data.get("seconders", []) if proposer is None or s != proposer]
    outside = [s.person.name for s in seconders if roll.get(s.pk) not in allowed]
    if outside:
        return Refusal(
            _("Seconders must be delegates of this session: %(names)s is not.")
            % {"names": "、".join(outside)}
        )
    if len(set(seconders)) < needed:
        return Refusal(
            _(
                "A proposal needs at least %(n)s seconders among the delegates (besides the "
                "proposer); %(given)s named."
            )
            % {"n": needed, "given": len(set(seconders))}
        )
    return None


@on_input
def known_category(ctx: Context):
    categories = list(ctx.policy("congress.proposal.categories"))
    if ctx.data.get("category") not in categories:
        return Refusal(
            _("Choose the category: one of %(choices)s.") % {"choices": "、".join(categories)}
        )
    return None


@on_input
def satisfaction_given(ctx: Context):
    if ctx.data.get("satisfaction") not in Satisfaction.values:
        return Refusal(
            _("Record the proposer's satisfaction: %(choices)s.")
            % {"choices": "、".join(str(label) for label in Satisfaction.labels)}
        )
    return None


SUBMIT = gettext_lazy("Submission")
SORT = gettext_lazy("Sorted by category")
ACCEPT = gettext_lazy("Accepted as a proposal (立案)")
CONVERT = gettext_lazy("Converted to an opinion")
ASSIGN = gettext_lazy("Assigned to a department (交办)")
FOLLOW_UP = gettext_lazy("Follow-up (督办)")
REPLY = gettext_lazy("Department's reply")
MID_YEAR = gettext_lazy("Mid-year check")
FEEDBACK = gettext_lazy("Year-end feedback to the proposer")
EXCELLENT = gettext_lazy("Selected as an excellent proposal")

S = ProposalState
UNDECIDED = frozenset({S.SUBMITTED, S.SORTED})
IN_HAND = frozenset({S.ASSIGNED, S.REPLIED})

PROPOSAL = Workflow(
    name="congress_proposal",
    states=dict(ProposalState.choices),
    steps=steps(
        Step(
            "submit", SUBMIT, frozenset({""}), S.SUBMITTED, (proposer_is_delegate, enough_seconders)
        ),
        Step("sort", SORT, frozenset({S.SUBMITTED}), S.SORTED, (known_category,)),
        Step("accept", ACCEPT, UNDECIDED, S.ACCEPTED, (after("sort", SORT),)),
        Step(
            "convert",
            CONVERT,
            UNDECIDED,
            S.OPINION,
            (
                after("sort", SORT),
                _filled("reason", gettext_lazy("Give the reason for converting it to an opinion.")),
            ),
        ),
        Step(
            "assign",
            ASSIGN,
            UNDECIDED | {S.ACCEPTED},
            S.ASSIGNED,
            (
                after("accept", ACCEPT),
                _filled("department", gettext_lazy("Name the department that handles it.")),
                _filled("leader", gettext_lazy("Name the leader in charge.")),
            ),
        ),
        Step(
            "follow_up",
            FOLLOW_UP,
            IN_HAND,
            None,
            (
                after("assign", ASSIGN),
                _filled("note", gettext_lazy("Write what was followed up.")),
            ),
            once=False,
        ),
        Step(
            "reply",
            REPLY,
            frozenset({S.ASSIGNED}),
            S.REPLIED,
            (
                after("assign", ASSIGN),
                _filled("reply", gettext_lazy("Enter the department's reply.")),
            ),
        ),
        Step("mid_year", MID_YEAR, IN_HAND, None, (after("assign", ASSIGN),)),
        Step(
            "feedback",
            FEEDBACK,
            IN_HAND,
            S.CLOSED,
            (after("reply", REPLY), after("mid_year", MID_YEAR), satisfaction_given),
        ),
        Step("excellent", EXCELLENT, frozenset({S.CLOSED}), None, (after("feedback", FEEDBACK),)),
    ),
)

# Steps whose data field carries the step's main input (refusals of a form go on that field).
PROPOSAL_DATA_FIELD = {
    "sort": "category",
    "convert": "reason",
    "assign": "department",
    "follow_up": "note",
    "reply": "reply",
    "feedback": "satisfaction",
}


# -- rationalization proposals --------------------------------------------------------------


@on_input
def panel_named(ctx: Context):
    needed = int(ctx.policy("congress.suggestion.panel_min"))
    members = [m for m in ctx.data.get("panel", []) if str(m).strip()]
    if len(set(members)) < needed:
        return Refusal(
            _("Name the review panel: at least %(n)s members; %(given)s named.")
            % {"n": needed, "given": len(set(members))}
        )
    return None


@on_input
def benefit_given(ctx: Context):
    try:
        benefit = Decimal(str(ctx.data.get("benefit", "")))
    except InvalidOperation:
        benefit = None
    if benefit is None or not benefit.is_finite() or benefit < 0:
        return Refusal(_("Enter the economic benefit in yuan (0 if it brings none)."))
    return None


SUBMIT_SUGGESTION = gettext_lazy("Submission")
ADOPT = gettext_lazy("Adopted by the review panel")
REJECT = gettext_lazy("Not adopted by the review panel")
IMPLEMENT = gettext_lazy("Record the implementation")
NOT_IMPLEMENTED = gettext_lazy("Record that it was not implemented")
REWARD = gettext_lazy("Reward by economic benefit")

G = SuggestionState
SUGGESTION = Workflow(
    name="congress_suggestion",
    states=dict(SuggestionState.choices),
    steps=steps(
        Step(
            "submit",
            SUBMIT_SUGGESTION,
            frozenset({""}),
            G.SUBMITTED,
            (_filled("name", gettext_lazy("Enter the name of the staff member who suggests it.")),),
        ),
        Step("adopt", ADOPT, frozenset({G.SUBMITTED}), G.ADOPTED, (panel_named,)),
        Step(
            "reject",
            REJECT,
            frozenset({G.SUBMITTED}),
            G.REJECTED,
            (panel_named, _filled("reason", gettext_lazy("Give the reason it is not adopted."))),
        ),
        Step(
            "implement", IMPLEMENT, frozenset({G.ADOPTED}), G.IMPLEMENTED, (after("adopt", ADOPT),)
        ),
        Step(
            "not_implemented",
            NOT_IMPLEMENTED,
            frozenset({G.ADOPTED}),
            G.NOT_IMPLEMENTED,
            (
                after("adopt", ADOPT),
                _filled("reason", gettext_lazy("Give the reason it was not implemented.")),
            ),
        ),
        Step(
            "reward",
            REWARD,
            frozenset({G.IMPLEMENTED}),
            G.REWARDED,
            (after("implement", IMPLEMENT), benefit_given),
        ),
    ),
)

SUGGESTION_DATA_FIELD = {
    "adopt": "panel",
    "reject": "reason",
    "not_implemented": "reason",
    "reward": "benefit",
}


def reward_for(benefit: Decimal, bands) -> Decimal:
    """The reward of the highest band whose `benefit_from` the benefit reaches (0 if none)."""
    reward = Decimal(0)
    for band in sorted(bands, key=lambda b: Decimal(str(b["benefit_from"]))):
        if benefit >= Decimal(str(band["benefit_from"])):
            reward = Decimal(str(band["reward"]))
    return reward
