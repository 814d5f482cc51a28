"""The calendar feeds, read with an independent parser (`ical`): per project (public
meetings of a public project) and per body (behind its secret address)."""

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
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.meetings.tests.helpers import OSLO, parse
from naboskap.projects.models import Project


@pytest.fixture
def meetings(world):
    body = make_body(world.project)
    return {
        "public": make_meeting(world.project, is_public=True, title="Dialogmøte", days=12),
        "private": make_meeting(world.project, body=body, title="Naborådsmøte", days=20),
        "old": make_meeting(world.project, is_public=True, title="Gammelt", days=-400),
        "body": body,
    }


def test_the_project_feed_has_the_public_meetings_in_oslo_time(world, meetings, client_en):
    response = client_en.get(reverse("portal:meeting_feed", args=[world.project.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    calendar = parse(text)
    assert [tz.tz_id for tz in calendar.timezones] == ["Europe/Oslo"]
    (event,) = calendar.events
    meeting = meetings["public"]
    assert event.summary == "Dialogmøte" and event.uid == f"{meeting.uid}@naboskap"
    assert event.dtstart == meeting.starts_at
    local = meeting.starts_at.astimezone(OSLO)
    assert f"DTSTART;TZID=Europe/Oslo:{local:%Y%m%dT%H%M%S}" in text
    assert event.location == "Fellesstua, Solbakken 3"
    assert "METHOD:PUBLISH" in text


def test_a_change_keeps_the_uid_and_raises_the_sequence(world, meetings, client_en):
    url = reverse("portal:meeting_feed", args=[world.project.slug])
    before = parse(client_en.get(url).content.decode()).events[0]
    meeting = meetings["public"]
    services.meeting_update(
        meeting=meeting, starts_at=meeting.starts_at + timedelta(hours=1), place="Skolen"
    )
    after = parse(client_en.get(url).content.decode()).events[0]
    assert after.uid == before.uid
    assert after.sequence == before.sequence + 1
    assert after.dtstart == before.dtstart + timedelta(hours=1) and after.location == "Skolen"
    services.meeting_cancel(meeting=meeting, reason="Ingen saker")
    cancelled = parse(client_en.get(url).content.decode()).events[0]
    assert cancelled.uid == before.uid and cancelled.status.value == "CANCELLED"
    assert cancelled.sequence == before.sequence + 2


def test_the_body_feed_has_all_its_meetings_behind_a_secret_address(world, meetings, client_en):
    body = meetings["body"]
    url = reverse("portal:body_feed", args=[body.feed_token])
    response = client_en.get(url)
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert [e.summary for e in parse(response.content.decode()).events] == ["Naborådsmøte"]
    coordinator = english(world.users["coordinator"])
    page = coordinator.get(body.get_absolute_url()).content.decode()
    assert url in page
    coordinator.post(reverse("meetings:body_feed_rotate", args=[world.project.pk, body.pk]))
    body.refresh_from_db()
    assert client_en.get(url).status_code == 404
    assert client_en.get(reverse("portal:body_feed", args=[body.feed_token])).status_code == 200


def test_no_feed_for_a_draft_project_and_an_empty_feed_parses(world, client_en):
    url = reverse("portal:meeting_feed", args=[world.project.slug])
    assert parse(client_en.get(url).content.decode()).events == []
    Project.objects.filter(pk=world.project.pk).update(visibility="draft")
    assert client_en.get(url).status_code == 404


@given(part=st.text(max_size=80))
@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_fuzzed_feed_addresses_never_fail(world, settings, part):
    settings.RATELIMIT_ENABLE = False
    client = english()
    for url in (
        f"/kalender/naboraad/{quote(part, safe='')}.ics",
        f"/prosjekter/{quote(part, safe='')}/moter.ics",
    ):
        assert client.get(url).status_code in {200, 301, 404}


def test_summer_and_winter_times_are_local_oslo_times(world, client_en):
    from datetime import datetime

    year = timezone.localdate().year + 1
    for month in (1, 7):  # CET (+01:00) and CEST (+02:00)
        starts = timezone.make_aware(datetime(year, month, 15, 18, 0))
        services.meeting_create(
            project=world.project,
            created_by=None,
            kind="dialogue",
            title=f"Møte {month}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Skolen",
            is_public=True,
        )
    text = client_en.get(reverse("portal:meeting_feed", args=[world.project.slug])).content
    events = {e.summary: e for e in parse(text).events}
    assert events["Møte 1"].dtstart.utcoffset() == timedelta(hours=1)
    assert events["Møte 7"].dtstart.utcoffset() == timedelta(hours=2)
    for month in ("01", "07"):
        assert f"DTSTART;TZID=Europe/Oslo:{year}{month}15T180000" in text.decode()
