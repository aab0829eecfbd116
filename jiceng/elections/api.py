"""Elections API (read-only for now): an organization's terms with their officers, its polls,
and a poll's ballot sheet and result explained."""

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema

from jiceng.kernel.pagination import paginate
from jiceng.kernel.schemas import OrgRef
from jiceng.orgs.selectors import get_visible

from . import selectors
from .models import Committee

router = Router(tags=["elections"])

MAX_ID = 2**31 - 1
PollId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="投票编号")]


class OfficerOut(Schema):
    name: str
    post: str
    post_label: str
    valid_from: dt.date
    valid_to: dt.date | None = Field(description="最后任职日（含当日）；为空表示至任期结束")


class TermChangeOut(Schema):
    kind: str
    old_end: dt.date
    new_end: dt.date
    approved_by: str
    document_number: str
    approved_on: dt.date


class TermOut(Schema):
    id: int
    org: OrgRef
    committee: str
    committee_label: str
    number: int
    starts_on: dt.date
    years: int
    ends_on: dt.date = Field(description="任期届满日（经批准延期或提前后为新日期）")
    ended_on: dt.date | None = Field(description="下一届开始前一日（已换届时）")
    status: str
    officers: list[OfficerOut]
    changes: list[TermChangeOut]


class TermPage(Schema):
    items: list[TermOut]
    next: str | None


class TermFilter(Schema):
    org: str = Field(..., max_length=32, description="组织代码")
    committee: Committee | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class PollOut(Schema):
    id: int
    org: OrgRef
    title: str
    system: str
    seats: int
    entitled: int
    held_on: dt.date
    round: int
    kind: str
    parent: int | None
    present: int | None
    issued: int | None
    returned: int | None
    status: str


class PollPage(Schema):
    items: list[PollOut]
    next: str | None


class PollFilter(Schema):
    org: str = Field(..., max_length=32, description="组织代码")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class CandidateOut(Schema):
    position: int
    name: str


class LineOut(Schema):
    name: str
    for_votes: int
    against: int
    abstain: int
    write_in: bool
    status: str = Field(description="elected 当选 / tied 须重新投票 / not_elected 未当选")
    reason: str


class ResultOut(Schema):
    declared: bool = Field(description="是否已宣布（投票已结束）")
    valid: bool
    complete: bool
    void_reasons: list[str]
    problems: list[str]
    base: int
    threshold: int
    elected: list[str]
    revote: list[str]
    revote_seats: int
    remaining_seats: int
    lines: list[LineOut]
    summary: list[str]


class PollDetail(PollOut):
    ballot_order: str
    candidates: list[CandidateOut]
    result: ResultOut


def _term(t) -> dict:
    return {
        "id": t.pk,
        "org": t.org,
        "committee": t.committee,
        "committee_label": str(t.get_committee_display()),
        "number": t.number,
        "starts_on": t.starts_on,
        "years": t.years,
        "ends_on": t.ends_on,
        "ended_on": t.ended_on,
        "status": t.status,
        "officers": [
            {
                "name": o.person.name,
                "post": o.post,
                "post_label": str(o.get_post_display()),
                "valid_from": o.valid_from,
                "valid_to": o.last_day,
            }
            for o in t.officers.all()
        ],
        "changes": [
            {
                "kind": c.kind,
                "old_end": c.old_end,
                "new_end": c.new_end,
                "approved_by": c.approved_by.name,
                "document_number": c.document_number,
                "approved_on": c.approved_on,
            }
            for c in t.changes.all()
        ],
    }


def _poll(p) -> dict:
    return {
        "id": p.pk,
        "org": p.org,
        "title": p.title,
        "system": p.system,
        "seats": p.seats,
        "entitled": p.entitled,
        "held_on": p.held_on,
        "round": p.round,
        "kind": p.kind,
        "parent": p.parent_id,
        "present": p.present,
        "issued": p.issued,
        "returned": p.returned,
        "status": p.status,
    }


@router.get("/terms", response=TermPage, summary="组织的历届委员会及其委员（含延期、提前换届批准）")
def list_terms(request, filters: Query[TermFilter]):
    org = get_visible(request.user, filters.org)
    found = selectors.terms_of(request.user, org, filters.committee)
    page = paginate(found, key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_term(t) for t in page.items], "next": page.next_cursor}


@router.get("/polls", response=PollPage, summary="组织的选举投票（每轮一条）")
def list_polls(request, filters: Query[PollFilter]):
    org = get_visible(request.user, filters.org)
    page = paginate(
        selectors.polls_of(request.user, org), key="id", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_poll(p) for p in page.items], "next": page.next_cursor}


@router.get(
    "/polls/{id}", response=PollDetail, summary="一轮投票：选票上的候选人顺序和计票结果（逐人说明）"
)
def get_poll(request, id: PollId):
    poll = selectors.get_poll(request.user, id)
    return {
        **_poll(poll),
        "ballot_order": poll.ballot_order,
        "candidates": [
            {"position": c.position, "name": c.name} for c in selectors.ballot_sheet(poll)
        ],
        "result": _named(selectors.result(request.user, poll)),
    }


def _named(result: dict) -> dict:
    """Elected and tied as names (the engine works with keys)."""
    names = {line["key"]: line["name"] for line in result["lines"]}
    return {
        **result,
        "elected": [names[k] for k in result["elected"]],
        "revote": [names[k] for k in result["revote"]],
    }
