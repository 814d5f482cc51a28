"""The staff pages for projects in headless Chromium, in bokmål and nynorsk: axe-core finds no
WCAG 2.1 A/AA violations, `<html lang>` is right, and nothing scrolls sideways at 320 px.

Forms are also checked with their errors shown. The assertions use structure, ids and the
data made here, never translated text.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from naboskap.projects.models import ContactPoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page, status: int) -> None:
    """Press the form's main button (the first submit button in the page's first form)."""
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack").first.locator("button[type=submit]").click()
    response = navigation.value
    assert response.status == status, f"{response.url}: status {response.status}"


def assert_error_shown(page, field_id: str | None = None) -> None:
    summary = page.locator(".ds-error-summary")
    assert summary.is_visible()
    # Focus moves to the summary, so a screen reader reads it and Tab leads on to the fields.
    # Chromium applies autofocus at its next rendering step, which may come after "load".
    expect(summary).to_be_focused()
    if field_id:
        field = page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true"
        assert f"{field_id}_error" in field.get_attribute("aria-describedby").split()
        assert page.locator(f"#{field_id}_error").is_visible()
        # The summary links to the field.
        assert page.locator(f".ds-error-summary a[href='#{field_id}']").count() == 1


def test_staff_pages(world, visitor):
    project = world.project
    visitor.login(world.users["coordinator"])

    page = visitor.open(reverse("projects:my_projects"))
    page.locator("main table").get_by_role("link", name=project.name).click()
    page.wait_for_url(f"**{reverse('projects:detail', args=[project.pk])}")
    assert page.get_by_role("heading", level=1).inner_text() == project.name
    assert page.get_by_role("rowheader", name=world.draft.title).is_visible()
    visitor.audit()

    page = visitor.open(reverse("projects:edit", args=[project.pk]))
    assert page.locator("#id_name").input_value() == project.name
    page.locator("#id_name").fill("")
    submit(page, 400)
    assert_error_shown(page, "id_name")
    visitor.audit()

    page = visitor.open(reverse("projects:phase", args=[project.pk]))
    assert page.locator("#id_to_phase").is_visible()
    submit(page, 400)  # The project is already in the phase the form starts with.
    assert_error_shown(page, "id_to_phase")
    visitor.audit()

    page = visitor.open(reverse("projects:updates", args=[project.pk]))
    assert page.get_by_role("link", name=world.update.title).is_visible()
    assert page.get_by_role("link", name=world.draft.title).is_visible()

    page = visitor.open(reverse("projects:update_create", args=[project.pk]))
    submit(page, 400)
    assert_error_shown(page, "id_title")
    visitor.audit()

    visitor.open(reverse("projects:update_edit", args=[project.pk, world.draft.pk]))

    page = visitor.open(reverse("projects:contact_create", args=[project.pk]))
    page.locator("#id_function").fill("Vakttelefon")
    submit(page, 400)  # Neither a phone number nor an email address.
    assert_error_shown(page)
    assert not ContactPoint.objects.filter(function="Vakttelefon").exists()
    visitor.audit()
    page.locator("#id_phone").fill("+4799999902")
    submit(page, 200)
    page.wait_for_url(f"**{reverse('projects:detail', args=[project.pk])}")
    assert page.get_by_role("heading", name="Vakttelefon").is_visible()
    assert page.locator(".messages [data-color=success]").is_visible()
    visitor.audit()

    visitor.open(reverse("projects:contact_edit", args=[project.pk, world.contact_point.pk]))

    # A reader (no links in the tables) sees the same pages without the edit controls.
    visitor.login(world.users["politician"])
    page = visitor.open(reverse("projects:detail", args=[project.pk]))
    assert page.locator(f"a[href='{reverse('projects:edit', args=[project.pk])}']").count() == 0
    page = visitor.open(reverse("projects:updates", args=[project.pk]))
    assert page.get_by_role("rowheader", name=world.update.title).is_visible()
    assert page.get_by_role("link", name=world.update.title).count() == 0

    visitor.assert_no_problems()
