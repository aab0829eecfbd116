"""Figures filled into assessment clauses from the records (issue 13 item 2): committees in
office, development steps on time, congress proposals answered on time — each for a whole
subtree at once, with a link to the records, and in a number of queries that does not grow
with the number of organizations."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.assessment import evidence, services
from jiceng.assessment.models import Score
from jiceng.congress.models import Proposal
from jiceng.demo.build import credit_code
from jiceng.elections.models import Committee, Term, TermStatus
from jiceng.kernel.figures import Figure
from jiceng.orgs.models import Kind
from jiceng.orgs.services import register_unit, set_host_units, set_up
from jiceng.people.models import Milestone, PartyMembership, Person
from tests.conftest import LONG_AGO
from tests.test_congress import Hospital, propose

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
ON = dt.date(2026, 6, 20)
OPENED = dt.date(2026, 7, 6)

BLOCKS = [
    {
        "title": "记录",
        "clauses": [
            {"text": "按期换届", "points": 8, "evidence": "elections.terms_in_order"},
            {"text": "发展党员按期", "points": 10, "evidence": "people.development_on_time"},
            {"text": "提案按期答复", "points": 5, "evidence": "congress.proposals_on_time"},
            {"text": "三会一课", "points": 15, "evidence": "life.compliance"},
        ],
    }
]


def term(org, starts_on, ends_on, *, number=1, ended_on=None, committee=Committee.PARTY):
    return Term.objects.create(
        org=org,
        committee=committee,
        number=number,
        starts_on=starts_on,
        years=(ends_on.year - starts_on.year) or 1,
        ends_on=ends_on,
        ended_on=ended_on,
        status=TermStatus.ENDED if ended_on else TermStatus.CURRENT,
    )


def compute(key, world, root=None, user="street_a_admin", on=ON):
    return evidence.SOURCES[key].compute(world.users[user], root or world.street_a, START, END, on)


# -- committees in office ---------------------------------------------------------------------


def test_a_term_expired_without_re_election_scores_nothing(world):
    term(world.branch_a1, dt.date(2021, 4, 1), dt.date(2024, 3, 31), ended_on=dt.date(2024, 3, 20))
    term(world.branch_a1, dt.date(2024, 3, 20), dt.date(2027, 3, 19), number=2)
    term(world.branch_a2, dt.date(2023, 4, 1), dt.date(2026, 3, 31))  # expired, not re-elected
    term(world.branch_b1, dt.date(2024, 1, 1), dt.date(2027, 1, 1))  # another street
    figures = compute("elections.terms_in_order", world)
    assert figures == {
        world.street_a.pk: Figure(0, 1),  # never elected
        world.branch_a1.pk: Figure(1, 1),
        world.branch_a2.pk: Figure(0, 1),
    }
    # Before its scheduled end, A2's term was in order.
    before = compute("elections.terms_in_order", world, on=dt.date(2026, 3, 31))
    assert before[world.branch_a2.pk] == Figure(1, 1)


def test_a_union_is_judged_by_its_union_committee(world):
    h = Hospital(world)
    term(h.union, dt.date(2024, 1, 1), dt.date(2029, 1, 1), committee=Committee.UNION)
    term(h.other, dt.date(2024, 1, 1), dt.date(2029, 1, 1), committee=Committee.AUDIT)
    figures = compute("elections.terms_in_order", world, root=world.union, user="district_admin")
    # The district administrator sees the Party tree only: nothing of the union tree.
    assert figures == {}
    figures = evidence.terms_in_order(h.officer, h.union, START, END, ON)
    assert figures == {h.union.pk: Figure(1, 1)}
    figures = evidence.terms_in_order(h.intruder, h.other, START, END, ON)
    assert figures == {h.other.pk: Figure(0, 1)}  # an audit committee is not the union's


# -- development steps on time ----------------------------------------------------------------


def applicant(world, org, name, steps: dict):
    person = Person.objects.create(name=name)
    membership = PartyMembership.objects.create(person=person, org=org, stage="applicant")
    Milestone.objects.bulk_create(
        Milestone(membership=membership, step=step, on=on, recorded_by=world.system)
        for step, on in steps.items()
    )
    return membership


def test_development_steps_count_those_due_in_the_period(world):
    d = dt.date
    a1, a2 = world.branch_a1, world.branch_a2
    applicant(world, a1, "按时", {"apply": d(2025, 12, 20), "talk": d(2026, 1, 10)})
    applicant(world, a1, "谈话迟", {"apply": d(2026, 2, 1), "talk": d(2026, 3, 20)})
    applicant(world, a1, "期外", {"apply": d(2026, 6, 10)})  # talk due 07-10: next period
    applicant(world, a1, "未审批", {"admit": d(2026, 3, 1)})  # approval due 05-30, not given
    applicant(world, a1, "已退出", {"apply": d(2026, 5, 1), "withdraw": d(2026, 5, 10)})
    applicant(world, a1, "未到期", {"apply": d(2026, 5, 26)})  # due 06-25, after ON
    applicant(world, a2, "审批及时", {"admit": d(2025, 11, 1), "approve": d(2026, 1, 15)})
    applicant(world, world.branch_b1, "别街道", {"apply": d(2026, 2, 1)})
    figures = compute("people.development_on_time", world)
    assert figures == {a1.pk: Figure(2, 4), a2.pk: Figure(1, 1)}
    # As the records stood before the late talk was recorded, it was simply missing.
    early = compute("people.development_on_time", world, on=d(2026, 3, 10))
    assert early[a1.pk] == Figure(2, 3)  # 按时, and 未审批 / 未到期 not yet due


def test_a_policy_override_moves_the_talk_deadline(world):
    from jiceng.orgs.services.policy import set_override

    applicant(
        world, world.branch_a1, "谈话", {"apply": dt.date(2026, 2, 1), "talk": dt.date(2026, 3, 20)}
    )
    set_override(
        world.system,
        key="people.party.talk_within_days",
        org=world.street_a,
        value=60,
        valid_from=LONG_AGO,
        reason="测试",
    )
    assert compute("people.development_on_time", world)[world.branch_a1.pk] == Figure(1, 1)


# -- congress proposals on time ---------------------------------------------------------------


def proposals_due(h, rows):
    """(reply due, replied on) per proposal of a fresh session of `h`'s union."""
    h.delegates = h.seat(3, "voting")
    h.s = h.session()
    made = []
    for reply_due, replied_on in rows:
        p = propose(h)
        Proposal.objects.filter(pk=p.pk).update(
            state="replied" if replied_on else "assigned",
            reply_due=reply_due,
            replied_on=replied_on,
            assigned_on=dt.date(2026, 1, 2),
        )
        made.append(p)
    return made


