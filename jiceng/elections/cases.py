"""Election cases (换届选举案) declared as data: the union case and the Party case.

Union (seed 004:L277-326): the request goes first to the same-level Party organization and,
once it agrees, to the upper-level union, at least two months (policy) before the congress;
the groups' nominations are tallied; the union committee proposes the candidate list with its
surplus checked (committee ≥5%, the funds audit committee may be uncontested); the Party
organization reviews it; the congress votes (quorum and majority by the tally rules); the
first plenary meetings of the new committees elect the chair, vice-chairs and audit chair;
the new term begins with the officers elected.

Party (《中国共产党基层组织选举工作条例》): the same skeleton, with the upper-level Party
organization approving the request and the candidate list, a surplus of at least 20%
(candidates = ceil(seats × 1.2)), and the new committee electing the secretary and deputies
(uncontested allowed).

Each requirement reads its threshold from policy for the case's organization on the step's
date and explains a refusal.
"""

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.access import gate
from jiceng.kernel.workflow import Refusal, Step, Workflow, not_before, steps
from jiceng.policy.context import PolicyContext
from jiceng.policy.selectors import value as policy_value

from .models import CaseState, Committee, ElectionCase, System
from .text import add_months


@dataclass
class Context(PolicyContext):
    """An election case step's context: the record is the case; the steps done map to the
    latest CaseStep; for the steps after the congress, the results of the case's polls."""

    results: dict | None = None  # (committee, post) -> selectors.SeatResult


# -- the candidate list's surplus -----------------------------------------------------------


def _round(value: Fraction, how: str) -> int:
    if how == "up":
        return math.ceil(value)
    if how == "down":
        return math.floor(value)
    return math.floor(value + Fraction(1, 2))  # nearest, halves up


def surplus_keys(system: str, committee: str) -> tuple[str, str, str]:
    """The policy keys (ratio, rounding, minimum) of a committee's candidate surplus."""
    if system == System.UNION and committee == Committee.AUDIT:
        return (
            "elections.union.audit_surplus_ratio",
            "elections.union.surplus_rounding",
            "elections.union.audit_min_surplus",
        )
    return (
        f"elections.{system}.surplus_ratio",
        f"elections.{system}.surplus_rounding",
        f"elections.{system}.min_surplus",
    )


@dataclass(frozen=True)
class Surplus:
    committee: str
    seats: int
    ratio: Fraction
    required_surplus: int
    candidates: int

    @property
    def required(self) -> int:
        return self.seats + self.required_surplus

    @property
    def ok(self) -> bool:
        return self.candidates >= self.required

    @property
    def surplus(self) -> int:
        return self.candidates - self.seats

    @property
    def ratio_percent(self) -> str:
        return f"{float(self.ratio) * 100:g}%"

    @property
    def actual_percent(self) -> str:
        if not self.seats:
            return "0%"
        return f"{self.surplus * 100 / self.seats:.1f}%"


def surplus(case, committee: str, candidates: int, on: dt.date) -> Surplus:
    """How many candidates `committee` needs for the case's seats under the policy on `on`."""
    ratio_key, rounding_key, minimum_key = surplus_keys(case.system, committee)

    def get(key):
        return policy_value(key, org=case.org, on=on)

    ratio = Fraction(str(get(ratio_key)))
    seats = seats_of(case, committee)
    needed = max(int(get(minimum_key)), _round(seats * ratio, str(get(rounding_key))))
    return Surplus(committee, seats, ratio, needed, candidates)


def seats_of(case, committee: str) -> int:
    return case.audit_seats if committee == Committee.AUDIT else case.committee_seats


def committees_of(case) -> list[str]:
    """The committees the congress elects: the union committee and, with seats, the audit one."""
    if case.system == System.PARTY:
        return [Committee.PARTY]
    return [Committee.UNION] + ([Committee.AUDIT] if case.audit_seats else [])


