"""The privacy pages in headless Chromium, in bokmål and nynorsk, at desktop width and at
320 px (a phone): axe-core finds no WCAG 2.1 A/AA violations and nothing scrolls sideways."""

import pytest
from django.urls import reverse

from naboskap.concerns import services as concern_services
from naboskap.privacy.tests.test_logs import delete_old_concern, erase_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_privacy_pages(world, visitor):
    concern_services.categories_ensure_defaults(municipality=world.municipality)
    concern_services.policy_save(
        municipality=world.municipality, erase_contact_after_days=45, delete_after_years=7
    )
    reference = delete_old_concern(world.project)
    erase_person(world.municipality, world.users["admin"])
    visitor.login(world.users["admin"])
    page = visitor.open(reverse("privacy:records"))
    assert page.locator("table.access-table tbody tr").count() >= 10
    assert page.locator("td.retention-value", has_text="45").count() == 1
    page = visitor.open(reverse("privacy:index"))
    page = visitor.open(reverse("privacy:log"))
    assert page.get_by_text(reference).count() == 1
    visitor.open(reverse("privacy:log") + "?fra=2026-05-01&til=2026-01-01", status=400)
    visitor.open(reverse("privacy:dpia"))
    visitor.assert_no_problems()
