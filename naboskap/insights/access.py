"""The one way staff views fetch survey templates: 404 outside the user's municipalities,
403 for staff of the municipality who may not edit."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.insights.models import Question, SurveyTemplate
from naboskap.tenancy.selectors import enter_municipality

VIEW_TEMPLATES = "insights.view_templates"
CHANGE_TEMPLATES = "insights.change_templates"


def get_template_for_user(user, pk: int, perm: str = VIEW_TEMPLATES) -> SurveyTemplate:
    template = SurveyTemplate.objects.select_related("municipality").filter(pk=pk).first()
    if template is None or not rules.has_perm(VIEW_TEMPLATES, user, template.municipality):
        raise Http404
    if perm != VIEW_TEMPLATES and not rules.has_perm(perm, user, template.municipality):
        raise PermissionDenied
    enter_municipality(user, template.municipality_id)
    return template


def get_question_for_user(user, pk: int, question_pk: int, perm: str = CHANGE_TEMPLATES):
    template = get_template_for_user(user, pk, perm)
    question = Question.objects.filter(pk=question_pk, template=template).first()
    if question is None:
        raise Http404
    question.template = template
    return question
