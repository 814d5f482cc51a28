"""The round and incident pages in headless Chromium, in bokmål and nynorsk: axe-core finds
no WCAG 2.1 A/AA violations, and nothing scrolls sideways at 320 px (a phone). Forms are
also checked with their errors shown."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from naboskap.facility import services
from naboskap.facility.models import Round
from naboskap.projects.tests.test_browser import assert_error_shown, submit
from naboskap.testing.factories import make_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caretaker_walks_a_round_on_a_phone(world, caretaker, visitor):
    project = world.project
    visitor.page.set_viewport_size({"width": 320, "height": 640})
    visitor.login(caretaker)
    page = visitor.open(reverse("facility:my_rounds"))
    page = visitor.open(reverse("facility:round_list", args=[project.pk]))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    visitor.audit()
    found = Round.objects.get()
    page = visitor.open(reverse("facility:observation_create", args=[project.pk, found.pk]))
    page.locator("#id_text").fill("Søppel ved bua.")
    submit(page, 400)  # no category chosen
    assert_error_shown(page)
    assert page.locator("#id_text").input_value() == "Søppel ved bua."
    visitor.audit()
    page.locator("input[name=category][value=litter]").check()
    submit(page, 200)
    page.wait_for_url(f"**{found.get_absolute_url()}")
    assert page.get_by_text("Søppel ved bua.").is_visible()
    visitor.audit()
    services.observation_all_calm(round=found, by=caretaker)
    visitor.open(reverse("facility:observation_list", args=[project.pk]))
    visitor.open(reverse("facility:incident_list", args=[project.pk]))
    visitor.assert_no_problems()


def test_observation_and_incident_pages(world, caretaker, visitor):
    project = world.project
    found = services.round_start(project=project, by=caretaker)[0]
    observation = services.observation_log(
        round=found,
        by=caretaker,
        category="damage",
        place="Porten",
        text="Knust lykt.",
        photo=SimpleUploadedFile("p.jpg", make_image(), content_type="image/jpeg"),
    )
    services.round_end(round=found, by=caretaker, note="Rolig ellers.")
    incident = services.incident_log(
        project=project, by=world.users["facility_staff"], category="noise", description="Bråk."
    )
    services.follow_up_add(incident=incident, by=world.users["facility_staff"], text="Ryddet.")

    visitor.login(world.users["coordinator"])
    visitor.open(found.get_absolute_url())
    page = visitor.open(observation.get_absolute_url())
    assert page.locator("img.facility-photo").evaluate("img => img.naturalWidth") > 0
    page.locator("#id_measure-title").fill("")
    with page.expect_navigation():
        page.locator("form[action$='tiltak/'] button[type=submit]").click()
    assert_error_shown(page)
    visitor.audit()

    visitor.login(world.users["facility_staff"])
    visitor.open(reverse("facility:incident_list", args=[project.pk]))
    page = visitor.open(reverse("facility:incident_create", args=[project.pk]))
    page.locator("#id_place").fill("Porten")
    submit(page, 400)
    assert_error_shown(page)
    assert page.locator("#id_place").input_value() == "Porten"
    visitor.audit()
    page = visitor.open(incident.get_absolute_url())
    page.locator("#id_follow_up-text").fill("Snakket med naboen.")
    submit(page, 200)
    assert page.get_by_text("Snakket med naboen.").is_visible()
    visitor.audit()
    visitor.assert_no_problems()
