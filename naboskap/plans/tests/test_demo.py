"""The demo plans: both projects have measures, some from concerns, overdue and public."""

from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from naboskap.conftest import client_for, enrol_totp
from naboskap.demo.plans import load_plans
from naboskap.plans.models import Measure, MeasureChange
from naboskap.projects.models import Project


def test_demo_plans_load_once_with_every_kind_of_measure(db):
    call_command("load_demo", stdout=StringIO())
    projects = {p.slug: p for p in Project.objects.all()}
    counts = (Measure.objects.count(), MeasureChange.objects.count())
    for project in projects.values():
        measures = Measure.objects.filter(project=project)
        assert measures.filter(concern__isnull=False).exists()
        assert any(m.is_overdue for m in measures)
        assert measures.filter(is_public=True).exists()
        assert measures.filter(participations__isnull=False).exists()
    call_command("load_demo", stdout=StringIO())
    load_plans(projects, {"koordinator": None})
    assert (Measure.objects.count(), MeasureChange.objects.count()) == counts

    public = Measure.objects.filter(project=projects["solbakken"], is_public=True).first()
    assert (
        public.public_text in Client().get(projects["solbakken"].get_public_url()).content.decode()
    )
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="koordinator")
    enrol_totp(coordinator)
    client = client_for(coordinator)
    for project in projects.values():
        for name in ["plans:plan", "plans:matrix"]:
            assert client.get(reverse(name, args=[project.pk])).status_code == 200
    html = client.get(reverse("plans:my_measures")).content.decode()
    assert "Fast kontaktperson for naboene" in html
