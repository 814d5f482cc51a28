"""The staff pages for concerns in headless Chromium, in bokmål and nynorsk: axe-core finds no
WCAG 2.1 A/AA violations, `<html lang>` is right, nothing scrolls sideways at 320 px, and the
inbox works by keyboard alone. Assertions use structure and ids, never translated text."""

import pytest
from django.urls import reverse

from naboskap.concerns.models import Category
from naboskap.testing.factories import make_concern, make_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page, form_selector: str, status: int) -> None:
    with page.expect_navigation() as navigation:
        page.locator(form_selector).locator("button[type=submit]").first.click()
    assert navigation.value.status == status, navigation.value.url


def test_inbox_case_page_and_settings(world, visitor):
    concerns = [make_concern(world.project, reporter_email="nabo@example.org") for _ in range(3)]
    make_photo(concerns[0])
    visitor.login(world.users["admin"])

    page = visitor.open(reverse("concerns:inbox"))
    # By keyboard alone: Tab reaches a case link, Enter opens it.
    link = page.locator("main table a").first
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").is_visible()
    visitor.audit()

    page = visitor.open(concerns[0].get_absolute_url())
    assert page.locator("#measures-heading").is_visible()
    # A measure without its owner unit: the error is shown in place, and audited.
    page.locator("#id_measure-title").fill("Flytte benken")
    page.locator("#id_measure-owner_unit").select_option("")
    form = f"form[action='{reverse('concerns:measure_create', args=[concerns[0].pk])}']"
    submit(page, form, 400)
    assert page.locator("#id_measure-title").input_value() == "Flytte benken"
    visitor.audit()

    page = visitor.open(reverse("concerns:settings"))
    assert page.locator("#categories-heading").is_visible()
    # Saved as shown: the redirect lands on the settings page again, with a message.
    submit(page, f"form[action='{reverse('concerns:policy_edit')}']", 200)
    assert page.locator(".messages [data-color=success]").is_visible()
    visitor.audit()

    noise = Category.objects.get(municipality=world.municipality, code="noise")
    page = visitor.open(reverse("concerns:category_edit", args=[noise.pk]))
    page.locator("#id_answer_days").fill("0")
    page.locator("#id_acknowledge_days").fill("3")
    submit(page, "main form.form-stack", 400)
    assert page.locator("#id_answer_days").get_attribute("aria-invalid") == "true"
    visitor.audit()
    visitor.assert_no_problems()
