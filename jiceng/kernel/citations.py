"""Citations of the seed documents made readable.

Policy sources and metric definitions cite the five seed documents the domain was drawn
from as "NNN:L8" (../shared/DOMAIN.md: `seeds/NNN_*.txt`, line 8). A user cannot look
that up; `readable()` names the document and the line instead:
"001:L8" → "《城市基层党建工作的调研报告》第8行". Anything else (regulations named in full,
"DOMAIN.md §4") is left as written.
"""

import re

# The seed documents' own titles (the first heading of each file in seeds/).
SEEDS = {
    "000": "2023年工会基层组织建设工作报告",
    "001": "城市基层党建工作的调研报告",
    "002": "加强电力企业基层党小组建设的探索与实践",
    "003": "试论新时期高校基层党组织的建设",
    "004": "换届学校工会工作报告 机关工会换届工作报告",
}

_LINES = r"L\d+(?:\s*[-–]\s*L?\d+)?"
# "001:L8", "000:L49-51", "004:L277-326", and following bare lines: "001:L16, L59".
_CITATION = re.compile(rf"\b(\d{{3}}):({_LINES}(?:\s*[,，、]\s*{_LINES})*)")
_ONE = re.compile(r"L(\d+)(?:\s*[-–]\s*L?(\d+))?")


def _lines(text: str) -> str:
    parts = []
    for m in _ONE.finditer(text):
        first, last = m.group(1), m.group(2)
        parts.append(f"{first}-{last}" if last else first)
    return "、".join(parts)


def label(seed: str, lines: str) -> str:
    """One citation: 《title》第N行 (or 第N-M行)."""
    title = SEEDS.get(seed)
    if title is None:
        return f"{seed}:{lines}"
    return f"《{title}》第{_lines(lines)}行"


def readable(text: str) -> str:
    """`text` with every seed citation replaced by its document's title and line."""
    return _CITATION.sub(lambda m: label(m.group(1), m.group(2)), str(text or ""))
