"""The tally engine: pure functions from counts and rules to a result, explained in words.

No database and no policy lookups here: the caller reads the rules from policy (`Rules`) and
the counts from the tally sheets and ballots (`Counts`), so the same functions serve the
service, the command line, the benchmark and the property tests.

- `count_ballots` turns individual ballots into per-candidate counts: a ballot approving more
  names than there are seats is invalid, as is a void one (unreadable); the order of the
  ballots does not matter.
- `decide` applies the rules of the system:

  Party (《中国共产党基层组织选举工作条例》): the vote is valid only when more than 4/5 of
  those entitled are present; more ballots returned than issued voids the round; a candidate
  is elected with approving votes from more than half of the entitled voters present; more
  such candidates than seats are taken by votes, and a tie at the cut goes to a revote among
  the tied; fewer winners than seats leaves the rest to another round.

  Union (《工会基层组织选举工作条例》, 004:L277-326): valid with at least 2/3 of those due to
  attend present; elected with more than half of those due to attend; a tie at the cut goes
  to the one with fewer "against" votes, and only a tie in both to a revote.

  Exactly half is never "more than half". In a revote among the tied, the most votes win
  (they already passed the majority in the round before).

Every candidate's line says why they are, or are not, elected.
"""

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext as _

FOR, AGAINST, ABSTAIN = "Y", "N", "-"
MARKS = frozenset((FOR, AGAINST, ABSTAIN))

PRESENT, ENTITLED = "present", "entitled"
REVOTE_RULE, FEWER_AGAINST = "revote", "fewer_against"
FIRST, ADDITIONAL, REVOTE = "first", "additional", "revote"

ELECTED, TIED, NOT_ELECTED = "elected", "tied", "not_elected"


@dataclass(frozen=True)
class Rules:
    """One system's rules, as policy gives them for the poll's organization and date."""

    system: str  # "party" | "union"
    quorum: Fraction  # share of the entitled that must be present
    quorum_strict: bool  # True: more than the share; False: at least the share
    majority_of: str  # PRESENT or ENTITLED: the base of "more than half"
    tie_rule: str  # REVOTE_RULE or FEWER_AGAINST

    @classmethod
    def from_policy(cls, system: str, lookup) -> "Rules":
        """`lookup(key)` returns the policy value of `elections.<system>.<name>`."""
        return cls(
            system=system,
            quorum=Fraction(str(lookup(f"elections.{system}.quorum"))),
            quorum_strict=lookup(f"elections.{system}.quorum_rule") == "more_than",
            majority_of=lookup(f"elections.{system}.majority_of"),
            tie_rule=lookup(f"elections.{system}.tie_rule"),
        )


@dataclass(frozen=True)
class Tally:
    """One name's counts: a candidate on the sheet, or a name written in by voters."""

    key: str
    name: str
    for_votes: int
    against: int = 0
    abstain: int = 0
    write_in: bool = False


@dataclass(frozen=True)
class Counts:
    seats: int
    entitled: int  # Party: entitled voters due to attend; union: members or delegates due
    present: int | None
    issued: int | None
    returned: int | None
    valid: int  # valid ballots counted
    invalid: int  # invalid ballots counted
    tallies: tuple[Tally, ...]
    kind: str = FIRST  # FIRST, ADDITIONAL or REVOTE (among the tied of the round before)


@dataclass
class Line:
    key: str
    name: str
    for_votes: int
    against: int
    abstain: int
    write_in: bool
    status: str  # ELECTED, TIED (revote) or NOT_ELECTED
    reason: str


@dataclass
class Outcome:
    valid: bool  # False: the round is void (or cannot be judged yet)
    void_reasons: list[str]
    problems: list[str]  # counting not finished or inconsistent: the result is provisional
    base: int  # "more than half" of this number
    threshold: int  # the fewest approving votes that are more than half of `base`
    lines: list[Line]
    elected: list[str]  # keys, in order of votes
    revote: list[str]  # keys tied at the cut: revote among them
    revote_seats: int
    remaining_seats: int  # seats left for another round
    summary: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"complete": self.complete}


@dataclass(frozen=True)
class BallotCount:
    valid: int
    invalid: int
    for_votes: tuple[int, ...]
    against: tuple[int, ...]
    abstain: tuple[int, ...]
    write_ins: dict[str, int]


def ballot_is_valid(marks: str, write_ins: Sequence[str], void: bool, width: int, seats: int):
    """A ballot counts when it is readable, complete, and approves no more names than seats."""
    if void or len(marks) != width or marks.strip(_MARK_CHARS):
        return False
    if write_ins:
        names = [n for n in write_ins if n]
        if len(set(names)) != len(names):
            return False
        return marks.count(FOR) + len(names) <= seats
    return marks.count(FOR) <= seats


_MARK_CHARS = "".join(sorted(MARKS))


