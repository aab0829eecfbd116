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


@dataclass(frozen=True)
class Refusal:
    message: str
    possible_from: dt.date | None = None  # when waiting alone will make the step possible


Requirement = Callable[..., Refusal | None]  # (context) -> Refusal or None


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
            from django.utils.translation import gettext as _

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
