"""Issue 19: the council member's page on a phone (what needs them first, the next meeting's
agenda only, then the archive) and knowing whom to call: contact details shared per field
with the member's consent, withdrawn when the term ends; the facility's contact always."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.portal import member_views
from naboskap.projects.models import ContactPoint


@pytest.fixture
def council(world):
    body = make_body(world.project)
    for name, phone in (("Nina Nabo", "+4791234567"), ("Ola Nabo", "+4792345678")):
        member = body.members.get(name=name)
        member.phone = phone
        member.save(update_fields=["phone"])
    return body


def as_member(member):
    """A browser that opened a login link for `member` (the session marker it leaves)."""
    client = english()
    session = client.session
    marker = signing.dumps({"member": member.pk, "body": member.body_id}, salt=member_views.SALT)
    session[member_views.SESSION_KEY] = {str(member.body_id): marker}
    session.save()
    return client


def test_the_page_puts_what_needs_the_member_first(world, council):
    nina = council.members.get(name="Nina Nabo")
    held = make_meeting(world.project, body=council, days=-10, title="Møtet i januar")
    minutes_services.agenda_item_add(meeting=held, title="Parkering")
    draft = minutes_services.minutes_start(meeting=held, created_by=None)
    minutes_services.minutes_send_for_comments(minutes=draft)
    coming = make_meeting(world.project, body=council, days=5, title="Møtet i mars")
    minutes_services.agenda_item_add(meeting=coming, title="Støy om kvelden")
    services.invitations_send(meeting=coming, members=council.members.all())
    later = make_meeting(world.project, body=council, days=40, title="Møtet i mai")
    minutes_services.agenda_item_add(meeting=later, title="Sommerfesten planlegges")
    client = as_member(nina)
    url = reverse("portal:members_page", args=[council.pk])
    page = client.get(url).content.decode()
    needs = page.index("What needs you")
    assert needs < page.index("Draft: Møtet i januar") < page.index("Next meeting: Møtet i mars")
    assert page.index("Next meeting: Møtet i mars") < page.index("Agenda of the next meeting")
    assert page.index("Agenda of the next meeting") < page.index("Støy om kvelden")
    assert page.index("Støy om kvelden") < page.index("Archive") < page.index("Møtet i mai")
    assert "Sommerfesten planlegges" not in page  # only the next meeting's agenda
    # The answer from the page.
    rsvp = reverse("portal:members_rsvp", args=[council.pk, coming.pk])
    response = client.post(rsvp, {"response": "yes"}, follow=True)
    assert response.status_code == 200 and "Thank you. Your answer: Yes." in (
        response.content.decode()
    )
    assert coming.invitations.get(member=nina).response == "yes"
    bad = client.post(rsvp, {"response": "kanskje"}, follow=True)
    assert "Choose yes, no or maybe." in bad.content.decode()
    assert coming.invitations.get(member=nina).response == "yes"
    # Another member's meeting or a meeting without an invitation: not found.
    other = make_meeting(world.project, days=3, title="Dialogmøte")
    assert (
        client.post(
            reverse("portal:members_rsvp", args=[council.pk, other.pk]), {"response": "no"}
        ).status_code
        == 404
    )
    # Without the marker: the link request, not the page.
    assert english().post(rsvp, {"response": "no"}).status_code == 403


def test_members_see_each_others_contacts_only_with_consent_per_field(world, council):
    ContactPoint.objects.create(
        project=world.project,
        function="Vaktmester",
        phone="+4755512345",
        on_duty_phone="+4799912345",
    )
    nina = council.members.get(name="Nina Nabo")
    ola = council.members.get(name="Ola Nabo")
    url = reverse("portal:members_page", args=[council.pk])
    page = as_member(ola).get(url).content.decode()
    assert "Vaktmester" in page and "99 91 23 45" in page  # the facility: always there
    assert "91 23 45 67" not in page and "medlem0@example.org" not in page
    assert "No other member shares their contact details yet." in page

    nina_client = as_member(nina)
    consent = reverse("portal:members_consent", args=[council.pk])
    response = nina_client.post(consent, {"share_phone": "on"}, follow=True)
    assert "Your choice is saved." in response.content.decode()
    nina.refresh_from_db()
    assert nina.share_phone and not nina.share_email
    page = as_member(ola).get(url).content.decode()
    assert "91 23 45 67" in page and 'href="tel:+4791234567"' in page
    assert "medlem0@example.org" not in page  # email not consented
    nina_client.post(consent, {"share_phone": "on", "share_email": "on"})
    assert "medlem0@example.org" in as_member(ola).get(url).content.decode()
    nina_client.post(consent, {})  # withdrawn by the member
    nina.refresh_from_db()
    assert not nina.share_phone and not nina.share_email
    assert "91 23 45 67" not in as_member(ola).get(url).content.decode()

    # Withdrawn when the term ends.
    nina_client.post(consent, {"share_phone": "on"})
    services.member_end_term(member=nina, on=timezone.localdate() - timedelta(days=1))
    nina.refresh_from_db()
    assert not nina.share_phone
    assert "91 23 45 67" not in as_member(ola).get(url).content.decode()
    # Her page no longer opens, so she cannot share again.
    assert nina_client.post(consent, {"share_phone": "on"}).status_code == 403
    nina.refresh_from_db()
    assert not nina.share_phone
