"""Issue 19: the meeting itself. Attendance prefilled from the answers, one compact row per
member; the minutes of every item on one page, each item saved on its own (htmx, and plain
POST without JavaScript), decisions with measures inline, the residents' notes beside the
item; the meetings list sorted and filtered."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.models import AgendaItem, Attendance, Decision, Meeting
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.plans.models import Measure

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def held(meeting: Meeting, days_ago: int = 1) -> Meeting:
    starts = timezone.now() - timedelta(days=days_ago)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    meeting.refresh_from_db()
    return meeting


def checked(page: str, name: str) -> str | None:
    """The value of the checked radio called `name`, if any."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def test_attendance_is_prefilled_from_the_answers_one_row_per_member(world, coordinator):
    body = make_body(world.project)
    meeting = make_meeting(world.project, body=body, days=3)
    services.invitations_send(meeting=meeting, members=body.members.all())
    nina, ola, berit, rune = (
        body.members.get(name=n) for n in ("Nina Nabo", "Ola Nabo", "Berit Ansatt", "Rune Beboer")
    )
    services.rsvp_answer(invitation=meeting.invitations.get(member=nina), response="yes")
    services.rsvp_answer(invitation=meeting.invitations.get(member=ola), response="no")
    services.rsvp_answer(invitation=meeting.invitations.get(member=berit), response="maybe")
    held(meeting)
    minutes_services.minutes_start(meeting=meeting, created_by=None)
    url = reverse("meetings:minutes_detail", args=[world.project.pk, meeting.pk])
    page = coordinator.get(url).content.decode()
    assert checked(page, f"member_{nina.pk}") == "present"
    assert checked(page, f"member_{ola.pk}") == "apologies"
    assert checked(page, f"member_{berit.pk}") is None  # maybe: left for the secretary
    assert page.count('class="attendance-row"') == 4
    for value in ("present", "absent", "apologies"):
        assert f'name="member_{rune.pk}" value="{value}"' in page or re.search(
            rf'<input[^>]*name="member_{rune.pk}"[^>]*value="{value}"', page
        )
    attendance = reverse("meetings:minutes_attendance", args=[world.project.pk, meeting.pk])
    data = {
        f"member_{nina.pk}": "present",
        f"member_{ola.pk}": "apologies",
        f"member_{berit.pk}": "present",
        f"member_{rune.pk}": "absent",
    }
    response = coordinator.post(attendance, data)
    assert response.status_code == 302 and response["Location"].endswith("#attendance-heading")
    recorded = dict(meeting.attendances.values_list("member__name", "status"))
    assert recorded == {
        "Nina Nabo": "present",
        "Ola Nabo": "apologies",
        "Berit Ansatt": "present",
        "Rune Beboer": Attendance.Status.ABSENT,
    }
    content = minutes_services.minutes_content(meeting)
    assert content["absent"] == ["Rune Beboer"]
    bad = coordinator.post(attendance, {f"member_{nina.pk}": "kanskje"})
    assert bad.status_code == 400 and "Select a valid choice." in bad.content.decode()
    assert meeting.attendances.get(member=nina).status == "present"


def six_item_meeting(world):
    body = make_body(world.project)
    meeting = make_meeting(world.project, body=body, days=-1)
    items = [
        minutes_services.agenda_item_add(meeting=meeting, title=f"Sak {n}") for n in range(1, 7)
    ]
    minutes_services.minutes_start(meeting=meeting, created_by=None)
    return meeting, items


def test_the_minutes_of_six_items_are_written_on_one_page_item_by_item(world, coordinator):
    meeting, items = six_item_meeting(world)
    url = reverse("meetings:minutes_detail", args=[world.project.pk, meeting.pk])
    page = coordinator.get(url).content.decode()
    assert page.count('name="notes"') == 6 and page.count('name="measure_title"') == 6
    assert "hx-post" in page
    # htmx: the item comes back with its notes saved; nothing else on the page is touched.
    third = reverse("meetings:minutes_item", args=[world.project.pk, meeting.pk, items[2].pk])
    response = coordinator.post(third, {"notes": "Vaktmester ser på lyset."}, **HTMX)
    part = response.content.decode()
    assert response.status_code == 200 and "<html" not in part
    assert f'id="item-{items[2].pk}"' in part and "The notes were saved." in part
    assert "Vaktmester ser på lyset." in part
    items[2].refresh_from_db()
    assert items[2].notes == "Vaktmester ser på lyset."
    # Without JavaScript: a plain POST, back to the item on the same page.
    fifth = reverse("meetings:minutes_item", args=[world.project.pk, meeting.pk, items[4].pk])
    response = coordinator.post(fifth, {"notes": "Ingen merknader."})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{items[4].pk}")
    page = coordinator.get(url).content.decode()
    assert "Vaktmester ser på lyset." in page and "Ingen merknader." in page
    # Too long: the item comes back with the error and the text as typed.
    response = coordinator.post(third, {"notes": "x" * 10001}, **HTMX)
    assert response.status_code == 400 and "x" * 10001 in response.content.decode()
    items[2].refresh_from_db()
    assert items[2].notes == "Vaktmester ser på lyset."


