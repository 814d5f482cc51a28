"""The action plan's staff pages in headless Chromium, in bokmål and nynorsk: axe-core finds
no WCAG 2.1 A/AA violations, `<html lang>` is right, and nothing scrolls sideways at 320 px.
The measure form is also checked with its errors shown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.plans.models import Participation
from naboskap.tenancy.models import Unit
from naboskap.testing.factories import make_concern, make_measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_pages(world, visitor):
    project = world.project
    eiendom = Unit.objects.get(municipality=world.municipality, name="Eiendom")
    measure = make_measure(
        project,
        owner_unit_name="Helse og sosial",
        participations={eiendom: Participation.Part.CONSULTED},
        is_public=True,
        public_text="Naboene får en fast kontaktperson.",
        by=world.users["coordinator"],
    )
    make_measure(
        project,
        title="Svar på støyklager",
        concern=make_concern(project),
        owner_unit_name="Eiendom",
        due_date=timezone.localdate() - timedelta(days=2),
    )
    visitor.login(world.users["coordinator"])
    page = visitor.open(reverse("plans:plan", args=[project.pk]))
    assert page.locator("tr[data-overdue]").count() == 1
    visitor.open(reverse("plans:plan", args=[project.pk]) + "?group=unit&overdue=on")
    page = visitor.open(reverse("plans:matrix", args=[project.pk]))
    assert page.locator("td abbr").count() == 1
    visitor.open(measure.get_absolute_url())

    page = visitor.open(reverse("plans:measure_create", args=[project.pk]))
    page.locator("#id_status").select_option("cancelled")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").is_visible()
    assert page.locator("#id_cancel_reason_error").is_visible()
    visitor.audit()

    visitor.login(world.users["case_handler"])
    visitor.open(reverse("plans:my_measures"))
    page = visitor.open(measure.get_absolute_url())
    page.locator("#id_progress").fill("140")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    visitor.audit()

    visitor.open(project.get_public_url())
    visitor.assert_no_problems()
