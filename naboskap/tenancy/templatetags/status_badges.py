"""Status badges: `{% load status_badges %}`, then

- `{% status_badge concern %}`, `{% status_badge input "decision" %}`: a model's choice field
  (for a meeting, its worked-out state: upcoming, held or cancelled);
- `{% state_badge "concerns.concern.status" value label %}`: the same from a raw value;
- `{% flag_badge "overdue" %}`, `{% flag_badge "retired" label %}`: a flag beside a status.

The colours and marks are in `naboskap/lib/status.py`.
"""

from django import template
from django.template.loader import render_to_string

from naboskap.lib import status

register = template.Library()

TEMPLATE = "includes/status_badge.html"


@register.simple_tag
def status_badge(obj, field: str = "status"):
    return render_to_string(TEMPLATE, status.badge(obj, field))


@register.simple_tag
def state_badge(kind: str, value: str, label):
    return render_to_string(TEMPLATE, status.state(kind, value, label))


@register.simple_tag
def flag_badge(name: str, label=None):
    return render_to_string(TEMPLATE, status.flag(name, label))