def surplus_refusal(s: Surplus, label) -> str:
    if s.required_surplus:
        return _(
            "%(committee)s: %(seats)s seats need at least %(required)s candidates (a surplus "
            "of at least %(surplus)s, %(ratio)s); the list has %(n)s."
        ) % {
            "committee": label,
            "seats": s.seats,
            "required": s.required,
            "surplus": s.required_surplus,
            "ratio": s.ratio_percent,
            "n": s.candidates,
        }
    return _(
        "%(committee)s: %(seats)s seats need at least %(seats)s candidates; the list has %(n)s."
    ) % {
        "committee": label,
        "seats": s.seats,
        "n": s.candidates,
    }


# -- requirements ---------------------------------------------------------------------------


def not_before_request(ctx: Context):
    if ctx.on < ctx.record.requested_on:
        return Refusal(
            _("The date may not be before the request (%(date)s).")
            % {"date": ctx.record.requested_on},
            possible_from=ctx.record.requested_on,
        )
    return None


def party_first(ctx: Context):
    """Union: the upper-level union approves only what the Party organization agreed to."""
    if "approve_party" not in ctx.done:
        party = ctx.record.party_org
        return Refusal(
            _(
                "The request goes first to the same-level Party organization (%(party)s); only "
                "once it agrees does the upper-level union approve it."
            )
            % {"party": party.name if party else _("not named")}
        )
    return None


def nominations_recorded(ctx: Context):
    from .models import Nomination

    if not Nomination.objects.filter(case=ctx.record).exists():
        return Refusal(
            _("Enter the nominating groups' tallies first: candidates come from the nominations.")
        )
    return None


def surplus_ok(ctx: Context):
    from .text import committee_label

    counts = ctx.data.get("slate")
    if counts is None:
        return None  # checked by the service with the list itself
    problems = []
    for committee in committees_of(ctx.record):
        s = surplus(ctx.record, committee, counts.get(committee, 0), ctx.on)
        if not s.ok:
            problems.append(surplus_refusal(s, committee_label(ctx.record.org.kind, committee)))
    return Refusal("；".join(problems)) if problems else None


def lead_time(ctx: Context):
    months = int(ctx.policy(f"elections.{ctx.record.system}.request_lead_months"))
    earliest = add_months(ctx.record.requested_on, months)
    if ctx.on < earliest:
        return Refusal(
            _(
                "The request is dated %(request)s: the congress may be held %(months)s months "
                "after it at the earliest, from %(from)s."
            )
            % {"request": ctx.record.requested_on, "months": months, "from": earliest},
            possible_from=earliest,
        )
    return None


def quorum(ctx: Context):
    from . import tally

    entitled, present = ctx.data.get("entitled"), ctx.data.get("present")
    if entitled is None or present is None:
        return None
    rules = tally.Rules.from_policy(ctx.record.system, ctx.policy)
    if present > entitled:
        return Refusal(
            _("More present (%(p)s) than entitled to attend (%(e)s).")
            % {"p": present, "e": entitled}
        )
    share = rules.quorum * entitled
    met = present > share if rules.quorum_strict else present >= share
    if not met:
        comparison = _("more than") if rules.quorum_strict else _("at least")
        return Refusal(
            _(
                "%(present)s of %(entitled)s present: the vote needs %(comparison)s "
                "%(share)s of them, so the election is not valid."
            )
            % {
                "present": present,
                "entitled": entitled,
                "comparison": comparison,
                "share": tally._fraction_words(rules.quorum),
            }
        )
    return None


def _seats_filled(posts: bool):
    """Every poll of the congress (posts=False) or of the first plenary meetings (posts=True)
    is declared and every seat filled."""

    def requirement(ctx: Context):
        from .text import committee_label

        if ctx.results is None:
            return None
        wanted = {k: r for k, r in ctx.results.items() if bool(k[1]) == posts}
        if not wanted:
            return Refusal(
                _("Hold the first plenary meetings first.")
                if posts
                else _("Hold the congress first.")
            )
        problems = []
        for (committee, _post), r in wanted.items():
            label = r.label or committee_label(ctx.record.org.kind, committee)
            if r.open_polls:
                problems.append(
                    _("%(what)s: the result is not declared yet; finish the count and declare it.")
                    % {"what": label}
                )
            elif r.remaining:
                problems.append(
                    _(
                        "%(what)s: %(seats)s to elect, %(n)s elected; hold another round for "
                        "the remaining %(left)s (or a revote among the tied)."
                    )
                    % {"what": label, "seats": r.seats, "n": len(r.elected), "left": r.remaining}
                )
        return Refusal("；".join(problems)) if problems else None

    return requirement


