"""A year of organizational life for the demo (`jiceng demo`, `make run`).

The branches that have members in the demo (the first community's, built by
`jiceng.demo.build.create_demo_members`) and that community's joint union get twelve months
of meetings up to today, with attendance, leave, minutes, action items and a correction,
plus the coming weeks' meetings, one of them running now (so its sign-in code works), and
this year's activity plan. Gaps are left on purpose so the compliance page has something to
show: the second branch skips some meetings, holds a general meeting without a quorum and
keeps no group meetings; one member stops coming (the six-month flag).

Rows are written directly, as the services would leave them (counters, sign-in window and
freeze date from policy, quorum judged from policy): the services notify every attendee
and refuse to write minutes after the freeze, which is right for users and wrong for a
back-dated history. One audit event records the load.
"""

import datetime as dt
import random
import secrets
from fractions import Fraction

from django.utils import timezone

from jiceng.audit.services import record
from jiceng.kernel.dated import in_force_on
from jiceng.orgs.models import Kind, Organization
from jiceng.people.models import MEMBER_STAGES, MembershipState, Stage, UnionMembership
from jiceng.people.selectors import union_members_on
from jiceng.policy.selectors import value as policy_value

from .models import (
    ActionItem,
    ActivityPlan,
    Attendance,
    Correction,
    ItemKind,
    LeaveDecision,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesItem,
    Notification,
    PlanItem,
    Presence,
    SignInMethod,
)

TOPICS = {
    MeetingKind.BRANCH_COMMITTEE: ["研究本月支部工作安排", "讨论发展党员工作", "研究党费收缴情况"],
    MeetingKind.THEME_DAY: ["重温入党誓词", "社区环境整治志愿服务", "参观革命纪念馆", "学习党章"],
    MeetingKind.BRANCH_GENERAL: ["学习贯彻上级会议精神", "讨论接收预备党员", "通报支部工作"],
    MeetingKind.PARTY_GROUP: ["党小组学习交流"],
    MeetingKind.PARTY_LECTURE: ["书记讲党课：发挥党员先锋模范作用"],
    MeetingKind.LIFE_MEETING: ["年度组织生活会"],
    MeetingKind.DEMOCRATIC_EVALUATION: ["年度民主评议党员"],
    MeetingKind.HEART_TO_HEART: ["支委与党员谈心谈话"],
    MeetingKind.UNION_COMMITTEE: ["研究工会季度工作"],
    MeetingKind.UNION_ASSEMBLY: ["会员大会：审议年度工会工作报告"],
}
PLACES = ["社区党群服务中心", "社区会议室", "党员活动室"]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _months(today: dt.date):
    """The first days of the twelve months up to and including today's."""
    index = today.year * 12 + today.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - 11, index + 1)]


def _members(org, day: dt.date, stages=MEMBER_STAGES) -> list[int]:
    rows = MembershipState.objects.filter(in_force_on(day), org=org, stage__in=stages)
    return sorted(rows.values_list("membership__person_id", flat=True))


def _union_members(org, day: dt.date) -> list[int]:
    rows = UnionMembership.objects.filter(union_members_on(day), org=org)
    return sorted(rows.values_list("person_id", flat=True))


