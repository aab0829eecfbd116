"""Every write to organizations and host units."""

from .lifecycle import (
    dissolve,
    merge,
    move,
    rename,
    set_host_units,
    set_up,
    snapshot,
    split,
    update_flags,
)
from .numbers import issue_number, issued_number, number_text, prefix_of
from .units import close_unit, register_unit, update_unit

__all__ = [
    "close_unit",
    "dissolve",
    "issue_number",
    "issued_number",
    "merge",
    "move",
    "number_text",
    "prefix_of",
    "register_unit",
    "rename",
    "set_host_units",
    "set_up",
    "snapshot",
    "split",
    "update_flags",
    "update_unit",
]
