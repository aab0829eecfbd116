"""Assessment rounds (issue 13): veto items, band edges, overridden figures, consecutive low
results, publicity in working days, and who may touch whose scores."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jiceng.assessment import grading, selectors, services
from jiceng.assessment.models import Entry, Grade, LeaderFlag, Rectification, Score
from jiceng.audit.models import AuditEvent
from jiceng.kernel.workdays import add_working_days
from jiceng.orgs.services.policy import set_override

pytestmark = pytest.mark.django_db

# 100 points in six blocks (003:L290-296) plus the veto items of 003:L294.
BLOCKS = [
    {"title": "班子建设", "clauses": [{"text": "班子配备齐全", "points": 15}]},
    {
        "title": "党员教育和管理",
        "clauses": [
            {"text": "按规定召开“三会一课”", "points": 20, "evidence": "life.compliance"},
        ],
    },
    {"title": "党风党纪建设", "clauses": [{"text": "无违纪问题", "points": 15}]},
    {"title": "发展党员工作", "clauses": [{"text": "发展党员规范", "points": 15}]},
    {"title": "职工思想政治工作", "clauses": [{"text": "谈心谈话", "points": 15}]},
    {
        "title": "基础工作",
        "clauses": [
            {"text": "台账齐全", "points": 20},
            {"text": "班子不团结", "veto": True, "method": "formal"},
        ],
    },
]
H1 = dt.date(2026, 7, 6)  # a Monday after the half-year


def _scheme(world):
    admin = world.users["street_a_admin"]
    scheme = services.save_scheme(
        admin, world.street_a, code="branch", name="支部考核", cycle="half_year", blocks=BLOCKS
    )
    return services.publish_scheme(admin, scheme, on=H1)


def _round(world, period="2026H1", on=H1):
    return services.open_round(
        world.users["street_a_admin"], _scheme_of(world), world.street_a, period, on=on
    )


_schemes = {}


def _scheme_of(world):
    key = id(world)
    if key not in _schemes:
        _schemes[key] = _scheme(world)
    return _schemes[key]


def _answers(entry, points: dict, veto=False):
    """clause text → points; every other clause full marks."""
    answers = {}
    for s in entry.scores.select_related("clause"):
        c = s.clause
        if c.veto:
            answers[c.pk] = {"veto": veto}
        else:
            p = points.get(c.text, c.points)
            reason = "会议记录不全" if s.auto_points is not None and p != s.auto_points else ""
            answers[c.pk] = {"points": p, "override_reason": reason}
    return answers


def _review(world, round_, results: dict, on=H1):
    """Each org → (points by clause text, veto): self-assessed and handed in, then reviewed
    with the same points (the veto found by the review)."""
    admin = world.users["street_a_admin"]
    for org, (points, _veto) in results.items():
        entry = round_.entries.get(org=org)
        services.self_assess(admin, entry, _answers(entry, points), submit=True, on=on)
    services.start_review(admin, round_, on=on)
    reviewed = {}
    for org, (points, veto) in results.items():
        entry = round_.entries.get(org=org)
        review = {
            c: {"veto": a["veto"], "reason": "巡查发现"} if "veto" in a else {"points": a["points"]}
            for c, a in _answers(entry, points, veto).items()
        }
        reviewed[org.code] = services.review_entry(admin, entry, review, on=on)
    return reviewed


def test_the_round_covers_the_branches_of_the_subtree(world):
    r = _round(world)
    assert set(r.entries.values_list("org__code", flat=True)) == {"A1", "A2"}
    assert selectors.scheme_total(r.scheme) == Decimal(100)


def test_a_veto_item_fails_a_98_point_organization(world):
    r = _round(world)
    entry = _review(world, r, {world.branch_a1: ({"台账齐全": 18}, True)})["A1"]
    assert entry.total == Decimal(98)
    assert entry.vetoed and entry.grade == Grade.FAIL


@pytest.mark.parametrize(
    ("points", "grade"),
    [
        (95, Grade.EXCELLENT),
        (Decimal("94.99"), Grade.PASS),
        (80, Grade.PASS),
        (Decimal("79.5"), Grade.BASIC),
        (60, Grade.BASIC),
        (Decimal("59.99"), Grade.FAIL),
    ],
)
def test_band_edges_as_policy_says(world, points, grade):
    assert grading.grade(Decimal(points), False, world.branch_a1, H1) == grade


def test_a_subtree_override_moves_a_band_edge(world):
    set_override(
        world.users["district_admin"],
        key="assessment.bands",
        org=world.street_a,
        value={"excellent": 90, "pass": 75, "basic": 60, "fail": 0},
        valid_from=dt.date(2026, 1, 1),
        reason="区委考核办法",
    )
    assert grading.grade(Decimal(90), False, world.branch_a1, H1) == Grade.EXCELLENT
    assert grading.grade(Decimal(90), False, world.branch_b1, H1) == Grade.PASS


def test_an_overridden_figure_keeps_both_numbers_and_the_reason(world):
    r = _round(world)
    entry = r.entries.get(org=world.branch_a1)
    score = entry.scores.get(clause__evidence="life.compliance")
    # No meeting is required of a branch without members: no figure, scored by hand.
    score.auto_points, score.auto_numerator, score.auto_denominator = Decimal(12), 3, 5
    score.save()
    admin = world.users["a1_officer"]
    with pytest.raises(ValidationError, match=r"12\.00 分.*理由"):
        services.self_assess(admin, entry, {score.clause_id: {"points": 20}})
    services.self_assess(
        admin, entry, {score.clause_id: {"points": 20, "override_reason": "两次会议未登记"}}
    )
    score = Score.objects.get(pk=score.pk)
    assert (score.auto_points, score.self_points) == (Decimal(12), Decimal(20))
    assert score.override_reason == "两次会议未登记"
    logged = AuditEvent.objects.get(action="assessment.score.override")
    assert logged.after["auto"] == "12.00" and logged.after["reason"] == "两次会议未登记"


def test_a_branch_may_not_touch_another_branchs_self_assessment(world):
    r = _round(world)
    other = r.entries.get(org=world.branch_a2)
    with pytest.raises(PermissionDenied):
        services.self_assess(world.users["a1_officer"], other, {})
    with pytest.raises(PermissionDenied):
        services.review_entry(world.users["a1_officer"], other, {})


def test_publicity_runs_working_days_and_objections_must_be_answered(world):
    admin = world.users["street_a_admin"]
    r = _round(world)
    _review(world, r, {o: ({"台账齐全": 10}, False) for o in (world.branch_a1, world.branch_a2)})
    friday = dt.date(2026, 9, 25)  # Mid-Autumn; then 28-30 Sep and, after National Day, 8-9 Oct
    services.publish_results(admin, r, on=friday)
    assert r.publicity_until == add_working_days(friday, 5) == dt.date(2026, 10, 10)
    objection = services.record_objection(
        admin, r.entries.get(org=world.branch_a1), raised_by="张三", text="台账分数偏低", on=friday
    )
    with pytest.raises(ValidationError, match="公示期至 2026-10-09"):
        services.finalize_round(admin, r, on=dt.date(2026, 10, 9))
    with pytest.raises(ValidationError, match="1 条异议未答复"):
        services.finalize_round(admin, r, on=dt.date(2026, 10, 10))
    services.answer_objection(admin, objection, "经复核，维持原评分", on=dt.date(2026, 10, 9))
    services.finalize_round(admin, r, on=dt.date(2026, 10, 10))
    # 90 points: a pass, nothing owed.
    assert not Rectification.objects.exists()


def _final_round(world, period, points, on):
    admin = world.users["street_a_admin"]
    r = services.open_round(admin, _scheme_of(world), world.street_a, period, on=on)
    _review(world, r, {o: (points, False) for o in (world.branch_a1, world.branch_a2)}, on=on)
    services.publish_results(admin, r, on=on)
    return services.finalize_round(admin, r, on=r.publicity_until)


def test_the_second_consecutive_basic_pass_raises_the_leader_flag(world):
    low = {"台账齐全": 0, "谈心谈话": 5}  # 70 points: basic pass
    first = _final_round(world, "2026H1", low, dt.date(2026, 7, 6))
    entry = first.entries.get(org=world.branch_a1)
    assert entry.grade == Grade.BASIC
    assert Rectification.objects.filter(entry=entry).exists()
    assert not LeaderFlag.objects.exists()
    second = _final_round(world, "2026H2", low, dt.date(2027, 1, 4))
    flag = LeaderFlag.objects.get(entry__round=second, entry__org=world.branch_a1)
    assert flag.previous == entry


def test_years_basis_waits_for_two_low_years(world):
    set_override(
        world.users["district_admin"],
        key="assessment.replace_leader.basis",
        org=world.street_a,
        value="years",
        valid_from=dt.date(2026, 1, 1),
        reason="按连续两年计（002:L40）",
    )
    low = {"台账齐全": 0, "谈心谈话": 5}
    _final_round(world, "2026H1", low, dt.date(2026, 7, 6))
    _final_round(world, "2026H2", low, dt.date(2027, 1, 4))
    assert not LeaderFlag.objects.exists()  # one low year only
    annual = selectors.annual_result(world.branch_a1, 2026)
    assert annual["total"] == Decimal(70) and annual["grade"] == Grade.BASIC


def test_entries_are_visible_to_their_branch_and_the_upper_level_only(world):
    r = _round(world)
    entry = r.entries.get(org=world.branch_a2)
    assert selectors.get_entry(world.users["street_a_admin"], entry.pk) == entry
    assert selectors.get_entry(world.users["a2_officer"], entry.pk) == entry
    with pytest.raises(Http404):
        selectors.get_entry(world.users["a1_officer"], entry.pk)
    with pytest.raises(Http404):
        selectors.get_entry(world.users["viewer"], entry.pk)
    assert Entry.objects.count() == 2


def test_a_round_is_judged_by_the_version_it_was_opened_with(world):
    admin = world.users["street_a_admin"]
    r = _round(world)
    revised = [dict(b) for b in BLOCKS]
    revised[0] = {"title": "班子建设", "clauses": [{"text": "班子配备齐全", "points": 25}]}
    v2 = services.save_scheme(
        admin, world.street_a, code="branch", name="支部考核", cycle="half_year", blocks=revised
    )
    assert (v2.version, r.scheme.version) == (2, 1)
    assert selectors.scheme_total(v2) == Decimal(110)
    assert selectors.scheme_total(r.scheme) == Decimal(100)
    assert r.entries.first().scores.filter(clause__block__scheme=r.scheme).count() == 7
    with pytest.raises(ValidationError, match="发布"):
        services.open_round(admin, v2, world.street_a, "2026H2", on=H1)


def test_a_scheme_refuses_points_on_a_veto_item_and_unknown_figures(world):
    admin = world.users["street_a_admin"]
    bad_veto = [
        {"title": "基础工作", "clauses": [{"text": "班子不团结", "veto": True, "points": 5}]}
    ]
    with pytest.raises(ValidationError, match="一票否决"):
        services.save_scheme(
            admin, world.street_a, code="x", name="x", cycle="year_end", blocks=bad_veto
        )
    unknown = [{"title": "基础工作", "clauses": [{"text": "x", "points": 5, "evidence": "nope"}]}]
    with pytest.raises(ValidationError, match="nope"):
        services.save_scheme(
            admin, world.street_a, code="x", name="x", cycle="year_end", blocks=unknown
        )
    with pytest.raises(PermissionDenied):
        services.save_scheme(
            world.users["a1_officer"],
            world.street_a,
            code="x",
            name="x",
            cycle="year_end",
            blocks=BLOCKS,
        )


def test_self_assessment_closes_when_the_review_starts(world):
    admin = world.users["street_a_admin"]
    r = _round(world)
    services.start_review(admin, r, on=H1)
    entry = r.entries.get(org=world.branch_a1)
    with pytest.raises(ValidationError, match="自评"):
        services.self_assess(world.users["a1_officer"], entry, {})
