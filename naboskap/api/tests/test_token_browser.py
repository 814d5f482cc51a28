"""The API token page in headless Chromium (issue 23), at phone and desktop width, in bokmål
and nynorsk: a coordinator creates a token (after forgetting to choose its access), sees it
once, copies it with the button, and revokes it after confirming; axe finds nothing on any
step (the visitor audits each page at its width and at 320 px)."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from naboskap.api.models import ApiToken
from naboskap.projects.tests.test_browser import assert_error_shown, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def concerns_status(raw: str) -> int:
    return Client().get("/api/v1/concerns/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


@pytest.mark.parametrize("width", [390, 1366])
def test_a_coordinator_creates_copies_and_revokes_a_token(world, visitor, width):
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=visitor.base_url)
    visitor.login(world.users["coordinator"])
    tokens_url = reverse("api_tokens:list")

    page = visitor.open(tokens_url)
    expect(page.locator("a[href='/api/v1/docs/']").first).to_be_visible()
    # A name but no access: the form says so and keeps the name.
    page.locator("#id_name").fill("Arkivsystem")
    submit(page, 400)
    assert_error_shown(page)
    expect(page.locator("#new-access-error")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("Arkivsystem")
    visitor.audit()

    # Read and change concerns: a click on the word chooses it.
    page.locator("label[for='id_access_concerns_2']").click()
    expect(page.locator("#id_access_concerns_2")).to_be_checked()
    submit(page, 200)  # redirected to the page that shows the token once
    page.wait_for_url(f"**{reverse('api_tokens:created')}")
    visitor.audit()
    raw = page.locator("#api-token").input_value()
    assert raw.startswith("nbk_") and len(raw) > 40
    expect(page.locator("pre.token-example")).to_contain_text(f"Authorization: Bearer {raw}")

    copy = page.locator("button[data-copy='api-token']")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator("#api-token-status")).not_to_be_empty()
    assert page.evaluate("navigator.clipboard.readText()") == raw
    visitor.audit()
    assert concerns_status(raw) == 200

    # Once: the same address no longer shows it.
    page = visitor.open(reverse("api_tokens:created"))
    expect(page.locator("#api-token")).to_have_count(0)
    assert raw not in page.content()

    # Revoke, after confirming.
    page = visitor.open(tokens_url)
    token = ApiToken.objects.get(user=world.users["coordinator"])
    expect(page.locator(f"#token-{token.pk}-name")).to_have_text("Arkivsystem")
    with page.expect_navigation():
        page.locator("main form[action*='trekk-tilbake'] button").click()
    visitor.audit()
    token.refresh_from_db()
    assert token.revoked_at is None
    with page.expect_navigation():
        page.locator("main form button[data-color='danger']").click()
    page.wait_for_url(f"**{tokens_url}")
    visitor.audit()
    expect(page.locator("main form[action*='trekk-tilbake']")).to_have_count(0)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert concerns_status(raw) == 401
    visitor.assert_no_problems()
