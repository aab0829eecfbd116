"""Schemas shared by several apps' API routers."""

import datetime as dt

from ninja import Schema


class OrgRef(Schema):
    code: str
    name: str
    kind: str


class StepOut(Schema):
    """A step open to a record: possible now or not, from when waiting alone makes it possible,
    its deadline, and what stands in its way."""

    step: str
    label: str
    possible: bool
    possible_from: dt.date | None = None
    due: dt.date | None = None
    reasons: list[str]


def step_out(item: dict) -> dict:
    """A StepOut from an item of `jiceng.workflow.next_steps` (with its `due`, if any)."""
    return {
        "step": item["key"],
        "label": str(item["label"]),
        "possible": item["possible"],
        "possible_from": item["possible_from"],
        "due": item.get("due"),
        "reasons": [str(r.message) for r in item["refusals"]],
    }
