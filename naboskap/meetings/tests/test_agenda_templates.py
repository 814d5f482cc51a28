"""Agenda templates: a meeting's agenda saved under a name, and new meetings and series made
from it."""

import re

import pytest
from django.urls import reverse

from naboskap.conftest import english
from naboskap.meetings import services
from naboskap.meetings.minutes import services as minutes_services
from naboskap.meetings.models import AgendaTemplate, Meeting, Series
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.meetings.tests.test_meetings import meeting_data
from naboskap.meetings.tests.test_series import series_data

ITEMS = [
    ("Velkommen og godkjenning av innkalling", "Leder", 5, False),
    ("Siden sist: saker fra beboermøtet", "Sekretær", 20, True),
    ("Eventuelt", "", None, False),
]


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def with_agenda(meeting):
    for title, presenter, minutes, residents in ITEMS:
        minutes_services.agenda_item_add(
            meeting=meeting,
            title=title,
            presenter=presenter,
            duration_minutes=minutes,
            for_residents=residents,
            description=f"Om {title.lower()}",
        )
    return meeting


def titles(meeting):
    return list(meeting.agenda_items.order_by("position").values_list("title", flat=True))


def test_an_agenda_is_saved_as_a_template_and_starts_a_new_meeting(world, coordinator):
    body = make_body(world.project)
    meeting = with_agenda(make_meeting(world.project, body=body))
    page = coordinator.get(meeting.get_absolute_url()).content.decode()
    save_url = reverse("meetings:agenda_template_save", args=[world.project.pk, meeting.pk])
    assert save_url in page
    assert coordinator.get(save_url).status_code == 200
    response = coordinator.post(save_url, {"name": "Ordinært naborådsmøte"})
    assert response.status_code == 302
    template = AgendaTemplate.objects.get()
    assert template.body == body and template.project == world.project
    assert [i.title for i in template.items.all()] == [t for t, *_rest in ITEMS]
    second = template.items.get(position=1)
    assert (second.presenter, second.duration_minutes, second.for_residents) == (
        "Sekretær",
        20,
        True,
    )
    listing = coordinator.get(reverse("meetings:agenda_template_list", args=[world.project.pk]))
    assert "Ordinært naborådsmøte" in listing.content.decode()

    create_url = reverse("meetings:meeting_create", args=[world.project.pk])
    form = coordinator.get(f"{create_url}?mal={template.pk}").content.decode()
    assert re.search(rf'<option value="{template.pk}" selected\s*>', form)
    data = meeting_data(body, days=40, title="Neste møte", template=template.pk)
    assert coordinator.post(create_url, data).status_code == 302
    new = Meeting.objects.get(title="Neste møte")
    assert titles(new) == [t for t, *_rest in ITEMS]
    assert new.agenda_items.get(position=1).for_residents is True


def test_bad_template_names_and_empty_agendas_are_explained(world, coordinator):
    body = make_body(world.project, members=[])
    empty = make_meeting(world.project, body=body)
    url = reverse("meetings:agenda_template_save", args=[world.project.pk, empty.pk])
    response = coordinator.post(url, {"name": "Tom"})
    assert response.status_code == 400
    assert "The agenda has no items to save." in response.content.decode()
    meeting = with_agenda(make_meeting(world.project, body=body, days=9))
    url = reverse("meetings:agenda_template_save", args=[world.project.pk, meeting.pk])
    assert coordinator.post(url, {"name": "Fast mal"}).status_code == 302
    response = coordinator.post(url, {"name": "fast MAL"})
    assert response.status_code == 400
    assert "already has an agenda template called “fast MAL”" in response.content.decode()
    assert coordinator.post(url, {"name": ""}).status_code == 400
    assert AgendaTemplate.objects.count() == 1


def test_a_series_from_a_template_gives_every_meeting_the_agenda(world, coordinator):
    body = make_body(world.project)
    template = services.agenda_template_save(
        meeting=with_agenda(make_meeting(world.project, body=body, days=2)), name="Fast"
    )
    url = reverse("meetings:series_create", args=[world.project.pk])
    response = coordinator.post(url, series_data(body, count="3", template=template.pk))
    assert response.status_code == 302
    series = Series.objects.get()
    for meeting in series.meetings.all():
        assert titles(meeting) == [t for t, *_rest in ITEMS]
    # Extending the series later gives the new meetings the same agenda.
    edit = reverse("meetings:series_edit", args=[world.project.pk, series.pk])
    data = {
        "title": series.title,
        "start_time": "18:00",
        "duration_minutes": "120",
        "count": "4",
        "place": series.place,
    }
    assert coordinator.post(edit, data).status_code == 302
    assert titles(series.meetings.get(series_index=3)) == [t for t, *_rest in ITEMS]


def test_deleting_a_template_keeps_the_agendas_made_from_it(world, coordinator):
    body = make_body(world.project, members=[])
    meeting = with_agenda(make_meeting(world.project, body=body))
    template = services.agenda_template_save(meeting=meeting, name="Mal")
    copy = make_meeting(world.project, body=body, days=30)
    services.agenda_template_apply(template=template, meeting=copy)
    url = reverse("meetings:agenda_template_delete", args=[world.project.pk, template.pk])
    assert coordinator.post(url).status_code == 302
    assert not AgendaTemplate.objects.exists()
    assert len(titles(copy)) == 3 and len(titles(meeting)) == 3


def test_readers_see_templates_but_cannot_save_or_delete(world):
    body = make_body(world.project, members=[])
    meeting = with_agenda(make_meeting(world.project, body=body))
    template = services.agenda_template_save(meeting=meeting, name="Mal")
    politician = english(world.users["politician"])
    listing = politician.get(reverse("meetings:agenda_template_list", args=[world.project.pk]))
    assert listing.status_code == 200 and "New meeting from this template" not in (
        listing.content.decode()
    )
    delete = reverse("meetings:agenda_template_delete", args=[world.project.pk, template.pk])
    assert politician.post(delete).status_code == 403
    save = reverse("meetings:agenda_template_save", args=[world.project.pk, meeting.pk])
    assert politician.post(save, {"name": "X"}).status_code == 403


@pytest.mark.parametrize("count", [2, 30])
def test_the_template_list_takes_the_same_queries_for_few_and_many(
    world, coordinator, count, django_assert_max_num_queries
):
    body = make_body(world.project, members=[])
    meeting = with_agenda(make_meeting(world.project, body=body))
    for n in range(count):
        services.agenda_template_save(meeting=meeting, name=f"Mal {n}")
    with django_assert_max_num_queries(10):
        response = coordinator.get(
            reverse("meetings:agenda_template_list", args=[world.project.pk])
        )
    assert response.status_code == 200 and f"Mal {count - 1}" in response.content.decode()
