"""Polls: candidates, attendance and ballot counts, tally sheets and their corrections,
individual ballots, electronic voting and closing (DOMAIN.md §4). Every write checks the
gate and is audited, except what would tie a voter to a ballot (see `cast_vote`).
"""

import datetime as dt
import json
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.kernel.bulk import insert_rows
from jiceng.policy.selectors import value as policy_value

from .. import ordering, tally
from ..models import (
    Ballot,
    BallotCorrection,
    Candidate,
    Committee,
    Poll,
    PollStatus,
    Post,
    RoundKind,
    SealedBallot,
    System,
    TallyCorrection,
    TallyLine,
    TallySheet,
    VoterMark,
    random_key,
)

_shuffle = random.SystemRandom().shuffle


def _open(poll: Poll) -> None:
    if poll.status != PollStatus.OPEN:
        raise ValidationError({"poll": _("The poll is closed: its result has been declared.")})


def _counting_started(poll: Poll) -> bool:
    return (
        poll.sheets.exists()
        or poll.ballots.exists()
        or poll.sealed_ballots.exists()
        or poll.voter_marks.exists()
    )


def poll_snapshot(poll: Poll) -> dict:
    return {
        "org": poll.org.code,
        "title": poll.title,
        "system": poll.system,
        "seats": poll.seats,
        "entitled": poll.entitled,
        "held_on": poll.held_on,
        "round": poll.round,
        "kind": poll.kind,
        "parent": poll.parent_id,
        "present": poll.present,
        "issued": poll.issued,
        "returned": poll.returned,
        "ballot_order": poll.ballot_order,
        "electronic": poll.electronic,
        "case": poll.case_id,
        "post": poll.post,
        "candidates": list(poll.candidates.order_by("position").values_list("name", flat=True)),
    }


def _reorder(poll: Poll) -> None:
    """Places on the ballot sheet by the poll's ordering (surname strokes, or as nominated)."""
    found = list(poll.candidates.order_by("position", "pk"))
    if poll.ballot_order == ordering.SURNAME_STROKES:
        found.sort(key=lambda c: (c.sort_key, c.pk))
    for place, c in enumerate(found, start=1):
        if c.position != place:
            c.position = place
            c.save(update_fields=["position"])


