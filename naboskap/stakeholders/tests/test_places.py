"""The place and process analysis: sensitive places with distances, the timeline, objection
themes, versions (approve, then a change starts a new version) and the PDF."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from naboskap.conftest import english
from naboskap.maps import coordinates
from naboskap.stakeholders.models import PlaceAnalysis, ProcessEvent, SensitiveSite
from naboskap.stakeholders.tests.factories import make_address
from naboskap.testing.documents import fetch_document

SITE = (69.65, 18.95)


def url(name, *args):
    return reverse(f"stakeholders:{name}", args=args)


@pytest.fixture
def sited(world):
    world.project.latitude, world.project.longitude = Decimal("69.65"), Decimal("18.95")
    world.project.save()
    return world.project


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def add_site(client, project, **data):
    values = {
        "site-kind": "school",
        "site-name": "Fjordby skole",
        "site-latitude": "69.6509",
        "site-longitude": "18.95",
        **{f"site-{k}": v for k, v in data.items()},
    }
    return client.post(url("place_item_add", project.pk, "site"), values)


def test_a_sensitive_place_shows_its_distance_from_the_site(sited, coordinator):
    response = add_site(coordinator, sited)
    assert response.status_code == 302
    site = SensitiveSite.objects.get()
    assert site.analysis.version == 1 and not site.analysis.is_published
    page = coordinator.get(url("place_analysis", sited.pk))
    expected = coordinates.distances_m(*SITE, [69.6509], [18.95])[0]
    assert 95 < expected < 105
    assert f"{expected:.0f} m" in page.content.decode()
    assert "Fjordby skole" in page.content.decode()


def test_a_place_found_by_its_address_in_the_register(sited, coordinator):
    make_address(sited.municipality, 69.651, 18.951, street="Skoleveien", number=3)
    make_address(sited.municipality, 69.652, 18.952, street="Skoleveien", number=30)
    response = add_site(
        coordinator, sited, latitude="", longitude="", address="skoleveien 3", kind="kindergarten"
    )
    assert response.status_code == 302
    site = SensitiveSite.objects.get()
    assert (site.latitude, site.longitude) == (69.651, 18.951)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"latitude": "48.85", "longitude": "2.35"}, "is not in Norway"),
        ({"latitude": "18.95", "longitude": "69.65"}, "is not in Norway"),
        ({"latitude": "69.65", "longitude": ""}, "Give both latitude and longitude"),
        ({"latitude": "nord", "longitude": "øst"}, "could not be read. Mark it again."),
        ({"latitude": "", "longitude": ""}, "Mark the place on the map, or give its address."),
        (
            {"latitude": "", "longitude": "", "address": "Månestien 99"},
            "No single address in the register matches “Månestien 99”.",
        ),
    ],
)
def test_a_bad_place_is_refused_and_the_form_kept(sited, coordinator, fields, message):
    response = add_site(coordinator, sited, name="Lekeplassen i bakken", **fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'value="Lekeplassen i bakken"' in body
    assert not SensitiveSite.objects.exists()


def test_the_analysis_shows_its_map_and_the_pdf_draws_it(sited, coordinator):
    add_site(coordinator, sited)
    page = coordinator.get(url("place_analysis", sited.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="map-place-config"' in body  # the analysis's map
    assert 'id="map-site-config"' in body  # the map that adds a place
    assert "Fjordby skole" in body
    document = fetch_document(coordinator, url("place_pdf", sited.pk, 1))
    assert document.status_code == 200
    reader = PdfReader(io.BytesIO(document.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # The table lists the place, and the drawn map labels it (real text in the PDF, written
    # twice: its white halo, then the name on it).
    assert text.count("Fjordby skole") == 3
    assert text.count(sited.name) >= 2  # the title and the site's label on the map


def test_without_a_site_the_page_explains_why_there_are_no_distances(world, coordinator):
    assert world.project.latitude is None
    assert add_site(coordinator, world.project).status_code == 302
    body = coordinator.get(url("place_analysis", world.project.pk)).content.decode()
    assert "The project has no site coordinates" in body
    assert "Fjordby skole" in body


def test_timeline_and_themes(sited, coordinator):
    today = timezone.localdate()
    response = coordinator.post(
        url("place_item_add", sited.pk, "event"),
        {
            "event-occurred_on": (today - datetime.timedelta(days=30)).isoformat(),
            "event-kind": "petition",
            "event-title": "Underskriftskampanje mot tiltaket",
            "event-source": "https://example.org/opprop",
        },
    )
    assert response.status_code == 302
    response = coordinator.post(
        url("place_item_add", sited.pk, "event"),
        {
            "event-occurred_on": (today + datetime.timedelta(days=3)).isoformat(),
            "event-kind": "meeting",
            "event-title": "Framtidig møte",
        },
    )
    assert response.status_code == 400
    assert "cannot have events in the future" in response.content.decode()
    assert (
        coordinator.post(
            url("place_item_add", sited.pk, "theme"), {"theme-name": "Trafikk", "theme-count": "12"}
        ).status_code
        == 302
    )
    duplicate = coordinator.post(
        url("place_item_add", sited.pk, "theme"), {"theme-name": "Trafikk", "theme-count": "3"}
    )
    assert duplicate.status_code == 400
    zero = coordinator.post(
        url("place_item_add", sited.pk, "theme"), {"theme-name": "Støy", "theme-count": "0"}
    )
    assert zero.status_code == 400
    body = coordinator.get(url("place_analysis", sited.pk)).content.decode()
    assert "Underskriftskampanje mot tiltaket" in body
    assert 'href="https://example.org/opprop"' in body
    assert ProcessEvent.objects.count() == 1


def test_unknown_item_kind_is_404(sited, coordinator):
    assert coordinator.post(url("place_item_add", sited.pk, "bogus"), {}).status_code == 404


def test_approving_freezes_a_version_and_a_change_starts_the_next(sited, coordinator, world):
    empty = coordinator.post(url("place_publish", sited.pk))
    assert empty.status_code == 400
    assert "no analysis to approve" in empty.content.decode()
    coordinator.post(url("place_text", sited.pk), {"site_description": "Et lite boligfelt."})
    add_site(coordinator, sited)
    assert coordinator.post(url("place_publish", sited.pk)).status_code == 302
    first = PlaceAnalysis.objects.get()
    assert first.published_by == world.users["coordinator"]
    again = coordinator.post(url("place_publish", sited.pk))
    assert again.status_code == 400 and "already approved" in again.content.decode()

    # Removing a place of the approved version removes it from a new draft only.
    site = first.sensitive_sites.get()
    response = coordinator.post(url("place_item_delete", sited.pk, "site", site.pk))
    assert response.status_code == 302
    first.refresh_from_db()
    second = PlaceAnalysis.objects.get(version=2)
    assert first.sensitive_sites.count() == 1 and second.sensitive_sites.count() == 0
    assert second.site_description == "Et lite boligfelt." and not second.is_published

    coordinator.post(url("place_text", sited.pk), {"site_description": "Endret beskrivelse."})
    assert PlaceAnalysis.objects.count() == 2
    first.refresh_from_db()
    assert first.site_description == "Et lite boligfelt."
    old = coordinator.get(url("place_version", sited.pk, 1)).content.decode()
    assert "Et lite boligfelt." in old and "This is an earlier version" in old
    assert coordinator.get(url("place_version", sited.pk, 9)).status_code == 404


def test_deleting_an_item_of_another_project_is_404(sited, coordinator, world):
    other = PlaceAnalysis.objects.create(project=world.other_project, version=1)
    site = SensitiveSite.objects.create(
        analysis=other, kind="shop", name="Butikk", latitude=69.6, longitude=18.9
    )
    response = coordinator.post(url("place_item_delete", sited.pk, "site", site.pk))
    assert response.status_code == 404
    assert SensitiveSite.objects.filter(pk=site.pk).exists()


def test_the_pdf_is_pdf_a(sited, coordinator):
    add_site(coordinator, sited)
    coordinator.post(url("place_text", sited.pk), {"conclusions": "Trafikk er hovedtemaet."})
    response = fetch_document(coordinator, url("place_pdf", sited.pk, 1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="stedsanalyse-lindeveien-v1.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Fjordby skole" in text and "Trafikk er hovedtemaet." in text
    assert "100 m" in text
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="2"' in xmp
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_a_politician_reads_but_cannot_edit(sited, coordinator, world):
    add_site(coordinator, sited)
    politician = english(world.users["politician"])
    page = politician.get(url("place_analysis", sited.pk))
    assert page.status_code == 200
    assert "Add a sensitive place" not in page.content.decode()
    assert add_site(politician, sited).status_code == 403


@pytest.mark.parametrize("count", [1, 15])
def test_the_page_has_a_fixed_number_of_queries(
    sited, coordinator, django_assert_max_num_queries, count
):
    analysis = PlaceAnalysis.objects.create(project=sited, version=1)
    for index in range(count):
        SensitiveSite.objects.create(
            analysis=analysis,
            kind="playground",
            name=f"Lekeplass {index}",
            latitude=69.65 + index / 10000,
            longitude=18.95,
        )
        ProcessEvent.objects.create(
            analysis=analysis, occurred_on="2026-01-01", kind="media", title=f"Artikkel {index}"
        )
        analysis.themes.create(name=f"Tema {index}", count=index + 1)
    for version in range(2, 2 + count):
        PlaceAnalysis.objects.create(project=sited, version=version)
    with django_assert_max_num_queries(22):
        assert coordinator.get(url("place_analysis", sited.pk)).status_code == 200


def test_the_demo_has_an_approved_analysis_a_draft_and_a_letter_template(db):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from naboskap.conftest import enrol_totp
    from naboskap.projects.models import Project
    from naboskap.stakeholders.models import LetterTemplate

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    project = Project.objects.get(slug="lindeveien")
    first, second = project.place_analyses.order_by("version")
    assert first.is_published and not second.is_published
    assert {s.kind for s in first.sensitive_sites.all()} >= {"school", "kindergarten", "playground"}
    assert second.events.count() == first.events.count() + 1
    assert first.themes.count() >= 3
    assert LetterTemplate.objects.filter(municipality=project.municipality).count() == 1
    coordinator = get_user_model().objects.get(username="koordinator")
    enrol_totp(coordinator)
    body = english(coordinator).get(url("place_analysis", project.pk)).content.decode()
    assert "Lindeveien skole" in body and "180 m" in body
