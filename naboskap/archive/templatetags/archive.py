"""`{% load archive %}{% archive_status obj %}`: on a concern, a meeting, an analysis or a
status report, whether and where it is archived (nothing when it has no registration)."""

from django import template

from naboskap.archive.selectors import registrations_about

register = template.Library()


@register.inclusion_tag("archive/includes/status.html")
def archive_status(obj, heading_level: int = 2):
    return {"registrations": registrations_about(obj), "heading_level": heading_level}
