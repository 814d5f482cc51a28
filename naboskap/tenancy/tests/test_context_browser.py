"""The staff header with the municipality switcher, and the profile page, in headless
Chromium at a phone's width (390 px) and a laptop's (1366 px): axe-core finds no WCAG 2.1
A/AA violations, nothing scrolls sideways at 320 px, and the switcher works without
JavaScript."""

import pytest
from django.urls import reverse

from naboskap.conftest import make_staff
from naboskap.tenancy.models import Profile, Role
from naboskap.testing.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_the_header_switcher_and_the_profile_page(world, visitor, width):
    consultant = make_staff(world.municipality, Role.ADMIN, username="konsulent")
    MembershipFactory(user=consultant, municipality=world.other_municipality, role=Role.ADMIN)
    visitor.page.set_viewport_size({"width": width, "height": 900})
    visitor.login(consultant)

    page = visitor.open(reverse("projects:my_projects"))
    label = page.locator("header label[for=municipality-switcher]").inner_text()
    assert label == {"nb": "Jobber i", "nn": "Jobbar i"}[visitor.language]
    assert "Annenby kommune" in page.locator(".site-header__brand").inner_text()
    switcher = page.locator("#municipality-switcher")
    assert switcher.input_value() == str(world.other_municipality.pk)  # first by name
    assert "Annenvei" in page.content()
    switcher.select_option(str(world.municipality.pk))
    with page.expect_navigation():  # the page may already be at an address that matches
        page.locator(".municipality-switcher button[type=submit]").click()
    page.wait_for_url("**/app/")
    visitor.audit()  # the page after switching, with its message
    assert page.locator("#municipality-switcher").input_value() == str(world.municipality.pk)
    assert "Fjordby kommune" in page.locator(".site-header__brand").inner_text()
    assert "Lindeveien" in page.content()
    assert Profile.objects.get(user=consultant).municipality == world.municipality

    visitor.open(reverse("tenancy:profile"))
    visitor.assert_no_problems()
