"""`{% project_home project as home %}`: the key figures, the routine's next step and the
work by kind for the staff project page (so `projects` needs no code from this app)."""

from django import template

from naboskap.insights.project_home import project_home_for

register = template.Library()


@register.simple_tag(takes_context=True)
def project_home(context, project):
    return project_home_for(context["request"].user, project)