class _Writer:
    def __init__(self, actor, rng: random.Random, now: dt.datetime):
        self.actor, self.rng, self.now = actor, rng, now
        self.codes = set()
        self.meetings = 0
        self.attendance = 0

    def _code(self) -> str:
        while True:
            code = f"{self.rng.randrange(10**6):06d}"
            if code not in self.codes:
                self.codes.add(code)
                return code

    def meeting(
        self,
        org,
        kind,
        starts_at,
        people,
        *,
        hours=2,
        absent=(),
        leave=(),
        host=None,
        recorder=None,
        voting=None,
        held=None,
        topic=None,
        secretary=None,
    ):
        """One meeting with its attendance; `held` defaults to "ended before now"."""
        day = timezone.localtime(starts_at).date()
        ends_at = starts_at + dt.timedelta(hours=hours)
        before = int(policy_value("life.sign_in.opens_before_minutes", org=org, on=day))
        after = int(policy_value("life.sign_in.closes_after_minutes", org=org, on=day))
        freeze = int(policy_value("life.minutes.freeze_days", org=org, on=day))
        held = ends_at < self.now if held is None else held
        m = Meeting.objects.create(
            org=org,
            kind=kind,
            topic=topic or self.rng.choice(TOPICS.get(kind, ["组织生活"])),
            starts_at=starts_at,
            ends_at=ends_at,
            place=self.rng.choice(PLACES),
            host_id=host,
            recorder_id=recorder,
            status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
            sign_in_code=self._code(),
            sign_in_token=secrets.token_urlsafe(32),
            sign_in_opens=starts_at - dt.timedelta(minutes=before),
            sign_in_closes=ends_at + dt.timedelta(minutes=after),
            freezes_on=timezone.localtime(ends_at).date() + dt.timedelta(days=freeze),
            created_by=self.actor,
        )
        rows, requests = [], []
        for person in people:
            presence, signed_at, method = Presence.EXPECTED, None, ""
            if person in leave:
                presence = Presence.ON_LEAVE
                requests.append(
                    LeaveRequest(
                        meeting=m,
                        person_id=person,
                        reason=self.rng.choice(["出差", "身体不适", "家中有事", "单位值班"]),
                        decision=LeaveDecision.APPROVED,
                        decided_by=secretary or self.actor,
                        decided_at=starts_at - dt.timedelta(days=1),
                    )
                )
            elif held and person not in absent:
                presence = Presence.PRESENT
                signed_at = starts_at + dt.timedelta(minutes=self.rng.randint(-20, 10))
                method = self.rng.choices(
                    [SignInMethod.CODE, SignInMethod.QR, SignInMethod.BY_RECORDER], [5, 4, 1]
                )[0]
            rows.append(
                Attendance(
                    meeting=m,
                    person_id=person,
                    presence=presence,
                    signed_at=signed_at,
                    method=method,
                    signed_by=secretary if method == SignInMethod.BY_RECORDER else None,
                )
            )
        Attendance.objects.bulk_create(rows)
        LeaveRequest.objects.bulk_create(requests)
        m.expected_count = len(rows)
        m.present_count = sum(r.presence == Presence.PRESENT for r in rows)
        m.leave_count = sum(r.presence == Presence.ON_LEAVE for r in rows)
        if held:
            m.quorum_met = self._quorum(m, rows, voting)
        m.save(update_fields=["expected_count", "present_count", "leave_count", "quorum_met"])
        self.meetings += 1
        self.attendance += len(rows)
        return m

    def _quorum(self, m, rows, voting) -> bool | None:
        """As `services.mark_held` judges it: the kind's ratio of the voting attendees."""
        day = timezone.localtime(m.starts_at).date()
        try:
            ratio = policy_value(f"life.kind.{m.kind}.quorum", org=m.org, on=day)
        except KeyError:
            return None
        if not ratio:
            return None
        try:
            strict = policy_value(f"life.kind.{m.kind}.quorum_strict", org=m.org, on=day)
        except KeyError:
            strict = policy_value("life.quorum_strict", org=m.org, on=day)
        counted = [r for r in rows if voting is None or r.person_id in voting]
        base = len(counted)
        present = sum(r.presence == Presence.PRESENT for r in counted)
        threshold = Fraction(str(ratio)).limit_denominator(100) * base
        return base > 0 and (present > threshold if strict else present >= threshold)

    def minutes(self, m, writer, speakers, *, action=None):
        minutes = Minutes.objects.create(
            meeting=m,
            content=f"会议由{m.host.name if m.host else '支部书记'}主持，围绕“{m.topic}”进行了讨论。",
            written_by=writer,
        )
        items = [(ItemKind.AGENDA, f"议题：{m.topic}", None)]
        items += [(ItemKind.SPEECH, "结合本职工作谈了认识和打算。", p) for p in speakers[:2]]
        if m.kind in (MeetingKind.LIFE_MEETING, MeetingKind.DEMOCRATIC_EVALUATION):
            items.append(
                (ItemKind.SELF_CRITICISM, "理论学习不够系统，联系群众不够经常。", speakers[0])
            )
            items.append((ItemKind.CRITICISM, "建议在志愿服务中多带头。", speakers[-1]))
        items.append((ItemKind.RESOLUTION, "会议一致同意上述安排。", None))
        MinutesItem.objects.bulk_create(
            MinutesItem(minutes=minutes, kind=k, position=i, speaker_id=s, text=t)
            for i, (k, t, s) in enumerate(items, start=1)
        )
        if action is not None:
            text, owner, due, closed = action
            ActionItem.objects.create(
                meeting=m,
                text=text,
                owner_id=owner,
                due_on=due,
                closed_on=closed,
                closed_by=writer if closed else None,
                follow_up="已落实。" if closed else "",
            )
        return minutes


