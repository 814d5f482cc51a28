"""The administrator's users page and the invitation page in headless Chromium, in bokmål
and nynorsk, at phone (390 px) and desktop (1366 px) width: axe-core finds no WCAG 2.1 A/AA
violations and nothing scrolls sideways (the visitor also checks 320 px). Assertions use
structure and ids, never translated text."""

import pytest
from django.urls import reverse

from naboskap.conftest import make_staff
from naboskap.tenancy.administration.services import invitation_create, invitation_token
from naboskap.tenancy.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)


def test_users_page_and_invitation_page(world, visitor):
    make_staff(world.municipality, Role.POLITICIAN, username="utenkode", mfa=False)
    invitation = invitation_create(
        municipality=world.municipality,
        name="Nina Nyansatt",
        email="nina@example.org",
        roles=[Role.CASE_HANDLER],
        unit=world.project.responsible_unit,
        invited_by=world.users["admin"],
    )
    link = reverse("invitations:accept", args=[invitation_token(invitation)])
    page = visitor.page
    # The invitee, not signed in: the page with the new-account form, then its errors.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visitor.open(link)
        assert page.locator("#id_username").is_visible()
    page.locator("#id_username").fill("nina")
    page.locator("#id_password1").fill("kort")
    page.locator("#id_password2").fill("kort")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").last.click()
    assert navigation.value.status == 400
    assert page.locator("#id_username").input_value() == "nina"
    visitor.audit()

    visitor.login(world.users["admin"])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visitor.open(reverse("administration:users"))
        assert page.locator("#members-heading").is_visible()
        assert page.locator("#invitations-heading").is_visible()
        visitor.open(reverse("administration:invite"))
        visitor.open(reverse("administration:user", args=[world.users["politician"].pk]))
        visitor.open(reverse("administration:units"))
        visitor.open(reverse("administration:unit", args=[world.project.responsible_unit_id]))
        visitor.open(reverse("administration:log"))
    visitor.assert_no_problems()
