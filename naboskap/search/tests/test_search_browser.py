"""Staff search (issue 18) in headless Chromium, in bokmål and nynorsk, at 390 px (a tablet or
phone in the field) and 1366 px: axe-core finds no WCAG 2.1 A/AA violations and nothing
scrolls sideways, with results and with the message for an empty search."""

import os

import pytest
from django.urls import reverse

from naboskap.search.tests.test_search import data  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SEARCH_SCREENSHOTS")  # a folder to keep the screenshots in


def test_search_page(world, data, visitor, tmp_path):  # noqa: F811
    visitor.login(world.users["coordinator"])
    url = reverse("search:search")
    for width in (390, 1366):
        visitor.page.set_viewport_size({"width": width, "height": 900})
        page = visitor.open(url)
        page.get_by_role("searchbox").first.fill("vinduer")
        page.get_by_role("search").first.get_by_role("button").click()
        page.wait_for_load_state()
        visitor.audit()
        assert page.locator("[data-search-group=concerns] li").count() == 2
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{overflow} px wide at {width} px"
        name = f"search-{visitor.language}-{width}.png"
        page.screenshot(path=os.path.join(SHOTS or str(tmp_path), name), full_page=True)
        page = visitor.open(f"{url}?q=")
        assert page.locator("[data-search-error]").is_visible()
    visitor.assert_no_problems()
