"""Headers set in one place (naboskap.lib.headers): `Cache-Control: no-store` on every page and
file with personal data, a `Permissions-Policy` on every response."""

import pytest
from django.urls import reverse

from naboskap.conftest import english
from naboskap.lib.headers import permissions_policy
from naboskap.testing.factories import make_concern


def assert_policy(response):
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    assert "fullscreen=(self)" in policy


@pytest.mark.parametrize(
    "name",
    ["projects:my_projects", "plans:plan_xlsx", "plans:plan_pdf", "stakeholders:register_import"],
)
def test_staff_pages_and_exports_are_never_stored(world, name):
    args = [world.project.pk] if name.startswith("plans:") else []
    response = english(world.users["coordinator"]).get(reverse(name, args=args))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert_policy(response)


def test_staff_pages_under_a_municipality_prefix_and_refusals_are_never_stored(world):
    coordinator = english(world.users["coordinator"])
    prefixed = coordinator.get(f"/k/{world.municipality.slug}" + reverse("projects:my_projects"))
    assert prefixed.status_code == 200
    assert prefixed["Cache-Control"] == "private, no-store"
    # Not signed in: the redirect to the login is not stored either.
    anonymous = english().get(reverse("projects:my_projects"))
    assert anonymous.status_code == 302
    assert anonymous["Cache-Control"] == "private, no-store"


def test_a_views_own_no_store_is_kept(world):
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    response = english().get(concern.get_follow_up_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]  # the view's never_cache, kept
    assert_policy(response)


def test_public_pages_stay_cacheable_and_get_the_policy(world):
    client = english()
    for url in (world.project.get_public_url(), reverse("portal:home"), reverse("portal:feed")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.get("Cache-Control", ""), url
        assert_policy(response)


def test_the_policy_is_written_as_browsers_read_it():
    assert (
        permissions_policy({"camera": [], "geolocation": ["self", "https://kart.example"]})
        == 'camera=(), geolocation=(self "https://kart.example")'
    )


def test_an_empty_policy_sends_no_header(world, settings):
    settings.NABOSKAP_PERMISSIONS_POLICY = {}
    response = english().get(reverse("portal:home"))
    assert response.status_code == 200
    assert "Permissions-Policy" not in response
