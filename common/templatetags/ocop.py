from django import template

from common.formatting import format_vnd

register = template.Library()


@register.filter
def vnd(value):
    """150000 -> '150.000 ₫'."""
    return format_vnd(value)
