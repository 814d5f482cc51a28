"""Making, reading and keeping status reports through the staff pages."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from naboskap.conftest import english
from naboskap.documents.models import Document
from naboskap.projects.models import Update
from naboskap.reports import services
from naboskap.reports.documents import STATUS_REPORT
from naboskap.reports.models import StatusReport
from naboskap.testing.documents import fetch_document
from naboskap.testing.factories import UpdateFactory, make_concern, make_measure

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def days_ago(n: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=n)


def make_report(world, *, project=True, start=None, end=None, **kwargs) -> StatusReport:
    return services.report_create(
        municipality=world.municipality,
        project=world.project if project else None,
        period_start=start or days_ago(60),
        period_end=end or TODAY(),
        language="en",
        **kwargs,
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_coordinator_makes_a_project_report_now(world, persona_clients):
    url = reverse("reports:project_create", args=[world.project.pk])
    page = persona_clients["coordinator"].get(url)
    assert page.status_code == 200
    response = persona_clients["coordinator"].post(
        url,
        {"period_start": days_ago(30).isoformat(), "period_end": TODAY().isoformat()},
    )
    report = StatusReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.project == world.project
    assert report.created_by == world.users["coordinator"]
    assert report.emailed_at is None  # "notify" was not ticked
    page = persona_clients["politician"].get(report.get_absolute_url())
    assert page.status_code == 200
    assert world.update.title in page.content.decode()  # published in the period


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (5, 10, "The period ends before it starts."),
        (10, -1, "The period cannot end in the future."),
        (-5, -10, "The period cannot end in the future."),
        (900, 0, "A report covers at most two years."),
    ],
)
def test_bad_periods_are_refused_with_a_message(world, start, end, message):
    client = english(world.users["admin"])
    data = {"period_start": days_ago(start).isoformat(), "period_end": days_ago(end).isoformat()}
    response = client.post(reverse("reports:project_create", args=[world.project.pk]), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert f'value="{data["period_start"]}"' in body  # what was typed is kept
    assert not StatusReport.objects.exists()


def test_missing_dates_are_refused(world):
    response = english(world.users["admin"]).post(reverse("reports:create"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not StatusReport.objects.exists()


def test_a_quiet_period_gives_a_report_that_says_nothing_happened(world):
    Update.objects.all().delete()
    response = english(world.users["admin"]).post(
        reverse("reports:project_create", args=[world.project.pk]),
        {"period_start": days_ago(400).isoformat(), "period_end": days_ago(370).isoformat()},
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was recorded in this period" in body
    assert StatusReport.objects.get().is_empty


def test_since_the_last_report_starts_after_the_previous_period(world):
    first = make_report(world, start=days_ago(90), end=days_ago(45))
    UpdateFactory(project=world.project, title="Ny lekeplass", published_at=timezone.now())
    second = make_report(world, start=days_ago(30), end=TODAY())
    assert second.previous == first
    assert second.since == days_ago(44)
    assert "Ny lekeplass" in second.body_html
    assert second.data["happened"]["updates"]["count"] >= 1


def test_a_kept_report_does_not_change_when_the_data_changes(world, persona_clients):
    report = make_report(world)
    before = persona_clients["admin"].get(report.get_absolute_url()).content.decode()
    Update.objects.filter(pk=world.update.pk).update(title="Omdøpt etterpå")
    UpdateFactory(project=world.project, title="Skrevet etterpå", published_at=timezone.now())
    make_measure(world.project, title="Tiltak etterpå")
    after = persona_clients["admin"].get(report.get_absolute_url()).content.decode()
    assert world.update.title in after
    assert "Omdøpt etterpå" not in after
    assert "Skrevet etterpå" not in after
    assert before.count(world.update.title) == after.count(world.update.title)
    document = fetch_document(persona_clients["admin"], reverse("reports:pdf", args=[report.pk]))
    assert "Omdøpt etterpå" not in pdf_text(document.content)


def test_the_pdf_has_the_report_headings(world, persona_clients):
    report = make_report(world)
    url = reverse("reports:pdf", args=[report.pk])
    response = fetch_document(persona_clients["politician"], url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for heading in (
        "Status report for Lindeveien",
        "Phase and next milestones",
        "What has happened since the last report",
    ):
        assert heading in text
    stored = Document.objects.get(kind=STATUS_REPORT, object_id=report.pk)
    assert stored.file and stored.language == report.language  # rendered once and kept
    again = fetch_document(persona_clients["admin"], url)
    assert again.content == response.content
    assert Document.objects.get(pk=stored.pk).file.name == stored.file.name


def test_a_report_has_no_personal_data(world, persona_clients):
    make_concern(
        world.project,
        reporter_name="Kari Nordmann",
        reporter_email="kari.nordmann@example.org",
        description="Beboeren i andre etasje ropte hele natta.",
    )
    for project in (True, False):
        report = make_report(world, project=project)
        page = persona_clients["admin"].get(report.get_absolute_url())
        assert page.status_code == 200
        html = page.content.decode()
        assert report.title in html
        document = fetch_document(
            persona_clients["admin"], reverse("reports:pdf", args=[report.pk])
        )
        assert document.status_code == 200
        assert document["Content-Type"] == "application/pdf"
        pdf = pdf_text(document.content)
        assert f"Status report for {report.scope_name}" in pdf
        for secret in ("Kari", "Nordmann", "kari.nordmann@example.org", "andre etasje"):
            assert secret not in html
            assert secret not in pdf
            assert secret not in str(report.data)
