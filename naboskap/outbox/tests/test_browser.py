"""The administrator's day with the outbox, in headless Chromium at phone and desktop width
with axe: a neighbour's news email is refused by the mail server, the administrator finds it
under Emails with the reason, sends it again once the address is fixed at the server, and the
scheduled jobs page shows what the worker did. Assertions use structure and ids."""

import pytest
from django.urls import reverse

from naboskap.conftest import run_tasks
from naboskap.outbox import services
from naboskap.outbox.models import Email
from naboskap.scheduling.jobs import JOBS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)


def test_a_refused_email_is_found_and_sent_again(world, visitor, smtp_server):
    smtp_server.sink.refuse.add("nabo@example.org")
    services.queue(
        key="news:1",
        to="nabo@example.org",
        subject="Lindeveien: Dialogmøte i mai",
        body="Velkommen.",
        kind="news",
        municipality=world.municipality,
    )
    run_tasks()
    failed = Email.objects.get()
    assert failed.status == Email.Status.FAILED
    page = visitor.page
    visitor.login(world.users["admin"])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visitor.open(reverse("outbox:emails"))
        row = page.locator("main table tbody tr")
        assert row.count() == 1
        assert "550" in row.inner_text() and "n•••@example.org" in row.inner_text()
        visitor.open(reverse("scheduling:overview"))
        assert page.locator("main .job-list__item").count() == len(JOBS)
    # The address works again at the mail server: send it again from the list.
    smtp_server.sink.refuse.clear()
    visitor.open(reverse("outbox:emails"))
    with page.expect_navigation():
        page.locator(f"form[action='{reverse('outbox:retry', args=[failed.pk])}'] button").click()
    visitor.audit()
    assert page.locator("main table tbody tr").count() == 0
    run_tasks()
    assert len(smtp_server.sink.to("nabo@example.org")) == 1
    assert Email.objects.get().status == Email.Status.SENT
    visitor.assert_no_problems()
