"""The staff map of concerns and the police's counts per area in headless Chromium, with axe,
at phone and desktop width: the clusters follow the period slider (moved by keyboard), and
the police see squares with counts, never a point."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from naboskap.concerns import services as concern_services
from naboskap.concerns.models import Concern
from naboskap.maps import coordinates
from naboskap.testing.factories import make_concern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITE = (69.65, 18.95)


def test_the_concern_map_follows_the_period_slider(world, visitor):
    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    for index in range(5):
        lat, lon = coordinates.offset(*SITE, 45, 120 + index)
        concern = make_concern(project, latitude=lat, longitude=lon)
        if index >= 3:  # two of them half a year ago
            Concern.objects.filter(pk=concern.pk).update(
                created_at=timezone.now() - timedelta(days=180)
            )
    visitor.login(world.users["coordinator"])
    page = visitor.page
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page = visitor.open(reverse("concerns:map"))
        # One cluster of all five (a count replaced by another fades out for 200 ms first).
        expect(page.locator("#map-concerns .map__count")).to_have_text(["5"])
    slider = page.locator("#id_months")
    slider.focus()
    for _ in range(9):  # 12 months down to 3
        page.keyboard.press("ArrowLeft")
    expect(page.locator("#months-shown")).to_have_text("3")
    expect(page.locator("#map-concerns .map__count")).to_have_text(["3"])
    visitor.audit()
    visitor.assert_no_problems()


def test_the_police_see_counts_per_area(world, visitor):
    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    for index in range(6):
        lat, lon = coordinates.offset(*SITE, 0, 300 + index)
        concern = make_concern(project, latitude=lat, longitude=lon)
        concern_services.concern_mark_police_relevant(concern=concern, relevant=True)
    visitor.login(world.users["police"])
    page = visitor.page
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page = visitor.open(reverse("situation:picture", args=[project.pk]))
        assert page.locator("#map-areas").is_visible()
        assert page.locator("#map-areas path").count() == 2  # the square and the site
        expect(page.locator("#map-areas .map__label", has_text="6")).to_have_count(1)
    visitor.assert_no_problems()