def count_ballots(
    ballots: Iterable[tuple[str, Sequence[str], bool]], width: int, seats: int
) -> BallotCount:
    """Per-candidate counts of `ballots` = (marks, write_ins, void), `width` names on the sheet."""
    kept: list[str] = []
    written: Counter = Counter()
    invalid = 0
    for marks, names, void in ballots:
        if names or void:  # the rare ballots: the full check
            if not ballot_is_valid(marks, names, void, width, seats):
                invalid += 1
                continue
            written.update(n for n in names if n)
        elif len(marks) != width or marks.strip(_MARK_CHARS) or marks.count(FOR) > seats:
            invalid += 1
            continue
        kept.append(marks)
    columns = list(zip(*kept, strict=True)) if kept else [()] * width
    yes = tuple(col.count(FOR) for col in columns)
    no = tuple(col.count(AGAINST) for col in columns)
    neither = tuple(len(kept) - y - n for y, n in zip(yes, no, strict=True))
    return BallotCount(len(kept), invalid, yes, no, neither, dict(written))


def _base_label(rules: Rules) -> str:
    if rules.majority_of == PRESENT:
        return _("the entitled voters present")
    return _("those due to attend")


def _quorum_met(present: int, entitled: int, rules: Rules) -> bool:
    share = rules.quorum * entitled
    return present > share if rules.quorum_strict else present >= share


def _missing(counts: Counts) -> bool:
    return None in (counts.present, counts.issued, counts.returned)


def _void(counts: Counts, rules: Rules) -> list[str]:
    reasons = []
    if counts.present > counts.entitled:
        reasons.append(
            _("%(present)s present is more than the %(entitled)s entitled: check the figures.")
            % {"present": counts.present, "entitled": counts.entitled}
        )
    elif not _quorum_met(counts.present, counts.entitled, rules):
        comparison = _("more than") if rules.quorum_strict else _("at least")
        reasons.append(
            _(
                "%(present)s of %(entitled)s present: the vote needs %(comparison)s "
                "%(share)s of them, so the election is not valid."
            )
            % {
                "present": counts.present,
                "entitled": counts.entitled,
                "comparison": comparison,
                "share": _fraction_words(rules.quorum),
            }
        )
    if counts.returned > counts.issued:
        reasons.append(
            _(
                "%(returned)s ballots returned but only %(issued)s issued: more returned than "
                "issued, so this round of voting is void."
            )
            % {"returned": counts.returned, "issued": counts.issued}
        )
    return reasons


def _fraction_words(share: Fraction) -> str:
    words = {Fraction(4, 5): _("four fifths"), Fraction(2, 3): _("two thirds")}
    if share in words:
        return words[share]
    return f"{share.numerator}/{share.denominator}"


def _problems(counts: Counts) -> list[str]:
    found: list[str] = []
    counted = counts.valid + counts.invalid
    if counts.returned is not None and counted != counts.returned:
        found.append(
            _(
                "%(counted)s ballots counted but %(returned)s returned: the count is not "
                "finished or does not match."
            )
            % {"counted": counted, "returned": counts.returned}
        )
    approvals = sum(t.for_votes for t in counts.tallies)
    if approvals > counts.valid * counts.seats:
        found.append(
            _(
                "%(approvals)s approving votes are more than %(valid)s valid ballots can hold "
                "(%(seats)s names each): check the entries."
            )
            % {"approvals": approvals, "valid": counts.valid, "seats": counts.seats}
        )
    for t in counts.tallies:
        if t.for_votes + t.against + t.abstain > counts.valid:
            found.append(
                _("%(name)s has more marks than there are valid ballots (%(valid)s).")
                % {"name": t.name, "valid": counts.valid}
            )
    return found


def _rank(rules: Rules):
    if rules.tie_rule == FEWER_AGAINST:
        return lambda t: (t.for_votes, -t.against)
    return lambda t: (t.for_votes,)


def _names(tallies) -> str:
    return "、".join(t.name for t in tallies)


