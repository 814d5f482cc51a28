from io import StringIO

from django.core.management import call_command

from naboskap.demo.facility import load_facility
from naboskap.facility.models import FollowUp, Incident, Observation, Round
from naboskap.plans.models import Measure
from naboskap.projects.models import Project
from naboskap.tenancy.models import Membership, Role


def counts():
    return tuple(m.objects.count() for m in (Round, Observation, Incident, FollowUp, Membership))


def test_the_demo_has_rounds_for_both_projects_and_loads_once(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "miljovaktmester" in out.getvalue()
    for slug in ("lindeveien", "solbakken"):
        project = Project.objects.get(slug=slug)
        assert Round.objects.filter(project=project, ended_at__isnull=False).count() >= 2
        assert Observation.objects.filter(project=project, all_calm=False).exists()
    solbakken = Project.objects.get(slug="solbakken")
    assert Observation.objects.filter(project=solbakken, concern__isnull=False).count() == 1
    assert Measure.objects.filter(observation__project=solbakken).count() == 1
    assert set(Incident.objects.values_list("status", flat=True)) == {"followed_up", "closed"}
    caretaker = Membership.objects.filter(user__username="miljovaktmester", role=Role.CARETAKER)
    assert caretaker.count() == 2

    before = counts()
    call_command("load_demo", stdout=StringIO())
    projects = {p.slug: p for p in Project.objects.all()}
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    load_facility(projects, users)
    assert counts() == before
    assert Measure.objects.filter(observation__isnull=False).count() == 1
