"""Template helpers for routines: how a task's due date is worked out, in words."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from naboskap.routines import selectors

register = template.Library()


@register.filter
def due_rule(task) -> str:
    """“28 days before: Political hearing”, “On the start of: Planning”."""
    anchor = selectors.anchor_label(task)
    days = task.offset_days
    if task.anchor_phase:
        anchor = _("the start of %(phase)s") % {"phase": anchor}
    if days == 0:
        return _("On %(anchor)s") % {"anchor": anchor}
    if days < 0:
        return ngettext(
            "%(days)s day before %(anchor)s", "%(days)s days before %(anchor)s", -days
        ) % {"days": -days, "anchor": anchor}
    return ngettext("%(days)s day after %(anchor)s", "%(days)s days after %(anchor)s", days) % {
        "days": days,
        "anchor": anchor,
    }
