"""The public pages in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG 2.1
A/AA violations, `<html lang>` is right, and nothing scrolls sideways at 320 px.

The assertions use structure, ids and the data made here, never translated text.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from naboskap.conftest import run_tasks
from naboskap.projects.models import Subscription
from naboskap.testing.browser import links_in, read_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_pages(world, visitor):
    project = world.project

    page = visitor.open(reverse("portal:home"))
    page.get_by_role("link", name=project.name).click()
    page.wait_for_url(f"**{reverse('portal:project', args=[project.slug])}")
    assert page.get_by_role("heading", level=1).inner_text() == project.name
    assert page.get_by_text(world.update.title).is_visible()
    assert page.get_by_text(world.draft.title).count() == 0
    visitor.audit()

    page = visitor.open(reverse("portal:project_updates", args=[project.slug]))
    assert page.get_by_role("heading", level=2, name=world.update.title).is_visible()
    assert page.get_by_text(world.draft.title).count() == 0

    page = visitor.open(reverse("portal:subscribe", args=[project.slug]))
    assert page.locator("#id_email").is_visible()

    visitor.open("/prosjekter/finnes-ikke/", status=404)

    # The language switcher: the other language's button answers in that language, here.
    other = "nn" if visitor.language == "nb" else "nb"
    page = visitor.open(reverse("portal:project", args=[project.slug]))
    switcher = page.locator(".language-switcher")
    assert switcher.locator("[aria-current=true]").get_attribute("value") == visitor.language
    with page.expect_navigation():
        switcher.locator(f"button[value={other}]").click()
    assert page.url == visitor.base_url + reverse("portal:project", args=[project.slug])
    assert page.locator("html").get_attribute("lang") == other

    visitor.assert_no_problems()


def test_subscribe_confirm_in_the_browser(world, visitor, outbox):
    project = world.project
    address = f"nabo-{visitor.language}@example.org"
    page = visitor.open(reverse("portal:project", args=[project.slug]))
    subscribe_form = page.locator(
        f"form[action='{reverse('portal:subscribe', args=[project.slug])}']"
    )

    # A mistyped address: the form comes back with an error summary and a marked field.
    subscribe_form.locator("#id_email").fill("nabo.example.org")
    with page.expect_navigation() as navigation:
        subscribe_form.locator("button[type=submit]").click()
    assert navigation.value.status == 400
    # Chromium applies autofocus at its next rendering step, which may come after "load".
    expect(page.locator(".ds-error-summary")).to_be_focused()
    field = page.locator("#id_email")
    assert field.get_attribute("aria-invalid") == "true"
    assert "id_email_error" in field.get_attribute("aria-describedby").split()
    visitor.audit()

    field.fill(address)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200
    # "Check your email" names the address it wrote to.
    assert page.locator("main").get_by_text(address).is_visible()
    visitor.audit()
    assert not Subscription.objects.get(email=address).confirmed_at

    run_tasks()
    messages = [m for m in read_outbox(outbox) if m["To"] == address]
    assert len(messages) == 1
    confirm_url = next(u for u in links_in(messages[0]) if re.search(r"/bekreft/$", u))
    assert confirm_url.startswith(visitor.base_url)

    page = visitor.open(confirm_url.removeprefix(visitor.base_url))
    assert not Subscription.objects.get(email=address).confirmed_at, "GET must confirm nothing"
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200
    page.wait_for_url(f"**{reverse('portal:project', args=[project.slug])}")
    assert page.locator(".messages [data-color=success]").is_visible()
    visitor.audit()
    subscription = Subscription.objects.get(email=address)
    assert subscription.confirmed_at

    page = visitor.open(reverse("portal:unsubscribe", args=[subscription.token]))
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200
    visitor.audit()
    assert not Subscription.objects.filter(email=address).exists()

    visitor.assert_no_problems()
