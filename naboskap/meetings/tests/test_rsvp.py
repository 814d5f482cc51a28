"""The RSVP link: no account, GET changes nothing, reuse changes the answer, a passed or
cancelled meeting is said so plainly; bad input is a clear 4xx (fuzzed)."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.models import Invitation, Meeting
from naboskap.meetings.tests.factories import invitation, make_meeting

FUZZ = hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def invited(world):
    return invitation(make_meeting(world.project, title="Dialogmøte om Lindeveien"))


def test_get_shows_the_meeting_and_three_choices_and_changes_nothing(invited, client_en):
    response = client_en.get(invited.get_rsvp_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dialogmøte om Lindeveien" in page and "Nina Nabo, will you come?" in page
    for value in ("yes", "maybe", "no"):
        assert f'name="response" value="{value}"' in page
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    assert response["Referrer-Policy"] == "strict-origin"
    invited.refresh_from_db()
    assert invited.response == "none" and invited.responded_at is None


def test_answering_without_an_account_and_changing_the_answer(invited, client_en):
    url = invited.get_rsvp_url()
    response = client_en.post(url, {"response": "yes"}, follow=True)
    assert "Thank you. Your answer: Yes." in response.content.decode()
    invited.refresh_from_db()
    assert invited.response == "yes" and invited.responded_at is not None
    response = client_en.post(url, {"response": "no"}, follow=True)
    page = response.content.decode()
    assert "Your answer is changed from Yes to No." in page
    assert "Your answer: No. You can change it below." in page
    invited.refresh_from_db()
    assert invited.response == "no"


def test_the_staff_page_shows_the_answers(world, invited, client_en):
    client_en.post(invited.get_rsvp_url(), {"response": "maybe"})
    page = english(world.users["coordinator"]).get(invited.meeting.get_absolute_url())
    assert "1 invited: 0 yes, 0 no, 1 maybe, 0 not answered." in page.content.decode()


def test_a_passed_meeting_says_so_and_keeps_the_answer(invited, client_en):
    client_en.post(invited.get_rsvp_url(), {"response": "yes"})
    starts = timezone.now() - timedelta(hours=1)
    Meeting.objects.filter(pk=invited.meeting_id).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    for send in (client_en.get, client_en.post):
        response = send(invited.get_rsvp_url(), {"response": "no"})
        page = response.content.decode()
        assert response.status_code == 410
        assert "This meeting has passed." in page and "Your answer was: Yes." in page
    invited.refresh_from_db()
    assert invited.response == "yes"


def test_a_cancelled_meeting_takes_no_answers(invited, client_en):
    services.meeting_cancel(meeting=invited.meeting, reason="Ingen saker")
    response = client_en.post(invited.get_rsvp_url(), {"response": "yes"})
    assert response.status_code == 410
    assert "will not take place" in response.content.decode()
    invited.refresh_from_db()
    assert invited.response == "none"


def test_a_missing_or_unknown_answer_is_explained(invited, client_en):
    for data in ({}, {"response": "kanskje"}, {"response": "none"}):
        response = client_en.post(invited.get_rsvp_url(), data)
        assert response.status_code == 400
        assert "Choose yes, no or maybe." in response.content.decode()
    invited.refresh_from_db()
    assert invited.response == "none"


def test_unknown_malformed_and_foreign_tokens_are_not_found(world, invited, client_en):
    for token in ["x", "a" * 500, "../../etc/passwd", "%00", invited.token[:-1]]:
        url = f"/svar/{quote(token, safe='')}/"
        assert client_en.get(url).status_code == 404
        assert client_en.post(url, {"response": "yes"}).status_code == 404
    foreign = invitation(make_meeting(world.other_project), email="annen@example.org")
    assert client_en.get(foreign.get_rsvp_url()).status_code == 404  # another municipality


@given(response=st.text(max_size=50), token=st.text(max_size=80))
@FUZZ
def test_fuzzed_answers_and_tokens_never_fail(invited, settings, response, token):
    settings.RATELIMIT_ENABLE = False
    client = english()
    answer = client.post(invited.get_rsvp_url(), {"response": response})
    assert answer.status_code in {302, 400}
    url = f"/svar/{quote(token, safe='')}/"
    assert client.post(url, {"response": "yes"}).status_code in {404, 302, 400}
    invited.refresh_from_db()
    assert invited.response in Invitation.Response.values


def test_answers_are_rate_limited(invited, settings):
    settings.PUBLIC_WRITE_RATE = "3/h"
    client = english()
    statuses = [
        client.post(invited.get_rsvp_url(), {"response": "yes"}).status_code for _ in range(5)
    ]
    assert statuses[:3] == [302, 302, 302] and statuses[3:] == [429, 429]


def test_the_rsvp_url_is_under_the_portal(invited):
    assert invited.get_rsvp_url() == reverse("portal:meeting_rsvp", args=[invited.token])
    assert len(invited.token) >= 40


def test_the_invitee_can_download_the_calendar_file(invited, client_en):
    from naboskap.meetings.tests.helpers import parse

    page = client_en.get(invited.get_rsvp_url()).content.decode()
    url = reverse("portal:rsvp_calendar", args=[invited.token])
    assert url in page
    response = client_en.get(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    (event,) = parse(response.content).events
    assert event.uid == f"{invited.meeting.uid}@naboskap" and event.summary == invited.meeting.title
    assert client_en.get(f"/svar/{invited.token[:-2]}/kalender.ics").status_code == 404
