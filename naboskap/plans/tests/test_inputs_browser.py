"""Input pages in headless Chromium, in bokmål and nynorsk: axe-core finds no WCAG 2.1 A/AA
violations, `<html lang>` is right, and nothing scrolls sideways at 320 px. Forms are also
checked with their errors shown."""

import pytest
from django.urls import reverse

from naboskap.plans import services
from naboskap.plans.models import Input
from naboskap.projects.tests.test_browser import assert_error_shown, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_inputs(world) -> Input:
    project = world.project
    input = services.input_register(
        project=project,
        created_by=world.users["coordinator"],
        text="Velforeningen ønsker fartsdumper i Lindeveien.",
        origin=Input.Origin.MEETING,
        from_whom="Velforeningen",
        theme="Trafikk",
    )
    services.input_decide(input=input, decision="adopted", decision_reason="Før byggestart.")
    services.input_publish(input=input, public_text="Naboene ønsker fartsdumper.")
    services.input_create_measure(
        input=input,
        created_by=None,
        title="Fartsdumper",
        is_public=True,
        public_text="Fartsdumper i Lindeveien.",
    )
    services.input_create_measure(input=input, created_by=None, title="Intern avtale")
    services.input_submit_public(
        project=project,
        idempotency_key="browser-suggestion-0001",
        text="Flere benker, takk.",
        contact_email="nabo@example.org",
    )
    return input


def test_public_input_pages(world, visitor):
    make_inputs(world)
    slug = world.project.slug

    page = visitor.open(reverse("portal:you_said", args=[slug]))
    assert page.get_by_text("Naboene ønsker fartsdumper.").is_visible()
    assert page.get_by_text("Flere benker, takk.").count() == 0

    page = visitor.open(reverse("portal:input_suggest", args=[slug]))
    submit(page, 400)
    assert_error_shown(page, "id_text")
    visitor.audit()
    page.locator("#id_text").fill("Lys på stien bak skolen.")
    submit(page, 200)  # redirected to the receipt
    page.wait_for_url(f"**{reverse('portal:input_thanks', args=[slug])}")
    visitor.audit()
    assert Input.objects.filter(text="Lys på stien bak skolen.", moderation="pending").exists()
    visitor.assert_no_problems()


def test_staff_input_pages(world, visitor):
    input = make_inputs(world)
    project = world.project
    visitor.login(world.users["coordinator"])

    page = visitor.open(reverse("projects:detail", args=[project.pk]))
    assert page.locator(f"main a[href^='{reverse('inputs:list', args=[project.pk])}']").count()
    page = visitor.open(reverse("inputs:list", args=[project.pk]))
    assert page.get_by_role("link", name="Velforeningen ønsker").count() == 1
    visitor.open(reverse("inputs:list", args=[project.pk]) + "?moderation=pending")

    page = visitor.open(reverse("inputs:create", args=[project.pk]))
    submit(page, 400)
    assert_error_shown(page, "id_text")
    visitor.audit()

    page = visitor.open(input.get_absolute_url())
    page.locator("input[name=decision][value=not_adopted]").check()
    page.locator("#decision-decision_reason").fill("")
    submit(page, 400)
    assert_error_shown(page, "decision-decision_reason")
    visitor.audit()

    visitor.open(reverse("inputs:edit", args=[project.pk, input.pk]))
    visitor.assert_no_problems()