def test_a_decision_makes_a_measure_inline(world, coordinator):
    meeting, items = six_item_meeting(world)
    url = reverse("meetings:decision_create", args=[world.project.pk, meeting.pk, items[0].pk])
    # A measure without owner or deadline: refused inside the item, the text kept.
    response = coordinator.post(
        url, {"text": "Skilt om stilletid.", "measure_title": "Skilt"}, **HTMX
    )
    part = response.content.decode()
    assert response.status_code == 400
    assert "A measure needs an owner unit." in part and "Skilt om stilletid." in part
    assert not Decision.objects.exists()
    due = timezone.localdate() + timedelta(days=30)
    data = {
        "text": "Skilt om stilletid.",
        "measure_title": "Skilt om stilletid",
        "owner_unit": world.project.responsible_unit_id,
        "due_date": due.isoformat(),
    }
    response = coordinator.post(url, data, **HTMX)
    part = response.content.decode()
    assert response.status_code == 200
    assert "The decision was saved, and its measure is in the action plan." in part
    decision = Decision.objects.get()
    measure = Measure.objects.get(decision=decision)
    assert measure.title == "Skilt om stilletid" and measure.due_date == due
    assert "Skilt om stilletid" in part
    # Without JavaScript the same form works too.
    plain = coordinator.post(
        reverse("meetings:decision_create", args=[world.project.pk, meeting.pk, items[1].pk]),
        {"text": "Tas opp igjen i mars."},
    )
    assert plain.status_code == 302 and plain["Location"].endswith(f"#item-{items[1].pk}")
    assert Decision.objects.count() == 2


def test_the_residents_notes_are_shown_beside_the_item(world, coordinator):
    body = make_body(world.project)
    council = make_meeting(world.project, body=body, days=10, title="Naborådsmøte")
    noise = minutes_services.agenda_item_add(
        meeting=council, title="Støy om natta", for_residents=True
    )
    minutes_services.agenda_item_add(meeting=council, title="Sommerfest")
    starts = council.starts_at - timedelta(days=7)
    residents = services.residents_meeting_create(
        council_meeting=council,
        created_by=None,
        title="Beboermøte",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    minutes_services.residents_note_save(
        item=residents.agenda_items.get(), note="Beboerne ønsker faste stilletider."
    )
    minutes_services.minutes_start(meeting=council, created_by=None)
    url = reverse("meetings:minutes_detail", args=[world.project.pk, council.pk])
    page = coordinator.get(url).content.decode()
    item = page[page.index(f'id="item-{noise.pk}"') :]
    item = item[: item.index("</li>")]
    assert 'class="ds-card minutes-item__residents"' in item
    assert "Beboerne ønsker faste stilletider." in item
    assert AgendaItem.objects.get(pk=noise.pk).residents_note


def test_the_meetings_list_is_sorted_and_filtered_by_body_and_kind(world, coordinator):
    council = make_body(world.project)
    group = make_body(world.project, name="Referansegruppen", members=[])
    make_meeting(world.project, body=council, days=400, title="Om over et år")
    make_meeting(world.project, body=council, days=5, title="Neste uke")
    make_meeting(world.project, body=group, days=30, title="Gruppemøte")
    make_meeting(world.project, days=-30, title="For en måned siden")
    make_meeting(world.project, body=council, days=-400, title="I fjor")
    make_meeting(world.project, days=-2, title="I forgårs", kind="social")
    url = reverse("meetings:meeting_list", args=[world.project.pk])
    page = coordinator.get(url).content.decode()
    order = [
        "Neste uke",
        "Gruppemøte",
        "Om over et år",
        "I forgårs",
        "For en måned siden",
        "I fjor",
    ]
    positions = [page.index(f">{title}<") for title in order]
    assert positions == sorted(positions)
    page = coordinator.get(url, {"organ": council.pk}).content.decode()
    assert "Neste uke" in page and "I fjor" in page
    assert "Gruppemøte" not in page and "I forgårs" not in page
    page = coordinator.get(url, {"type": "social"}).content.decode()
    assert "I forgårs" in page and "Neste uke" not in page
    bad = coordinator.get(url, {"organ": "abc", "type": "nope"})
    assert bad.status_code == 400 and "Select a valid choice." in bad.content.decode()
