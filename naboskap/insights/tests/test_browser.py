"""The survey pages in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG 2.1
A/AA violations and nothing scrolls sideways at 320 px. The answer page is also checked
with its errors shown."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.insights import services
from naboskap.insights.models import Answer, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_survey_pages(world, visitor):
    today = timezone.localdate()
    template = services.template_ensure_default(municipality=world.municipality)
    survey_round = services.round_create(
        project=world.project,
        template=template,
        title="Trygghetsundersøkelse 2026",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=20),
    )
    questions = list(template.questions.all())
    for n in range(6):
        response = Response.objects.create(round=survey_round, submitted_on=today)
        Answer.objects.bulk_create(
            [Answer(response=response, question=q, value=1 + n % 5) for q in questions[:3]]
            + [Answer(response=response, question=questions[3], text=f"Svar nummer {n}")]
        )

    page = visitor.open(reverse("portal:survey_answer", args=[survey_round.token]))
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").first.is_visible()
    visitor.audit()

    visitor.login(world.users["coordinator"])
    visitor.open(reverse("insights:rounds", args=[world.project.pk]))
    visitor.open(reverse("insights:round_create", args=[world.project.pk]))
    visitor.open(reverse("insights:round_results", args=[world.project.pk, survey_round.pk]))
    visitor.open(reverse("insights:round_codes", args=[world.project.pk, survey_round.pk]))
