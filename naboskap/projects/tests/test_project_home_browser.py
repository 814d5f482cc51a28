"""The staff project page as the project's home (issue 18) in headless Chromium, in bokmål
and nynorsk, at 390 px (a tablet or phone in the field) and 1366 px: axe-core finds no WCAG
2.1 A/AA violations and nothing scrolls sideways; the coordinator while the project is being
planned, the facility staff once it is in operation."""

import os

import pytest
from django.urls import reverse

from naboskap.projects.models import Phase
from naboskap.projects.tests.test_project_home import add_content, set_phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PROJECT_HOME_SCREENSHOTS")  # a folder to keep the screenshots in


@pytest.mark.parametrize(
    ("persona", "phase"), [("coordinator", Phase.PLANNING), ("facility_staff", Phase.OPERATION)]
)
def test_project_home(world, visitor, persona, phase, tmp_path):
    add_content(world)
    set_phase(world, phase)
    visitor.login(world.users[persona])
    for width in (390, 1366):
        visitor.page.set_viewport_size({"width": width, "height": 900})
        page = visitor.open(reverse("projects:detail", args=[world.project.pk]))
        assert page.locator("h1").inner_text() == world.project.name
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{overflow} px wide at {width} px"
        # The routine's next step and the key figures are on the first screen at 1366 px.
        step = page.locator("[data-section=next-step]")
        assert step.is_visible()
        if width == 1366:
            assert step.bounding_box()["y"] < 900
        assert page.locator(".project-figure").count() >= 5
        folder = SHOTS or str(tmp_path)
        name = f"project-home-{persona}-{visitor.language}-{width}.png"
        page.screenshot(path=os.path.join(folder, name), full_page=True)
    facility = page.locator("[data-section=facility]")
    assert facility.count() == (1 if phase == Phase.OPERATION else 0)
    visitor.assert_no_problems()