# -- the two workflows ----------------------------------------------------------------------

APPROVE_PARTY = gettext_lazy("Agreed by the same-level Party organization")
APPROVE_UPPER_UNION = gettext_lazy("Approved by the upper-level union")
APPROVE_UPPER_PARTY = gettext_lazy("Approved by the upper-level Party organization")
NOMINATE = gettext_lazy("Nomination tallies")
SLATE = gettext_lazy("Candidate list proposed")
REVIEW_UNION = gettext_lazy("Candidate list reviewed by the Party organization")
REVIEW_PARTY = gettext_lazy("Candidate list approved by the upper-level Party organization")
CONGRESS = gettext_lazy("Congress held")
PLENARY = gettext_lazy("First plenary meetings")
BEGIN = gettext_lazy("New term begins")
FILE = gettext_lazy("Request filed")

AFTER_APPROVAL = frozenset({CaseState.APPROVED, CaseState.SLATE_PROPOSED})


def _workflow(system: str) -> Workflow:
    union = system == System.UNION
    upper = APPROVE_UPPER_UNION if union else APPROVE_UPPER_PARTY
    review = REVIEW_UNION if union else REVIEW_PARTY
    items = []
    if union:
        items.append(
            Step(
                "approve_party",
                APPROVE_PARTY,
                frozenset({CaseState.REQUESTED}),
                CaseState.PARTY_AGREED,
                (not_before_request,),
            )
        )
    items += [
        Step(
            "approve_upper",
            upper,
            frozenset({CaseState.REQUESTED, CaseState.PARTY_AGREED})
            if union
            else frozenset({CaseState.REQUESTED}),
            CaseState.APPROVED,
            ((party_first, not_before("approve_party", APPROVE_PARTY)) if union else ())
            + (not_before_request,),
        ),
        Step(
            "nominate",
            NOMINATE,
            AFTER_APPROVAL,
            None,
            (not_before("approve_upper", upper),),
            once=False,
        ),
        Step(
            "slate",
            SLATE,
            AFTER_APPROVAL,
            CaseState.SLATE_PROPOSED,
            (not_before("approve_upper", upper), nominations_recorded, surplus_ok),
            once=False,
        ),
        Step(
            "review_slate",
            review,
            frozenset({CaseState.SLATE_PROPOSED}),
            CaseState.SLATE_AGREED,
            (not_before("slate", SLATE),),
        ),
        Step(
            "congress",
            CONGRESS,
            frozenset({CaseState.SLATE_AGREED}),
            CaseState.VOTING,
            (not_before("review_slate", review), lead_time, quorum),
        ),
        Step(
            "plenary",
            PLENARY,
            frozenset({CaseState.VOTING}),
            CaseState.PLENARY,
            (not_before("congress", CONGRESS), _seats_filled(posts=False)),
        ),
        Step(
            "begin_term",
            BEGIN,
            frozenset({CaseState.PLENARY}),
            CaseState.DONE,
            (not_before("plenary", PLENARY), _seats_filled(posts=True)),
        ),
    ]
    return Workflow(
        name=f"election_case_{system}", states=dict(CaseState.choices), steps=steps(*items)
    )


UNION_CASE = _workflow(System.UNION)
PARTY_CASE = _workflow(System.PARTY)


def workflow_of(case) -> Workflow:
    return UNION_CASE if case.system == System.UNION else PARTY_CASE


def step_label(case, key: str):
    if key == "file":
        return FILE
    found = workflow_of(case).steps.get(key)
    return found.label if found else key


# Who acts on a step: the services check it, the selectors and duties show it.


def acting_org(case: ElectionCase, step: str):
    """The organization whose act the step is."""
    if step == "approve_party" or (step == "review_slate" and case.system == System.UNION):
        return case.party_org or case.org
    if step in ("approve_upper", "review_slate"):
        return case.upper_org
    return case.org


def needed_action(step: str) -> str:
    return gate.ADMIN if step == "begin_term" else gate.MANAGE