def test_proposals_answered_by_their_deadline(world):
    d = dt.date
    h = Hospital(world)
    unit = register_unit(
        world.system,
        credit_code=credit_code(88),
        name="第二人民医院",
        kind="enterprise",
        ownership="non_public",
        on=LONG_AGO,
        employees=900,
        responsible_org=world.street_a,
        responsible_union=world.union,
    )
    set_host_units(world.system, h.union, units=[unit], on=LONG_AGO)
    branch = set_up(
        world.system,
        code="HP",
        name="第二人民医院党支部",
        kind=Kind.BRANCH,
        parent=world.street_a,
        founded_on=LONG_AGO,
        units=[unit],
    )
    proposals_due(
        h,
        [
            (d(2026, 3, 1), d(2026, 2, 20)),  # on time
            (d(2026, 4, 1), d(2026, 4, 10)),  # late
            (d(2026, 5, 1), None),  # overdue
            (d(2026, 6, 25), None),  # not yet due on ON
            (d(2026, 7, 15), None),  # due in the next period
            (d(2026, 6, 1), d(2026, 6, 28)),  # replied after ON: overdue as of ON
        ],
    )
    assert evidence.proposals_on_time(h.officer, h.union, START, END, ON) == {
        h.union.pk: Figure(2, 5)
    }
    # The hospital's Party branch is judged by the congress of its own unit.
    figures = compute("congress.proposals_on_time", world)
    assert figures == {branch.pk: Figure(2, 5)}
    # Another union's officer sees none of it.
    assert evidence.proposals_on_time(h.intruder, h.union, START, END, ON) == {}


# -- filled into a round, with links to the records -------------------------------------------


def _open(world, on=OPENED):
    admin = world.users["street_a_admin"]
    scheme = services.save_scheme(
        admin, world.street_a, code="rec", name="记录考核", cycle="half_year", blocks=BLOCKS
    )
    services.publish_scheme(admin, scheme, on=on)
    return services.open_round(admin, scheme, world.street_a, "2026H1", on=on)


