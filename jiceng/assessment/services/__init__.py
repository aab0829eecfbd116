"""Every write of the assessment app: rounds of scoring (`rounds`)."""

from .rounds import (
    add_evidence,
    answer_objection,
    close_rectification,
    decide_leader_flag,
    finalize_round,
    open_round,
    publish_results,
    publish_scheme,
    record_objection,
    refresh_evidence,
    return_entry,
    review_entry,
    save_scheme,
    self_assess,
    start_review,
    submit_rectification,
)

__all__ = [
    "add_evidence",
    "answer_objection",
    "close_rectification",
    "decide_leader_flag",
    "finalize_round",
    "open_round",
    "publish_results",
    "publish_scheme",
    "record_objection",
    "refresh_evidence",
    "return_entry",
    "review_entry",
    "save_scheme",
    "self_assess",
    "start_review",
    "submit_rectification",
]
