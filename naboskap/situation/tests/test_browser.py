"""The situation pages in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG 2.1
A/AA violations, `<html lang>` is right, and nothing scrolls sideways at 320 px. Forms are
also checked with their errors shown."""

import pytest
from django.urls import reverse

from naboskap.situation import services
from naboskap.situation.models import Party
from naboskap.situation.tests.helpers import END, START, fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_situation_pages(world, visitor):
    project = world.project
    fill(project)
    assessment = services.assessment_create(
        project=project,
        period_start=START,
        period_end=END,
        text="Uro ved inngangen på kveldstid.\n\nTiltak: felles runde fredager.",
        by=world.users["coordinator"],
    )
    services.assessment_sign(
        assessment=assessment, version=1, party=Party.POLICE, by=world.users["police"]
    )
    services.assessment_edit(
        assessment=assessment, text="Endret tekst.", based_on=1, by=world.users["coordinator"]
    )
    picture = reverse("situation:picture", args=[project.pk])

    visitor.login(world.users["police"])
    page = visitor.open(f"{picture}?fra={START}&til={END}")
    assert page.locator("table.picture-table").count() == 2
    visitor.open(picture)
    visitor.open(f"{picture}?fra={END}&til={START}", status=400)
    page = visitor.open(assessment.get_absolute_url())
    assert page.locator("form button[type=submit]").count() >= 1
    visitor.open(reverse("situation:version_detail", args=[project.pk, assessment.pk, 1]))
    visitor.open(reverse("situation:assessment_edit", args=[project.pk, assessment.pk]))

    visitor.login(world.users["coordinator"])
    page = visitor.open(reverse("situation:assessment_create", args=[project.pk]))
    page.locator("#id_period_start").fill("2026-03-31")
    page.locator("#id_period_end").fill("2026-03-01")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").is_visible()
    visitor.audit()
    page = visitor.open(assessment.get_absolute_url())
    with page.expect_navigation() as navigation:
        page.locator("main form[action$='signer/'] button[type=submit]").first.click()
    assert navigation.value.status == 200
    visitor.audit()
    visitor.assert_no_problems()
