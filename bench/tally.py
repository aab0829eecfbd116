"""Tallying a congress entered as individual ballots, against a plain-Python count in memory.

Setup: a congress of 5,000 delegates (small; district 20,000, city 50,000, province 100,000)
electing 50 of 60 candidates (ceil(50 × 1.2) = 60) under the Party rules; 98% present; each
paper ballot approves up to 50 names (about 1% approve more and are invalid), marks "against"
on some of the rest, and one in a hundred writes a name in. The ballots are entered through
`elections.services.enter_ballots` in stacks of 1,000 (timed, for information).

Ours:  `elections.selectors.outcome_of(poll)`: the whole tally as the result page, the
       command line and closing a poll run it — read the 5,000 ballot rows, check each one
       (over-marked ballots are invalid), count, add the tally sheets (none here), read the
       rules from policy, decide, and explain every candidate's result in Chinese.
Floor: the same ballots already in memory, counted by plain Python (validity check, then
       one `str.count` per candidate column): what the count costs with no database, no
       rules and no explanations. A naive per-mark loop is timed too, for reference.
Both must give the same per-candidate counts. Target: ours under 1 s at 5,000 delegates.

    python bench/tally.py [--scale small|district|city|province] [--db sqlite|postgres]
"""

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness

NAME = "tally"
DELEGATES = {"small": 5_000, "district": 20_000, "city": 50_000, "province": 100_000}
CANDIDATES, SEATS = 60, 50
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国志强海燕丽华明德秀英玉兰文杰晓东红梅春生伟光宏伟桂芝淑珍"


def candidate_names(rnd: random.Random) -> list[str]:
    names: list[str] = []
    while len(names) < CANDIDATES:
        name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, 2))
        if name not in names:
            names.append(name)
    return names


def paper_ballots(rnd: random.Random, count: int) -> list[dict]:
    popularity = [rnd.uniform(0.35, 0.98) for _ in range(CANDIDATES)]
    ballots = []
    for _ in range(count):
        marks = ["-"] * CANDIDATES
        approved = 0
        for i in sorted(range(CANDIDATES), key=lambda _i: rnd.random()):
            if rnd.random() < popularity[i] and approved < SEATS:
                marks[i], approved = "Y", approved + 1
            elif rnd.random() < 0.3:
                marks[i] = "N"
        if rnd.random() < 0.01:  # over-marked: every name approved
            marks = ["Y"] * CANDIDATES
        entry = {"marks": "".join(marks)}
        if rnd.random() < 0.01 and approved < SEATS:
            entry["write_ins"] = ["另选" + rnd.choice(SURNAMES)]
        ballots.append(entry)
    return ballots


def plain_count(ballots: list[tuple[str, list[str]]], seats: int):
    """The floor: validity, then one str.count per candidate column, all in memory."""
    kept = [m for m, w in ballots if m.count("Y") + len(w) <= seats]
    columns = list(zip(*kept, strict=True))
    return len(kept), [c.count("Y") for c in columns], [c.count("N") for c in columns]


def naive_count(ballots: list[tuple[str, list[str]]], seats: int):
    """For reference: the textbook loop, mark by mark."""
    yes, no = [0] * CANDIDATES, [0] * CANDIDATES
    valid = 0
    for marks, written in ballots:
        if marks.count("Y") + len(written) > seats:
            continue
        valid += 1
        for i, m in enumerate(marks):
            if m == "Y":
                yes[i] += 1
            elif m == "N":
                no[i] += 1
    return valid, yes, no


def main() -> None:
    args = _harness.parse_args(NAME, __doc__.splitlines()[0], "small")
    delegates = DELEGATES[args.scale]
    prepared = _harness.prepare(argparse.Namespace(**{**vars(args), "scale": "small"}))

    from jiceng.access.services import system_actor
    from jiceng.elections import selectors, services
    from jiceng.orgs.models import Organization

    actor = system_actor()
    org = Organization.objects.filter(parent__isnull=True, tree="party").order_by("pk").first()
    rnd = random.Random(20261122)
    present = delegates * 98 // 100
    poll = services.create_poll(
        actor,
        org=org,
        title="党员代表大会选举委员会委员",
        seats=SEATS,
        entitled=delegates,
        held_on=dt.date(2026, 6, 1),
        candidates=candidate_names(rnd),
    )
    ballots = paper_ballots(rnd, present)
    started = time.perf_counter()
    for first in range(0, len(ballots), 1000):
        services.enter_ballots(actor, poll, ballots[first : first + 1000])
    services.record_attendance(actor, poll, present=present, issued=present, returned=present)
    entry_seconds = time.perf_counter() - started
    _harness.say(
        f"{present:,} of {delegates:,} delegates present; {len(ballots):,} ballots × "
        f"{CANDIDATES} candidates entered in {entry_seconds:.2f}s ({len(ballots) / entry_seconds:,.0f} ballots/s)"
    )

    sheet = selectors.ballot_sheet(poll)
    by_name = {c.name: i for i, c in enumerate(sheet)}
    # The same ballots in memory, in the order of the sheet (the entry used that order too).
    in_memory = [(b["marks"], b.get("write_ins", [])) for b in ballots]

    def ours():
        return selectors.outcome_of(poll)

    def floor():
        return plain_count(in_memory, SEATS)

    def naive():
        return naive_count(in_memory, SEATS)

    outcome = ours()
    valid, yes, no = floor()
    mine = {li.name: (li.for_votes, li.against) for li in outcome.lines if not li.write_in}
    theirs = {c.name: (yes[by_name[c.name]], no[by_name[c.name]]) for c in sheet}
    if mine != theirs or naive() != (valid, yes, no):
        sys.exit("bench: ours and the floor count differently")
    if not outcome.valid or outcome.problems:
        sys.exit(f"bench: the result is not valid: {outcome.void_reasons or outcome.problems}")
    _harness.say(
        f"same counts on both ({valid:,} valid, {len(ballots) - valid:,} invalid); "
        f"{len(outcome.elected)} elected, {outcome.remaining_seats} seats left, "
        f"{len(outcome.revote)} tied at the cut"
    )
    best = _harness.race(
        {
            "ours: outcome_of(poll)": ours,
            "floor: plain count in memory": floor,
            "reference: naive loop in memory": naive,
        },
        args.repeat,
    )
    ours_time, floor_time = best["ours: outcome_of(poll)"], best["floor: plain count in memory"]
    vendor = "postgres" if prepared.vendor == "postgresql" else "sqlite"
    verdict = "under 1 s" if ours_time < 1 else "OVER 1 s"
    _harness.last_line(
        NAME,
        f"{ours_time * 1000:.1f}ms to tally {len(ballots):,} ballots × {CANDIDATES} candidates ({verdict})",
        ours_time / floor_time,
        f"plain-Python count of the same ballots in memory ({vendor}, {args.scale})",
    )


if __name__ == "__main__":
    main()
