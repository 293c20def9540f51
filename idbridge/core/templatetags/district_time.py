"""``{{ moment|local_time }}``: a builtin filter (settings ``TEMPLATES``), see
``idbridge.core.times``."""

from django import template

from idbridge.core.times import local_time as _local_time

register = template.Library()


@register.filter(expects_localtime=False)
def local_time(value) -> str:
    return _local_time(value)
