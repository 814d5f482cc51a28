"""Issue 19: invitations go out on purpose. Saving a meeting sends nothing; "Send invitations"
is a step with a preview (by channel) that sends once; a change offers "send an update" (same
UID, higher SEQUENCE, a letter for letter invitees); cancelling needs a reason that goes with
the cancellation. The agenda is in the email, the .ics DESCRIPTION and the letter. Only
members whose term covers the meeting's date are invited without asking."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.models import Meeting, Member
from naboskap.meetings.tests.factories import make_body
from naboskap.meetings.tests.helpers import in_language, outbox_to, pdf_text
from naboskap.testing.documents import fetch_document

TX = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def local(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def calendar_of(message) -> icalendar.Calendar:
    ((_name, content, _type),) = message.attachments
    return icalendar.Calendar.from_ical(content)


def event_in(message):
    cal = calendar_of(message)
    (event,) = cal.walk("VEVENT")
    return cal, event


def plan(world, coordinator, body, *, days=10, **overrides):
    """The secretary plans a meeting through the form, then adds two agenda items."""
    starts = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    data = {
        "kind": "council",
        "title": "Møte i naborådet",
        "body": body.pk,
        "starts_at": local(starts),
        "ends_at": local(starts + timedelta(hours=2)),
        "place": "Fellesstua, Solbakken 3",
        "description": "Vi møtes i fellesstua.",
        **overrides,
    }
    response = coordinator.post(reverse("meetings:meeting_create", args=[world.project.pk]), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get(title=data["title"])
    for title in ("Støy om kvelden", "Parkering i gården"):
        minutes_services.agenda_item_add(meeting=meeting, title=title, presenter="Nina Nabo")
    return meeting, data


def send_url(meeting) -> str:
    return reverse("meetings:meeting_send", args=[meeting.project_id, meeting.pk])


@TX
def test_saving_sends_nothing_and_sending_is_a_step_that_sends_once(world, coordinator, tasks):
    body = make_body(world.project)
    # A member whose term ends before the meeting is not invited without asking.
    leaving = services.member_save(
        body=body,
        member=Member(
            name="Kari Slutter",
            category=Member.Category.NEIGHBOUR,
            email="kari@example.org",
            term_start=timezone.localdate() - timedelta(days=300),
            term_end=timezone.localdate() + timedelta(days=2),
        ),
    )
    meeting, data = plan(world, coordinator, body)
    tasks()
    assert len(mail.outbox) == 0  # saving sends 0
    invited = set(meeting.invitations.values_list("name", flat=True))
    assert invited == {"Nina Nabo", "Ola Nabo", "Berit Ansatt", "Rune Beboer"}
    # Saving again sends nothing either.
    edit = reverse("meetings:meeting_edit", args=[world.project.pk, meeting.pk])
    assert coordinator.post(edit, {**data, "description": "Kaffe fra 17.45."}).status_code == 302
    tasks()
    assert len(mail.outbox) == 0
    page = coordinator.get(meeting.get_absolute_url()).content.decode()
    assert "4 invitees have not been sent anything yet." in page and send_url(meeting) in page

    # The member leaving before the meeting can be added by hand.
    invite = reverse("meetings:meeting_invite", args=[world.project.pk, meeting.pk])
    form = coordinator.get(invite).content.decode()
    assert "Kari Slutter" in form and "the term does not cover the meeting date" in form
    assert coordinator.post(invite, {"members": [leaving.pk]}).status_code == 302
    assert meeting.invitations.filter(member=leaving).exists()
    tasks()
    assert len(mail.outbox) == 0

    # The preview: exactly what each invitee gets, by channel.
    preview = coordinator.get(send_url(meeting))
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "By email: 4 people" in text and "By letter: 1 person" in text
    assert "kari@example.org" in text and "Solbakken 1, 9999 Fjordby" in text
    subject = f"{in_language('Invitation:')} Møte i naborådet"
    assert subject in text and "1. Støy om kvelden (Nina Nabo)" in text
    assert "Send 4 emails and mark 1 letter for printing" in text
    tasks()
    assert len(mail.outbox) == 0  # previewing sends nothing

    assert coordinator.post(send_url(meeting)).status_code == 302
    tasks()
    assert len(mail.outbox) == 4  # send sends N
    message = outbox_to("medlem0@example.org")[0]
    assert message.subject.startswith(subject)
    assert "1. Støy om kvelden (Nina Nabo)" in message.body
    assert "2. Parkering i gården" in message.body
    cal, event = event_in(message)
    assert str(cal["METHOD"]) == "REQUEST"
    assert "Støy om kvelden" in str(event["DESCRIPTION"])
    assert "Parkering i gården" in str(event["DESCRIPTION"])
    meeting.refresh_from_db()
    assert str(event["UID"]) == f"{meeting.uid}@naboskap"
    assert int(event["SEQUENCE"]) == meeting.sequence

    # A second click sends nothing new, through HTTP and in the service.
    response = coordinator.post(send_url(meeting), follow=True)
    assert "Nothing was sent." in response.content.decode()
    assert services.invitations_dispatch(meeting=meeting) == {"emails": 0, "letters": 0}
    tasks()
    assert len(mail.outbox) == 4

    # The letter carries the agenda.
    letters = fetch_document(
        coordinator, reverse("meetings:meeting_letters", args=[world.project.pk, meeting.pk])
    )
    letter = pdf_text(letters.content)
    assert "Rune Beboer" in letter and "Støy om kvelden" in letter


@TX
def test_a_change_after_sending_offers_an_update_with_the_same_uid(world, coordinator, tasks):
    body = make_body(world.project)
    meeting, data = plan(world, coordinator, body)
    coordinator.post(send_url(meeting))
    tasks()
    assert len(mail.outbox) == 3
    _cal, first = event_in(outbox_to("medlem0@example.org")[0])

    moved = meeting.starts_at + timedelta(days=1)
    edit = reverse("meetings:meeting_edit", args=[world.project.pk, meeting.pk])
    changed = {**data, "starts_at": local(moved), "ends_at": local(moved + timedelta(hours=2))}
    response = coordinator.post(edit, {**changed, "place": "Biblioteket"}, follow=True)
    page = response.content.decode()
    assert "Nothing has been sent" in page and "Send an update" in page
    tasks()
    assert len(mail.outbox) == 3  # saving the change sends nothing

    preview = coordinator.get(send_url(meeting)).content.decode()
    assert f"{in_language('Changed:')} Møte i naborådet" in preview
    assert "The update (an example)" in preview
    assert coordinator.post(send_url(meeting)).status_code == 302
    tasks()
    assert len(mail.outbox) == 6  # update sends N
    update = outbox_to("medlem0@example.org")[1]
    assert update.subject.startswith(f"{in_language('Changed:')} Møte i naborådet")
    _cal, event = event_in(update)
    assert str(event["UID"]) == str(first["UID"]) == f"{meeting.uid}@naboskap"
    assert int(event["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert str(event["LOCATION"]) == "Biblioteket"
    assert event.decoded("DTSTART") == first.decoded("DTSTART") + timedelta(days=1)
    # The letter invitee is listed for printing, and the letter says what changed.
    page = coordinator.get(meeting.get_absolute_url()).content.decode()
    assert "Letters to print: Rune Beboer" in page
    letters = fetch_document(
        coordinator, reverse("meetings:meeting_letters", args=[world.project.pk, meeting.pk])
    )
    letter = pdf_text(letters.content)
    assert in_language("Changed:") in letter and "Biblioteket" in letter
    # Sending again sends nothing.
    coordinator.post(send_url(meeting))
    tasks()
    assert len(mail.outbox) == 6


@TX
def test_cancelling_needs_a_reason_that_goes_with_the_cancellation(world, coordinator, tasks):
    body = make_body(world.project)
    meeting, _data = plan(world, coordinator, body)
    coordinator.post(send_url(meeting))
    tasks()
    assert len(mail.outbox) == 3
    url = reverse("meetings:meeting_cancel", args=[world.project.pk, meeting.pk])
    confirm = coordinator.get(url).content.decode()
    assert "Cancel Møte i naborådet?" in confirm and "Rune Beboer" in confirm
    refused = coordinator.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Give the reason for cancelling. It is sent to everyone invited." in (
        refused.content.decode()
    )
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    tasks()
    assert len(mail.outbox) == 3  # refused: nothing sent

    reason = "Fellesstua er vannskadet. Vi kommer tilbake med ny dato."
    assert coordinator.post(url, {"reason": reason}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancel_reason == reason
    tasks()
    assert len(mail.outbox) == 6
    cancel = outbox_to("medlem0@example.org")[1]
    assert cancel.subject.startswith(in_language("Cancelled:"))
    assert reason in cancel.body
    cal, event = event_in(cancel)
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert reason in str(event["DESCRIPTION"]) and int(event["SEQUENCE"]) == 1
    page = coordinator.get(meeting.get_absolute_url()).content.decode()
    assert reason in page and "Letters to print: Rune Beboer" in page
    letters = fetch_document(
        coordinator, reverse("meetings:meeting_letters", args=[world.project.pk, meeting.pk])
    )
    letter = pdf_text(letters.content)
    assert in_language("Cancelled:") in letter and "vannskadet" in letter
    # Nothing more to send for a cancelled meeting.
    assert coordinator.post(send_url(meeting)).status_code == 400
    tasks()
    assert len(mail.outbox) == 6


@TX
def test_cancelling_a_meeting_nobody_was_sent_tells_nobody(world, coordinator, tasks):
    body = make_body(world.project)
    meeting, _data = plan(world, coordinator, body)
    url = reverse("meetings:meeting_cancel", args=[world.project.pk, meeting.pk])
    assert coordinator.post(url, {"reason": "Ingen saker"}).status_code == 302
    tasks()
    assert len(mail.outbox) == 0
