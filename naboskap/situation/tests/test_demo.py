"""The demo's situation picture: content for both projects, and a second load adds nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from naboskap.concerns.models import Concern
from naboskap.conftest import client_for, enrol_totp
from naboskap.demo.situation import load_situation
from naboskap.projects.models import Project
from naboskap.situation.models import Assessment, AssessmentVersion, SignOff

pytestmark = pytest.mark.django_db


def test_demo_has_a_signed_and_a_draft_assessment_per_project(capsys):
    call_command("load_demo")
    counts = (
        Concern.objects.filter(police_relevant=True).count(),
        Assessment.objects.count(),
        AssessmentVersion.objects.count(),
        SignOff.objects.count(),
    )
    assert counts == (8, 4, 6, 6)
    User = get_user_model()
    projects = {p.slug: p for p in Project.objects.all()}
    load_situation(projects, {u.username: u for u in User.objects.all()})
    assert (
        Concern.objects.filter(police_relevant=True).count(),
        Assessment.objects.count(),
        AssessmentVersion.objects.count(),
        SignOff.objects.count(),
    ) == counts
    police = User.objects.get(username="politi")
    enrol_totp(police)
    client = client_for(police, language="en")
    for project in projects.values():
        signed, draft = Assessment.objects.filter(project=project).order_by("period_start").all()
        page = client.get(signed.get_absolute_url()).content.decode()
        assert "Signed by both parties" in page
        page = client.get(draft.get_absolute_url()).content.decode()
        assert "Not signed by both parties" in page and "Version 2" in page
        query = f"?fra={signed.period_start:%Y-%m-%d}&til={signed.period_end:%Y-%m-%d}"
        response = client.get(reverse("situation:picture", args=[project.pk]) + query)
        assert response.context["picture"].total > 0
