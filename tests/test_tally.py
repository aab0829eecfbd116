"""The tally engine against the regulations, and its invariants under hypothesis.

Party rules: 《中国共产党基层组织选举工作条例》; union rules: 《工会基层组织选举工作条例》 and
seed 004:L277-326 (DOMAIN.md §4). Rules come from the policy defaults, as a poll reads them.
"""

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.elections import tally
from jiceng.elections.tally import ELECTED, NOT_ELECTED, TIED, Counts, Tally
from jiceng.policy.selectors import value as policy_value


def rules(system: str) -> tally.Rules:
    return tally.Rules.from_policy(system, policy_value)


PARTY, UNION = rules("party"), rules("union")


def counts(tallies, *, seats=1, entitled=50, present=None, issued=None, returned=None, **kw):
    present = entitled if present is None else present
    issued = present if issued is None else issued
    returned = issued if returned is None else returned
    valid = kw.pop("valid", returned)
    return Counts(
        seats=seats,
        entitled=entitled,
        present=present,
        issued=issued,
        returned=returned,
        valid=valid,
        invalid=kw.pop("invalid", returned - valid),
        tallies=tuple(Tally(name, name, f, a, max(valid - f - a, 0)) for name, f, a in tallies),
        **kw,
    )


def line(outcome, key):
    return next(li for li in outcome.lines if li.key == key)


# -- the regulation cases -------------------------------------------------------------------


def test_rules_come_from_policy():
    assert PARTY.quorum == tally.Fraction(4, 5) and PARTY.quorum_strict
    assert PARTY.majority_of == tally.PRESENT and PARTY.tie_rule == tally.REVOTE_RULE
    assert UNION.quorum == tally.Fraction(2, 3) and not UNION.quorum_strict
    assert UNION.majority_of == tally.ENTITLED and UNION.tie_rule == tally.FEWER_AGAINST


def test_a_ballot_marking_more_names_than_seats_is_invalid():
    ballots = [
        ("YYN", [], False),  # two of two seats: valid
        ("YYY", [], False),  # three names for two seats: invalid
        ("Y--", ["赵六", "钱七"], False),  # one marked + two written in = three: invalid
        ("Y-N", ["赵六"], False),  # one + one written in: valid
        ("YN-", [], True),  # unreadable, declared void by the scrutineers
    ]
    counted = tally.count_ballots(ballots, width=3, seats=2)
    assert (counted.valid, counted.invalid) == (2, 3)
    assert counted.for_votes == (2, 1, 0)
    assert counted.against == (0, 0, 2)
    assert counted.write_ins == {"赵六": 1}


def test_more_ballots_returned_than_issued_voids_the_round():
    outcome = tally.decide(
        counts([("甲", 45, 0)], entitled=50, present=48, issued=48, returned=49), PARTY
    )
    assert not outcome.valid and outcome.elected == []
    assert any("多于发出" in r for r in outcome.void_reasons), outcome.void_reasons
    assert line(outcome, "甲").status == NOT_ELECTED
    assert "无效" in line(outcome, "甲").reason
    # As many returned as issued is fine, and fewer too.
    ok = tally.decide(counts([("甲", 45, 0)], entitled=50, present=48, returned=47), PARTY)
    assert ok.valid and ok.elected == ["甲"]


@pytest.mark.parametrize(
    ("system", "entitled", "present", "half"),
    [("party", 45, 40, 20), ("union", 60, 45, 30)],  # Party: half of those present; union: due
)
def test_a_candidate_at_exactly_half_is_not_elected(system, entitled, present, half):
    outcome = tally.decide(
        counts([("甲", half, 1), ("乙", half + 1, 1)], seats=2, entitled=entitled, present=present),
        rules(system),
    )
    assert outcome.elected == ["乙"]
    assert line(outcome, "甲").status == NOT_ELECTED
    assert "恰为" in line(outcome, "甲").reason and "未当选" in line(outcome, "甲").reason
    assert "超过" in line(outcome, "乙").reason and line(outcome, "乙").reason.endswith("当选。")
    assert outcome.remaining_seats == 1


def test_party_tie_at_the_cut_goes_to_a_revote_among_the_tied():
    first = tally.decide(
        counts([("甲", 40, 2), ("乙", 32, 1), ("丙", 32, 9), ("丁", 10, 5)], seats=2, entitled=60),
        PARTY,
    )
    assert first.elected == ["甲"]
    assert sorted(first.revote) == ["丙", "乙"] and first.revote_seats == 1
    assert first.remaining_seats == 0
    assert line(first, "乙").status == TIED and "重新投票" in line(first, "乙").reason
    # Fewer "against" does not decide under the Party rules.
    assert line(first, "丙").status == TIED
    # The revote: the most votes win, no majority needed (both already had one).
    revote = tally.decide(counts([("乙", 26, 0), ("丙", 22, 0)], seats=1, kind=tally.REVOTE), PARTY)
    assert revote.elected == ["乙"] and line(revote, "丙").status == NOT_ELECTED


