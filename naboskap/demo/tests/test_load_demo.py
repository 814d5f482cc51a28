from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from naboskap.conftest import client_for, enrol_totp
from naboskap.projects.models import Project, Update
from naboskap.tenancy.models import Membership, Role


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_loads_once_and_prints_a_login_per_role(db):
    first = load()
    counts = (Project.objects.count(), Update.objects.count(), Membership.objects.count())
    second = load()
    assert "already loaded" in second
    assert (Project.objects.count(), Update.objects.count(), Membership.objects.count()) == counts
    with translation.override("en"):  # the logins are printed in English
        labels = [str(role.label) for role in Role]
    for label in labels:
        assert label in first
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_demo_projects_follow_the_two_seed_examples(db):
    load()
    solbakken = Project.objects.get(slug="solbakken")
    assert (
        solbakken.dwellings_with_tenancy,
        solbakken.dwellings_temporary,
        solbakken.dwellings_emergency,
    ) == (23, 4, 3)
    assert solbakken.phase == "operation"
    lindeveien = Project.objects.get(slug="lindeveien")
    assert lindeveien.phase == "planning"
    assert lindeveien.participating_units.count() >= 3


def test_every_demo_page_has_something_to_show(db):
    load()
    for project in Project.objects.all():
        response = Client().get(project.get_public_url())
        assert response.status_code == 200
        assert project.updates.filter(published_at__isnull=False).first().title in (
            response.content.decode()
        )
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="koordinator")
    enrol_totp(coordinator)
    client = client_for(coordinator)
    for project in Project.objects.all():
        assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200
