"""The staff start page ("I dag", issue 18) in headless Chromium, in bokmål and nynorsk, at
390 px (a phone or tablet in the field) and 1366 px: axe-core finds no WCAG 2.1 A/AA
violations and nothing scrolls sideways; the coordinator and the politician."""

import os

import pytest
from django.urls import reverse

from naboskap.insights.tests.test_home import add_needs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HOME_SCREENSHOTS")  # a folder to keep the screenshots in


@pytest.mark.parametrize("persona", ["coordinator", "politician"])
def test_home_page(world, visitor, persona, tmp_path):
    add_needs(world)
    visitor.login(world.users[persona])
    for width in (390, 1366):
        visitor.page.set_viewport_size({"width": width, "height": 900})
        page = visitor.open(reverse("insights:home"))
        assert page.locator("h1").inner_text() == "I dag"
        assert page.get_by_role("link", name="I dag").first.is_visible() or width == 390
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{overflow} px wide at {width} px"
        folder = SHOTS or str(tmp_path)
        name = f"home-{persona}-{visitor.language}-{width}.png"
        page.screenshot(path=os.path.join(folder, name), full_page=True)
    if persona == "coordinator":
        assert page.locator("[data-section=concerns] .home-count").count() >= 1
    else:
        assert page.locator("[data-section=overview]").is_visible()
    visitor.assert_no_problems()
