"""What the audit log records for election writes (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

from .models import TermChangeKind

ACTIONS = {
    "elections.case.file": _("File a re-election request"),
    "elections.case.approve_party": _("Record the same-level Party organization's agreement"),
    "elections.case.approve_upper": _("Record the upper level's approval"),
    "elections.case.review_slate": _("Record the review of the candidate list"),
    "elections.case.nominate": _("Record nomination tallies"),
    "elections.case.slate": _("Propose the candidate list"),
    "elections.case.congress": _("Record the election congress"),
    "elections.case.plenary": _("Record the first plenary meetings"),
    "elections.case.begin_term": _("Begin the new term"),
    "elections.poll.create": _("Set up a poll"),
    "elections.poll.add_candidate": _("Add a candidate"),
    "elections.poll.record_attendance": _("Record attendance and ballots issued"),
    "elections.poll.enter_sheet": _("Enter a tally sheet"),
    "elections.poll.correct_sheet": _("Correct a tally sheet"),
    "elections.poll.enter_ballots": _("Enter ballots"),
    "elections.poll.correct_ballot": _("Correct a ballot"),
    "elections.poll.open_roll": _("Put voters on the electronic roll"),
    "elections.poll.close": _("Close a poll"),
    "elections.poll.vote": _("Cast an electronic vote"),
    "elections.term.start": _("Start a term"),
    "elections.term.end": _("End a term"),
    "elections.term.add_officer": _("Add a committee member"),
    "elections.term.end_officer": _("End a committee member's tenure"),
    "elections.term.postpone": _("Postpone the re-election"),
    "elections.term.advance": _("Advance the re-election"),
}

_CASE_STEPS = ("file", "approve_party", "approve_upper", "review_slate", "nominate", "slate")
_CASE_STEPS += ("congress", "plenary", "begin_term")
_POLL = {
    "create": "create",
    "add_candidate": "add_candidate",
    "attendance": "record_attendance",
    "sheet": "enter_sheet",
    "sheet_correct": "correct_sheet",
    "ballots": "enter_ballots",
    "ballot_correct": "correct_ballot",
    "roll": "open_roll",
    "close": "close",
    "vote": "vote",
}
_TERM = ("start", "end", "add_officer", "end_officer", *TermChangeKind.values)

LEGACY = {
    **{f"election_case.{step}": f"elections.case.{step}" for step in _CASE_STEPS},
    **{f"poll.{old}": f"elections.poll.{new}" for old, new in _POLL.items()},
    **{f"term.{verb}": f"elections.term.{verb}" for verb in _TERM},
}
