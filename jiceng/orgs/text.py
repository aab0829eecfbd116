"""Search keys that find Simplified and Traditional spellings alike."""

import functools

import opencc


@functools.cache
def _to_simplified():
    return opencc.OpenCC("t2s").convert


def search_key(text: str) -> str:
    """Simplified, case-folded form of `text`; store it beside names and apply it to queries."""
    return _to_simplified()(text or "").casefold().strip()
