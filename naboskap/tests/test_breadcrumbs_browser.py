"""The breadcrumb trail as people see it: the whole trail on a wide screen, and on a phone
only Designsystemet's back link one level up. axe runs on each page (the `visitor` audits
every page it opens), so the trail and the form page layout pass WCAG 2.1 AA."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown(page, selector: str) -> bool:
    return page.locator(selector).first.is_visible()


def test_the_trail_is_whole_on_a_desktop_and_a_back_link_on_a_phone(world, visitor):
    project = world.project
    visitor.login(world.users["coordinator"])
    page = visitor.open(reverse("plans:measure_create", args=[project.pk]))
    plan_url = reverse("plans:plan", args=[project.pk])
    page.set_viewport_size({"width": 1366, "height": 900})
    assert shown(page, ".ds-breadcrumbs ol")
    assert not shown(page, f".ds-breadcrumbs > a[href='{plan_url}']")
    current = page.locator(".ds-breadcrumbs [aria-current=page]")
    assert current.evaluate("e => e.tagName") == "SPAN"
    page.set_viewport_size({"width": 390, "height": 900})
    assert not shown(page, ".ds-breadcrumbs ol")
    assert shown(page, f".ds-breadcrumbs > a[href='{plan_url}']")
    # The form page's Cancel goes one level up the trail too.
    assert page.locator("main form .form-actions a").get_attribute("href") == plan_url
    visitor.open(reverse("portal:project_updates", args=[project.slug]))
    visitor.assert_no_problems()
