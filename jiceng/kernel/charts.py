"""Server-rendered bar charts: one row per bar (label, an SVG bar, the value), no script.

Pages render them with `{% bar_chart rows ... %}` (ui's `jiceng` template library). The bar
is an inline SVG whose width is a percentage, so it needs neither JavaScript nor inline
styles (the Content-Security-Policy allows neither); the layout lives in ui/static/ui/
jiceng.css (`.jc-chart`). Every chart carries its figures as a table too, under "数据表",
for screen readers and for copying.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

TONES = ("primary", "success", "warning", "danger", "secondary")
BAR_HEIGHT = 14  # px: a row of small text


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no figure (drawn empty, shown as —)
    tone: str = "primary"


def pick(item, key):
    """item[key] for tuples, lists and dicts, else the attribute `key`."""
    if isinstance(key, int) or isinstance(item, dict):
        return item[key]
    return getattr(item, key)


def bars_of(rows: Iterable, label=0, value=1, tone=None, tones=None) -> list[Bar]:
    """Bars from rows: `label`, `value` and `tone` name a position, key or attribute; `tone`
    may also be a fixed tone; `tones` maps a row's value at `tone` to a tone."""
    found = []
    for row in rows:
        shade = "primary"
        if isinstance(tone, str) and tone in TONES:
            shade = tone
        elif tone is not None:
            shade = str(pick(row, tone) or "primary")
            shade = (tones or {}).get(shade, shade)
            shade = shade if shade in TONES else "primary"
        found.append(Bar(str(pick(row, label)), pick(row, value), shade))
    return found


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text}{unit}"


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    unit: str = "",
    maximum: float | None = None,
    chart_id: str = "",
    value_header: str = "",
) -> SafeString:
    """A horizontal bar chart with a data table; empty string when there is nothing to draw.
    `maximum` is the full width (100 for a percentage); by default the largest value."""
    if not bars:
        return SafeString("")
    top = maximum or max((b.value or 0) for b in bars) or 1
    rows = format_html_join(
        "",
        '<li class="jc-bar-row" data-value="{}"><span class="jc-bar-label" title="{}">{}</span>'
        '<svg class="jc-bar" width="100%" height="{}" aria-hidden="true" focusable="false">'
        '<rect class="jc-bar-track" width="100%" height="{}" rx="2"></rect>'
        '<rect class="jc-bar-fill jc-tone-{}" width="{}%" height="{}" rx="2"></rect></svg>'
        '<span class="jc-bar-value">{}</span></li>',
        (
            (
                "" if b.value is None else b.value,
                b.label,
                b.label,
                BAR_HEIGHT,
                BAR_HEIGHT,
                b.tone if b.tone in TONES else "primary",
                f"{min(max((b.value or 0) / top, 0), 1) * 100:.1f}",
                BAR_HEIGHT,
                _number(b.value, unit),
            )
            for b in bars
        ),
    )
    table = format_html_join(
        "",
        '<tr><td>{}</td><td class="text-end">{}</td></tr>',
        ((b.label, _number(b.value, unit)) for b in bars),
    )
    return format_html(
        '<figure class="jc-chart"{}><figcaption class="jc-chart-title">{}</figcaption>'
        '<ul class="jc-bars" aria-hidden="true">{}</ul>'
        '<details class="jc-chart-data"><summary>{}</summary>'
        '<table class="table table-sm mb-0"><caption class="visually-hidden">{}</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col" class="text-end">{}</th></tr>'
        "</thead><tbody>{}</tbody></table></details></figure>",
        format_html(' id="{}"', chart_id) if chart_id else "",
        title,
        rows,
        _("Data table"),
        title,
        _("Item"),
        value_header or _("Value"),
        table,
    )
