import json

from django import template

from jiceng.kernel.citations import readable

register = template.Library()


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
