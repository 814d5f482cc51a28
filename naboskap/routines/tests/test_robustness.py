"""Whatever staff type into the routine forms, the answer is a page, never a server error;
and the Django admin keeps published routines read-only."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naboskap.conftest import client_for, english
from naboskap.routines import services
from naboskap.routines.models import ProjectTask, Routine
from naboskap.routines.tests.factories import apply_routine, make_routine

text = st.text(max_size=30) | st.sampled_from(["", "-28", "99999", "phase:idea", "done"])
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "title": text,
            "guidance": text,
            "responsible_role": text | st.sampled_from(["coordinator", "police"]),
            "anchor": text | st.sampled_from(["phase:planning", "milestone:political_hearing"]),
            "offset_days": text,
        },
    )
)
def test_the_task_form_never_fails(world, data):
    routine = Routine.objects.filter(status="draft").first() or make_routine(
        world.municipality, publish=False
    )
    client = client_for(world.users["coordinator"])
    url = reverse("routines:task_create", args=[routine.pk, routine.phases.first().pk])
    assert client.post(url, data).status_code in {302, 400}


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "status": text | st.sampled_from(["done", "open", "not_relevant"]),
            "evidence_update": text,
            "evidence_measure": text,
            "evidence_note": text,
            "evidence_url": text | st.just("https://example.org/referat"),
        },
    )
)
def test_the_task_completion_form_never_fails(world, data):
    if not ProjectTask.objects.exists():
        apply_routine(world.project)
    task = ProjectTask.objects.first()
    client = client_for(world.users["coordinator"])
    url = reverse("routines:task_complete", args=[world.project.pk, task.pk])
    assert client.post(url, data).status_code in {302, 400}


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["political_hearing", "routine", "x"]), text))
def test_the_milestone_and_routine_choice_forms_never_fail(world, data):
    if not ProjectTask.objects.exists():
        apply_routine(world.project)
    client = client_for(world.users["coordinator"])
    for name in ("routines:milestones", "routines:project_routine"):
        response = client.post(reverse(name, args=[world.project.pk]), data)
        assert response.status_code in {302, 400}


def test_a_project_with_two_routines_names_them_on_the_checklist(world):
    apply_routine(world.project)
    services.routines_load_shipped()
    apply_routine(world.project, Routine.objects.get(slug="naborad-ved-botiltak"))
    page = (
        english(world.users["coordinator"])
        .get(reverse("routines:checklist", args=[world.project.pk]))
        .content.decode()
    )
    assert "Following: Testrutine, Naboråd ved botiltak" in page
    assert "(Naboråd ved botiltak, Operation)" in page


@pytest.fixture
def superuser_client(world):
    user = world.users["admin"]
    user.is_superuser = user.is_staff = True
    user.save()
    return english(user)


def test_the_admin_shows_a_published_routine_read_only_and_a_draft_editable(
    world, superuser_client
):
    published = make_routine(world.municipality)
    draft = make_routine(world.municipality, publish=False, slug="utkast")
    for routine, editable in [(published, False), (draft, True)]:
        url = reverse("admin:routines_routine_change", args=[routine.pk])
        page = superuser_client.get(url).content.decode()
        assert ('name="_save"' in page) is editable, routine
        phase = routine.phases.first()
        url = reverse("admin:routines_routinephase_change", args=[phase.pk])
        page = superuser_client.get(url).content.decode()
        assert "Informer naboene" in page
        assert ('name="_save"' in page) is editable, routine
    assert superuser_client.get(reverse("admin:routines_routine_changelist")).status_code == 200
    apply_routine(world.project, published)
    url = reverse("admin:routines_projectroutine_changelist")
    assert superuser_client.get(url).status_code == 200
