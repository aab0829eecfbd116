"""Workflows as data (DESIGN.md): states, steps between them, and what each step requires.

A workflow is declared once as data; one small mechanism checks a step against its
requirements and explains a refusal in words a part-time secretary can act on: what is
missing, and from when the step becomes possible. The service that takes the step
writes the records and the audit event.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Refusal:
    message: str
    possible_from: dt.date | None = None  # when waiting alone will make the step possible


Requirement = Callable[..., Refusal | None]  # (context) -> Refusal or None


@dataclass
class Context:
    """What a step's requirements may look at: the record the workflow moves (None before it
    exists), the step's date, the step's data and the steps already taken (step key -> a row
    with its date `on`). A workflow that needs more subclasses it."""

    record: object
    on: dt.date
    data: dict = field(default_factory=dict)
    done: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Taken:
    """A step known only by its date, for records that keep their steps' dates in fields."""

    on: dt.date


def not_before(step_key: str, label) -> Requirement:
    """The step's date may not precede the date `step_key` was taken (if it was)."""

    def requirement(ctx: Context):
        found = ctx.done.get(step_key)
        if found is not None and ctx.on < found.on:
            return Refusal(
                _("The date may not be before “%(step)s” (%(date)s).")
                % {"step": label, "date": found.on},
                possible_from=found.on,
            )
        return None

    return requirement


def after(step_key: str, label) -> Requirement:
    """The step needs `step_key` taken, on or before this step's date."""
    in_order = not_before(step_key, label)

    def requirement(ctx: Context):
        if step_key not in ctx.done:
            return Refusal(_("First record “%(step)s”.") % {"step": label})
        return in_order(ctx)

    return requirement


def on_input(requirement: Requirement) -> Requirement:
    """Marks a requirement on what the step's form asks for: checked when the step is taken,
    not shown among the next steps before the form is filled in."""
    requirement.is_input = True
    return requirement


def _is_input(requirement: Requirement) -> bool:
    return getattr(requirement, "is_input", False)


@dataclass(frozen=True)
class Step:
    key: str
    label: object  # a (lazy) translatable string
    from_states: frozenset[str]
    to_state: str | None = None  # None: a milestone that does not change the state
    requires: tuple[Requirement, ...] = ()
    once: bool = True  # a milestone recorded at most once


@dataclass(frozen=True)
class Workflow:
    name: str
    states: dict[str, str]  # key -> label
    steps: dict[str, Step] = field(default_factory=dict)

    def step(self, key: str) -> Step:
        try:
            return self.steps[key]
        except KeyError:
            raise ValidationError({"step": f"unknown step {key}"}) from None

    def refusals(self, key: str, state: str, context) -> list[Refusal]:
        step = self.step(key)
        if state not in step.from_states:
            return [
                Refusal(
                    _("“%(step)s” is not possible at the stage “%(state)s”.")
                    % {"step": step.label, "state": self.states.get(state, state)}
                )
            ]
        return [r for r in (req(context) for req in step.requires) if r is not None]

    def available(self, state: str, context) -> Iterable[tuple[Step, list[Refusal]]]:
        """Every step from `state` with what still stands in its way (empty: possible now)."""
        for step in self.steps.values():
            if state in step.from_states:
                yield step, self.refusals(step.key, state, context)

    def require(self, key: str, state: str, context) -> Step:
        refusals = self.refusals(key, state, context)
        if refusals:
            raise ValidationError({"step": [r.message for r in refusals]})
        return self.step(key)


def steps(*items: Step) -> dict[str, Step]:
    return {s.key: s for s in items}


def upfront(workflow: Workflow, key: str, state: str, ctx: Context) -> list[Refusal]:
    """What stands in the way of a step before its form is filled in: the stage and the order
    of steps, not the inputs the form asks for."""
    step = workflow.step(key)
    if state not in step.from_states:
        return workflow.refusals(key, state, ctx)
    found = (req(ctx) for req in step.requires if not _is_input(req))
    return [r for r in found if r is not None]


def next_steps(workflow: Workflow, state: str, ctx: Context) -> list[dict]:
    """Every step open from `state` and not yet taken (a step taken once), with what stands in
    its way before its form is filled in. Each item: step, key, label, refusals (Refusal list),
    possible, possible_from (the date from which waiting alone makes it possible)."""
    found = []
    for step in workflow.steps.values():
        if state not in step.from_states or (step.once and step.key in ctx.done):
            continue
        refusals = upfront(workflow, step.key, state, ctx)
        waits = [r.possible_from for r in refusals]
        found.append(
            {
                "step": step,
                "key": step.key,
                "label": step.label,
                "refusals": refusals,
                "possible": not refusals,
                "possible_from": max(waits) if waits and all(waits) else None,
            }
        )
    return found