def test_union_tie_at_the_cut_goes_to_fewer_against_then_to_a_revote():
    outcome = tally.decide(
        counts([("甲", 45, 2), ("乙", 35, 3), ("丙", 35, 7)], seats=2, entitled=60), UNION
    )
    assert outcome.elected == ["甲", "乙"] and outcome.revote == []
    assert "反对票较少" in line(outcome, "乙").reason
    assert "反对票较多" in line(outcome, "丙").reason
    both = tally.decide(
        counts([("甲", 45, 2), ("乙", 35, 3), ("丙", 35, 3)], seats=2, entitled=60), UNION
    )
    assert both.elected == ["甲"] and sorted(both.revote) == ["丙", "乙"]
    assert both.revote_seats == 1


def test_fewer_winners_than_seats_opens_another_round_for_the_rest():
    outcome = tally.decide(
        counts([("甲", 40, 0), ("乙", 30, 0), ("丙", 20, 0), ("丁", 12, 0)], seats=3), PARTY
    )
    assert outcome.elected == ["甲", "乙"]
    assert outcome.remaining_seats == 1 and outcome.revote == []
    assert any("另行选举" in s for s in outcome.summary), outcome.summary


def test_party_quorum_is_more_than_four_fifths():
    at = tally.decide(counts([("甲", 40, 0)], entitled=50, present=40), PARTY)
    assert not at.valid and any("五分之四" in r for r in at.void_reasons)
    above = tally.decide(counts([("甲", 40, 0)], entitled=50, present=41), PARTY)
    assert above.valid and above.elected == ["甲"]


def test_union_quorum_is_at_least_two_thirds():
    at = tally.decide(counts([("甲", 40, 0)], entitled=60, present=40), UNION)
    assert at.valid and at.elected == ["甲"]
    below = tally.decide(counts([("甲", 39, 0)], entitled=60, present=39), UNION)
    assert not below.valid and any("三分之二" in r for r in below.void_reasons)


def test_union_majority_counts_those_due_to_attend_not_those_present():
    # 45 of 60 present; 25 votes are more than half of those present but not of those due.
    outcome = tally.decide(counts([("甲", 25, 0)], entitled=60, present=45), UNION)
    assert outcome.elected == []
    party = tally.decide(counts([("甲", 25, 0)], entitled=50, present=45), PARTY)
    assert party.elected == ["甲"]


def test_written_in_names_can_be_elected_by_the_same_rule():
    c = Counts(
        seats=2,
        entitled=50,
        present=50,
        issued=50,
        returned=50,
        valid=50,
        invalid=0,
        tallies=(Tally("甲", "甲", 40), Tally("w:赵六", "赵六", 30, write_in=True)),
    )
    assert tally.decide(c, PARTY).elected == ["甲", "w:赵六"]


def test_figures_missing_or_count_unfinished_make_the_result_provisional():
    c = Counts(
        seats=1,
        entitled=50,
        present=None,
        issued=None,
        returned=None,
        valid=0,
        invalid=0,
        tallies=(Tally("甲", "甲", 0),),
    )
    missing = tally.decide(c, PARTY)
    assert not missing.valid and missing.problems and missing.elected == []
    short = tally.decide(
        counts([("甲", 30, 0)], present=50, returned=50, valid=40, invalid=0), PARTY
    )
    assert short.problems and not short.complete
    assert any("不符" in p or "未完成" in p for p in short.problems), short.problems


# -- properties -----------------------------------------------------------------------------


@st.composite
def elections(draw):
    width = draw(st.integers(1, 6))
    seats = draw(st.integers(1, 4))
    ballots = draw(
        st.lists(
            st.tuples(
                st.text(alphabet="YN-", min_size=width, max_size=width),
                st.lists(st.sampled_from(["赵六", "钱七"]), max_size=1),
                st.sampled_from([False] * 9 + [True]),
            ),
            max_size=40,
        )
    )
    absent = draw(st.integers(0, 10))
    present = len(ballots) + draw(st.integers(0, 3))
    entitled = present + absent
    system = draw(st.sampled_from(["party", "union"]))
    return width, seats, ballots, max(entitled, 1), present, system


