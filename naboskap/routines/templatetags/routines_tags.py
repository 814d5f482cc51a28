"""Template helpers for routines; `{% routine_summary project %}` is what the staff project
page loads to show checklist progress (so `projects` needs no code from this app)."""

import rules
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


@register.inclusion_tag("routines/includes/summary.html", takes_context=True)
def routine_summary(context, project):
    """Progress per phase and what is due, for the staff project page."""
    user = context["request"].user
    checklist = selectors.checklist_for(project, with_evidence=False)
    return {
        "project": project,
        "checklist": checklist,
        "can_apply": rules.has_perm("routines.apply_routine", user, project),
    }
