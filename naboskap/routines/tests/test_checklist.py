"""A routine in a project: choosing it, due dates, completing tasks with evidence, progress."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from naboskap.conftest import english
from naboskap.demo.routines import load_routines
from naboskap.projects.models import PhaseChange, Project
from naboskap.routines import services
from naboskap.routines.models import ProjectTask, Routine
from naboskap.routines.tests.factories import (
    apply_routine,
    make_routine,
    project_task,
    routine_data,
    task_data,
)
from naboskap.testing.factories import UpdateFactory, make_measure


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def html(response) -> str:
    return response.content.decode()


def short(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def checklist(client, project) -> str:
    response = client.get(reverse("routines:checklist", args=[project.pk]))
    assert response.status_code == 200
    return html(response)


def test_choosing_a_routine_fills_the_checklist_with_due_dates(world, coordinator):
    project = world.project  # in planning since today
    routine = make_routine(world.municipality)
    page = html(coordinator.get(reverse("projects:detail", args=[project.pk])))
    assert "The project follows no routine yet." in page
    assert reverse("routines:project_routine", args=[project.pk]) in page

    response = coordinator.post(
        reverse("routines:project_routine", args=[project.pk]), {"routine": routine.pk}
    )
    assert response["Location"] == reverse("routines:checklist", args=[project.pk])
    page = checklist(coordinator, project)
    assert "The routine added 3 tasks to the checklist." in page
    assert "2 tasks get their due dates when the project plans their phases" in page
    today = timezone.localdate()
    assert short(today + timedelta(days=14)) in page  # 14 days after planning started
    assert "14 days after the start of Planning" in page
    assert page.count("No date yet") == 2
    assert "0 of 3 tasks closed" in page

    # Planning the moving-in phase (a projects page) and the hearing date gives the rest dates.
    coordinator.post(
        reverse("projects:phase", args=[project.pk]),
        {"plan_phases": "1", "move_in": (today + timedelta(days=200)).isoformat()},
    )
    response = coordinator.post(
        reverse("routines:milestones", args=[project.pk]),
        {"political_hearing": (today + timedelta(days=60)).isoformat()},
    )
    assert response.status_code == 302
    page = checklist(coordinator, project)
    assert "No date yet" not in page
    assert short(today + timedelta(days=186)) in page
    assert short(today + timedelta(days=32)) in page
    assert "(planned)" in page


def test_a_date_before_the_project_existed_moves_to_its_first_day_and_says_so(world, coordinator):
    project = world.project
    start = timezone.localdate()
    services.project_milestones_set(
        project=project, dates={"political_hearing": ("", start + timedelta(days=7))}
    )
    routine = make_routine(world.municipality)
    response = coordinator.post(
        reverse("routines:project_routine", args=[project.pk]),
        {"routine": routine.pk},
        follow=True,
    )
    page = html(response)
    assert "1 task would be due before the project existed." in page
    # 28 days before the hearing is 21 days before the project was created.
    routine_date = short(start - timedelta(days=21))
    assert f"The routine says {routine_date}, before the project existed." in page
    task = ProjectTask.objects.get(title="Orienter politikerne")
    assert task.status == ProjectTask.Status.OPEN  # nothing lost: the task is there, open


def test_phase_dates_come_from_when_the_project_entered_the_phase(world, coordinator):
    project = world.project
    long_ago = timezone.now() - timedelta(days=100)
    PhaseChange.objects.filter(project=project).update(changed_at=long_ago)
    Project.objects.filter(pk=project.pk).update(created_at=long_ago)
    apply_routine(project)
    page = checklist(coordinator, project)
    due = short(timezone.localdate(long_ago) + timedelta(days=14))
    assert due in page
    assert "1 overdue" in page
    page = html(coordinator.get(reverse("projects:detail", args=[project.pk])))
    # The overdue task is the routine's next step on the project's home.
    step = page.split('id="next-step-heading"', 1)[1].split("</section>", 1)[0]
    assert "Informer naboene" in step and f"Due {due}" in step and 'data-status="overdue"' in step


def test_the_same_routine_cannot_be_chosen_twice(world, coordinator):
    routine = apply_routine(world.project)
    response = coordinator.post(
        reverse("routines:project_routine", args=[world.project.pk]), {"routine": routine.pk}
    )
    assert response.status_code == 400
    assert "The project already follows this routine." in html(response)
    assert ProjectTask.objects.count() == 3


def test_a_routine_of_another_municipality_cannot_be_chosen(world, coordinator):
    foreign = make_routine(world.other_municipality)
    response = coordinator.post(
        reverse("routines:project_routine", args=[world.project.pk]), {"routine": foreign.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in html(response)
    assert not ProjectTask.objects.exists()


def test_a_task_is_completed_with_a_published_update_as_evidence(world, coordinator):
    apply_routine(world.project)
    task = ProjectTask.objects.get(title="Informer naboene")
    url = reverse("routines:task_complete", args=[world.project.pk, task.pk])
    page = html(coordinator.get(url))
    assert "Slik gjør du det." in page  # the guidance
    assert world.update.title in page
    assert world.draft.title not in page  # only published updates show anything
    response = coordinator.post(url, {"status": "done", "evidence_update": world.update.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.evidence_update, task.completed_by) == (
        "done",
        world.update,
        world.users["coordinator"],
    )
    page = checklist(coordinator, world.project)
    assert f"Update: {world.update.title}" in page
    assert "1 of 3 tasks closed" in page
    assert "1 of 2 tasks closed" in page  # the first phase

    # Opening it again clears who completed it.
    coordinator.post(url, {"status": "open"})
    task.refresh_from_db()
    assert (task.status, task.completed_at, task.completed_by) == ("open", None, None)


def test_a_task_is_completed_with_a_measure_or_a_note(world, coordinator):
    apply_routine(world.project)
    measure = make_measure(world.project, title="Fast kontaktperson")
    first, second = ProjectTask.objects.filter(phase_order=1)
    url = reverse("routines:task_complete", args=[world.project.pk, first.pk])
    coordinator.post(url, {"status": "done", "evidence_measure": measure.pk})
    url = reverse("routines:task_complete", args=[world.project.pk, second.pk])
    coordinator.post(
        url,
        {"status": "not_relevant", "evidence_note": "Ingen høring i denne saken."},
    )
    page = checklist(coordinator, world.project)
    assert "Measure: Fast kontaktperson" in page
    assert "Ingen høring i denne saken." in page
    assert "Not relevant" in page
    assert "2 of 2 tasks closed" in page


@pytest.mark.parametrize(
    "data,message",
    [
        ({}, "This field is required."),
        ({"status": "done"}, "Show what the task was done with"),
        ({"status": "not_relevant"}, "Say why the task is not relevant."),
        ({"status": "finished", "evidence_note": "x"}, "Select a valid choice."),
        ({"status": "done", "evidence_url": "ikke en lenke"}, "Enter a valid URL."),
    ],
)
def test_bad_completion_shows_a_message_and_changes_nothing(world, coordinator, data, message):
    apply_routine(world.project)
    task = ProjectTask.objects.get(title="Informer naboene")
    url = reverse("routines:task_complete", args=[world.project.pk, task.pk])
    response = coordinator.post(url, data)
    assert response.status_code == 400
    assert message in html(response)
    task.refresh_from_db()
    assert task.status == ProjectTask.Status.OPEN


def test_evidence_from_another_project_is_refused(world, coordinator):
    apply_routine(world.project)
    task = ProjectTask.objects.get(title="Informer naboene")
    url = reverse("routines:task_complete", args=[world.project.pk, task.pk])
    response = coordinator.post(url, {"status": "done", "evidence_update": world.other_update.pk})
    assert response.status_code == 400
    assert "Select a valid choice." in html(response)
    with pytest.raises(services.RoutineError):
        services.project_task_complete(
            task=task, status="done", by=None, evidence_update=world.other_update
        )


def test_the_holder_of_a_tasks_role_completes_it_and_others_may_not(world):
    task = project_task(world.project, role="facility_staff")
    url = reverse("routines:task_complete", args=[world.project.pk, task.pk])
    staff = english(world.users["facility_staff"])
    assert staff.post(url, {"status": "done", "evidence_note": "Møtet er holdt."}).status_code == (
        302
    )
    police = english(world.users["police"])
    assert police.get(url).status_code == 403
    page = checklist(police, world.project)  # the police liaison reads the checklist
    assert "Hold naborådsmøte" in page
    assert url not in page
    other = project_task(world.project, role="police")
    assert staff.get(
        reverse("routines:task_complete", args=[world.project.pk, other.pk])
    ).status_code == (403)


def test_the_project_page_shows_progress_and_what_is_due(world, coordinator):
    project = world.project
    apply_routine(project)
    services.project_milestones_set(
        project=project,
        dates={"political_hearing": ("", timezone.localdate() + timedelta(days=30))},
    )
    page = html(coordinator.get(reverse("projects:detail", args=[project.pk])))
    # The next step of the routine says it, once (the phases' progress is on the checklist).
    assert page.count("0 of 3 tasks closed") == 1
    assert 'id="next-step-heading"' in page and "Orienter politikerne" in page
    assert 'id="checklist-heading"' not in page
    assert reverse("routines:checklist", args=[project.pk]) in page


def test_a_milestone_date_that_is_not_a_date_is_refused(world, coordinator):
    apply_routine(world.project)
    response = coordinator.post(
        reverse("routines:milestones", args=[world.project.pk]),
        {"political_hearing": "neste vår"},
    )
    assert response.status_code == 400
    assert "Enter a valid date." in html(response)
    assert 'value="neste vår"' in html(response)


def many_tasks(n):
    return routine_data(
        slug=f"mange-{n}",
        phases=[
            {
                "order": i + 1,
                "name": f"Fase {i + 1}",
                "project_phase": "planning",
                "tasks": [
                    task_data(f"Oppgave {i}-{j}", {"milestone": "political_hearing"}, j)
                    for j in range(n)
                ],
            }
            for i in range(3)
        ],
    )


@pytest.mark.parametrize("page", ["routines:checklist", "projects:detail"])
def test_checklist_pages_do_not_grow_queries(world, coordinator, page):
    """The same queries for 6 tasks as for 66 (with evidence on every task)."""
    project = world.project
    update = UpdateFactory(project=project)
    measure = make_measure(project)
    coordinator.get(reverse(page, args=[project.pk]))  # the session's first request does more
    counts = []
    for n in (2, 20):
        routine = services.routine_import(
            data=many_tasks(n), municipality=project.municipality, created_by=None, publish=True
        )
        services.project_routine_apply(project=project, routine=routine, applied_by=None)
        for task in ProjectTask.objects.filter(project=project, status="open"):
            services.project_task_complete(
                task=task, status="done", by=None, evidence_update=update, evidence_measure=measure
            )
        with CaptureQueriesContext(connection) as queries:
            response = coordinator.get(reverse(page, args=[project.pk]))
        assert response.status_code == 200
        total = ProjectTask.objects.filter(project=project).count()
        assert f"{total} of {total} tasks closed" in html(response)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 25, counts


def test_demo_projects_follow_the_shipped_routines(db):
    call_command("load_demo", stdout=StringIO())
    lindeveien = Project.objects.get(slug="lindeveien")
    solbakken = Project.objects.get(slug="solbakken")
    assert lindeveien.routines.get().routine.name == "Naboskapsarbeid i kommunale boligprosjekter"
    assert solbakken.routines.get().routine.name == "Naboråd ved botiltak"
    for project in (lindeveien, solbakken):
        tasks = ProjectTask.objects.filter(project=project)
        assert 0 < tasks.filter(status="done").count() < tasks.count()
    done = ProjectTask.objects.get(project=lindeveien, title="Oppsummer dialogmøtet for naboene")
    assert done.evidence_update.title == "Oppsummering fra dialogmøtet"
    # Running the demo's routine step again changes nothing.
    User = get_user_model()
    users = {name: User.objects.get(username=name) for name in ("koordinator", "botiltak")}
    before = list(ProjectTask.objects.values_list("pk", "status"))
    load_routines({"lindeveien": lindeveien, "solbakken": solbakken}, users)
    assert list(ProjectTask.objects.values_list("pk", "status")) == before


def test_a_new_project_leads_on_to_choosing_a_routine(world, coordinator):
    """Creating a project lands on its page, which offers the routines; the checklist then
    counts from the day the project was created (the idea phase)."""
    from naboskap.projects.tests.test_views import project_data

    services.routines_load_shipped()
    response = coordinator.post(reverse("projects:create"), project_data(world), follow=True)
    project = Project.objects.get(name="Bjørkeveien omsorgsboliger")
    choose = reverse("routines:project_routine", args=[project.pk])
    assert choose in html(response)
    page = html(coordinator.get(choose))
    assert "Naboskapsarbeid i kommunale boligprosjekter – Naboskap" in page
    shipped = Routine.objects.get(slug="naboskapsarbeid-kommunale-boligprosjekter")
    coordinator.post(choose, {"routine": shipped.pk})
    page = checklist(coordinator, project)
    assert "Legg ansvaret for dialogen ett sted" in page
    assert short(timezone.localdate() + timedelta(days=14)) in page


def test_a_task_is_completed_with_a_meeting_or_an_analysis_and_leads_to_a_measure(
    world, coordinator
):
    from naboskap.meetings import services as meetings
    from naboskap.meetings.models import Meeting
    from naboskap.risk import services as risk

    apply_routine(world.project)
    meeting = meetings.meeting_create(
        project=world.project,
        created_by=None,
        kind=Meeting.Kind.DIALOGUE,
        title="Dialogmøte med velforeningen",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
    )
    analysis = risk.analysis_create(
        project=world.project, created_by=None, title="ROS Lindeveien", purpose="Trygghet"
    )
    first, second = ProjectTask.objects.filter(phase_order=1)
    url = reverse("routines:task_complete", args=[world.project.pk, first.pk])
    page = coordinator.get(url).content.decode()
    assert "Dialogmøte med velforeningen" in page and "ROS Lindeveien" in page
    # The task page offers a measure in the plan with the task as its source.
    plan_link = reverse("plans:measure_create", args=[world.project.pk])
    assert f"{plan_link}?routine_task={first.pk}" in page
    form = coordinator.get(f"{plan_link}?routine_task={first.pk}").content.decode()
    assert re.search(rf'<option value="{first.pk}" selected\s*>{first.title}</option>', form)
    coordinator.post(url, {"status": "done", "evidence_meeting": meeting.pk})
    url = reverse("routines:task_complete", args=[world.project.pk, second.pk])
    coordinator.post(url, {"status": "done", "evidence_analysis": analysis.pk})
    page = checklist(coordinator, world.project)
    assert "Meeting: Dialogmøte med velforeningen" in page
    assert "Analysis: ROS Lindeveien" in page
    # Another project's meeting is not a choice.
    other = meetings.meeting_create(
        project=world.other_project,
        created_by=None,
        kind=Meeting.Kind.DIALOGUE,
        title="Annet møte",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
    )
    response = coordinator.post(url, {"status": "done", "evidence_meeting": other.pk})
    assert response.status_code == 400
