"""Both ways in a browser (issue 16), in bokmål and nynorsk, at phone width (390 px) and on a
laptop (1366 px), with axe-core on every page: the neighbour reports → the case handler
answers, after seeing the answer as the neighbour will → the neighbour replies → the handler
is emailed and sees the case marked in the inbox, until they open it. Assertions use
structure and ids, never translated text."""

import pytest
from django.conf import settings
from django.urls import reverse

from naboskap.concerns.models import Concern, Message
from naboskap.conftest import make_staff, run_tasks
from naboskap.tenancy.models import Role
from naboskap.testing.browser import read_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = "Det var høy musikk fra fellesarealet til klokken tre i natt."
ANSWER = "Takk for meldingen. Vi har snakket med personalet. Skjedde det igjen i helgen?"
REPLY = "Ja, lørdag natt også, men kortere."


def navigate(page, locator, status: int = 200) -> None:
    with page.expect_navigation() as navigation:
        locator.click()
    assert navigation.value.status == status, navigation.value.url


@pytest.mark.parametrize("width", [390, 1366])
def test_report_answer_reply_and_the_handler_is_told(world, visitor, outbox, width):
    handler = make_staff(
        world.municipality,
        Role.CASE_HANDLER,
        unit=world.project.responsible_unit,
        username="eiendom",
    )
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})

    # The neighbour reports from the project's own page.
    page = visitor.open(reverse("portal:project_report", args=[world.project.slug]))
    page.locator("input[name=category]").first.check()
    page.locator("#id_description").fill(REPORT)
    page.locator("#id_reporter_email").fill("nabo@example.org")
    navigate(page, page.locator("form[enctype='multipart/form-data'] button[type=submit]"))
    follow_up = page.url.removeprefix(visitor.base_url)
    concern = Concern.objects.get()
    assert concern.description == REPORT
    visitor.audit()

    # The case handler writes to the neighbour: first the preview, as the neighbour sees it.
    visitor.login(handler)
    page = visitor.open(concern.get_absolute_url())
    page.locator("#id_body").fill(ANSWER)
    navigate(page, page.locator("button[name=action][value=preview]"))
    assert page.locator("#message-preview-heading").is_visible()
    assert page.locator(".reporter-preview .update__body").inner_text() == ANSWER
    assert not Message.objects.filter(concern=concern).exists()
    visitor.audit()
    navigate(page, page.locator("button[name=action][value=send]"))
    assert Message.objects.filter(concern=concern, kind=Message.Kind.TO_REPORTER).exists()

    # The neighbour reads the answer and replies.
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": visitor.language,
                "url": visitor.base_url,
            }
        ]
    )
    page = visitor.open(follow_up)
    assert ANSWER in page.locator(".conversation").inner_text()
    page.locator("#id_body").fill(REPLY)
    reply = f"form[action='{reverse('portal:concern_reply', args=[concern.reference])}']"
    navigate(page, page.locator(reply).locator("button[type=submit]"))
    visitor.audit()
    concern.refresh_from_db()
    assert concern.reporter_wrote_at is not None

    # The handler is emailed (the reference and the link, not the text)…
    run_tasks()
    told = [m for m in read_outbox(outbox) if handler.email in m["To"]]
    assert told, [m["To"] for m in read_outbox(outbox)]
    body = told[-1].get_body(preferencelist=("plain",)).get_content()
    assert concern.reference in body and REPLY not in body

    # …and sees the case marked in the inbox, with the count, until they open it.
    visitor.login(handler)
    page = visitor.open(reverse("concerns:inbox"))
    assert page.locator("tr[data-new-from-reporter]").count() == 1
    assert page.locator("a[href='?view=new'] strong").inner_text() == "1"
    navigate(page, page.locator("tr[data-new-from-reporter] a").first)
    assert REPLY in page.locator(".message").last.inner_text()
    visitor.audit()
    concern.refresh_from_db()
    assert concern.reporter_wrote_at is None
    page = visitor.open(reverse("concerns:inbox"))
    assert page.locator("tr[data-new-from-reporter]").count() == 0
    visitor.assert_no_problems()


def test_standard_answer_pages(world, visitor):
    visitor.login(world.users["admin"])
    page = visitor.open(reverse("concerns:answer_create"))
    page.locator("#id_title").fill("Mottatt")
    page.locator("#id_body").fill("Vi har mottatt {referanse}.")
    navigate(page, page.locator("main form button[type=submit]"), status=400)
    assert page.locator("#id_body").get_attribute("aria-invalid") == "true"
    visitor.audit()
    page.locator("#id_body").fill("Vi har mottatt {reference}.")
    navigate(page, page.locator("main form button[type=submit]"))
    visitor.audit()
    visitor.assert_no_problems()
