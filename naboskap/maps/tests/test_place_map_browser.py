"""The coordinator's map journey in the place and process analysis, in headless Chromium with
axe: a click on the map places a school, the page shows its distance from the site and the
neighbours within the radius on the analysis's map, and the PDF carries the drawn map."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from naboskap.maps import coordinates
from naboskap.stakeholders import services
from naboskap.stakeholders.models import SensitiveSite
from naboskap.stakeholders.tests.factories import make_addresses_around
from naboskap.testing.documents import render_queued

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_places_a_school_by_clicking_the_map(world, visitor):
    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    make_addresses_around(world.municipality, 69.65, 18.95, 12, within_m=180)
    services.neighbour_list_compute(project=project, radius_m=200)
    visitor.login(world.users["coordinator"])
    page = visitor.page
    page.set_viewport_size({"width": 1366, "height": 900})

    page = visitor.open(reverse("stakeholders:place_analysis", args=[project.pk]))
    page.locator("#id_site-kind").select_option("school")
    page.locator("#id_site-name").fill("Fjordby skole")
    board = page.locator("#map-site")
    board.scroll_into_view_if_needed()
    box = board.bounding_box()
    # A click north-east of the site, which is in the middle of the map.
    page.mouse.click(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 - 60)
    latitude = float(page.locator("#id_site-latitude").input_value())
    longitude = float(page.locator("#id_site-longitude").input_value())
    assert latitude > 69.65 and longitude > 18.95
    with page.expect_navigation() as navigation:
        page.locator("#site-form-heading").locator("xpath=..").locator(
            "button[type=submit]"
        ).click()
    assert navigation.value.status == 200
    site = SensitiveSite.objects.get()
    assert (site.latitude, site.longitude) == (latitude, longitude)
    [distance] = coordinates.distances_m(69.65, 18.95, [latitude], [longitude])
    # The table beside the map gives the distance; the map shows the radius, the twelve
    # neighbours, the school and the site.
    row = page.locator("main table tbody tr", has_text="Fjordby skole")
    assert f"{distance:.0f} m" in row.inner_text()
    analysis_map = page.locator("#map-place")
    assert analysis_map.is_visible()
    assert analysis_map.locator("path").count() == 1 + 12 + 1 + 1
    visitor.audit()

    pdf_url = visitor.base_url + reverse("stakeholders:place_pdf", args=[project.pk, 1])
    page.request.get(pdf_url)  # not stored yet: asks the worker for it
    render_queued()  # as the worker would
    pdf = page.request.get(pdf_url)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # The neighbour list: drag the radius (here by keyboard, as the slider allows) and the
    # circle and the addresses follow, with the count said in words; nothing is saved.
    page = visitor.open(reverse("stakeholders:neighbour_list", args=[project.pk]))
    assert page.locator("#map-neighbours path").count() == 1 + 12 + 1
    slider = page.locator("#map-neighbours-slider")
    slider.focus()
    for _ in range(10):  # 200 m down to 100 m, 10 m a step
        page.keyboard.press("ArrowLeft")
    expect(page.locator("#id_radius_m")).to_have_value("100")
    expected = services.neighbour_list_preview(project=project, radius_m=100)[0]
    expect(page.locator("#map-neighbours-radius-status")).to_contain_text(f"{expected} ")
    expect(page.locator("#map-neighbours path")).to_have_count(1 + expected + 1)
    assert project.neighbour_list.radius_m == 200
    visitor.audit()
    visitor.assert_no_problems()
