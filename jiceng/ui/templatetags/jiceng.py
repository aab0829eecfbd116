import json

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def as_json(value):
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