def _add(poll: Poll, name: str, person=None) -> Candidate:
    name = "".join((name or getattr(person, "name", "")).split())
    if not name:
        raise ValidationError({"candidates": _("Enter the candidate's name.")})
    if poll.candidates.filter(name=name).exists():
        raise ValidationError(
            {
                "candidates": _(
                    "%(name)s is already on the ballot; two candidates with the same name need "
                    "a distinguishing note, e.g. 张伟（男，1980年生）."
                )
                % {"name": name}
            }
        )
    place = (
        poll.candidates.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    return Candidate.objects.create(
        poll=poll, person=person, name=name, sort_key=ordering.stroke_key(name), position=place
    )


def _candidate_items(candidates) -> list[tuple[str, object]]:
    items = []
    for c in candidates:
        if isinstance(c, str):
            items.append((c, None))
        elif isinstance(c, dict):
            items.append((c.get("name", ""), c.get("person")))
        else:  # a Person
            items.append((c.name, c))
    return items


@transaction.atomic
def create_poll(
    actor,
    *,
    org,
    title: str,
    seats: int,
    entitled: int,
    held_on: dt.date,
    candidates=(),
    system: str | None = None,
    committee: str = "",
    parent: Poll | None = None,
    kind: str = RoundKind.FIRST,
    electronic: bool = False,
    case=None,
    post: str = "",
) -> Poll:
    """A round of voting at `org`. A later round (`parent`) follows a declared result: a revote
    among the tied, or a further round for the seats left empty."""
    gate.require(actor, gate.MANAGE, org)
    candidates = list(candidates)
    errors = {}
    system = system or org.tree
    if system not in System.values:
        errors["system"] = _("This is not one of the allowed values.")
    elif system != org.tree:
        errors["system"] = _("%(org)s votes under its own tree's rules.") % {"org": org.name}
    if committee and committee not in Committee.values:
        errors["committee"] = _("This is not one of the allowed values.")
    if post and post not in Post.values:
        errors["post"] = _("This is not one of the allowed values.")
    if case is not None and case.org_id != org.pk:
        errors["case"] = _("The election case belongs to another organization.")
    if not (title or "").strip():
        errors["title"] = _("Enter the title.")
    if seats < 1:
        errors["seats"] = _("There must be at least one seat.")
    if entitled < 1:
        errors["entitled"] = _("Enter the number entitled to attend.")
    elif seats > entitled:
        errors["seats"] = _("%(seats)s seats cannot be filled by %(n)s entitled to vote.") % {
            "seats": seats,
            "n": entitled,
        }
    named = len(candidates)
    if kind == RoundKind.FIRST and named and named < seats and "seats" not in errors:
        errors["candidates"] = _(
            "%(n)s candidates for %(seats)s seats: a poll needs at least as many candidates as "
            "seats."
        ) % {"n": named, "seats": seats}
    if kind not in RoundKind.values:
        errors["kind"] = _("This is not one of the allowed values.")
    round_number = 1
    if parent is not None:
        parent = Poll.objects.get(pk=parent.pk)  # its declared result as stored now
    if kind != RoundKind.FIRST or parent is not None:
        if parent is None or kind == RoundKind.FIRST:
            errors["parent"] = _("A revote or a further round follows a previous round.")
        elif parent.org_id != org.pk:
            errors["parent"] = _("The previous round belongs to another organization.")
        elif parent.case_id != getattr(case, "pk", None) or parent.post != post:
            errors["parent"] = _("A later round belongs to the same election as the round before.")
        elif parent.status != PollStatus.CLOSED or not parent.result:
            errors["parent"] = _("Declare the result of the previous round first.")
        else:
            round_number = parent.round + 1
            left = parent.result.get(
                "revote_seats" if kind == RoundKind.REVOTE else "remaining_seats", 0
            )
            if seats > left:
                errors["seats"] = _(
                    "The previous round left %(n)s seats for this kind of round."
                ) % {"n": left}
            if kind == RoundKind.REVOTE:
                tied = {
                    line["name"]
                    for line in parent.result.get("lines", [])
                    if line["key"] in parent.result.get("revote", [])
                }
                names = {"".join(n.split()) for n, _p in _candidate_items(candidates)}
                if names != tied:
                    errors["candidates"] = _("A revote is among the tied only: %(names)s.") % {
                        "names": "、".join(sorted(tied))
                    }
    if errors:
        raise ValidationError(errors)
    poll = Poll.objects.create(
        org=org,
        title=title.strip(),
        system=system,
        committee=committee,
        seats=seats,
        entitled=entitled,
        held_on=held_on,
        round=round_number,
        kind=kind,
        parent=parent,
        ballot_order=policy_value("elections.ballot.order", org=org, on=held_on),
        electronic=electronic,
        case=case,
        post=post,
        created_by=actor,
    )
    for name, person in _candidate_items(candidates):
        _add(poll, name, person)
    _reorder(poll)
    record(actor, "elections.poll.create", poll, after=poll_snapshot(poll), org=org)
    return poll


@transaction.atomic
def add_candidate(actor, poll: Poll, *, name: str = "", person=None) -> Candidate:
    gate.require(actor, gate.MANAGE, poll.org)
    _open(poll)
    if _counting_started(poll):
        raise ValidationError(
            {"candidates": _("Counting has begun: the ballot sheet can no longer change.")}
        )
    c = _add(poll, name, person)
    _reorder(poll)
    record(actor, "elections.poll.add_candidate", poll, after={"name": c.name}, org=poll.org)
    c.refresh_from_db()
    return c


@transaction.atomic
def record_attendance(
    actor,
    poll: Poll,
    *,
    present: int | None = None,
    issued: int | None = None,
    returned: int | None = None,
) -> Poll:
    """The scrutineers' figures: present, ballots issued and returned. A correction is a new
    call; the audit log keeps who changed which figure from what to what."""
    gate.require(actor, gate.MANAGE, poll.org)
    _open(poll)
    before = {"present": poll.present, "issued": poll.issued, "returned": poll.returned}
    for name, value in (("present", present), ("issued", issued), ("returned", returned)):
        if value is not None:
            if value < 0:
                raise ValidationError({name: _("The number is too small.")})
            setattr(poll, name, value)
    errors = {}
    if poll.present is not None and poll.present > poll.entitled:
        errors["present"] = _("More present (%(p)s) than entitled to attend (%(e)s).") % {
            "p": poll.present,
            "e": poll.entitled,
        }
    if poll.issued is not None and poll.present is not None and poll.issued > poll.present:
        errors["issued"] = _("More ballots issued (%(i)s) than people present (%(p)s).") % {
            "i": poll.issued,
            "p": poll.present,
        }
    if errors:
        raise ValidationError(errors)
    poll.save(update_fields=["present", "issued", "returned"])
    after = {"present": poll.present, "issued": poll.issued, "returned": poll.returned}
    record(
        actor, "elections.poll.record_attendance", poll, before=before, after=after, org=poll.org
    )
    return poll


# -- tally sheets ---------------------------------------------------------------------------

LINE_FIELDS = ("for_votes", "against", "abstain")


def _check_sheet(poll: Poll, ballots: int, invalid: int, lines: list[TallyLine]) -> list[str]:
    """What is impossible about a batch's numbers (empty: nothing)."""
    if invalid > ballots:
        return [_("More invalid ballots than ballots in the batch.")]
    found = []
    valid = ballots - invalid
    for line in lines:
        marks = line.for_votes + line.against + line.abstain
        if marks > valid:
            found.append(
                _("%(name)s: %(n)s marks, more than the %(valid)s valid ballots of the batch.")
                % {
                    "name": line.candidate.name if line.candidate else line.write_in,
                    "n": marks,
                    "valid": valid,
                }
            )
    approvals = sum(line.for_votes for line in lines)
    if approvals > valid * poll.seats:
        found.append(
            _(
                "%(n)s approving votes in all, more than %(valid)s valid ballots with %(seats)s "
                "names each can hold."
            )
            % {"n": approvals, "valid": valid, "seats": poll.seats}
        )
    return found


def _sheet_snapshot(sheet: TallySheet) -> dict:
    return {
        "label": sheet.label,
        "ballots": sheet.ballots,
        "invalid": sheet.invalid,
        "lines": [
            [
                line.candidate.name if line.candidate_id else line.write_in,
                line.for_votes,
                line.against,
                line.abstain,
            ]
            for line in sheet.lines.select_related("candidate").order_by("pk")
        ],
    }


def _count(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < 0:
        raise ValidationError({field: _("The number is too small.")})
    return number


@transaction.atomic
def enter_sheet(
    actor, poll: Poll, *, label: str, ballots: int, invalid: int = 0, lines: list[dict]
) -> TallySheet:
    """A counting team's batch: `ballots` paper ballots, `invalid` of them invalid, and for each
    candidate {"name", "for", "against", "abstain"} (abstain defaults to the rest of the valid
    ballots); names written in by voters as {"write_in": NAME, "for": N}. Every candidate on
    the sheet must have a line."""
    gate.require(actor, gate.MANAGE, poll.org)
    _open(poll)
    if poll.electronic:
        raise ValidationError({"poll": _("This poll is voted electronically.")})
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Name the batch (e.g. 第一计票组).")})
    if poll.sheets.filter(label=label).exists():
        raise ValidationError(
            {
                "label": _("Batch “%(label)s” is already entered; correct it instead.")
                % {"label": label}
            }
        )
    ballots, invalid = _count(ballots, "ballots"), _count(invalid, "invalid")
    valid = ballots - invalid
    candidates = {c.name: c for c in poll.candidates.all()}
    rows: list[TallyLine] = []
    seen, problems = set(), []
    for entry in lines:
        yes = _count(entry.get("for", 0), "lines")
        no = _count(entry.get("against", 0), "lines")
        written = "".join((entry.get("write_in") or "").split())
        name = "".join((entry.get("name") or "").split())
        if written:
            if written in candidates:
                problems.append(
                    _("%(name)s is on the ballot: enter the votes on the candidate's line.")
                    % {"name": written}
                )
                continue
            key = ("w", written)
            line = TallyLine(write_in=written, for_votes=yes)
        elif name in candidates:
            key = ("c", name)
            rest = valid - yes - no
            abstain = (
                _count(entry["abstain"], "lines")
                if entry.get("abstain") is not None
                else max(rest, 0)
            )
            line = TallyLine(candidate=candidates[name], for_votes=yes, against=no, abstain=abstain)
        else:
            problems.append(_("%(name)s is not a candidate in this poll.") % {"name": name or "?"})
            continue
        if key in seen:
            problems.append(_("%(name)s has two lines.") % {"name": written or name})
        seen.add(key)
        rows.append(line)
    missing = [n for n in candidates if ("c", n) not in seen]
    if missing:
        problems.append(_("No counts for %(names)s.") % {"names": "、".join(missing)})
    problems += _check_sheet(poll, ballots, invalid, rows)
    if problems:
        raise ValidationError({"lines": problems})
    sheet = TallySheet.objects.create(
        poll=poll, label=label, ballots=ballots, invalid=invalid, entered_by=actor
    )
    for line in rows:
        line.sheet = sheet
    TallyLine.objects.bulk_create(rows)
    record(actor, "elections.poll.enter_sheet", sheet, after=_sheet_snapshot(sheet), org=poll.org)
    return sheet


@transaction.atomic
def correct_sheet(
    actor,
    sheet: TallySheet,
    *,
    reason: str,
    ballots: int | None = None,
    invalid: int | None = None,
    lines: list[dict] = (),
) -> list[TallyCorrection]:
    """Correct numbers of a batch. Each changed number becomes its own correction row
    (who, when, old, new); the sheet shows the corrected figures."""
    poll = sheet.poll
    gate.require(actor, gate.MANAGE, poll.org)
    _open(poll)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    before = _sheet_snapshot(sheet)
    changes: list[TallyCorrection] = []

    def change(line, field, new):
        target = line or sheet
        old = getattr(target, field)
        if new is not None and new != old:
            setattr(target, field, new)
            changes.append(
                TallyCorrection(
                    sheet=sheet,
                    line=line,
                    field=field,
                    old=old,
                    new=new,
                    reason=reason.strip(),
                    corrected_by=actor,
                )
            )

    change(None, "ballots", None if ballots is None else _count(ballots, "ballots"))
    change(None, "invalid", None if invalid is None else _count(invalid, "invalid"))
    by_name = {
        (line.candidate.name if line.candidate_id else line.write_in): line
        for line in sheet.lines.select_related("candidate")
    }
    for entry in lines:
        name = "".join((entry.get("name") or entry.get("write_in") or "").split())
        line = by_name.get(name)
        if line is None:
            raise ValidationError(
                {"lines": _("%(name)s has no line on this sheet.") % {"name": name}}
            )
        for field, key in (("for_votes", "for"), ("against", "against"), ("abstain", "abstain")):
            if entry.get(key) is not None:
                change(line, field, _count(entry[key], "lines"))
    if not changes:
        raise ValidationError({"lines": _("Nothing changed.")})
    problems = _check_sheet(poll, sheet.ballots, sheet.invalid, list(by_name.values()))
    if problems:
        raise ValidationError({"lines": problems})
    sheet.save(update_fields=["ballots", "invalid"])
    for line in {c.line for c in changes if c.line is not None}:
        line.save(update_fields=list(LINE_FIELDS))
    TallyCorrection.objects.bulk_create(changes)
    record(
        actor,
        "elections.poll.correct_sheet",
        sheet,
        before=before,
        after={**_sheet_snapshot(sheet), "reason": reason.strip()},
        org=poll.org,
    )
    return changes


# -- individual ballots ---------------------------------------------------------------------


def _normal_ballot(poll: Poll, names: set[str], width: int, entry) -> tuple[str, list[str], bool]:
    if isinstance(entry, str):
        entry = {"marks": entry}
    marks = "".join(str(entry.get("marks", "")).split()).upper()
    written = ["".join(str(n).split()) for n in entry.get("write_ins") or []]
    written = [n for n in written if n]
    void = bool(entry.get("void", False))
    if len(marks) != width or not set(marks) <= tally.MARKS:
        raise ValidationError(
            {
                "ballots": _(
                    "Each ballot has one mark per candidate, %(width)s in all: Y for, N against, "
                    "- neither."
                )
                % {"width": width}
            }
        )
    clash = [n for n in written if n in names]
    if clash:
        raise ValidationError(
            {"ballots": _("%(name)s is on the ballot: not a written-in name.") % {"name": clash[0]}}
        )
    return marks, written, void


def _store_shuffled(poll: Poll, rows: list[tuple[str, list[str], bool]]) -> None:
    """Insert ballots in a random order under random keys: storage says nothing of entry order."""
    rows = list(rows)
    _shuffle(rows)
    insert_rows(
        Ballot._meta.db_table,
        ["id", "poll_id", "marks", "write_ins", "void"],
        [(random_key(), poll.pk, m, json.dumps(w, ensure_ascii=False), v) for m, w, v in rows],
    )


@transaction.atomic
def enter_ballots(actor, poll: Poll, ballots: list) -> int:
    """Paper ballots entered one by one as marks (a stack at a time): [{"marks": "YN-…",
    "write_ins": […], "void": false}, …] or plain mark strings. Over-marked ballots are stored
    as they are and counted invalid by the tally."""
    gate.require(actor, gate.MANAGE, poll.org)
    _open(poll)
    if poll.electronic:
        raise ValidationError({"poll": _("This poll is voted electronically.")})
    names = set(poll.candidates.values_list("name", flat=True))
    width = len(names)
    rows = [_normal_ballot(poll, names, width, entry) for entry in ballots]
    if not rows:
        raise ValidationError({"ballots": _("No ballots given.")})
    _store_shuffled(poll, rows)
    record(actor, "elections.poll.enter_ballots", poll, after={"entered": len(rows)}, org=poll.org)
    return len(rows)


@transaction.atomic
def correct_ballot(
    actor, poll: Poll, ballot_id: int, *, marks: str, write_ins=(), void: bool = False, reason: str
) -> BallotCorrection:
    """Put right a paper ballot entered wrongly; the old and new marks are kept."""
    gate.require(actor, gate.MANAGE, poll.org)
    _open(poll)
    if poll.electronic:
        raise ValidationError({"poll": _("Electronic ballots cannot be changed.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    ballot = Ballot.objects.get(poll=poll, pk=ballot_id)
    names = set(poll.candidates.values_list("name", flat=True))
    new_marks, new_written, new_void = _normal_ballot(
        poll, names, len(names), {"marks": marks, "write_ins": list(write_ins), "void": void}
    )
    fix = BallotCorrection.objects.create(
        poll=poll,
        old_marks=ballot.marks,
        new_marks=new_marks,
        old_write_ins=ballot.write_ins,
        new_write_ins=new_written,
        old_void=ballot.void,
        new_void=new_void,
        reason=reason.strip(),
        corrected_by=actor,
    )
    ballot.marks, ballot.write_ins, ballot.void = new_marks, new_written, new_void
    ballot.save(update_fields=["marks", "write_ins", "void"])
    record(
        actor,
        "elections.poll.correct_ballot",
        poll,
        org=poll.org,
        before={"marks": fix.old_marks, "write_ins": fix.old_write_ins, "void": fix.old_void},
        after={
            "marks": new_marks,
            "write_ins": new_written,
            "void": new_void,
            "reason": fix.reason,
        },
    )
    return fix


# -- electronic voting ----------------------------------------------------------------------


@transaction.atomic
def open_roll(actor, poll: Poll, persons) -> int:
    """The electronic roll: who may vote in `poll` (a `VoterMark` each, not yet voted)."""
    gate.require(actor, gate.MANAGE, poll.org)
    _open(poll)
    if not poll.electronic:
        raise ValidationError({"poll": _("This poll is voted on paper.")})
    known = set(poll.voter_marks.values_list("person_id", flat=True))
    new = [p for p in dict.fromkeys(persons) if p.pk not in known]
    if len(known) + len(new) > poll.entitled:
        raise ValidationError(
            {"persons": _("More voters than the %(n)s entitled to attend.") % {"n": poll.entitled}}
        )
    _shuffle(new)
    VoterMark.objects.bulk_create([VoterMark(poll=poll, person=p) for p in new])
    record(
        actor,
        "elections.poll.open_roll",
        poll,
        after={"voters": len(known) + len(new)},
        org=poll.org,
    )
    return len(new)


def cast_vote(user, poll: Poll, *, marks: str, write_ins=()) -> None:
    """A voter casts an electronic ballot. One transaction marks the voter as having voted and
    drops the ballot, sealed, into the poll's ballot box (`SealedBallot`): the vote is kept
    the moment it is cast, and although on PostgreSQL the mark and the slip share a
    transaction id, the slip is ciphertext under a key the database does not hold. Nothing is
    written to `Ballot` until the poll closes (`_open_box`). The audit event (that this user
    voted, never how, naming the poll only) is written after the commit, in a transaction of
    its own."""
    person = getattr(user, "person", None)
    if not getattr(user, "is_authenticated", False) or person is None:
        raise PermissionDenied(_("Only a voter on the roll can vote."))
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        _open(poll)
        if not poll.electronic:
            raise ValidationError({"poll": _("This poll is voted on paper.")})
        mark = VoterMark.objects.select_for_update().filter(poll=poll, person=person).first()
        if mark is None:
            raise PermissionDenied(_("Only a voter on the roll can vote."))
        if mark.has_voted:
            raise ValidationError({"poll": _("You have already voted in this poll.")})
        names = set(poll.candidates.values_list("name", flat=True))
        row = _normal_ballot(
            poll, names, len(names), {"marks": marks, "write_ins": list(write_ins)}
        )
        mark.has_voted = True
        mark.save(update_fields=["has_voted"])
        SealedBallot.objects.create(poll=poll, sealed=SealedBallot.seal(poll.pk, *row[:2]))
        transaction.on_commit(lambda: record(user, "elections.poll.vote", poll, org=poll.org))


# -- closing --------------------------------------------------------------------------------


def _open_box(poll: Poll) -> None:
    """Open the poll's ballot box and rewrite its ballots and voter marks in a random order,
    in one statement each (the caller's transaction).

    Every sealed slip is decrypted and joins the readable ballots; all ballots get new random
    keys (a slip's key was written in its voter's transaction) and are inserted shuffled, and
    the slips are deleted. What this removes is physical order and, on PostgreSQL, the
    transaction ids of the casting and entering transactions: every ballot and every voter
    mark now carries the closing transaction's id."""
    ballots = list(Ballot.objects.filter(poll=poll).values_list("marks", "write_ins", "void"))
    ballots += [
        (*SealedBallot.unseal(poll.pk, token), False)
        for token in SealedBallot.objects.filter(poll=poll).values_list("sealed", flat=True)
    ]
    marks = list(VoterMark.objects.filter(poll=poll).values_list("id", "person_id", "has_voted"))
    _shuffle(ballots)
    _shuffle(marks)
    Ballot.objects.filter(poll=poll)._raw_delete(Ballot.objects.db)
    SealedBallot.objects.filter(poll=poll)._raw_delete(SealedBallot.objects.db)
    VoterMark.objects.filter(poll=poll)._raw_delete(VoterMark.objects.db)
    insert_rows(
        Ballot._meta.db_table,
        ["id", "poll_id", "marks", "write_ins", "void"],
        [(random_key(), poll.pk, m, json.dumps(w, ensure_ascii=False), v) for m, w, v in ballots],
    )
    insert_rows(
        VoterMark._meta.db_table,
        ["id", "poll_id", "person_id", "has_voted"],
        [(i, poll.pk, p, v) for i, p, v in marks],
    )


@transaction.atomic
def close_poll(actor, poll: Poll):
    """Declare the result: the tally is frozen on the poll, counting ends, the electronic
    ballot box is opened and the ballots are rewritten in random order. Refused while the
    count does not match the ballots returned."""
    from ..selectors import outcome_of

    gate.require(actor, gate.MANAGE, poll.org)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _open(poll)
    outcome = outcome_of(poll)
    if outcome.problems and not outcome.void_reasons:
        raise ValidationError({"poll": outcome.problems})
    poll.result = json.loads(json.dumps(outcome.to_dict(), ensure_ascii=False, default=str))
    poll.status = PollStatus.CLOSED
    poll.save(update_fields=["result", "status"])
    _open_box(poll)
    record(
        actor,
        "elections.poll.close",
        poll,
        org=poll.org,
        after={
            "valid": outcome.valid,
            "elected": [li.name for li in outcome.lines if li.status == tally.ELECTED],
        },
    )
    return outcome
