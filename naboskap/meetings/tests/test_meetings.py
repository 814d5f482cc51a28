"""Meetings through the staff pages: creating, inviting (email with a calendar file, letters),
changing, cancelling, bounces, and the pages' query counts."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.models import Invitation, Meeting
from naboskap.meetings.tests.factories import (
    add_invitations,
    invitation,
    make_body,
    make_meeting,
)
from naboskap.meetings.tests.helpers import (
    OSLO,
    attachment,
    event_of,
    outbox_to,
    pdf_text,
    rsvp_path,
    subject_starts,
)
from naboskap.projects.models import ShortLink, Subscription
from naboskap.testing.documents import fetch_document

TX = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def local(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def meeting_data(body=None, *, days=10, **overrides):
    starts = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    data = {
        "kind": "council" if body else "dialogue",
        "title": "Møte i naborådet",
        "body": body.pk if body else "",
        "starts_at": local(starts),
        "ends_at": local(starts + timedelta(hours=2)),
        "place": "Fellesstua, Solbakken 3",
        "description": "Støy om kvelden og parkering.",
    }
    data.update(overrides)
    return data


@TX
def test_a_council_meeting_with_invitations_emails_a_calendar_file(world, coordinator, tasks):
    body = make_body(world.project)
    data = meeting_data(body)
    response = coordinator.post(reverse("meetings:meeting_create", args=[world.project.pk]), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.invitations.count() == 4
    tasks()
    assert len(mail.outbox) == 0  # saving sends nothing
    send = reverse("meetings:meeting_send", args=[world.project.pk, meeting.pk])
    assert coordinator.post(send).status_code == 302
    tasks()
    assert len(mail.outbox) == 3  # the fourth member has no email: a letter
    message = outbox_to("medlem0@example.org")[0]
    assert subject_starts(message, "Invitation:", "Møte i naborådet")
    assert "Nina Nabo" in message.body and "Fellesstua, Solbakken 3" in message.body
    name, _text, content_type = attachment(message)
    assert name == "invitation.ics"
    assert content_type.startswith("text/calendar; method=REQUEST")
    event, raw = event_of(message)
    assert "METHOD:REQUEST" in raw and "DTSTART;TZID=Europe/Oslo:" in raw
    assert event.uid == f"{meeting.uid}@naboskap"
    assert event.sequence == 0
    assert event.dtstart == meeting.starts_at and event.dtstart.utcoffset() == (
        meeting.starts_at.astimezone(OSLO).utcoffset()
    )
    assert event.summary == "Møte i naborådet"
    invited = meeting.invitations.get(email="medlem0@example.org")
    assert rsvp_path(message) == invited.get_rsvp_url()
    page = coordinator.get(meeting.get_absolute_url()).content.decode()
    assert "Letter to print" in page and "Print 1 letter (PDF)" in page
    assert "4 invited: 0 yes, 0 no, 0 maybe, 4 not answered." in page
    tasks()  # a second run sends nothing twice
    assert len(mail.outbox) == 3


def test_a_past_meeting_can_be_recorded_but_nobody_is_invited_to_it(world, coordinator):
    body = make_body(world.project)
    url = reverse("meetings:meeting_create", args=[world.project.pk])
    data = meeting_data(body, days=-3, title="Glemt møte")
    # Recording a past meeting is fine (minutes come later); nobody goes on the list.
    assert coordinator.post(url, data).status_code == 302
    meeting = Meeting.objects.get()
    assert not meeting.invitations.exists()
    invite_url = reverse("meetings:meeting_invite", args=[world.project.pk, meeting.pk])
    page = coordinator.get(invite_url).content.decode()
    assert "which is in the past. Change its time before you send invitations." in page
    member = body.members.first()
    response = coordinator.post(invite_url, {"members": [member.pk]})
    assert response.status_code == 400
    send_url = reverse("meetings:meeting_send", args=[world.project.pk, meeting.pk])
    assert coordinator.post(send_url).status_code == 400
    assert not Invitation.objects.exists()


def test_meeting_form_errors_are_explained(world, coordinator):
    url = reverse("meetings:meeting_create", args=[world.project.pk])
    data = meeting_data(place="", online_url="ikke en lenke")
    data["ends_at"] = data["starts_at"]
    page = coordinator.post(url, data).content.decode()
    assert "The meeting must end after it starts." in page
    assert "Enter a valid URL." in page
    data = meeting_data(place="")
    page = coordinator.post(url, data).content.decode()
    assert "Give a place or an online meeting link." in page
    assert not Meeting.objects.exists()


@TX
def test_a_change_is_sent_as_an_update_with_the_same_uid(world, coordinator, tasks):
    body = make_body(world.project)
    meeting = make_meeting(world.project, body=body, days=10)
    services.invitations_send(meeting=meeting, members=body.members.all())
    tasks()
    first, _raw = event_of(outbox_to("medlem0@example.org")[0])
    # A day later than the meeting as made (not "11 days from now", which a minute boundary
    # between the two would move by a minute).
    moved = meeting.starts_at + timedelta(days=1)
    data = meeting_data(body, starts_at=local(moved), ends_at=local(moved + timedelta(hours=2)))
    url = reverse("meetings:meeting_edit", args=[world.project.pk, meeting.pk])
    response = coordinator.post(url, data)
    assert response.status_code == 302
    tasks()
    assert len(outbox_to("medlem0@example.org")) == 1  # saving sends nothing
    send = reverse("meetings:meeting_send", args=[world.project.pk, meeting.pk])
    assert coordinator.post(send).status_code == 302
    tasks()
    changed = outbox_to("medlem0@example.org")
    assert len(changed) == 2 and subject_starts(changed[1], "Changed:", "Møte i naborådet")
    second, raw = event_of(changed[1])
    meeting.refresh_from_db()
    assert second.uid == first.uid == f"{meeting.uid}@naboskap"
    assert second.sequence == first.sequence + 1 == meeting.sequence == 1
    assert second.dtstart == first.dtstart + timedelta(days=1)
    assert "DTSTART;TZID=Europe/Oslo:" in raw
    # Making it public changes nothing a calendar shows: nothing to send again.
    coordinator.post(url, {**data, "is_public": "on"})
    coordinator.post(send)
    tasks()
    assert len(outbox_to("medlem0@example.org")) == 2
    meeting.refresh_from_db()
    assert meeting.is_public and meeting.sequence == 1


@TX
def test_cancelling_tells_everyone_emailed_and_closes_the_rsvp_link(world, coordinator, tasks):
    meeting = make_meeting(world.project, days=5)
    invited = invitation(meeting)
    tasks()
    url = reverse("meetings:meeting_cancel", args=[world.project.pk, meeting.pk])
    assert coordinator.post(url, {"reason": "Fellesstua er vannskadet."}).status_code == 302
    tasks()
    message = outbox_to("nabo@example.org")[-1]
    assert subject_starts(message, "Cancelled:", "Møte i naborådet")
    event, raw = event_of(message)
    assert "METHOD:CANCEL" in raw and event.status.value == "CANCELLED" and event.sequence == 1
    response = english().get(invited.get_rsvp_url())
    assert response.status_code == 410
    assert "This meeting is cancelled." in response.content.decode()
    again = coordinator.post(url, {"reason": "Igjen"}, follow=True)
    assert "This meeting is already cancelled." in again.content.decode()


def test_chosen_people_and_subscribers_are_invited_once(world, coordinator):
    meeting = make_meeting(world.project, is_public=True, title="Dialogmøte om Lindeveien")
    Subscription.objects.create(
        project=world.project, email="abonnent@example.org", confirmed_at=timezone.now()
    )
    Subscription.objects.create(project=world.project, email="ubekreftet@example.org")
    url = reverse("meetings:meeting_invite", args=[world.project.pk, meeting.pk])
    people = "FAU Lindeveien skole; fau@example.org\nVelforeningen; Postboks 1, 9999 Fjordby\n"
    response = coordinator.post(url, {"people": people, "subscribers": "on"})
    assert response.status_code == 302
    rows = {(i.name, i.email, i.via) for i in meeting.invitations.all()}
    assert rows == {
        ("FAU Lindeveien skole", "fau@example.org", "email"),
        ("Velforeningen", "", "letter"),
        ("", "abonnent@example.org", "email"),
    }
    coordinator.post(url, {"people": "FAU igjen; FAU@example.org", "subscribers": "on"})
    assert meeting.invitations.count() == 3


def test_stakeholders_of_the_project_can_be_invited_from_the_register(world, coordinator):
    from naboskap.stakeholders.models import Organisation, Person

    meeting = make_meeting(world.project, title="Dialogmøte om Lindeveien")
    fau = Organisation.objects.create(
        municipality=world.municipality, name="FAU Lindeveien skole", email="fau@example.org"
    )
    fau.projects.add(world.project)
    kari = Person.objects.create(
        municipality=world.municipality, name="Kari Nabo", address="Lindeveien 3, 9999 Fjordby"
    )
    kari.projects.add(world.project)
    elsewhere = Organisation.objects.create(
        municipality=world.other_municipality, name="Annenby vel", email="vel@example.org"
    )
    elsewhere.projects.add(world.other_project)
    url = reverse("meetings:meeting_invite", args=[world.project.pk, meeting.pk])
    page = coordinator.get(url).content.decode()
    assert "FAU Lindeveien skole" in page and "Kari Nabo" in page
    assert "Annenby vel" not in page
    refused = coordinator.post(url, {"organisations": [elsewhere.pk]})
    assert refused.status_code == 400
    response = coordinator.post(url, {"organisations": [fau.pk], "persons": [kari.pk]})
    assert response.status_code == 302
    rows = {(i.name, i.email, i.postal_address, i.via) for i in meeting.invitations.all()}
    assert rows == {
        ("FAU Lindeveien skole", "fau@example.org", "", "email"),
        ("Kari Nabo", "", "Lindeveien 3, 9999 Fjordby", "letter"),
    }


def test_bad_invitee_lines_are_explained_and_kept(world, coordinator):
    meeting = make_meeting(world.project)
    url = reverse("meetings:meeting_invite", args=[world.project.pk, meeting.pk])
    people = "Ola; ola@@example\n; fau@example.org"
    response = coordinator.post(url, {"people": people})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 1: “ola@@example” is not a valid email address." in page
    assert "Line 2: give a name before the semicolon." in page
    assert "ola@@example" in page and "fau@example.org" in page
    response = coordinator.post(url, {})
    assert response.status_code == 400 and "Choose whom to invite." in response.content.decode()
    assert not Invitation.objects.exists()


def test_subscribers_are_not_offered_for_a_meeting_that_is_not_public(world, coordinator):
    meeting = make_meeting(world.project, is_public=False)
    url = reverse("meetings:meeting_invite", args=[world.project.pk, meeting.pk])
    assert "subscribes to the project" not in coordinator.get(url).content.decode()
    with pytest.raises(Exception, match="Only public meetings"):
        services.invitations_send(meeting=meeting, subscribers=True)


class RefusingBackend(EmailBackend):
    """A mail server that refuses one address, as an SMTP server does with a 550."""

    def send_messages(self, messages):
        import smtplib

        for message in messages:
            if "finnes.ikke@example.org" in message.to:
                raise smtplib.SMTPRecipientsRefused(
                    {"finnes.ikke@example.org": (550, b"5.1.1 User unknown")}
                )
        return super().send_messages(messages)


@TX
def test_an_address_the_server_refuses_is_flagged_for_a_letter(world, coordinator, tasks, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    meeting = make_meeting(world.project)
    services.invitations_send(
        meeting=meeting,
        people=[
            {"name": "Nora Nabo", "email": "finnes.ikke@example.org"},
            {"name": "Ole Nabo", "email": "ole@example.org"},
        ],
    )
    tasks()
    assert [m.to for m in mail.outbox] == [["ole@example.org"]]
    bounced = meeting.invitations.get(email="finnes.ikke@example.org")
    assert bounced.is_bounced and "550 5.1.1 User unknown" in bounced.bounce_note
    page = coordinator.get(meeting.get_absolute_url()).content.decode()
    assert "Bounced – send a letter" in page and "Print 1 letter (PDF)" in page
    letters = fetch_document(
        coordinator, reverse("meetings:meeting_letters", args=[world.project.pk, meeting.pk])
    )
    text = pdf_text(letters.content)
    # The letter's short address stands for the invitee's RSVP link (issue 17).
    code = re.search(r"/n/([A-Z2-9]{6})", text).group(1)
    assert "Nora Nabo" in text
    assert ShortLink.objects.get(code=code).target == bounced.get_rsvp_url()
    assert "Ole Nabo" not in text


def test_a_bounce_reported_later_is_marked_by_command_or_by_staff(world, coordinator):
    meeting = make_meeting(world.project)
    first = invitation(meeting, email="borte@example.org", name="Borte")
    second = invitation(meeting, email="ok@example.org", name="Ok")
    call_command("mark_bounced", "Borte@example.org", note="Mailbox full", stdout=None)
    first.refresh_from_db()
    assert first.is_bounced and first.bounce_note == "Mailbox full"
    url = reverse("meetings:invitation_bounce", args=[world.project.pk, meeting.pk, second.pk])
    response = coordinator.post(url, {"note": "Svar fra postmaster"}, follow=True)
    assert "ok@example.org is marked as bounced. Send Ok a letter instead." in (
        response.content.decode()
    )
    second.refresh_from_db()
    assert second.is_bounced
    coordinator.post(url)  # the address works again
    second.refresh_from_db()
    assert not second.is_bounced


def test_letters_are_printed_for_invitees_without_email(world, coordinator):
    body = make_body(world.project)
    meeting = make_meeting(world.project, body=body)
    services.invitations_send(meeting=meeting, members=body.members.all())
    url = reverse("meetings:meeting_letters", args=[world.project.pk, meeting.pk])
    response = fetch_document(coordinator, url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    letter = meeting.invitations.get(via="letter")
    assert "Rune Beboer" in text and "Solbakken 1, 9999 Fjordby" in text
    # The long RSVP address is not printed: a short one stands for it (issue 17).
    assert letter.token not in text.replace("\n", "")
    assert re.search(r"/n/[A-Z2-9]{6}", text)
    assert "Nina Nabo" not in text


def test_the_public_project_page_lists_coming_public_meetings(world, client_en):
    url = world.project.get_public_url()
    assert "Add the meetings to your calendar" not in client_en.get(url).content.decode()
    make_meeting(world.project, is_public=True, title="Dialogmøte om Lindeveien")
    make_meeting(world.project, is_public=False, title="Internt koordineringsmøte")
    make_meeting(world.project, is_public=True, title="Gammelt møte", days=-30)
    page = client_en.get(url).content.decode()  # the cached page was invalidated
    assert "Dialogmøte om Lindeveien" in page and "Add the meetings to your calendar" in page
    assert "Internt koordineringsmøte" not in page and "Gammelt møte" not in page


def test_meeting_pages_take_the_same_queries_for_5_and_200_invitations(
    world, coordinator, count_queries
):
    body = make_body(world.project)
    meeting = make_meeting(world.project, body=body)
    other = make_meeting(world.project, body=body, days=-40)
    add_invitations(meeting, 5)
    add_invitations(other, 5)
    urls = [
        meeting.get_absolute_url(),
        reverse("meetings:meeting_list", args=[world.project.pk]),
        reverse("projects:detail", args=[world.project.pk]),
    ]
    coordinator.get(urls[0])
    small = [count_queries(coordinator.get, url)[1] for url in urls]
    add_invitations(meeting, 195)
    for n in range(20):
        make_meeting(world.project, body=body, days=n + 1, title=f"Møte {n}")
    large = []
    for url in urls:
        response, queries = count_queries(coordinator.get, url)
        assert response.status_code == 200
        large.append(queries)
    assert small == large
    # meeting page, meeting list (with the session, the user and their memberships)
    assert large[0] <= 12 and large[1] <= 11, large
    assert "Gjest 199" in coordinator.get(urls[0]).content.decode()


def test_an_invited_meeting_cannot_be_moved_into_the_past(world, coordinator):
    meeting = make_meeting(world.project, days=3)
    invitation(meeting)
    url = reverse("meetings:meeting_edit", args=[world.project.pk, meeting.pk])
    data = meeting_data(days=-1, title="Flyttet møte")
    response = coordinator.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "people are invited to this meeting" in page and 'value="Flyttet møte"' in page
    meeting.refresh_from_db()
    assert meeting.title == "Møte i naborådet" and meeting.sequence == 0


def test_a_cancelled_meeting_cannot_be_edited(world, coordinator):
    meeting = make_meeting(world.project, days=3)
    services.meeting_cancel(meeting=meeting, reason="Ingen saker")
    url = reverse("meetings:meeting_edit", args=[world.project.pk, meeting.pk])
    response = coordinator.get(url, follow=True)
    assert "This meeting is cancelled and can no longer be changed." in response.content.decode()


def test_calling_a_meeting_from_the_body_page_chooses_the_body(world, coordinator):
    body = make_body(world.project)
    page = coordinator.get(body.get_absolute_url()).content.decode()
    create = reverse("meetings:meeting_create", args=[world.project.pk]) + f"?organ={body.pk}"
    assert create.replace("&", "&amp;") in page or create in page
    form = coordinator.get(create).content.decode()
    assert re.search(rf'<option value="{body.pk}"\s+selected', form)
    assert 'name="invite_members"' not in form  # saving sends nothing: no such box
    for organ in ("x1", "9" * 30, ""):  # not a body: an empty form, no error
        assert coordinator.get(f"{create.split('?')[0]}?organ={organ}").status_code == 200