def test_a_round_is_filled_from_the_records_and_links_to_them(world, login):
    term(world.branch_a1, dt.date(2024, 1, 1), dt.date(2027, 1, 1))
    term(world.branch_a2, dt.date(2023, 4, 1), dt.date(2026, 3, 31))
    applicant(
        world, world.branch_a1, "按时", {"apply": dt.date(2026, 3, 1), "talk": dt.date(2026, 3, 5)}
    )
    round_ = _open(world)
    scores = {
        (s.entry.org.code, s.clause.evidence): s
        for s in Score.objects.filter(entry__round=round_).select_related("entry__org", "clause")
    }
    a1_terms = scores[("A1", "elections.terms_in_order")]
    assert (a1_terms.auto_points, a1_terms.auto_numerator, a1_terms.auto_denominator) == (8, 1, 1)
    assert scores[("A2", "elections.terms_in_order")].auto_points == 0
    assert scores[("A1", "people.development_on_time")].auto_points == 10
    # Nothing to count: no automatic points (policy assessment.evidence.no_figure = none).
    assert scores[("A2", "people.development_on_time")].auto_points is None
    assert scores[("A1", "congress.proposals_on_time")].auto_points is None
    client = login(world.users["street_a_admin"])
    for key in ("elections.terms_in_order", "people.development_on_time"):
        url = evidence.SOURCES[key].records_url(world.branch_a1, START, END)
        assert client.get(url).status_code == 200, (key, url)
    h = Hospital(world)
    url = evidence.SOURCES["congress.proposals_on_time"].records_url(h.union, START, END)
    assert login(h.officer).get(url).status_code == 200


def test_filling_a_round_takes_the_same_queries_for_three_times_the_branches(world):
    """Queries grow with the number of figures and of distinct values written (one UPDATE
    for the scores that get the same points), not with the number of organizations."""
    admin = world.users["street_a_admin"]
    round_ = _open(world)
    clauses = list(round_.scheme.blocks.get().clauses.all())

    def add_branches(first, count):
        for n in range(first, first + count):
            org = set_up(
                world.system,
                code=f"X{n}",
                name=f"和平社区第{n + 3}党支部",
                kind=Kind.BRANCH,
                parent=world.street_a,
                founded_on=LONG_AGO,
            )
            term(org, dt.date(2024, 1, 1), dt.date(2027, 1, 1))
            applicant(world, org, f"申请人{n}", {"apply": dt.date(2026, 3, 1)})
            entry = round_.entries.create(org=org)
            Score.objects.bulk_create(Score(entry=entry, clause=c) for c in clauses)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            services.refresh_evidence(admin, round_, on=END)
        return len(ctx.captured_queries)

    add_branches(0, 2)
    few = queries()
    add_branches(2, 6)
    assert queries() == few
    filled = Score.objects.filter(entry__round=round_, entry__org__code="X7")
    assert filled.get(clause__evidence="elections.terms_in_order").auto_points == 8
    assert filled.get(clause__evidence="people.development_on_time").auto_points == 0


# -- the demo ---------------------------------------------------------------------------------


def test_the_demo_has_a_final_round_with_grades_and_an_open_one(db):
    from django.utils import timezone

    from jiceng.access.models import User
    from jiceng.access.services import system_actor
    from jiceng.assessment.models import Entry, Grade, Rectification, RoundState
    from jiceng.demo.build import load
    from jiceng.todo.selectors import duties_for

    today = timezone.localdate()
    load(system_actor(), "small", today)
    final = Entry.objects.filter(round__state=RoundState.FINAL)
    grades = set(final.values_list("grade", flat=True))
    assert {Grade.EXCELLENT, Grade.PASS, Grade.BASIC} <= grades
    basic = final.get(grade=Grade.BASIC)
    assert Rectification.objects.get(entry=basic).closed_on is None
    secretary = User.objects.get(username="zb")
    branch = secretary.assignments.get().org
    own = Entry.objects.get(round__state=RoundState.OPEN, org=branch)
    assert own.state == "pending"
    kinds = {(i.duty.kind, i.duty.org.pk) for i in duties_for(secretary, today=today)}
    assert ("assessment.self", branch.pk) in kinds
    # The sibling branch's secretary owes the rectification plan of last half-year's result.
    sibling = User.objects.get(username="zb2").assignments.get().org
    assert basic.org == sibling
    owed = {i.duty.kind for i in duties_for(User.objects.get(username="zb2"), today=today)}
    assert "assessment.rectification" in owed
