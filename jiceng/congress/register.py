"""The proposal register of a session (提案汇总表) as .xlsx.

It is written through the shared spreadsheet layer (`jiceng.sheets.layer.write_workbook`: write-only,
fixed Chinese headers, formula-looking cells neutralized) but is not a registered sheet kind:
a register is per session and is not imported back.
"""

from jiceng.access import gate
from jiceng.sheets.layer import Column, SheetSpec, write_workbook

from . import selectors
from .models import ProposalState, Satisfaction

_STATES = dict(ProposalState.choices)
_SATISFACTION = dict(Satisfaction.choices)


def _yes_no(value):
    return None if value is None else ("是" if value else "否")


class ProposalRegister(SheetSpec):
    kind = "congress_proposals"
    title = "提案汇总表"
    columns = (
        Column("编号", "number", width=8),
        Column("提案名称", "title", width=36),
        Column("提案人", "proposer", width=12),
        Column("附议人", "seconders", width=24),
        Column("提交日期", "submitted_on", width=12),
        Column("类别", "category", width=16),
        Column("办理状态", "state", width=12),
        Column("立案或转意见建议理由", "opinion_reason", width=24),
        Column("承办部门", "department", width=18),
        Column("责任领导", "leader", width=12),
        Column("交办日期", "assigned_on", width=12),
        Column("答复期限", "reply_due", width=12),
        Column("答复日期", "replied_on", width=12),
        Column("按期答复", "on_time", width=10),
        Column("提案人满意度", "satisfaction", width=12),
        Column("优秀提案", "excellent", width=10),
    )


REGISTER = ProposalRegister()


def rows(user, session):
    for p in (
        selectors.proposals(user, session=session)
        .prefetch_related("seconders__person")
        .order_by("number")
    ):
        yield {
            "number": p.number,
            "title": p.title,
            "proposer": p.proposer.person.name,
            "seconders": [d.person.name for d in p.seconders.all()],
            "submitted_on": p.submitted_on,
            "category": p.category,
            "state": str(_STATES.get(p.state, p.state)),
            "opinion_reason": p.opinion_reason,
            "department": p.department,
            "leader": p.leader,
            "assigned_on": p.assigned_on,
            "reply_due": p.reply_due,
            "replied_on": p.replied_on,
            "on_time": _yes_no(p.on_time),
            "satisfaction": str(_SATISFACTION.get(p.satisfaction, "")),
            "excellent": _yes_no(p.excellent),
        }


def write(user, session, out) -> int:
    """Write the register of `session` (the user must see its union) to `out`; count the rows."""
    gate.require(user, gate.VIEW, session.org)
    return write_workbook(REGISTER, rows(user, session), out)
