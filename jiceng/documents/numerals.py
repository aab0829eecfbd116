"""Chinese numerals for official documents: 一、（一）, 第六届, 六届三次, 2026年11月22日."""

import datetime as dt

_DIGITS = "零一二三四五六七八九"
_YEAR_DIGITS = "〇一二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")


def _below_10000(n: int) -> str:
    out, zero = [], False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[power])
    return "".join(out)


def cn_number(n: int) -> str:
    """0 → 零, 10 → 十, 11 → 十一, 101 → 一百零一, 2026 → 二千零二十六, 10000 → 一万."""
    n = int(n)
    if n < 0:
        return "负" + cn_number(-n)
    if n == 0:
        return "零"
    if n >= 100_000_000:
        raise ValueError(f"{n} is too large")
    high, low = divmod(n, 10_000)
    text = (_below_10000(high) + "万") if high else ""
    if low:
        if high and low < 1000:
            text += "零"
        text += _below_10000(low)
    # 一十 → 十 at the start (十一, 十万), as people write it.
    return text[1:] if text.startswith("一十") else text


def cn_year(year: int) -> str:
    """2026 → 二〇二六 (digit by digit, as years are read)."""
    return "".join(_YEAR_DIGITS[int(c)] for c in str(int(year)))


def cn_date(day: dt.date | None, *, chinese: bool = False) -> str:
    """The date of an official document (成文日期).

    GB/T 9704-2012 writes it with Arabic numerals and no padding: 2026年11月22日.
    `chinese=True` gives the older form in Chinese numerals: 二〇二六年十一月二十二日.
    `None` gives the blank form people fill in by hand: 年　月　日.
    """
    if day is None:
        return "年　月　日"
    if chinese:
        return f"{cn_year(day.year)}年{cn_number(day.month)}月{cn_number(day.day)}日"
    return f"{day.year}年{day.month}月{day.day}日"


def heading_number(level: int, n: int) -> str:
    """The structure numbers of GB/T 9704: 一、 （一） 1. （1）."""
    if level == 1:
        return f"{cn_number(n)}、"
    if level == 2:
        return f"（{cn_number(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError("heading levels are 1 to 4")


def ordinal(n: int, unit: str = "") -> str:
    """第N + unit: ordinal(6, "届") → 第六届, ordinal(2, "次") → 第二次."""
    return f"第{cn_number(n)}{unit}"


def session_label(term: int, session: int) -> str:
    """A congress session as people name it: session_label(6, 3) → 六届三次."""
    return f"{cn_number(term)}届{cn_number(session)}次"
