"""`{% meetings_summary project %}`: the councils' health and the next meetings, for the staff
project page (so `projects` needs no code from this app)."""

from django import template

from naboskap.meetings import selectors

register = template.Library()

NEXT_MEETINGS = 3


@register.inclusion_tag("meetings/includes/summary.html")
def meetings_summary(project):
    bodies = [
        (body, selectors.council_health(body)) for body in selectors.bodies_with_health(project)
    ]
    return {
        "project": project,
        "bodies": bodies,
        "next_meetings": list(selectors.upcoming_meetings(project)[:NEXT_MEETINGS]),
    }
