"""A members' congress session of the community's joint union for the demo (`jiceng demo`),
made through the services: its voting delegates, and proposals at three stages — one answered
with the proposer's feedback, one assigned and now past its reply deadline (a duty in the
to-do centre), one converted into an opinion."""

import datetime as dt

from jiceng.orgs.models import Organization
from jiceng.people.models import Delegate, DelegateCategory, UnionMembership

from . import services

PROPOSALS = [
    ("关于增设社区职工之家阅览角的提案", "职工业余学习场所不足", "街道办事处", "分管副主任"),
    ("关于完善困难职工帮扶机制的提案", "帮扶标准多年未调整", "社区工会", "工会主席"),
    ("关于组织职工健康体检的提案", "部分职工多年未体检", "", ""),
]


def _delegates(actor, union, today: dt.date) -> list[Delegate]:
    from jiceng.people.delegates import seat_delegate

    seated = {d.person_id for d in Delegate.objects.filter(org=union)}
    for m in UnionMembership.objects.filter(org=union, left_on__isnull=True).exclude(
        person_id__in=seated
    )[:6]:
        seat_delegate(
            actor,
            m.person,
            org=union,
            category=DelegateCategory.VOTING,
            valid_from=dt.date(today.year - 1, 1, 1),
        )
    return list(
        Delegate.objects.filter(org=union, category=DelegateCategory.VOTING)
        .select_related("person")
        .order_by("id")
    )


def create_demo_congress(actor, marks, today: dt.date) -> None:
    union = Organization.objects.filter(code=marks.community_party.code[:-1] + "U").first()
    if union is None:
        return
    delegates = _delegates(actor, union, today)
    if len(delegates) < 3:
        return
    held = today - dt.timedelta(days=120)
    session = services.create_session(
        actor, union, term=1, number=2, held_on=held, place="社区党群服务中心", theme="职工代表大会"
    )
    for i, (title, reasons, department, leader) in enumerate(PROPOSALS):
        step_on = held + dt.timedelta(days=10)

        def step(p, key, data=None, on=step_on):
            return services.take_proposal_step(actor, p, key, on=on, data=data or {})

        p = services.submit_proposal(
            actor,
            session,
            proposer=delegates[i % len(delegates)],
            seconders=[delegates[(i + 1) % len(delegates)], delegates[(i + 2) % len(delegates)]],
            title=title,
            reasons=reasons,
            on=held,
        )
        p = step(p, "sort", {"category": "职工生活与福利"})
        if not department:
            step(p, "convert", {"reason": "属日常工作事项，转为意见建议办理"})
            continue
        step(p, "accept")
        p = step(p, "assign", {"department": department, "leader": leader})
        if i == 0:
            replied = min(p.reply_due, today)
            step(p, "reply", {"reply": "已在活动室增设阅览角，配备图书300册"}, on=replied)
            step(p, "mid_year", on=replied)
            step(p, "feedback", {"satisfaction": "satisfied"}, on=replied)
