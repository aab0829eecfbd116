"""Member development: every rule refuses the early or out-of-order step, and says when."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.demo.names import id_number
from jiceng.orgs.services.policy import set_override
from jiceng.people.models import MembershipState, Milestone, PartyMembership, Stage
from jiceng.people.services import apply, enrol_member, register_person, take_step
from jiceng.todo.selectors import duties_for

D0 = dt.date(2024, 3, 1)


def person(world, name, born=dt.date(1990, 1, 1), seq=11, org=None):
    return register_person(
        world.system, org=org or world.branch_a1, name=name, id_number=id_number(born, seq)
    )


def refused(fn, *args, **kw) -> str:
    with pytest.raises(ValidationError) as err:
        fn(*args, **kw)
    return " ".join(m for ms in err.value.message_dict.values() for m in ms)


@pytest.fixture
def introducers(world):
    found = []
    for i, name in enumerate(["李一", "李二"]):
        p = person(world, name, born=dt.date(1970, 1, 1), seq=20 + i)
        enrol_member(
            world.system,
            p,
            org=world.branch_a1,
            stage=Stage.FULL,
            joined_on=dt.date(2000, 7, 1),
            full_on=dt.date(2001, 7, 1),
        )
        found.append(p.pk)
    return found


def walk_to_target(world, m, on=D0):
    officer = world.users["a1_officer"]
    take_step(officer, m, "talk", on=on + dt.timedelta(days=10))
    take_step(officer, m, "activist", on=on + dt.timedelta(days=40))
    take_step(officer, m, "target", on=on + dt.timedelta(days=40 + 365))
    return on + dt.timedelta(days=40 + 365)


def test_an_applicant_must_be_18(world):
    young = person(world, "小王", born=dt.date(2008, 9, 1))
    message = refused(
        apply, world.users["a1_officer"], young, org=world.branch_a1, on=dt.date(2026, 1, 1)
    )
    assert "2026-09-01" in message
    apply(world.users["a1_officer"], young, org=world.branch_a1, on=dt.date(2026, 9, 1))


def test_steps_out_of_order_are_refused_with_what_is_missing(world):
    m = apply(world.users["a1_officer"], person(world, "张三"), org=world.branch_a1, on=D0)
    assert refused(take_step, world.users["a1_officer"], m, "activist", on=D0)  # no talk yet
    assert refused(take_step, world.users["a1_officer"], m, "talk", on=D0 - dt.timedelta(days=1))
    assert refused(take_step, world.users["a1_officer"], m, "admit", on=D0)  # wrong stage


def test_a_target_needs_a_year_as_activist_and_the_refusal_says_when(world):
    officer = world.users["a1_officer"]
    m = apply(officer, person(world, "张三"), org=world.branch_a1, on=D0)
    take_step(officer, m, "talk", on=dt.date(2024, 3, 10))
    take_step(officer, m, "activist", on=dt.date(2024, 4, 1))
    message = refused(take_step, officer, m, "target", on=dt.date(2025, 3, 31))
    assert "2025-04-01" in message
    take_step(officer, m, "target", on=dt.date(2025, 4, 1))
    assert m.stage == Stage.TARGET


def test_admission_needs_introducers_review_training_notice_and_pre_review(world, introducers):
    officer = world.users["a1_officer"]
    m = apply(officer, person(world, "张三"), org=world.branch_a1, on=D0)
    day = walk_to_target(world, m)
    assert refused(take_step, officer, m, "admit", on=day)
    assert refused(
        take_step, officer, m, "introducers", on=day, data={"introducers": introducers[:1]}
    )
    take_step(officer, m, "introducers", on=day, data={"introducers": introducers})
    take_step(officer, m, "review", on=day)
    assert refused(take_step, officer, m, "training", on=day, data={"hours": 16})
    take_step(officer, m, "training", on=day, data={"hours": 24})
    assert refused(take_step, officer, m, "notice", on=day, data={"days": 3})
    take_step(officer, m, "notice", on=day, data={"days": 5})
    assert refused(take_step, officer, m, "admit", on=day)  # no pre-review
    take_step(officer, m, "pre_review", on=day)
    take_step(officer, m, "admit", on=day)
    assert (m.stage, m.joined_on) == (Stage.PROBATIONARY, day)


def test_conversion_waits_for_the_year_of_probation_and_the_approval(world, introducers):
    officer = world.users["a1_officer"]
    m = apply(officer, person(world, "张三"), org=world.branch_a1, on=D0)
    day = walk_to_target(world, m)
    for i, (step, data) in enumerate(
        [
            ("introducers", {"introducers": introducers}),
            ("review", {}),
            ("training", {"hours": 30}),
            ("notice", {"days": 7}),
            ("pre_review", {}),
            ("admit", {}),
        ]
    ):
        take_step(officer, m, step, on=day + dt.timedelta(days=i), data=data)
    day += dt.timedelta(days=5)  # the admission date: probation starts here
    year_later = day + dt.timedelta(days=365)
    assert refused(take_step, officer, m, "convert", on=year_later)  # not approved
    take_step(officer, m, "approve", on=day + dt.timedelta(days=30))
    message = refused(take_step, officer, m, "convert", on=year_later - dt.timedelta(days=1))
    assert str(year_later) in message
    take_step(officer, m, "convert", on=year_later)
    assert (m.stage, m.full_on) == (Stage.FULL, year_later)
    stages = list(
        MembershipState.objects.filter(membership=m)
        .order_by("valid_from")
        .values_list("stage", flat=True)
    )
    assert stages == ["applicant", "activist", "target", "probationary", "full"]


def test_a_subtree_override_changes_the_rule_only_there_and_only_from_its_date(world):
    set_override(
        world.system,
        key="people.party.activist_min_days",
        org=world.street_a,
        value=180,
        valid_from=dt.date(2025, 1, 1),
        reason="试点〔2025〕1号",
    )
    officer_a, officer_b = world.users["a1_officer"], world.system

    def activist(org, seq, since):
        m = apply(officer_b, person(world, f"人{seq}", seq=seq, org=org), org=org, on=since)
        take_step(officer_b, m, "talk", on=since)
        take_step(officer_b, m, "activist", on=since)
        return m

    inside = activist(world.branch_a1, 31, dt.date(2025, 1, 10))
    take_step(officer_a, inside, "target", on=dt.date(2025, 7, 9))  # 180 days suffice in SA
    outside = activist(world.branch_b1, 33, dt.date(2025, 1, 10))
    assert refused(take_step, officer_b, outside, "target", on=dt.date(2025, 7, 9))
    before = activist(world.branch_a2, 35, dt.date(2024, 1, 10))
    assert refused(
        take_step, officer_b, before, "target", on=dt.date(2024, 12, 31)
    )  # not yet in force
    take_step(officer_b, before, "target", on=dt.date(2025, 1, 1))


def test_upcoming_milestones_are_duties_of_the_branch(world):
    from jiceng.todo.selectors import duties_for

    today = dt.date.today()
    officer = world.users["a1_officer"]
    m = apply(officer, person(world, "张三"), org=world.branch_a1, on=today - dt.timedelta(days=40))
    [talk] = [i for i in duties_for(officer) if i.duty.kind == "people.talk"]
    assert talk.urgency == "overdue" and "张三" in talk.duty.title
    take_step(officer, m, "talk", on=today - dt.timedelta(days=39))
    assert not [i for i in duties_for(officer) if i.duty.kind == "people.talk"]
    assert not [i for i in duties_for(world.users["a2_officer"]) if "张三" in i.duty.title]


# -- exits: dated no earlier than the member's last milestone or admission, never in the future


def enrolled(world, name, seq, stage=Stage.FULL):
    p = person(world, name, born=dt.date(1960, 1, 1), seq=seq)
    return enrol_member(
        world.system,
        p,
        org=world.branch_a1,
        stage=stage,
        joined_on=dt.date(2000, 7, 1),
        full_on=dt.date(2001, 7, 1) if stage == Stage.FULL else None,
    )


def test_a_death_dated_before_admission_is_refused(world):
    officer = world.users["a1_officer"]
    m = enrolled(world, "王五", 41)
    message = refused(take_step, officer, m, "decease", on=dt.date(1999, 5, 1))
    assert message == "该项登记的日期不得早于王五的“转为正式党员”（2001-07-01）。"
    assert refused(take_step, officer, m, "decease", on=dt.date.today() + dt.timedelta(days=1))
    take_step(officer, m, "decease", on=dt.date(2023, 4, 2))
    m.refresh_from_db()
    assert m.stage == Stage.DECEASED
    assert MembershipState.objects.get(membership=m, valid_until__isnull=True).stage == "deceased"


def test_a_withdrawal_may_not_precede_the_last_milestone(world):
    officer = world.users["a1_officer"]
    m = apply(officer, person(world, "张三"), org=world.branch_a1, on=D0)
    take_step(officer, m, "talk", on=D0 + dt.timedelta(days=10))
    message = refused(take_step, officer, m, "withdraw", on=D0 + dt.timedelta(days=5))
    assert message == "该项登记的日期不得早于张三的“与入党申请人谈话”（2024-03-11）。"
    take_step(officer, m, "withdraw", on=D0 + dt.timedelta(days=20))
    assert m.stage == Stage.WITHDRAWN


def test_a_suspension_may_not_precede_admission_nor_lie_in_the_future(world):
    officer = world.users["a1_officer"]
    m = enrolled(world, "赵六", 42, stage=Stage.PROBATIONARY)
    message = refused(take_step, officer, m, "suspend", on=dt.date(2000, 6, 30))
    assert message == "该项登记的日期不得早于赵六的“入党（接收为预备党员）”（2000-07-01）。"
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    message = refused(take_step, officer, m, "suspend", on=tomorrow)
    assert message == f"该项登记的日期不得晚于今天（今天是 {dt.date.today()}）。"
    take_step(officer, m, "suspend", on=dt.date(2010, 1, 1))
    assert m.stage == Stage.SUSPENDED


def test_a_removal_is_recorded_in_order_and_only_from_a_member_stage(world):
    officer = world.users["a1_officer"]
    m = enrolled(world, "钱七", 43)
    assert refused(take_step, officer, m, "remove", on=dt.date(2001, 6, 30))
    take_step(officer, m, "remove", on=dt.date(2015, 3, 1), note="党员大会决议除名")
    assert m.stage == Stage.REMOVED
    message = refused(take_step, officer, m, "decease", on=dt.date(2016, 1, 1))
    assert message == "处于“开除党籍或除名”阶段时不能进行“已去世”操作。"
    # Another branch's officer may not record an exit here.
    other = enrolled(world, "孙八", 44)
    with pytest.raises(PermissionDenied):
        take_step(world.users["a2_officer"], other, "decease", on=dt.date(2020, 1, 1))


# -- upcoming milestones in the to-do centre: exact titles, due dates, only the own branch ---


def milestone_member(world, name, seq, stage, marks):
    """A record at `stage` with the milestones `marks` = {step: date} (the duty's inputs)."""
    m = PartyMembership.objects.create(
        person=person(world, name, seq=seq), org=world.branch_a1, stage=stage
    )
    for step, on in marks.items():
        Milestone.objects.create(membership=m, step=step, on=on, recorded_by=world.system)
    return m


def duties_of(user, kind, today):
    return [i.duty for i in duties_for(user, today=today) if i.duty.kind == kind]


def test_the_conversion_due_item_of_the_issue(world):
    milestone_member(
        world,
        "张三",
        51,
        Stage.PROBATIONARY,
        {"admit": dt.date(2026, 3, 1), "approve": dt.date(2026, 4, 1)},
    )
    today = dt.date(2027, 2, 10)
    [duty] = duties_of(world.users["a1_officer"], "people.conversion_due", today)
    assert duty.title == "张三 预备期将于 2027-03-01 期满，请召开支部大会讨论其转正。"
    assert (duty.due, duty.org) == (dt.date(2027, 3, 1), world.branch_a1)
    # Not yet within the notice period (30 days before the end): no item.
    assert not duties_of(world.users["a1_officer"], "people.conversion_due", dt.date(2027, 1, 20))
    assert not duties_of(world.users["a2_officer"], "people.conversion_due", today)


def test_the_approval_due_item(world):
    milestone_member(world, "周九", 52, Stage.PROBATIONARY, {"admit": dt.date(2026, 9, 1)})
    today = dt.date(2026, 10, 1)
    [duty] = duties_of(world.users["a1_officer"], "people.approval_due", today)
    assert duty.title == "上级党委应于 2026-11-30 前审批周九的入党事宜。"
    assert duty.due == dt.date(2026, 11, 30)  # 90 days after the admission
    assert not duties_of(world.users["a1_officer"], "people.conversion_due", today)
    assert not duties_of(world.users["a2_officer"], "people.approval_due", today)


def test_the_target_ready_item(world):
    milestone_member(
        world,
        "吴十",
        53,
        Stage.ACTIVIST,
        {
            "apply": dt.date(2025, 1, 5),
            "talk": dt.date(2025, 1, 20),
            "activist": dt.date(2025, 3, 1),
        },
    )
    today = dt.date(2026, 2, 15)
    [duty] = duties_of(world.users["a1_officer"], "people.target_ready", today)
    assert duty.title == "吴十自 2026-03-01 起可列为发展对象人选。"
    assert duty.due == dt.date(2026, 3, 1)  # 365 days as an activist
    assert not duties_of(world.users["a1_officer"], "people.target_ready", dt.date(2026, 1, 15))
    assert not duties_of(world.users["a2_officer"], "people.target_ready", today)
