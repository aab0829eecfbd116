"""Every read of the assessment app, scoped by the acting user: rounds of scoring (`rounds`);
secretaries' accountability reviews (`selectors.reviews`) and awards (`selectors.awards`)
are read through their modules."""

from . import awards, reviews
from .rounds import (
    annual_result,
    board,
    class_share,
    distribution,
    entry_for,
    form,
    get_entry,
    get_round,
    leader_flag,
    my_entries,
    period_start,
    previous_low_results,
    rectification,
    results_of,
    round_steps,
    rounds,
    scheme,
    scheme_blocks,
    scheme_total,
    schemes,
    submitted,
)

__all__ = [
    "annual_result",
    "awards",
    "board",
    "class_share",
    "distribution",
    "entry_for",
    "form",
    "get_entry",
    "get_round",
    "leader_flag",
    "my_entries",
    "period_start",
    "previous_low_results",
    "rectification",
    "results_of",
    "reviews",
    "round_steps",
    "rounds",
    "scheme",
    "scheme_blocks",
    "scheme_total",
    "schemes",
    "submitted",
]
