"""Meeting lists: coming meetings first (soonest first), then past ones (newest first); the
meetings page can be searched and pages through the past; each row says its state."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.meetings.models import Meeting
from naboskap.meetings.selectors import upcoming_first
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.meetings.views import PAST_MEETINGS_PER_PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(world):
    """Two past and two coming meetings of one body, made in a mixed-up order."""
    body = make_body(world.project, members=[])
    made = {
        name: make_meeting(world.project, body=body, days=days, title=name)
        for name, days in (
            ("Last month", -30),
            ("In two weeks", 14),
            ("Yesterday", -1),
            ("Tomorrow", 1),
        )
    }
    return body, made


def titles(html: str, names) -> list[str]:
    return sorted(names, key=html.index)


def test_upcoming_first_then_past_newest_first(world, meetings):
    ordered = upcoming_first(Meeting.objects.filter(project=world.project), now=timezone.now())
    assert [m.title for m in ordered] == ["Tomorrow", "In two weeks", "Yesterday", "Last month"]


def test_a_meeting_going_on_now_counts_as_coming(world, meetings):
    make_meeting(world.project, days=-0.01, hours=2, title="Now")
    ordered = upcoming_first(Meeting.objects.filter(project=world.project), now=timezone.now())
    assert [m.title for m in ordered][:2] == ["Now", "Tomorrow"]


def test_the_body_page_lists_meetings_in_that_order_with_their_state(world, meetings):
    body, made = meetings
    Meeting.objects.filter(pk=made["In two weeks"].pk).update(cancelled_at=timezone.now())
    html = english(world.users["coordinator"]).get(body.get_absolute_url()).content.decode()
    assert titles(html, made) == ["Tomorrow", "In two weeks", "Yesterday", "Last month"]
    rows = {name: re.search(rf">{name}</a>(.*?)</th>", html, re.S).group(1) for name in made}
    assert 'data-status="upcoming" data-color="info"' in rows["Tomorrow"]
    assert 'data-status="cancelled" data-color="neutral"' in rows["In two weeks"]
    assert 'data-status="held" data-color="neutral"' in rows["Last month"]
    assert "Cancelled</span>" in rows["In two weeks"] and "Held</span>" in rows["Yesterday"]


def test_the_series_page_uses_the_same_order(world):
    from datetime import timedelta

    from naboskap.meetings.tests.test_series import make_series

    series = make_series(world.project, None)
    # The first two meetings have been held: move them back in time, keeping their order.
    first, second = series.meetings.order_by("starts_at")[:2]
    for meeting, days in ((first, 200), (second, 100)):
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=meeting.starts_at - timedelta(days=days),
            ends_at=meeting.ends_at - timedelta(days=days),
        )
    html = english(world.users["coordinator"]).get(series.get_absolute_url()).content.decode()
    shown = [int(pk) for pk in re.findall(r'/moter/(\d+)/"', html)]
    meetings = {m.pk: m for m in series.meetings.all()}
    shown = [pk for pk in dict.fromkeys(shown) if pk in meetings]
    now = timezone.now()
    coming = [meetings[pk].starts_at for pk in shown if meetings[pk].ends_at >= now]
    past = [meetings[pk].starts_at for pk in shown if meetings[pk].ends_at < now]
    assert len(shown) == 6 and len(past) == 2
    assert [meetings[pk].starts_at for pk in shown] == sorted(coming) + sorted(past, reverse=True)
    assert 'data-status="upcoming"' in html and 'data-status="held"' in html


def test_the_meetings_page_searches_title_and_place(world, meetings):
    _body, made = meetings
    make_meeting(world.project, days=-2, title="Dugnad", place="Ballbanen")
    client = english(world.users["coordinator"])
    url = reverse("meetings:meeting_list", args=[world.project.pk])
    html = client.get(url, {"q": "ballbanen"}).content.decode()
    assert "Dugnad" in html and "Tomorrow" not in html and "Yesterday" not in html
    html = client.get(url, {"q": "tomorrow"}).content.decode()
    assert "Tomorrow" in html and "Dugnad" not in html
    html = client.get(url).content.decode()
    assert titles(html, made) == ["Tomorrow", "In two weeks", "Yesterday", "Last month"]


def test_bad_search_input_is_a_message_not_an_error(world, meetings):
    client = english(world.users["coordinator"])
    url = reverse("meetings:meeting_list", args=[world.project.pk])
    response = client.get(url, {"q": "x" * 500, "side": "abc"})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
    assert client.get(url, {"side": "9999"}).status_code == 200


def test_past_meetings_come_a_page_at_a_time(world, django_assert_max_num_queries):
    for n in range(PAST_MEETINGS_PER_PAGE + 3):
        make_meeting(world.project, days=-(n + 1), title=f"Past {n:02d}")
    client = english(world.users["coordinator"])
    url = reverse("meetings:meeting_list", args=[world.project.pk])
    with django_assert_max_num_queries(25):
        first = client.get(url).content.decode()
    assert "Past 00" in first and f"Past {PAST_MEETINGS_PER_PAGE:02d}" not in first
    second = client.get(url, {"side": "2"}).content.decode()
    assert f"Past {PAST_MEETINGS_PER_PAGE + 2:02d}" in second and "Past 00" not in second
