"""Issue 16, intake, in headless Chromium (bokmål and nynorsk), at phone (390 px) and desktop
(1366 px) widths, audited with axe-core: the neighbour's `/meld/` with its project choice, and
the staff intake form from a phone call to the page with the reference."""

import pytest
from django.urls import reverse

from naboskap.concerns import services
from naboskap.concerns.models import Concern
from naboskap.testing.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)


@pytest.fixture
def solbakken(world):
    services.categories_ensure_defaults(municipality=world.municipality)
    return ProjectFactory(
        municipality=world.municipality,
        slug="solbakken",
        name="Solbakken",
        address="Solbakkvegen 4",
        responsible_unit=world.project.responsible_unit,
    )


def test_the_neighbour_chooses_the_project_at_both_widths(world, solbakken, visitor, settings):
    settings.RATELIMIT_ENABLE = False
    page = visitor.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visitor.open(reverse("portal:report"))
        radios = page.locator('input[name="project"]')
        assert radios.count() == 3
        assert page.locator('input[name="project"]:checked').count() == 0
        # Sending without a choice: an error, and the text stays.
        page.locator('textarea[name="description"]').fill("Knust glass på lekeplassen.")
        page.locator('input[name="category"]').first.check()
        page.locator('button[type="submit"]').last.click()
        page.wait_for_load_state()
        assert page.locator('textarea[name="description"]').input_value() == (
            "Knust glass på lekeplassen."
        )
        assert page.locator(".ds-error-summary").count() == 1
        visitor.audit()
    page.get_by_label("Solbakken, Solbakkvegen 4").check()
    page.locator('button[type="submit"]').last.click()
    page.wait_for_load_state()
    assert "/melding/" in page.url
    visitor.audit()
    assert Concern.objects.get().project == solbakken
    visitor.assert_no_problems()


def test_a_phone_call_becomes_a_case_at_both_widths(world, solbakken, visitor):
    visitor.login(world.users["case_handler"])
    page = visitor.page
    for number, width in enumerate(WIDTHS):
        page.set_viewport_size({"width": width, "height": 900})
        visitor.open(reverse("concerns:intake"))
        # The channel has the focus; a phone call is the default.
        assert page.evaluate("document.activeElement.name") == "intake_channel"
        page.locator('select[name="project"]').select_option(str(solbakken.pk))
        page.locator('select[name="category"]').select_option(index=1)
        page.locator('textarea[name="description"]').fill(f"Telefon {number}: bråk om natta.")
        page.locator('button[type="submit"]').last.click()
        page.wait_for_load_state()
        assert "/app/meldinger/ny/" in page.url
        reference = page.locator("#intake-reference").inner_text()
        assert Concern.objects.filter(reference=reference, intake_channel="phone").exists()
        visitor.audit()
    visitor.assert_no_problems()