def counts_from(width, seats, ballots, entitled, present, kind=tally.FIRST):
    counted = tally.count_ballots(ballots, width, seats)
    tallies = tuple(
        Tally(f"c{i}", f"候选人{i}", counted.for_votes[i], counted.against[i], counted.abstain[i])
        for i in range(width)
    ) + tuple(Tally(f"w:{n}", n, v, write_in=True) for n, v in sorted(counted.write_ins.items()))
    return Counts(
        seats=seats,
        entitled=entitled,
        present=present,
        issued=present,
        returned=len(ballots),
        valid=counted.valid,
        invalid=counted.invalid,
        tallies=tallies,
        kind=kind,
    )


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(elections())
def test_winners_never_exceed_seats_and_every_seat_is_accounted_for(case):
    width, seats, ballots, entitled, present, system = case
    outcome = tally.decide(counts_from(width, seats, ballots, entitled, present), rules(system))
    assert len(outcome.elected) <= seats
    if outcome.valid:
        assert len(outcome.elected) + outcome.revote_seats + outcome.remaining_seats == seats
        assert outcome.revote_seats <= len(outcome.revote)
    else:
        assert outcome.elected == [] and outcome.revote == []


@PROPERTY
@given(elections())
def test_every_winner_has_more_than_half_and_exactly_half_never_wins(case):
    width, seats, ballots, entitled, present, system = case
    r = rules(system)
    outcome = tally.decide(counts_from(width, seats, ballots, entitled, present), r)
    base = present if r.majority_of == tally.PRESENT else entitled
    for li in outcome.lines:
        if li.status in (ELECTED, TIED):
            assert 2 * li.for_votes > base
        if 2 * li.for_votes == base:
            assert li.status == NOT_ELECTED


@PROPERTY
@given(elections(), st.data())
def test_an_added_approving_vote_never_unelects_a_candidate(case, data):
    width, seats, ballots, entitled, present, system = case
    r = rules(system)
    before = tally.decide(counts_from(width, seats, ballots, entitled, present), r)
    # One valid ballot that can still approve one more name, with a non-approving mark to flip.
    room = [
        i
        for i, (marks, names, void) in enumerate(ballots)
        if tally.ballot_is_valid(marks, names, void, width, seats)
        and marks.count("Y") + len(names) < seats
        and any(m != "Y" for m in marks)
    ]
    if not room:
        return
    i = data.draw(st.sampled_from(room))
    marks, names, void = ballots[i]
    j = data.draw(st.sampled_from([k for k, m in enumerate(marks) if m != "Y"]))
    changed = list(ballots)
    changed[i] = (marks[:j] + "Y" + marks[j + 1 :], names, void)
    after = tally.decide(counts_from(width, seats, changed, entitled, present), r)
    if f"c{j}" in before.elected:
        assert f"c{j}" in after.elected
    if f"c{j}" in before.revote:
        assert f"c{j}" in after.elected or f"c{j}" in after.revote


@PROPERTY
@given(elections(), st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_does_not_change_the_result(case, rnd):
    width, seats, ballots, entitled, present, system = case
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    one = tally.decide(counts_from(width, seats, ballots, entitled, present), rules(system))
    two = tally.decide(counts_from(width, seats, shuffled, entitled, present), rules(system))
    assert one.to_dict() == two.to_dict()


@PROPERTY
@given(elections())
def test_counting_agrees_with_a_plain_loop_over_the_ballots(case):
    width, seats, ballots, *_ = case
    counted = tally.count_ballots(ballots, width, seats)
    yes, no = Counter(), Counter()
    valid = 0
    for marks, names, void in ballots:
        if void or marks.count("Y") + len(set(names)) > seats or len(set(names)) != len(names):
            continue
        valid += 1
        for i, m in enumerate(marks):
            yes[i] += m == "Y"
            no[i] += m == "N"
    assert counted.valid == valid and counted.invalid == len(ballots) - valid
    assert list(counted.for_votes) == [yes[i] for i in range(width)]
    assert list(counted.against) == [no[i] for i in range(width)]


def test_a_large_random_congress_is_counted_like_the_plain_loop():
    rnd = random.Random(7)
    width, seats = 60, 45
    ballots = []
    for _ in range(2000):
        marks = "".join(rnd.choice("YYN-") for _ in range(width))
        ballots.append((marks, [], False))
    counted = tally.count_ballots(ballots, width, seats)
    assert counted.valid + counted.invalid == 2000
    assert counted.invalid == sum(1 for m, _n, _v in ballots if m.count("Y") > seats)
