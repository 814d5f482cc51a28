"""Issue 19 in headless Chromium, with axe on every page (at its width and at 320 px): the
secretary plans a meeting, previews and sends the invitations; writes the minutes of a
six-item meeting on one page; a council member's page on a 390 px phone stays under about
two screens for the demo council."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from naboskap.meetings import services
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.models import AgendaItem, Invitation, Meeting, MemberLoginLink
from naboskap.meetings.tests.factories import make_body, make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MEMBERS_PAGE_MAX_PX = 1700


def local(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_secretary_plans_previews_and_sends(world, visitor, viewport, tasks):
    project = world.project
    body = make_body(project)
    page = visitor.page
    page.set_viewport_size(viewport)
    visitor.login(world.users["coordinator"])
    page = visitor.open(reverse("meetings:meeting_create", args=[project.pk]) + f"?organ={body.pk}")
    starts = (timezone.now() + timedelta(days=12)).replace(second=0, microsecond=0)
    page.locator("#id_title").fill("Naborådsmøte i mars")
    page.locator("#id_starts_at").fill(local(starts))
    page.locator("#id_ends_at").fill(local(starts + timedelta(hours=2)))
    page.locator("#id_place").fill("Fellesstua, Solbakken 3")
    page.locator("form.form-stack button[type=submit]").click()
    page.wait_for_url("**/moter/*/")
    visitor.audit()
    meeting = Meeting.objects.get(title="Naborådsmøte i mars")
    assert meeting.invitations.count() == 4
    assert not Invitation.objects.filter(queued_sequence__isnull=False).exists()
    for title in ("Støy om kvelden", "Parkering", "Julefesten"):
        minutes_services.agenda_item_add(meeting=meeting, title=title)

    page = visitor.open(meeting.get_absolute_url())
    page.locator("#send-needed a.ds-button").click()
    page.wait_for_url("**/send-invitasjoner/")
    visitor.audit()
    assert "Støy om kvelden" in page.locator(".preview-mail").first.inner_text()
    assert "Solbakken 1, 9999 Fjordby" in page.locator("main").inner_text()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{meeting.get_absolute_url()}")
    visitor.audit()
    assert Invitation.objects.filter(queued_sequence=meeting.sequence).count() == 4
    # Sending again sends nothing new: the page says so.
    page = visitor.open(reverse("meetings:meeting_send", args=[project.pk, meeting.pk]))
    assert page.locator(".ds-alert[data-color=success]").count() == 1

    # Cancelling: confirmation, and a reason is required.
    page = visitor.open(reverse("meetings:meeting_cancel", args=[project.pk, meeting.pk]))
    page.locator("main form button[type=submit]").click()  # no reason: errors shown
    visitor.audit()
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    visitor.assert_no_problems()


def test_minutes_of_a_six_item_meeting_on_one_page(world, visitor):
    project = world.project
    body = make_body(project)
    meeting = make_meeting(project, body=body, days=2, title="Naborådsmøte")
    services.invitations_send(meeting=meeting, members=body.members.all())
    for invitation, answer in zip(
        meeting.invitations.order_by("pk")[:2], ("yes", "no"), strict=True
    ):
        services.rsvp_answer(invitation=invitation, response=answer)
    starts = timezone.now() - timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    items = [
        minutes_services.agenda_item_add(meeting=meeting, title=f"Sak {n}") for n in range(1, 7)
    ]
    # What the residents' pre-meeting said about the first item.
    AgendaItem.objects.filter(pk=items[0].pk).update(residents_note="Beboerne vil ha ro.")
    minutes_services.minutes_start(meeting=meeting, created_by=None)
    visitor.login(world.users["coordinator"])
    url = reverse("meetings:minutes_detail", args=[project.pk, meeting.pk])
    for rounds, viewport in enumerate((DESKTOP, PHONE), start=1):
        visitor.page.set_viewport_size(viewport)
        page = visitor.open(url)
        for number, item in enumerate(items, start=1):
            block = page.locator(f"#item-{item.pk}")
            block.locator("textarea[name=notes]").fill(f"Notat {number} ({viewport['width']})")
            block.locator(f"form[action$='/punkt/{item.pk}/'] button[type=submit]").click()
            page.locator(f"#item-{item.pk} .saved-note").wait_for()
        # A decision with a measure, inline in the third item.
        third = page.locator(f"#item-{items[2].pk}")
        third.locator("summary").click()
        third.locator("textarea[name=text]").fill("Vaktmester setter opp lys.")
        third.locator("input[name=measure_title]").fill(f"Lys i bakgården {viewport['width']}")
        third.locator("select[name=owner_unit]").select_option(str(project.responsible_unit_id))
        due = timezone.localdate() + timedelta(days=30)
        third.locator("input[name=due_date]").fill(due.isoformat())
        third.locator("form[action$='/vedtak/'] button[type=submit]").click()
        page.locator(f"#item-{items[2].pk} .saved-note").wait_for()
        visitor.audit()
        for number, item in enumerate(items, start=1):
            item.refresh_from_db()
            assert item.notes == f"Notat {number} ({viewport['width']})"
        assert items[2].decisions.filter(measures__isnull=False).count() == rounds
        assert "Beboerne vil ha ro." in page.locator(f"#item-{items[0].pk} aside").inner_text()
        # The attendance rows, prefilled, saved with a plain POST.
        with page.expect_navigation():  # the page may already be at an address that matches
            page.locator("form[action$='/oppmote/'] button[type=submit]").click()
        page.wait_for_url("**/referat/**")
        visitor.audit()
        statuses = sorted(meeting.attendances.values_list("status", flat=True))
        assert statuses == ["apologies", "present"]  # prefilled from yes and no
    visitor.assert_no_problems()


def test_members_page_of_the_demo_council_on_a_phone(visitor):
    from naboskap.meetings.models import Body

    call_command("load_demo", stdout=StringIO())
    council = Body.objects.get(name="Naborådet på Solbakken")
    member = council.members.filter(position="chair").exclude(email="").first()
    token = f"demo-phone-{visitor.language}-0123456789abcdef0123"
    now = timezone.now()
    MemberLoginLink.objects.create(
        member=member,
        email=member.email,
        token_hash=services.login_token_hash(token),
        sent_at=now,
        expires_at=now + timedelta(hours=24),
    )
    page = visitor.page
    page.set_viewport_size({"width": 390, "height": 844})
    visitor.open(reverse("portal:member_login", args=[token]))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('portal:members_page', args=[council.pk])}")
    visitor.audit()
    page.set_viewport_size({"width": 390, "height": 844})
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MEMBERS_PAGE_MAX_PX, f"{height} px at 390 px"
    page.reload()  # and as it opens on a later visit, without the welcome
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MEMBERS_PAGE_MAX_PX, f"{height} px at 390 px"
    main = page.locator("main").inner_text()
    assert main.index(page.locator("#needs-you-heading").inner_text()) < main.index(
        page.locator("#archive-heading").inner_text()
    )
    # The member answers and shares a phone number from the page.
    with page.expect_navigation():  # the page may already be at an address that matches
        page.locator("form[action$='/svar/'] button[value=yes]").click()
    page.wait_for_url("**/naboraad/**")
    visitor.audit()
    page.locator("#contacts-heading ~ details summary").last.click()
    page.locator("input[name=share_phone]").check()
    with page.expect_navigation():  # the page may already be at an address that matches
        page.locator("form[action$='/kontakt/'] button[type=submit]").click()
    page.wait_for_url("**/naboraad/**")
    visitor.audit()
    member.refresh_from_db()
    assert member.share_phone and not member.share_email
    visitor.assert_no_problems()
