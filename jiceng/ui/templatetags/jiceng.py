import json

from django import template

from jiceng.kernel import charts
from jiceng.kernel.citations import readable

register = template.Library()

# Row states the pages chart, and the colour each is drawn in.
STATUS_TONES = {"elected": "success", "tied": "warning", "not_elected": "secondary"}


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def as_json(value):
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@register.filter
def citation(value):
    """Seed citations ("001:L8") as the document's title and line."""
    return readable(value)


@register.simple_tag
def bar_chart(rows, title, *, label=0, value=1, tone=None, unit="", maximum=None, id="", header=""):
    """{% bar_chart rows "标题" label="name" value="votes" unit="%" maximum=100 id="x" %}"""
    return charts.bar_chart(
        charts.bars_of(rows or (), label, value, tone, tones=STATUS_TONES),
        title=title,
        unit=unit,
        maximum=maximum,
        chart_id=id,
        value_header=header,
    )
