"""The demo neighbour survey around Solbakken."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from naboskap.conftest import client_for
from naboskap.demo.insights import load_insights
from naboskap.insights.models import Question, Response, SurveyRound, SurveyTemplate
from naboskap.projects.models import Project
from naboskap.testing.mfa import enrol_totp


def test_the_demo_has_two_survey_rounds_with_a_trend(db):
    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(slug="solbakken")
    earlier, current = SurveyRound.objects.filter(project=project).order_by("opens_on")
    assert not earlier.is_open and current.is_open
    assert earlier.responses.count() >= 5 and current.responses.count() >= 5
    counts = (
        SurveyRound.objects.count(),
        Response.objects.count(),
        SurveyTemplate.objects.count(),
        Question.objects.count(),
    )
    users = {u.username: u for u in get_user_model().objects.all()}
    projects = {p.slug: p for p in Project.objects.filter(slug__in=["lindeveien", "solbakken"])}
    load_insights(projects, users)  # a second run adds nothing
    assert (
        SurveyRound.objects.count(),
        Response.objects.count(),
        SurveyTemplate.objects.count(),
        Question.objects.count(),
    ) == counts

    coordinator = get_user_model().objects.get(username="koordinator")
    enrol_totp(coordinator)
    client = client_for(coordinator, language="en")
    page = client.get(reverse("insights:rounds", args=[project.pk])).content.decode()
    assert "<td>2.5</td><td>3.8</td>" in page  # "I feel safe": 2025 and 2026
    # This year's version rewords the second statement under the same key: one trend row.
    assert earlier.template.is_frozen and current.template.previous == earlier.template
    assert "I know whom to contact if something happens.</th><td>2.3</td><td>4.1</td>" in page
    assert "I know where to turn if something happens." not in page
    lindeveien = Project.objects.get(slug="lindeveien")
    round_page = client.get(
        reverse("insights:round_results", args=[lindeveien.pk, lindeveien.survey_rounds.get().pk])
    )
    assert "Too few answers" in round_page.content.decode()
    templates = client.get(reverse("insights:template_list")).content.decode()
    assert "Trivsel i nabolaget (utkast)" in templates and "Can be changed" in templates
    results = client.get(reverse("insights:round_results", args=[project.pk, current.pk]))
    assert "Naborådet har gjort en forskjell. Takk!" in results.content.decode()
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("insights:rounds", args=[project.pk]) in detail