def _branch_month(month: dt.date, n: int, members, committee, gaps: bool):
    """(kind, day of month, hour, chosen attendees or None for the members) of one month."""
    plan = []
    if not (gaps and n in (3, 8)):
        plan.append((MeetingKind.BRANCH_COMMITTEE, 5, 19, committee))
    if not (gaps and n in (2, 6)):
        plan.append((MeetingKind.THEME_DAY, 15, 9, None))
    if (month.month - 1) % 3 == 1:
        plan.append((MeetingKind.BRANCH_GENERAL, 20, 14, None))
    if not gaps:
        plan.append((MeetingKind.PARTY_GROUP, 25, 19, members[: max(3, len(members) // 2)]))
    if month.month == 7:
        plan.append((MeetingKind.PARTY_LECTURE, 1, 9, None))
    if month.month == 1:
        plan.append((MeetingKind.LIFE_MEETING, 22, 14, None))
        plan.append((MeetingKind.DEMOCRATIC_EVALUATION, 24, 14, None))
    if month.month == 6 and not gaps:
        plan.append((MeetingKind.HEART_TO_HEART, 12, 16, [committee[0], members[-1]]))
    return plan


def _branch_year(w: _Writer, branch, months, today, *, gaps: bool, secretary):
    """A branch's year: committee and theme day monthly, general meeting quarterly, group
    meetings monthly (not when `gaps`), lecture, life meeting, evaluation and talks."""
    rng = w.rng
    first = months[0]
    members = _members(branch, first) or _members(branch, today)
    if len(members) < 3:
        return None
    host = secretary.person_id if secretary and secretary.person_id in members else members[0]
    committee = [host, *[p for p in members if p != host][:2]]
    recorder = committee[1]
    # One member stops coming seven months before today (the six-month flag).
    fading = members[-1] if not gaps else None
    fade_from = today - dt.timedelta(days=215)
    writer = secretary or w.actor
    held = []
    for n, month in enumerate(months):
        for kind, day_of_month, hour, chosen in _branch_month(month, n, members, committee, gaps):
            day = month.replace(day=day_of_month)
            starts = _at(day, hour)
            people = chosen or _members(branch, day)
            low = gaps and kind == MeetingKind.BRANCH_GENERAL and n == 4  # no quorum
            absent = {p for p in people if p != host and rng.random() < (0.7 if low else 0.1)}
            if fading in people and day >= fade_from:
                absent.add(fading)
            leave = {p for p in people if p not in absent and p != host and rng.random() < 0.07}
            m = w.meeting(
                branch,
                kind,
                starts,
                people,
                absent=absent,
                leave=leave,
                host=host,
                recorder=recorder,
                voting=set(_members(branch, day, [Stage.FULL])) if chosen is None else None,
                secretary=secretary,
            )
            if m.status == MeetingStatus.HELD:
                held.append(m)
    required = set(policy_value("life.minutes_required", org=branch, on=today))
    for i, m in enumerate(held):
        if m.kind not in required or (gaps and i % 7 == 3):
            continue  # some minutes never written: the to-do centre asks for them
        speakers = [p for p in members if p != host][:3] or [host]
        action = None
        if m.kind == MeetingKind.BRANCH_GENERAL:
            due = timezone.localtime(m.starts_at).date() + dt.timedelta(days=30)
            action = (
                "走访慰问困难党员",
                recorder,
                due,
                due if due < today - dt.timedelta(60) else None,
            )
        w.minutes(m, writer, speakers, action=action)
    frozen = [m for m in held if m.freezes_on < today and hasattr(m, "minutes")]
    if frozen:
        m = frozen[len(frozen) // 2]
        Correction.objects.create(
            meeting=m,
            target="content",
            old=m.minutes.content,
            new=m.minutes.content + "会议还通报了上月党费收缴情况。",
            reason="记录遗漏通报事项，经主持人核对后补充",
            made_by=writer,
        )
    return held


def _live_and_coming(w: _Writer, branch, secretary, today):
    """A meeting running now (its sign-in code works) and a committee meeting next week."""
    members = _members(branch, today)
    if not members:
        return []
    host = secretary.person_id if secretary and secretary.person_id in members else members[0]
    now = timezone.localtime(w.now).replace(second=0, microsecond=0)
    made = [
        w.meeting(
            branch,
            MeetingKind.THEME_DAY,
            now - dt.timedelta(minutes=15),
            members,
            held=False,
            host=host,
            recorder=host,
            topic="主题党日：学习新修订的支部工作条例",
            secretary=secretary,
        )
    ]
    day = today + dt.timedelta(days=7)
    made.append(
        w.meeting(
            branch,
            MeetingKind.BRANCH_COMMITTEE,
            _at(day, 19),
            [host, *[p for p in members if p != host][:2]],
            held=False,
            host=host,
            recorder=host,
            secretary=secretary,
        )
    )
    return made


def _union_year(w: _Writer, union, months, today, secretary):
    members = _union_members(union, today)
    if len(members) < 2:
        return
    for month in months:
        if (month.month - 1) % 3 == 2 and month.month != 12:  # quarterly; the fourth is missed
            w.meeting(
                union,
                MeetingKind.UNION_COMMITTEE,
                _at(month.replace(day=10), 16),
                members[:3],
                host=members[0],
                recorder=members[1],
                secretary=secretary,
            )
        if month.month == 3:
            w.meeting(
                union,
                MeetingKind.UNION_ASSEMBLY,
                _at(month.replace(day=18), 14),
                members,
                host=members[0],
                recorder=members[1],
                secretary=secretary,
            )


def _plan(actor, branch, year):
    plan, _created = ActivityPlan.objects.get_or_create(
        org=branch,
        year=year,
        defaults={"created_by": actor, "note": "围绕“三会一课”制度安排全年组织生活。"},
    )
    items = []
    for month in range(1, 13):
        items.append(
            PlanItem(
                plan=plan, month=month, kind=MeetingKind.BRANCH_COMMITTEE, topic="研究当月支部工作"
            )
        )
        items.append(
            PlanItem(
                plan=plan,
                month=month,
                kind=MeetingKind.THEME_DAY,
                topic=TOPICS[MeetingKind.THEME_DAY][month % 4],
            )
        )
        if month % 3 == 2:
            items.append(
                PlanItem(plan=plan, month=month, kind=MeetingKind.BRANCH_GENERAL, topic="党员大会")
            )
    items.append(PlanItem(plan=plan, month=7, kind=MeetingKind.PARTY_LECTURE, topic="书记讲党课"))
    PlanItem.objects.bulk_create(items)


def create_demo_meetings(actor, marks, today: dt.date, *, now: dt.datetime | None = None) -> int:
    """Write the demo's year of meetings (see the module docstring); returns how many."""
    from jiceng.access.models import User

    rng = random.Random(5)
    w = _Writer(actor, rng, now or timezone.now())
    months = _months(today)
    secretary = User.objects.filter(username="zb").first()
    other_secretary = User.objects.filter(username="zb2").first()
    branches = list(
        Organization.objects.filter(parent=marks.community_party, kind=Kind.BRANCH).order_by("code")
    )
    for branch in branches:
        if branch == marks.branch:
            _branch_year(w, branch, months, today, gaps=False, secretary=secretary)
            _live_and_coming(w, branch, secretary, today)
            _plan(actor, branch, today.year)
        elif branch == marks.sibling_branch:
            _branch_year(w, branch, months, today, gaps=True, secretary=other_secretary)
        else:
            _branch_year(w, branch, months, today, gaps=True, secretary=None)
    union = Organization.objects.filter(code=marks.community_party.code[:-1] + "U").first()
    if union is not None:
        _union_year(w, union, months, today, None)
    _notify_coming(w.now)
    record(
        actor,
        "life.demo_meetings.load",
        marks.community_party,
        after={"meetings": w.meetings, "attendance": w.attendance},
    )
    return w.meetings


def _notify_coming(now: dt.datetime) -> None:
    """In-app notices of the meetings to come, for the attendees who can log in."""
    from django.urls import NoReverseMatch, reverse

    from jiceng.access.models import User

    users = dict(User.objects.filter(person__isnull=False).values_list("person_id", "pk"))
    coming = Attendance.objects.filter(
        meeting__status=MeetingStatus.SCHEDULED, meeting__ends_at__gt=now, person_id__in=users
    ).select_related("meeting")
    notices = []
    for a in coming:
        m = a.meeting
        try:
            url = reverse("life:meeting", args=[m.pk])
        except NoReverseMatch:
            url = ""
        when = timezone.localtime(m.starts_at)
        notices.append(
            Notification(
                user_id=users[a.person_id],
                text=f"会议通知：{m.topic}，{when:%m月%d日 %H:%M}，{m.place}",
                url=url,
            )
        )
    Notification.objects.bulk_create(notices)
