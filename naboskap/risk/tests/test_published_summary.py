"""The published risk summary (issue 17): preview, publish, replace with a newer revision,
unpublish; what the public sees and what it never sees; who may publish."""

import re

import pytest
from django.urls import reverse

from naboskap.conftest import english
from naboskap.plans import services as plan_services
from naboskap.risk import services
from naboskap.risk.models import Participant, PublishedSummary
from naboskap.risk.tests.factories import AFTER, make_analysis, score

PERSON = "Kari Nordmann"
INTERNAL = "Internt: beboeren i leilighet 3 har hatt flere episoder"
PUBLIC_TEXT = "Naboer kan bli plaget av støy sent på kvelden."


@pytest.fixture
def approved(world):
    """An approved analysis with a named person, a group, an internal scenario and a
    measure linked to its one scored event."""
    coordinator = world.users["coordinator"]
    analysis = make_analysis(
        world.project,
        by=coordinator,
        participants=[
            {"kind": Participant.Kind.PERSON, "name": PERSON, "represents": "Velforeningen"},
            {"kind": Participant.Kind.GROUP, "name": "3 foreldre", "represents": "FAU"},
        ],
        meetings=[],
    )
    event = services.event_create(
        analysis=analysis, title="Støy om natta", scenario=INTERNAL, causes=INTERNAL
    )
    score(event, 4, {"trygghet": 4, "tillit": 3})
    score(event, 2, {"trygghet": 2, "tillit": 2}, stage=AFTER)
    services.event_measure_add(
        event=event,
        created_by=coordinator,
        title="Nattevakt i helgene",
        kind="probability",
        owner_unit=world.project.responsible_unit,
    )
    for status in ("review", "approved"):
        services.analysis_change_status(analysis=analysis, to_status=status, changed_by=coordinator)
    analysis.refresh_from_db()
    return analysis


def publish_url(analysis):
    return reverse("risk:summary_publish", args=[analysis.project_id, analysis.pk])


def form_data(analysis, action, text=PUBLIC_TEXT, organisations=("Velforeningen", "FAU")):
    data = {"action": action, "organisations": list(organisations)}
    for event in analysis.events.all():
        data[f"description_{event.pk}"] = text
    return data


def test_the_form_offers_organisations_and_empty_descriptions(world, en, approved):
    response = en["coordinator"].get(publish_url(approved))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Velforeningen"' in html and 'value="FAU"' in html
    assert PERSON not in html  # a person's name is not even offered
    assert INTERNAL not in html  # descriptions start empty, never copied


