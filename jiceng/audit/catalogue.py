"""The audit vocabulary: every action the log may record, and its label for people.

Each app declares its actions in `<app>/audit_actions.py`:

    ACTIONS = {"life.meeting.schedule": gettext_lazy("Schedule a meeting"), ...}
    LEGACY = {"poll.close": "elections.poll.close", ...}  # optional

An action is spelled `<app>.<object>.<verb>`: the app's label, then lowercase ASCII words
joined by `_`. The log is append-only and hash-chained, so events written before this
scheme keep their old spelling forever; LEGACY maps each old spelling to its action so
the history pages can still name those events.
"""

import functools
import re

from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.discovery import app_modules

_WORD = r"[a-z]+(?:_[a-z]+)*"
SCHEME = re.compile(rf"{_WORD}\.{_WORD}\.{_WORD}")


@functools.cache
def _catalogue() -> tuple[dict[str, object], dict[str, str]]:
    """(actions, legacy) of every installed app, checked once: each action follows the
    scheme, starts with its app's label and is declared once; each legacy spelling names
    a declared action."""
    actions, legacy = {}, {}
    for app, module in app_modules("audit_actions"):
        for action, text in module.ACTIONS.items():
            if not SCHEME.fullmatch(action) or action.split(".")[0] != app:
                raise ImproperlyConfigured(
                    f"{app}: audit action {action!r} is not {app}.<object>.<verb>"
                )
            if action in actions:
                raise ImproperlyConfigured(f"{app}: audit action {action!r} is declared twice")
            actions[action] = text
        legacy.update(getattr(module, "LEGACY", {}))
    for old, new in legacy.items():
        if new not in actions or old in actions:
            raise ImproperlyConfigured(f"legacy audit action {old!r} → {new!r} does not hold")
    return actions, legacy


def actions() -> dict[str, object]:
    """Every declared action and its (lazy) label."""
    return _catalogue()[0]


def legacy() -> dict[str, str]:
    """Old spelling → action, for events written before the scheme."""
    return _catalogue()[1]


def is_known(action: str) -> bool:
    """Whether `action` may be recorded now (old spellings may not)."""
    return action in _catalogue()[0]


def require_known(action: str) -> None:
    if action not in _catalogue()[0]:
        raise ValueError(
            f"unknown audit action {action!r}: declare it in its app's audit_actions.py"
        )


def label(action: str) -> str:
    """The label people read for an event's action, old spellings included; an action no
    catalogue knows shows as itself."""
    actions, legacy = _catalogue()
    text = actions.get(legacy.get(action, action))
    return str(text) if text is not None else action


def workflow_actions(prefix: str, workflow, subject=None) -> dict[str, object]:
    """`<prefix>.<step key>` for every step of `workflow` (jiceng.workflow), labelled by the
    step's own label, after `subject` when the step label needs it to make sense alone."""
    if subject is None:
        return {f"{prefix}.{key}": step.label for key, step in workflow.steps.items()}
    return {
        f"{prefix}.{key}": format_lazy(_("{subject}: {step}"), subject=subject, step=step.label)
        for key, step in workflow.steps.items()
    }
