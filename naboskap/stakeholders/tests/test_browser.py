"""The neighbour list and the address register in headless Chromium, in bokmål and nynorsk:
axe-core finds no WCAG 2.1 A/AA violations, `<html lang>` is right, and nothing scrolls
sideways at 320 px. With the radius form's errors shown, and with search results."""

from decimal import Decimal

import pytest
from django.urls import reverse

from naboskap.stakeholders import services
from naboskap.stakeholders.tests.factories import make_addresses_around

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_neighbour_list_pages(world, visitor):
    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    make_addresses_around(world.municipality, 69.65, 18.95, 60)
    neighbour_list = services.neighbour_list_compute(project=project, radius_m=200)
    services.neighbour_entry_remove(entry=neighbour_list.entries.order_by("pk").first())
    visitor.login(world.users["coordinator"])

    url = reverse("stakeholders:neighbour_list", args=[project.pk])
    page = visitor.open(f"{url}?q=Spiralveien+7")
    assert page.locator("main table tbody tr").count() == 50
    page.locator("#id_radius_m").fill("50000")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack").first.locator("button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").is_visible()
    visitor.audit()

    visitor.login(world.users["admin"])
    visitor.open(reverse("stakeholders:addresses"))
    visitor.assert_no_problems()
