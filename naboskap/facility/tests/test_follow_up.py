"""Observations become concerns and measures (once each); the incident log's follow-up."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from naboskap.concerns.models import Concern
from naboskap.conftest import client_for, english
from naboskap.facility import services
from naboskap.facility.models import FollowUp, Incident, IncidentStatusChange
from naboskap.plans.models import Measure
from naboskap.testing.factories import make_image


def observe(world, user, **fields):
    found = services.round_start(project=world.project, by=user)[0]
    fields.setdefault("category", "litter")
    fields.setdefault("text", "Sprøyte i sandkassa.")
    return services.observation_log(round=found, by=user, place="Lekeplassen", **fields)


def test_an_observation_becomes_a_concern_once(world, caretaker):
    photo = SimpleUploadedFile("p.jpg", make_image(), content_type="image/jpeg")
    observation = observe(world, caretaker, photo=photo)
    client = english(caretaker)
    url = reverse("facility:observation_concern", args=[world.project.pk, observation.pk])
    response = client.post(url)
    assert response.status_code == 302
    concern = Concern.objects.get()
    observation.refresh_from_db()
    assert observation.concern == concern
    assert concern.project == world.project and concern.category.code == "litter"
    assert concern.description == "Sprøyte i sandkassa." and concern.location == "Lekeplassen"
    assert concern.reporter_email == "" and concern.preferred_channel == "none"
    assert concern.photos.count() == 1
    page = client.get(observation.get_absolute_url()).content.decode()
    assert concern.reference in page and "Make it a concern" not in page

    again = client.post(url)
    assert again.status_code == 400
    assert "This observation is already a concern." in again.content.decode()
    assert Concern.objects.count() == 1


def test_all_calm_does_not_become_a_concern(world, caretaker):
    found = services.round_start(project=world.project, by=caretaker)[0]
    calm = services.observation_all_calm(round=found, by=caretaker)
    url = reverse("facility:observation_concern", args=[world.project.pk, calm.pk])
    response = english(caretaker).post(url)
    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_an_observation_becomes_a_measure_once_and_the_measure_shows_it(world, caretaker):
    observation = observe(world, caretaker)
    coordinator = english(world.users["coordinator"])
    url = reverse("facility:observation_measure", args=[world.project.pk, observation.pk])
    data = {
        "measure-title": "Flere sprøytebokser",
        "measure-owner_unit": world.project.responsible_unit_id,
    }
    assert coordinator.post(url, data).status_code == 302
    measure = Measure.objects.get()
    assert measure.observation == observation and measure.source_field == "observation"
    assert measure.history.count() == 1
    page = coordinator.get(measure.get_absolute_url()).content.decode()
    assert "Caretaker observation: Litter and syringes: Lekeplassen" in page

    again = coordinator.post(url, data)
    assert again.status_code == 400
    assert "This observation already has a measure." in again.content.decode()
    assert Measure.objects.count() == 1
    # A caretaker turns observations into concerns, not into measures on the plan.
    assert client_for(caretaker).post(url, data).status_code == 403


def test_a_measure_without_a_title_keeps_what_was_typed(world, caretaker):
    observation = observe(world, caretaker)
    url = reverse("facility:observation_measure", args=[world.project.pk, observation.pk])
    response = english(world.users["coordinator"]).post(url, {"measure-due_date": "2026-13-40"})
    assert response.status_code == 400
    assert "2026-13-40" in response.content.decode()
    assert not Measure.objects.exists()


def test_an_incident_is_followed_up_and_closed_with_its_history(world):
    staff = world.users["facility_staff"]
    client = english(staff)
    response = client.post(
        reverse("facility:incident_create", args=[world.project.pk]),
        {
            "occurred_at": "2026-05-02T23:30",
            "category": "noise",
            "affects_neighbours": "on",
            "place": "Bakgården",
            "description": "Høy musikk etter midnatt, naboer ringte.",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.status == "open" and incident.affects_neighbours
    detail = response["Location"]

    # Closing before anyone followed it up is refused.
    status = reverse("facility:incident_status", args=[world.project.pk, incident.pk])
    refused = client.post(status, {"status-to_status": "closed"})
    assert refused.status_code == 400
    assert "Write a follow-up before closing the incident." in refused.content.decode()

    follow = reverse("facility:incident_follow_up", args=[world.project.pk, incident.pk])
    assert (
        client.post(follow, {"follow_up-text": "Snakket med vakt, musikken skrudd av."}).status_code
        == 302
    )
    incident.refresh_from_db()
    assert incident.status == "followed_up"
    assert (
        client.post(
            follow, {"follow_up-text": "Ringte naboen tilbake.", "follow_up-close": "on"}
        ).status_code
        == 302
    )
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert FollowUp.objects.filter(incident=incident).count() == 2

    # A closed incident takes no follow-up until reopened, and reopening needs a reason.
    late = client.post(follow, {"follow_up-text": "For sent."})
    assert late.status_code == 400 and "Reopen it" in late.content.decode()
    assert "For sent." in late.content.decode()
    no_reason = client.post(status, {"status-to_status": "open"})
    assert no_reason.status_code == 400
    assert "Say why the incident is reopened." in no_reason.content.decode()
    assert (
        client.post(
            status, {"status-to_status": "open", "status-note": "Skjedde igjen."}
        ).status_code
        == 302
    )

    history = list(
        IncidentStatusChange.objects.filter(incident=incident).values_list(
            "from_status", "to_status"
        )
    )
    assert history == [
        ("", "open"),
        ("open", "followed_up"),
        ("followed_up", "closed"),
        ("closed", "open"),
    ]
    page = client.get(detail).content.decode()
    assert "Snakket med vakt" in page and "Skjedde igjen." in page


def test_an_empty_incident_names_what_is_missing(world):
    client = english(world.users["facility_staff"])
    response = client.post(
        reverse("facility:incident_create", args=[world.project.pk]), {"place": "Porten"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert "Porten" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_caretaker_reads_the_incident_log_but_does_not_write_it(world, caretaker):
    incident = services.incident_log(
        project=world.project,
        by=world.users["facility_staff"],
        category="threats",
        description="Truende oppførsel ved bussholdeplassen.",
    )
    client = client_for(caretaker)
    assert client.get(incident.get_absolute_url()).status_code == 200
    assert (
        client.get(reverse("facility:incident_create", args=[world.project.pk])).status_code == 403
    )
    follow = reverse("facility:incident_follow_up", args=[world.project.pk, incident.pk])
    assert client.post(follow, {"follow_up-text": "x"}).status_code == 403


def test_a_stored_photo_over_the_pixel_budget_is_refused_clearly(world, caretaker):
    """A photo stored before the pixel budget (a large PNG) is not decoded again: the page
    says why, and no concern is made."""
    photo = SimpleUploadedFile("p.png", make_image("PNG"), content_type="image/png")
    observation = observe(world, caretaker, photo=photo)
    with observation.photo.open("wb") as stored:
        stored.write(make_image("PNG", size=(4096, 4096)))
    url = reverse("facility:observation_concern", args=[world.project.pk, observation.pk])
    response = english(caretaker).post(url)
    assert response.status_code == 400
    assert "has too many pixels to be checked" in response.content.decode()
    assert not Concern.objects.exists()
    observation.refresh_from_db()
    assert observation.concern is None


def test_the_incident_form_offers_only_real_categories(world):
    client = english(world.users["facility_staff"])
    response = client.get(reverse("facility:incident_create", args=[world.project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="category" value="noise"' in page
    assert "---------" not in page
