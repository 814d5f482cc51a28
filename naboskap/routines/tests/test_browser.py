"""The routine pages in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG 2.1
A/AA violations, `<html lang>` is right, and nothing scrolls sideways at 320 px. Forms are
also checked with their errors shown."""

import pytest
from django.urls import reverse

from naboskap.projects.tests.test_browser import assert_error_shown, submit
from naboskap.routines import services
from naboskap.routines.models import ProjectTask, Routine
from naboskap.routines.tests.factories import make_routine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_routine_pages(world, visitor):
    services.routines_load_shipped()
    shipped = Routine.objects.get(slug="naboskapsarbeid-kommunale-boligprosjekter")
    draft = make_routine(world.municipality, publish=False)
    project = world.project
    visitor.login(world.users["coordinator"])

    page = visitor.open(reverse("routines:list"))
    assert page.get_by_role("link", name=shipped.name).is_visible()
    visitor.open(shipped.get_absolute_url())
    visitor.open(draft.get_absolute_url())

    page = visitor.open(reverse("routines:task_create", args=[draft.pk, draft.phases.first().pk]))
    submit(page, 400)
    assert_error_shown(page, "id_title")
    visitor.audit()

    page = visitor.open(reverse("routines:phase_create", args=[draft.pk]))
    page.locator("#id_name").fill("Tilbake")
    page.locator("#id_project_phase").select_option("idea")
    submit(page, 400)  # an earlier project phase than the phase before it
    assert_error_shown(page, "id_project_phase")
    visitor.audit()

    page = visitor.open(reverse("routines:import"))
    page.locator("#id_file").set_input_files(
        files=[{"name": "rutine.json", "mimeType": "application/json", "buffer": b"{}"}]
    )
    submit(page, 400)
    assert_error_shown(page, "id_file")
    visitor.audit()

    page = visitor.open(reverse("projects:detail", args=[project.pk]))
    choose = reverse("routines:project_routine", args=[project.pk])
    assert page.locator(f"main a[href='{choose}']").count() == 1
    page = visitor.open(reverse("routines:project_routine", args=[project.pk]))
    page.locator(f"input[name=routine][value='{shipped.pk}']").check()
    submit(page, 200)
    page.wait_for_url(f"**{reverse('routines:checklist', args=[project.pk])}")
    assert page.locator("progress").count() > 1
    visitor.audit()

    task = ProjectTask.objects.filter(project=project).first()
    page = visitor.open(reverse("routines:task_complete", args=[project.pk, task.pk]))
    page.locator("input[name=status][value=done]").check()
    submit(page, 400)  # done, but nothing shows it
    assert_error_shown(page)
    visitor.audit()

    page = visitor.open(reverse("projects:detail", args=[project.pk]))
    assert page.locator("#next-step-heading").is_visible()
    visitor.open(reverse("routines:create"))
    visitor.open(reverse("routines:edit", args=[draft.pk]))
    visitor.assert_no_problems()
