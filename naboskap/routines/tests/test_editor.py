"""The routine editor: drafts, phases and tasks, publishing, versions, and bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from naboskap.conftest import english
from naboskap.routines import services
from naboskap.routines.models import Routine, RoutinePhase, RoutineTask
from naboskap.routines.tests.factories import make_routine


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def html(response) -> str:
    return response.content.decode()


def test_a_coordinator_writes_and_publishes_a_routine(world, coordinator):
    response = coordinator.post(
        reverse("routines:create"),
        {"name": "Vår naborutine", "description": "Slik gjør vi det.", "milestones": "Åpningsfest"},
    )
    routine = Routine.objects.get(name="Vår naborutine")
    assert response["Location"] == routine.get_absolute_url()
    assert (routine.municipality, routine.version, routine.status) == (
        world.municipality,
        1,
        Routine.Status.DRAFT,
    )
    assert [(m.key, m.name) for m in routine.milestones.all()] == [("apningsfest", "Åpningsfest")]

    url = reverse("routines:phase_create", args=[routine.pk])
    coordinator.post(url, {"name": "Planlegging", "project_phase": "planning"})
    coordinator.post(url, {"name": "Innflytting", "project_phase": "move_in"})
    planning, move_in = routine.phases.order_by("order")
    assert [(planning.order, move_in.order)] == [(1, 2)]

    response = coordinator.post(
        reverse("routines:task_create", args=[routine.pk, planning.pk]),
        {
            "title": "Orienter politikerne",
            "guidance": "Før saken behandles.",
            "responsible_role": "coordinator",
            "anchor": "milestone:political_hearing",
            "offset_days": "-28",
        },
    )
    assert response.status_code == 302
    coordinator.post(
        reverse("routines:task_create", args=[routine.pk, move_in.pk]),
        {
            "title": "Inviter til åpningsfest",
            "responsible_role": "facility_staff",
            "anchor": "milestone:apningsfest",
            "offset_days": "-21",
        },
    )
    page = html(coordinator.get(routine.get_absolute_url()))
    assert "28 days before Political hearing" in page
    assert "21 days before Åpningsfest" in page

    response = coordinator.post(reverse("routines:publish", args=[routine.pk]))
    assert response.status_code == 302
    routine.refresh_from_db()
    assert routine.status == Routine.Status.PUBLISHED
    assert "Version 1 is published." in html(coordinator.get(routine.get_absolute_url()))


def test_publishing_a_routine_without_phases_says_why_and_keeps_the_draft(world, coordinator):
    routine = services.routine_create(
        municipality=world.municipality, created_by=None, name="Tom rutine"
    )
    response = coordinator.post(reverse("routines:publish", args=[routine.pk]))
    assert response.status_code == 400
    assert "The routine cannot be published yet." in html(response)
    assert "A routine must have at least one phase." in html(response)
    routine.refresh_from_db()
    assert routine.status == Routine.Status.DRAFT


def test_a_phase_that_goes_back_to_an_earlier_project_phase_is_refused(world, coordinator):
    routine = make_routine(world.municipality, publish=False)  # planning, then move_in
    response = coordinator.post(
        reverse("routines:phase_create", args=[routine.pk]),
        {"name": "Tilbake til start", "project_phase": "idea"},
    )
    assert response.status_code == 400
    assert "cannot go back to an earlier phase" in html(response)
    assert 'value="Tilbake til start"' in html(response)  # what was typed is still there
    assert routine.phases.count() == 2


def test_moving_phases_into_a_circle_is_caught_when_publishing(world, coordinator):
    routine = make_routine(world.municipality, publish=False)
    second = routine.phases.get(order=2)
    coordinator.post(
        reverse("routines:phase_move", args=[routine.pk, second.pk]), {"direction": "up"}
    )
    assert list(routine.phases.values_list("name", "order")) == [
        ("Innflytting", 1),
        ("Planlegging", 2),
    ]
    response = coordinator.post(reverse("routines:publish", args=[routine.pk]))
    assert response.status_code == 400
    assert "cannot go back (that would be a circle)" in html(response)


def test_tasks_are_moved_within_their_phase(world, coordinator):
    routine = make_routine(world.municipality, publish=False)
    phase = routine.phases.get(order=1)
    second = phase.tasks.get(title="Orienter politikerne")
    url = reverse("routines:task_move", args=[routine.pk, second.pk])
    coordinator.post(url, {"direction": "up"})
    assert list(phase.tasks.values_list("title", "order")) == [
        ("Orienter politikerne", 1),
        ("Informer naboene", 2),
    ]
    coordinator.post(url, {"direction": "up"})  # already first: stays
    assert phase.tasks.get(pk=second.pk).order == 1
    page = html(coordinator.get(routine.get_absolute_url()))
    assert page.index("Orienter politikerne") < page.index("Informer naboene")


def test_deleting_a_phase_keeps_the_phases_numbered_in_sequence(world, coordinator):
    routine = make_routine(world.municipality, publish=False)
    coordinator.post(
        reverse("routines:phase_create", args=[routine.pk]),
        {"name": "Drift", "project_phase": "operation"},
    )
    first = routine.phases.get(order=1)
    coordinator.post(reverse("routines:phase_delete", args=[routine.pk, first.pk]))
    assert list(routine.phases.values_list("order", flat=True)) == [1, 2]


def test_a_task_due_before_any_project_exists_is_refused(world, coordinator):
    routine = make_routine(world.municipality, publish=False)
    phase = routine.phases.first()
    response = coordinator.post(
        reverse("routines:task_create", args=[routine.pk, phase.pk]),
        {
            "title": "For tidlig",
            "responsible_role": "coordinator",
            "anchor": "phase:idea",
            "offset_days": "-10",
        },
    )
    assert response.status_code == 400
    assert "which is before any project exists" in html(response)
    assert 'value="For tidlig"' in html(response)
    assert not RoutineTask.objects.filter(title="For tidlig").exists()


def test_an_empty_task_form_shows_its_errors(world, coordinator):
    routine = make_routine(world.municipality, publish=False)
    phase = routine.phases.first()
    response = coordinator.post(reverse("routines:task_create", args=[routine.pk, phase.pk]), {})
    assert response.status_code == 400
    assert "This field is required." in html(response)


def test_removing_a_milestone_that_tasks_count_from_is_refused(world, coordinator):
    routine = make_routine(
        world.municipality,
        publish=False,
        milestones=[{"key": "fest", "name": "Fest"}],
        phases=[
            {
                "order": 1,
                "name": "Drift",
                "project_phase": "operation",
                "tasks": [
                    {
                        "title": "Planlegg festen",
                        "guidance": "",
                        "responsible_role": "facility_staff",
                        "anchor": {"milestone": "fest"},
                        "offset_days": -30,
                    }
                ],
            }
        ],
    )
    response = coordinator.post(
        reverse("routines:edit", args=[routine.pk]),
        {"name": "Ny tittel", "description": "", "milestones": ""},
    )
    assert response.status_code == 400
    assert "Tasks count from the milestone fest" in html(response)
    assert routine.milestones.filter(key="fest").exists()


def test_a_published_routine_cannot_be_changed_but_gets_a_new_version(world, coordinator):
    routine = make_routine(world.municipality)
    phase = routine.phases.first()
    response = coordinator.get(reverse("routines:edit", args=[routine.pk]), follow=True)
    assert "A published routine cannot be changed. Make a new version to edit it." in html(response)
    response = coordinator.post(
        reverse("routines:phase_edit", args=[routine.pk, phase.pk]),
        {"name": "Endret", "project_phase": "planning"},
    )
    assert response.status_code == 302
    assert RoutinePhase.objects.get(pk=phase.pk).name == "Planlegging"
    with pytest.raises(services.RoutineError):
        services.routine_phase_delete(phase=phase)

    response = coordinator.post(reverse("routines:new_version", args=[routine.pk]))
    draft = Routine.objects.get(version=2)
    assert response["Location"] == draft.get_absolute_url()
    assert (draft.status, draft.supersedes) == (Routine.Status.DRAFT, routine)
    assert services.routine_content(draft) == services.routine_content(routine)
    # Asking again opens the same draft rather than a second one.
    coordinator.post(reverse("routines:new_version", args=[routine.pk]))
    assert Routine.objects.filter(slug=routine.slug).count() == 2

    coordinator.post(reverse("routines:publish", args=[draft.pk]))
    routine.refresh_from_db()
    assert routine.status == Routine.Status.RETIRED
    page = html(coordinator.get(draft.get_absolute_url()))
    assert "Version 1" in page and "Retired" in page


def test_a_shipped_routine_is_copied_into_the_municipality(world, coordinator):
    services.routines_load_shipped()
    shipped = Routine.objects.get(slug="naborad-ved-botiltak")
    page = html(coordinator.get(shipped.get_absolute_url()))
    assert "Make a copy for your municipality" in page
    assert "Edit name and milestones" not in page
    coordinator.post(reverse("routines:new_version", args=[shipped.pk]))
    copy = Routine.objects.get(municipality=world.municipality)
    assert (copy.slug, copy.version, copy.supersedes) == (shipped.slug, 2, shipped)
    assert copy.phases.count() == shipped.phases.count()


def test_retiring_a_routine_keeps_it_off_the_choice_for_projects(world, coordinator):
    routine = make_routine(world.municipality)
    coordinator.post(reverse("routines:retire", args=[routine.pk]))
    routine.refresh_from_db()
    assert routine.status == Routine.Status.RETIRED
    page = html(coordinator.get(reverse("routines:project_routine", args=[world.project.pk])))
    assert "There is no published routine to choose yet." in page


def test_readers_see_routines_without_edit_controls(world):
    routine = make_routine(world.municipality, publish=False)
    client = english(world.users["politician"])
    page = html(client.get(routine.get_absolute_url()))
    assert "Informer naboene" in page
    assert reverse("routines:publish", args=[routine.pk]) not in page
    assert client.post(reverse("routines:publish", args=[routine.pk])).status_code == 403


def test_a_draft_is_deleted(world, coordinator):
    routine = make_routine(world.municipality, publish=False)
    response = coordinator.post(reverse("routines:delete", args=[routine.pk]))
    assert response["Location"] == reverse("routines:list")
    assert not Routine.objects.exists()


def test_the_routine_list_shows_shipped_and_own_routines(world, coordinator):
    services.routines_load_shipped()
    make_routine(world.municipality, name="Fjordbys rutine")
    make_routine(world.other_municipality, name="Annenbys rutine")
    page = html(coordinator.get(reverse("routines:list")))
    assert "Naboråd ved botiltak" in page
    assert "Fjordbys rutine" in page
    assert "Annenbys rutine" not in page


def test_routine_pages_do_not_grow_queries(world, coordinator):
    """The list with 2 or 12 routines, and a routine with 1 or 10 phases of 10 tasks."""
    counts = {"list": [], "detail": []}
    coordinator.get(reverse("routines:list"))  # the session's first request does more
    for n in (1, 10):
        for i in range(n + 1):
            make_routine(world.municipality, slug=f"r{n}-{i}", name=f"Rutine {n}-{i}")
        phases = [
            {
                "order": p + 1,
                "name": f"Fase {p + 1}",
                "project_phase": "planning",
                "tasks": [
                    {
                        "title": f"Oppgave {p}-{t}",
                        "guidance": "",
                        "responsible_role": "coordinator",
                        "anchor": {"milestone": "fest"},
                        "offset_days": t,
                    }
                    for t in range(10)
                ],
            }
            for p in range(n)
        ]
        big = make_routine(
            world.municipality,
            publish=False,
            slug=f"stor-{n}",
            phases=phases,
            milestones=[{"key": "fest", "name": "Fest"}],
        )
        for name, url in [("list", reverse("routines:list")), ("detail", big.get_absolute_url())]:
            with CaptureQueriesContext(connection) as queries:
                response = coordinator.get(url)
            assert response.status_code == 200
            counts[name].append(len(queries))
        assert html(response).count(" after Fest") == 9 * n  # offset 0 reads "On Fest"
    assert counts["list"][0] == counts["list"][1], counts
    assert counts["detail"][0] == counts["detail"][1], counts
    assert max(counts["list"] + counts["detail"]) <= 16, counts