def decide(counts: Counts, rules: Rules) -> Outcome:
    """The result of one round: who is elected, who goes to a revote, how many seats remain."""
    missing = _missing(counts)
    void = [] if missing else _void(counts, rules)
    problems = _problems(counts)
    if missing:
        problems.insert(
            0,
            _("Enter the number present and the ballots issued and returned before the result."),
        )
    base = counts.present if rules.majority_of == PRESENT else counts.entitled
    base = base or 0
    threshold = base // 2 + 1
    ordered = sorted(counts.tallies, key=lambda t: (-t.for_votes, t.against, t.key))
    outcome = Outcome(
        valid=not void and not missing,
        void_reasons=void,
        problems=problems,
        base=base,
        threshold=threshold,
        lines=[],
        elected=[],
        revote=[],
        revote_seats=0,
        remaining_seats=counts.seats,
    )
    if void or missing:
        why = (
            _("The round is void: nobody is elected in it.")
            if void
            else _("Not judged until the figures are entered.")
        )
        outcome.lines = [
            Line(t.key, t.name, t.for_votes, t.against, t.abstain, t.write_in, NOT_ELECTED, why)
            for t in ordered
        ]
        outcome.summary = [*void, *problems]
        return outcome

    revote_round = counts.kind == REVOTE
    if revote_round:
        qualified = [t for t in ordered if not t.write_in and t.for_votes > 0]
    else:
        qualified = [t for t in ordered if 2 * t.for_votes > base]
    rank = _rank(rules)
    ranked = sorted(qualified, key=lambda t: (rank(t), t.key), reverse=True)
    seats = counts.seats
    tied: list[Tally] = []
    if len(ranked) <= seats:
        elected = ranked
    else:
        cut = rank(ranked[seats - 1])
        if rank(ranked[seats]) != cut:
            elected = ranked[:seats]
        else:
            elected = [t for t in ranked if rank(t) > cut]
            tied = [t for t in ranked if rank(t) == cut]
    revote_seats = seats - len(elected) if tied else 0
    remaining = seats - len(elected) - revote_seats
    elected_keys = {t.key for t in elected}
    tied_keys = {t.key for t in tied}
    label = _base_label(rules)

    def reason(t: Tally) -> tuple[str, str]:
        votes = {"name": t.name, "n": t.for_votes, "base": base, "label": label}
        same_votes = [o for o in ranked if o.key != t.key and o.for_votes == t.for_votes]
        if t.key in elected_keys:
            if revote_round:
                return ELECTED, _("%(n)s votes in the revote, among the most: elected.") % votes
            crossing = [o for o in same_votes if o.key not in elected_keys]
            if crossing and rules.tie_rule == FEWER_AGAINST:
                return ELECTED, _(
                    "%(n)s approving votes, as many as %(others)s, but fewer against "
                    "(%(against)s): elected."
                ) % {**votes, "others": _names(crossing), "against": t.against}
            return ELECTED, _(
                "%(n)s approving votes, more than half of the %(base)s %(label)s: elected."
            ) % votes
        if t.key in tied_keys:
            others = [o for o in tied if o.key != t.key]
            if rules.tie_rule == FEWER_AGAINST:
                text = _(
                    "%(n)s approving votes and %(against)s against, the same as %(others)s, "
                    "with too few seats left: a revote among them decides."
                )
            else:
                text = _(
                    "%(n)s approving votes, the same as %(others)s, with too few seats left: "
                    "a revote among them decides."
                )
            return TIED, text % {**votes, "against": t.against, "others": _names(others)}
        if revote_round:
            if t.write_in:
                return NOT_ELECTED, _(
                    "Written in during a revote among the tied: not counted."
                ) % votes
            return NOT_ELECTED, _(
                "%(n)s votes in the revote, fewer than the others: not elected."
            ) % votes
        beaten = [o for o in same_votes if o.key in elected_keys]
        if beaten and rules.tie_rule == FEWER_AGAINST:
            return NOT_ELECTED, _(
                "%(n)s approving votes, as many as %(others)s, but more against "
                "(%(against)s): not elected."
            ) % {**votes, "others": _names(beaten), "against": t.against}
        if 2 * t.for_votes > base:
            return NOT_ELECTED, _(
                "%(n)s approving votes, more than half, but the seats went to candidates "
                "with more votes: not elected."
            ) % votes
        if 2 * t.for_votes == base:
            return NOT_ELECTED, _(
                "%(n)s approving votes, exactly half of the %(base)s %(label)s and not more "
                "than half: not elected."
            ) % votes
        return NOT_ELECTED, _(
            "%(n)s approving votes, not more than half of the %(base)s %(label)s "
            "(at least %(threshold)s needed): not elected."
        ) % {**votes, "threshold": threshold}

    for t in ordered:
        status, why = reason(t)
        outcome.lines.append(
            Line(t.key, t.name, t.for_votes, t.against, t.abstain, t.write_in, status, why)
        )
    outcome.elected = [t.key for t in elected]
    outcome.revote = [t.key for t in tied]
    outcome.revote_seats = revote_seats
    outcome.remaining_seats = remaining
    outcome.summary.append(
        _("%(seats)s seats, %(elected)s elected.") % {"seats": seats, "elected": len(elected)}
    )
    if tied:
        outcome.summary.append(
            _("%(names)s are tied at the cut: revote among them for %(n)s seats.")
            % {"names": _names(tied), "n": revote_seats}
        )
    if remaining:
        outcome.summary.append(
            _(
                "%(n)s seats are not filled: hold another round for them, with candidates "
                "chosen from those not elected."
            )
            % {"n": remaining}
        )
    outcome.summary += outcome.problems
    return outcome
