"""The API's documentation page in headless Chromium: Swagger UI from our own static files,
no console error (the Content-Security-Policy allows it), every endpoint listed, and axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from naboskap.api.services import token_create
from naboskap.testing.browser import axe_violations
from naboskap.testing.factories import make_concern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def operation_count() -> int:
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sum(len(operations) for operations in paths.values())


def test_the_documentation_lists_the_endpoints_and_answers_a_try(world, visitor):
    page = visitor.page
    response = page.goto(visitor.base_url + "/api/v1/docs/")
    assert response is not None and response.status == 200
    expect(page.get_by_text("Naboskap API").first).to_be_visible()
    operations = page.locator(".opblock-summary-path")
    expect(operations).to_have_count(operation_count())  # every operation of the schema
    expect(operations.first).to_contain_text("/api/v1/projects/")
    assert page.locator("html").get_attribute("lang") == "en"
    problems = axe_violations(page)
    assert not problems, problems[0]
    # An integrator tries the first endpoint from the page: the answer is the project list.
    page.locator(".opblock-summary-control").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    answer = page.locator(".responses-wrapper").first
    expect(answer).to_contain_text("Server response")
    expect(answer).to_contain_text(f'"slug": "{world.project.slug}"')
    problems = axe_violations(page)
    assert not problems, problems[0]

    # A case handler's system tries the staff part: Authorize with a token, then the
    # concern list answers with the concerns its user may see.
    concern = make_concern(world.project, description="Høy musikk fra hagen.")
    _token, raw = token_create(
        user=world.users["coordinator"],
        name="Swagger",
        scopes=["concerns:read"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".auth-container").first
    expect(dialog).to_be_visible()
    problems = axe_violations(page)
    assert not problems, problems[0]
    dialog.locator("input").first.fill(raw)
    page.locator(".auth-btn-wrapper .btn.modal-btn.auth").first.click()
    page.locator(".auth-btn-wrapper .btn-done, .close-modal").first.click()
    concerns = page.locator(".opblock-get").filter(
        has=page.locator('[data-path="/api/v1/concerns/"]')
    )
    concerns.locator(".opblock-summary-control").click()
    concerns.get_by_role("button", name="Try it out").click()
    concerns.get_by_role("button", name="Execute").click()
    answer = concerns.locator(".responses-wrapper")
    expect(answer).to_contain_text(f'"reference": "{concern.reference}"')
    problems = axe_violations(page)
    assert not problems, problems[0]
    visitor.assert_no_problems()