def test_the_preview_shows_what_will_be_public_and_publishes_nothing(world, en, approved):
    response = en["coordinator"].post(publish_url(approved), form_data(approved, "preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert PUBLIC_TEXT in html
    assert "Nattevakt i helgene" in html
    assert "High" in html or "Medium" in html
    assert re.search(r'class="risk-cell"[^>]*data-colour="(red|yellow|green)"', html)
    assert "Velforeningen, FAU" in html
    assert PERSON not in html
    assert INTERNAL not in html
    assert not PublishedSummary.objects.exists()


def test_publishing_shows_the_summary_without_persons_or_internal_text(world, en, approved):
    response = en["coordinator"].post(publish_url(approved), form_data(approved, "publish"))
    assert response.status_code == 302
    summary = PublishedSummary.objects.get(project=world.project)
    assert summary.analysis == approved
    assert summary.content["organisations"] == ["Velforeningen", "FAU"]
    visitor = english()
    for url in (
        reverse("portal:project", args=[world.project.slug]),
        reverse("portal:risk_summary", args=[world.project.slug]),
    ):
        html = visitor.get(url).content.decode()
        assert "Støy om natta" in html
        assert PUBLIC_TEXT in html
        assert "Risk and measures" in html
        assert PERSON not in html
        assert INTERNAL not in html
    page = visitor.get(reverse("portal:risk_summary", args=[world.project.slug]))
    html = page.content.decode()
    assert "Nattevakt i helgene" in html and world.project.responsible_unit.name in html
    assert "Velforeningen, FAU" in html
    assert 'data-colour="' in html and "<caption" in html  # the matrix, as a table


def test_later_edits_stay_internal_until_published_again(world, en, approved):
    en["coordinator"].post(publish_url(approved), form_data(approved, "publish"))
    measure = approved.events.get().measures.get()
    plan_services.measure_update(
        measure=measure, changed_by=None, title="Ny tittel som ikke er publisert"
    )
    html = english().get(reverse("portal:risk_summary", args=[world.project.slug])).content
    assert b"Nattevakt i helgene" in html
    assert b"Ny tittel som ikke er publisert" not in html


def test_a_new_revision_replaces_the_summary_and_says_updated(world, en, approved):
    coordinator = world.users["coordinator"]
    en["coordinator"].post(
        publish_url(approved), form_data(approved, "publish", organisations=["FAU"])
    )
    revision = services.analysis_revise(analysis=approved, created_by=coordinator)
    for status in ("review", "approved"):
        services.analysis_change_status(analysis=revision, to_status=status, changed_by=coordinator)
    # The form remembers what was written and chosen for the public before.
    form = en["coordinator"].get(publish_url(revision)).content.decode()
    assert PUBLIC_TEXT in form
    assert re.search(r'value="FAU"[^>]*checked', form)
    assert not re.search(r'value="Velforeningen"[^>]*checked', form)
    response = en["coordinator"].post(
        publish_url(revision), form_data(revision, "publish", text="Ny tekst for naboene.")
    )
    assert response.status_code == 302
    summary = PublishedSummary.objects.get()
    assert summary.analysis == revision and summary.content["revision"] == 2
    assert summary.is_updated
    html = english().get(reverse("portal:risk_summary", args=[world.project.slug])).content
    assert b"Updated on" in html
    assert b"Ny tekst for naboene." in html
    assert PUBLIC_TEXT.encode() not in html


def test_unpublishing_takes_it_off_the_public_pages(world, en, approved):
    en["coordinator"].post(publish_url(approved), form_data(approved, "publish"))
    url = reverse("risk:summary_unpublish", args=[world.project.pk, approved.pk])
    assert en["coordinator"].post(url).status_code == 302
    assert not PublishedSummary.objects.exists()
    visitor = english()
    assert visitor.get(reverse("portal:risk_summary", args=[world.project.slug])).status_code == 404
    page = visitor.get(reverse("portal:project", args=[world.project.slug])).content.decode()
    assert "Støy om natta" not in page and "Report" in page


def test_a_draft_cannot_be_published(world, en):
    analysis = make_analysis(world.project, by=world.users["coordinator"])
    services.event_create(analysis=analysis, title="Støy")
    response = en["coordinator"].post(publish_url(analysis), form_data(analysis, "publish"))
    assert response.status_code == 400
    assert b"Only an approved analysis can be published" in response.content
    assert not PublishedSummary.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 302),
        ("admin", 302),
        ("case_handler", 403),
        ("facility_staff", 403),
        ("politician", 403),
        ("police", 403),
        ("outsider", 404),
    ],
)
def test_only_the_projects_managers_publish(world, en, approved, persona, status):
    client = english(world.users[persona])
    response = client.post(publish_url(approved), form_data(approved, "publish"))
    assert response.status_code == status
    assert PublishedSummary.objects.exists() == (status == 302)


def test_the_project_page_answers_first(world):
    from naboskap.testing.factories import make_measure

    make_measure(world.project, is_public=True, public_text="Vi lager en ny gangvei.")
    html = english().get(reverse("portal:project", args=[world.project.slug])).content.decode()
    measures = html.index('id="measures-heading"')
    report = html.index(f'href="{reverse("portal:project_report", args=[world.project.slug])}"')
    subscribe = html.index(f'href="{reverse("portal:subscribe", args=[world.project.slug])}"')
    phone = html.index('href="tel:')
    assert report < measures and subscribe < measures and phone < measures
    assert html.index('id="contact-heading"') < measures
    assert 'aria-current="step"' in html  # the compact timeline marks the current phase
