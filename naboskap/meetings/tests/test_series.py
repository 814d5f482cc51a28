"""Recurring series: made with dateutil's rrule, refused when they overlap or start in the
past, and changed or ended for the meetings to come only (their UIDs never change)."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.models import Meeting, Series
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.meetings.tests.helpers import OSLO, parse


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def next_tuesday_in(days: int) -> datetime:
    """The second Tuesday of the month at least `days` from now, at 18:00 Oslo time."""
    day = timezone.localdate() + timedelta(days=days)
    first = day.replace(day=1)
    if day.day > 1:
        first = (first + timedelta(days=32)).replace(day=1)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
    return datetime.combine(tuesday, time(18, 0), tzinfo=OSLO)


def series_data(body=None, *, starts=None, **overrides):
    starts = starts or next_tuesday_in(3)
    data = {
        "kind": "council",
        "title": "Naborådsmøte",
        "body": body.pk if body else "",
        "first_starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "120",
        "frequency": "monthly",
        "interval": "2",
        "monthly_by": "weekday",
        "count": "6",
        "until": "",
        "place": "Fellesstua, Solbakken 3",
        "description": "Fast møte i naborådet.",
    }
    data.update(overrides)
    return data


def make_series(project, body, *, starts=None, **fields) -> Series:
    fields = {
        "kind": "council",
        "title": "Naborådsmøte",
        "first_starts_at": starts or next_tuesday_in(3),
        "duration_minutes": 120,
        "frequency": "monthly",
        "interval": 2,
        "monthly_by": "weekday",
        "count": 6,
        "place": "Fellesstua",
        **fields,
    }
    return services.series_create(project=project, created_by=None, body=body, **fields)


def test_a_bimonthly_series_makes_its_meetings_on_the_second_tuesday_at_18(world, coordinator):
    body = make_body(world.project)
    url = reverse("meetings:series_create", args=[world.project.pk])
    mail.outbox.clear()
    response = coordinator.post(url, series_data(body, invites_members="on"))
    series = Series.objects.get()
    assert mail.outbox == []  # saving sends nothing; each meeting is sent as its own step
    assert response.status_code == 302 and response["Location"] == series.get_absolute_url()
    meetings = list(series.meetings.order_by("starts_at"))
    assert len(meetings) == 6
    assert [m.series_index for m in meetings] == list(range(6))
    months = []
    for meeting in meetings:
        local = meeting.starts_at.astimezone(OSLO)
        # 18:00 in Oslo whether it is summer or winter time, on the month's second Tuesday.
        assert (local.hour, local.minute, local.weekday()) == (18, 0, 1)
        assert 8 <= local.day <= 14
        assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
        assert meeting.body == body and meeting.kind == "council"
        months.append(local.year * 12 + local.month)
        assert meeting.invitations.count() == 4
    assert [b - a for a, b in itertools.pairwise(months)] == [2] * 5
    page = coordinator.get(series.get_absolute_url()).content.decode()
    assert "Every 2 months" in page and page.count("Naborådsmøte") >= 6
    assert "Schedule a series" in coordinator.get(body.get_absolute_url()).content.decode()


def test_a_series_until_a_date_and_weekly(world):
    body = make_body(world.project)
    starts = next_tuesday_in(3)
    series = make_series(
        world.project,
        body,
        starts=starts,
        frequency="weekly",
        interval=1,
        count=None,
        until=starts.date() + timedelta(days=21),
    )
    days = [m.starts_at.astimezone(OSLO).date() for m in series.meetings.order_by("starts_at")]
    assert days == [starts.date() + timedelta(days=7 * n) for n in range(4)]


def test_a_first_meeting_in_the_past_is_refused_and_nothing_is_lost(world, coordinator):
    body = make_body(world.project)
    url = reverse("meetings:series_create", args=[world.project.pk])
    starts = timezone.localtime() - timedelta(days=2)
    response = coordinator.post(url, series_data(body, starts=starts, title="Glemt serie"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "This time is in the past. A new series must start at a time to come" in page
    assert 'value="Glemt serie"' in page and "Fast møte i naborådet." in page
    assert not Series.objects.exists() and not Meeting.objects.exists()
    with pytest.raises(services.ValidationError):
        make_series(world.project, body, starts=starts)


def test_an_overlapping_series_for_the_same_body_is_refused(world, coordinator):
    body = make_body(world.project)
    first = make_series(world.project, body)
    url = reverse("meetings:series_create", args=[world.project.pk])
    # Half an hour later on the same days: the meetings would overlap.
    later = first.first_starts_at.astimezone(OSLO) + timedelta(minutes=30)
    response = coordinator.post(url, series_data(body, starts=later, title="Dobbel"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "The series overlaps with meetings that are already planned" in page
    assert 'value="Dobbel"' in page
    assert Series.objects.count() == 1 and Meeting.objects.count() == 6
    # Another body may meet at the same time; so may the same body after the first ends.
    other = make_body(world.project, name="Referansegruppen", members=[])
    assert coordinator.post(url, series_data(other, starts=later)).status_code == 302
    services.series_end(series=first)
    assert coordinator.post(url, series_data(body, starts=later)).status_code == 302


def test_a_single_meeting_in_the_way_also_counts_as_an_overlap(world):
    body = make_body(world.project)
    starts = next_tuesday_in(3)
    single = make_meeting(world.project, body=body, days=1)
    third = starts + timedelta(days=14)
    Meeting.objects.filter(pk=single.pk).update(
        starts_at=third + timedelta(hours=1), ends_at=third + timedelta(hours=3)
    )
    with pytest.raises(services.ValidationError, match="overlaps"):
        make_series(world.project, body, starts=starts, frequency="weekly", count=4)
    # Right after it is fine: 20:00 is when the series meeting ends.
    Meeting.objects.filter(pk=single.pk).update(
        starts_at=third + timedelta(hours=2), ends_at=third + timedelta(hours=3)
    )
    series = make_series(world.project, body, starts=starts, frequency="weekly", count=4)
    assert series.meetings.count() == 4


def test_bad_ends_are_explained(world, coordinator):
    body = make_body(world.project)
    url = reverse("meetings:series_create", args=[world.project.pk])
    page = coordinator.post(url, series_data(body, count="")).content.decode()
    assert "Give a last date or a number of meetings." in page
    starts = next_tuesday_in(3)
    data = series_data(body, starts=starts, until=(starts.date() + timedelta(days=90)).isoformat())
    page = coordinator.post(url, data).content.decode()
    assert "Give a last date or a number of meetings, not both." in page
    data = series_data(body, count="", until=(starts.date() - timedelta(days=1)).isoformat())
    page = coordinator.post(url, data).content.decode()
    assert "The last date cannot be before the first meeting." in page
    data = series_data(body, frequency="weekly", interval="1", count="61")
    response = coordinator.post(url, data)
    assert response.status_code == 400
    assert "A series can have at most 60 meetings." in response.content.decode()
    data = series_data(body, interval="0", duration_minutes="5", place="")
    page = coordinator.post(url, data).content.decode()
    assert "Give a place or an online meeting link." in page
    assert not Series.objects.exists()


def body_feed_events(client, body) -> dict:
    text = client.get(reverse("portal:body_feed", args=[body.feed_token])).content.decode()
    return {event.uid: event for event in parse(text).events}


def test_editing_a_series_changes_only_the_meetings_to_come_and_keeps_their_uids(
    world, coordinator, client_en
):
    body = make_body(world.project)
    series = make_series(world.project, body)
    first = series.meetings.get(series_index=0)
    # The first meeting has been held.
    held_start = timezone.now() - timedelta(days=5)
    Meeting.objects.filter(pk=first.pk).update(
        starts_at=held_start, ends_at=held_start + timedelta(hours=2)
    )
    before = body_feed_events(client_en, body)
    assert len(before) == 6
    url = reverse("meetings:series_edit", args=[world.project.pk, series.pk])
    assert coordinator.get(url).status_code == 200
    data = {
        "title": "Naborådsmøte (nytt klokkeslett)",
        "start_time": "19:00",
        "duration_minutes": "90",
        "count": "6",
        "place": "Biblioteket",
    }
    response = coordinator.post(url, data)
    assert response.status_code == 302
    after = body_feed_events(client_en, body)
    assert set(after) == set(before)  # the same UIDs: calendars update the events in place
    for meeting in series.meetings.all():
        event = after[f"{meeting.uid}@naboskap"]
        if meeting.pk == first.pk:
            assert event.summary == "Naborådsmøte" and event.sequence == 0
            assert meeting.place == "Fellesstua"
        else:
            local = meeting.starts_at.astimezone(OSLO)
            assert (local.hour, local.minute) == (19, 0)
            assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
            assert event.summary == "Naborådsmøte (nytt klokkeslett)"
            assert event.sequence == before[event.uid].sequence + 1
            assert event.location == "Biblioteket"


def test_a_shorter_series_cancels_its_last_meetings_and_a_longer_one_adds(world, coordinator):
    body = make_body(world.project)
    series = make_series(world.project, body, count=4)
    one = series.meetings.get(series_index=1)
    services.meeting_cancel(meeting=one, reason="Ferie")  # cancelled by hand: stays cancelled
    url = reverse("meetings:series_edit", args=[world.project.pk, series.pk])
    data = {
        "title": "Naborådsmøte",
        "start_time": "18:00",
        "duration_minutes": "120",
        "count": "3",
        "place": "Fellesstua",
    }
    assert coordinator.post(url, data).status_code == 302
    held = series.meetings.filter(cancelled_at__isnull=True).order_by("series_index")
    assert [m.series_index for m in held] == [0, 2]
    data["count"] = "6"
    assert coordinator.post(url, data).status_code == 302
    held = series.meetings.filter(cancelled_at__isnull=True).order_by("series_index")
    assert [m.series_index for m in held] == [0, 2, 4, 5]
    assert series.meetings.count() == 6  # the cancelled fourth is not made again


def test_an_edit_that_would_overlap_is_refused_with_the_input_kept(world, coordinator):
    body = make_body(world.project)
    series = make_series(world.project, body, count=2)
    second = series.meetings.get(series_index=1)
    clash = second.starts_at + timedelta(hours=3)
    make_meeting(world.project, body=body, days=1)
    Meeting.objects.filter(series=None).update(starts_at=clash, ends_at=clash + timedelta(hours=1))
    url = reverse("meetings:series_edit", args=[world.project.pk, series.pk])
    local = clash.astimezone(OSLO)
    data = {
        "title": "Flyttet",
        "start_time": f"{local:%H:%M}",
        "duration_minutes": "60",
        "count": "2",
        "place": "Fellesstua",
    }
    response = coordinator.post(url, data)
    assert response.status_code == 400
    assert "The series overlaps with meetings" in response.content.decode()
    assert 'value="Flyttet"' in response.content.decode()
    assert not series.meetings.filter(title="Flyttet").exists()


def test_ending_a_series_cancels_the_meetings_to_come_only(world, coordinator, client_en):
    body = make_body(world.project)
    series = make_series(world.project, body, count=3)
    first = series.meetings.get(series_index=0)
    held_start = timezone.now() - timedelta(days=5)
    Meeting.objects.filter(pk=first.pk).update(
        starts_at=held_start, ends_at=held_start + timedelta(hours=2)
    )
    url = reverse("meetings:series_end", args=[world.project.pk, series.pk])
    response = coordinator.post(url, follow=True)
    assert "The series has ended. 2 coming meetings were cancelled." in response.content.decode()
    assert not Meeting.objects.get(pk=first.pk).is_cancelled
    assert series.meetings.filter(cancelled_at__isnull=False).count() == 2
    events = body_feed_events(client_en, body)
    assert sorted(str(e.status) for e in events.values()).count("EventStatus.CANCELLED") == 2 or (
        sum("CANCELLED" in str(e.status) for e in events.values()) == 2
    )
    # Ended: no more changes.
    response = coordinator.post(url, follow=True)
    assert "This series has already ended." in response.content.decode()
    edit = reverse("meetings:series_edit", args=[world.project.pk, series.pk])
    assert coordinator.get(edit, follow=True).redirect_chain[-1][0] == series.get_absolute_url()


@pytest.mark.parametrize("count", [3, 40])
def test_the_series_page_takes_the_same_queries_for_few_and_many_meetings(
    world, coordinator, count, django_assert_max_num_queries
):
    body = make_body(world.project, members=[])
    series = make_series(world.project, body, frequency="weekly", interval=1, count=count)
    with django_assert_max_num_queries(12):
        response = coordinator.get(series.get_absolute_url())
    assert response.status_code == 200


def test_rrule_dates_across_daylight_saving_time():
    series = Series(
        first_starts_at=datetime(2030, 3, 12, 18, 0, tzinfo=OSLO),  # second Tuesday of March
        frequency="monthly",
        interval=1,
        monthly_by="weekday",
        count=3,
        duration_minutes=120,
    )
    starts = [s.astimezone(OSLO) for s in services.series_occurrences(series)]
    assert [s.date() for s in starts] == [date(2030, 3, 12), date(2030, 4, 9), date(2030, 5, 14)]
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
    assert starts[0].utcoffset() != starts[1].utcoffset()  # winter and summer time
