"""The demo neighbour survey around Solbakken."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from naboskap.conftest import client_for
from naboskap.demo.insights import load_insights
from naboskap.insights.models import Response, SurveyRound
from naboskap.projects.models import Project
from naboskap.testing.mfa import enrol_totp


def test_the_demo_has_two_survey_rounds_with_a_trend(db):
    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(slug="solbakken")
    earlier, current = SurveyRound.objects.filter(project=project).order_by("opens_on")
    assert not earlier.is_open and current.is_open
    assert earlier.responses.count() >= 5 and current.responses.count() >= 5
    counts = (SurveyRound.objects.count(), Response.objects.count())
    users = {u.username: u for u in get_user_model().objects.all()}
    load_insights({"solbakken": project}, users)  # a second run adds nothing
    assert (SurveyRound.objects.count(), Response.objects.count()) == counts

    coordinator = get_user_model().objects.get(username="koordinator")
    enrol_totp(coordinator)
    client = client_for(coordinator, language="en")
    page = client.get(reverse("insights:rounds", args=[project.pk])).content.decode()
    assert "<td>2.5</td><td>3.8</td>" in page  # "I feel safe": 2025 and 2026
    results = client.get(reverse("insights:round_results", args=[project.pk, current.pk]))
    assert "Naborådet har gjort en forskjell. Takk!" in results.content.decode()
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("insights:rounds", args=[project.pk]) in detail
