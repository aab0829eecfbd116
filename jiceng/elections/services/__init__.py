"""Every write of the elections app: terms and officers (`terms`), polls and tallies (`polls`),
election cases (`cases`)."""

from .cases import (
    approve,
    begin_term,
    file_request,
    hold_congress,
    hold_plenary,
    next_round,
    propose_slate,
    record_nominations,
)
from .numbers import issue_case_number, signer_of
from .polls import (
    add_candidate,
    cast_vote,
    close_poll,
    correct_ballot,
    correct_sheet,
    create_poll,
    enter_ballots,
    enter_sheet,
    open_roll,
    record_attendance,
)
from .terms import add_officer, change_term_end, end_officer, start_term

__all__ = [
    "add_candidate",
    "add_officer",
    "approve",
    "begin_term",
    "cast_vote",
    "change_term_end",
    "close_poll",
    "correct_ballot",
    "correct_sheet",
    "create_poll",
    "end_officer",
    "enter_ballots",
    "enter_sheet",
    "file_request",
    "hold_congress",
    "hold_plenary",
    "issue_case_number",
    "next_round",
    "open_roll",
    "propose_slate",
    "record_attendance",
    "record_nominations",
    "signer_of",
    "start_term",
]
