"""The map journey in headless Chromium, with axe: a neighbour on a phone marks where it
happened by tapping the map (and by keyboard, with the button that marks the map's middle),
is told the nearest address, sends the report; the case handler at a desk sees the place on
the case page. There is no tile server in the tests: the shapes are drawn on a plain
background and nothing appears broken."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from naboskap.concerns.models import Category, Concern
from naboskap.maps.coordinates import distances_m
from naboskap.stakeholders.tests.factories import make_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAT, LON = 59.950512, 10.780143


def test_a_neighbour_marks_the_place_on_a_phone_and_the_handler_sees_it(world, visitor):
    project = world.project
    project.latitude, project.longitude = LAT, LON
    project.save(update_fields=["latitude", "longitude"])
    make_address(world.municipality, LAT, LON, street="Lindeveien", number=14)
    noise = Category.objects.filter(municipality=world.municipality, code="noise").first()
    page = visitor.page
    page.set_viewport_size({"width": 390, "height": 844})
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page = visitor.open(reverse("portal:project_report", args=[project.slug]))
    board = page.locator("#map-report")
    assert board.is_visible()
    assert board.get_attribute("aria-label")  # the map has a name for screen readers
    assert page.locator("#map-report .leaflet-tile").count() == 0  # no tile server: no tiles
    assert page.locator("#map-report path").count() >= 1  # the project's site is drawn

    # By keyboard: the button marks the middle of the map (the project's site).
    page.locator("[data-map-centre]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_location")).to_have_value("Lindeveien 14")
    expect(page.locator("#map-report-status")).to_contain_text("Lindeveien 14")
    # A tap moves the mark; the address filled in by the map follows it.
    box = board.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 30, box["y"] + box["height"] / 2 - 20)
    tapped = float(page.locator("#id_latitude").input_value())
    assert tapped != LAT
    visitor.audit()

    if noise is None:  # the categories are made with the first report form
        noise = Category.objects.get(municipality=world.municipality, code="noise")
    page.locator(f"input[name=category][value='{noise.pk}']").check()
    page.locator("#id_description").fill("Høy musikk fra hagen etter midnatt.")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200
    concern = Concern.objects.get()
    assert concern.latitude is not None and concern.location == "Lindeveien 14"
    [off] = distances_m(LAT, LON, [concern.latitude], [concern.longitude])
    assert off < 200  # where the neighbour tapped, rounded

    visitor.login(world.users["coordinator"])
    page.set_viewport_size({"width": 1366, "height": 900})
    page = visitor.open(reverse("concerns:detail", args=[concern.pk]))
    assert page.locator("#map-concern").is_visible()
    assert page.locator("#map-concern path").count() >= 2  # the mark and the project's site
    # The map takes focus and pans by keyboard without trapping it.
    page.locator("#map-concern").focus()
    page.keyboard.press("ArrowLeft")
    outside = "document.activeElement.closest('#map-concern') === null"
    for _ in range(4):  # the zoom buttons, then out of the map
        page.keyboard.press("Tab")
        if page.evaluate(outside):
            break
    assert page.evaluate(outside), "Tab does not leave the map"
    assert not errors, errors
    visitor.assert_no_problems()
