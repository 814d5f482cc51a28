"""Who sees which reports, and how many queries the pages take."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import client_for, make_staff
from naboskap.reports import services
from naboskap.reports.models import StatusReport
from naboskap.tenancy.models import Role
from naboskap.testing.factories import UpdateFactory, make_concern, make_measure

pytestmark = pytest.mark.django_db


def kept(world, n: int, *, project=True) -> list[StatusReport]:
    """`n` stored reports, one per month back (without running the report itself)."""
    today = timezone.localdate()
    reports = []
    for i in range(n):
        end = today - datetime.timedelta(days=30 * i)
        reports.append(
            StatusReport.objects.create(
                municipality=world.municipality,
                project=world.project if project else None,
                period_start=end - datetime.timedelta(days=29),
                period_end=end,
                since=end - datetime.timedelta(days=29),
                trigger=StatusReport.Trigger.SCHEDULED,
                language="en",
                title=f"Report {i}",
                body_html="<p>…</p>",
            )
        )
    return reports


def fill(world, n: int) -> None:
    """Data for a report: updates, concerns and measures."""
    for i in range(n):
        UpdateFactory(project=world.project, title=f"Nyhet {i}", published_at=timezone.now())
        make_concern(world.project, reporter_email=f"nabo{i}@example.org")
        make_measure(world.project, title=f"Tiltak {i}")


def test_the_list_shows_kept_reports_newest_first(world, persona_clients):
    kept(world, 2)
    kept(world, 1, project=False)[0].title = "x"
    body = persona_clients["politician"].get(reverse("reports:list")).content.decode()
    assert body.index("Report 0") < body.index("Report 1")
    assert "Fjordby kommune" in body  # the municipality's own report is listed too
    assert reverse("reports:create") not in body  # politicians do not make reports


def test_a_project_politician_reads_the_project_but_not_the_municipality(world):
    politician = make_staff(world.municipality, Role.POLITICIAN, project=world.project)
    client = client_for(politician)
    project_report = kept(world, 1)[0]
    municipality_report = kept(world, 1, project=False)[0]
    assert client.get(project_report.get_absolute_url()).status_code == 200
    assert client.get(municipality_report.get_absolute_url()).status_code == 403
    listing = client.get(reverse("reports:list")).content.decode()
    assert project_report.get_absolute_url() in listing
    assert municipality_report.get_absolute_url() not in listing


def test_other_staff_and_other_municipalities_do_not_read_the_municipality_report(
    world, persona_clients
):
    report = kept(world, 1, project=False)[0]
    for persona, status in {
        "admin": 200,
        "politician": 200,
        "facility_staff": 403,
        "police": 403,
        "case_handler": 403,
        "outsider": 404,
    }.items():
        assert persona_clients[persona].get(report.get_absolute_url()).status_code == status
        pdf = persona_clients[persona].get(reverse("reports:pdf", args=[report.pk]))
        assert pdf.status_code == status


@pytest.mark.parametrize("n", [3, 30])
def test_list_pages_take_the_same_queries_whatever_the_number_of_reports(
    world, persona_clients, django_assert_max_num_queries, n
):
    kept(world, n)
    kept(world, n, project=False)
    admin = persona_clients["admin"]  # logs in here, outside the counted block
    for url in (
        reverse("reports:list"),
        reverse("reports:project_reports", args=[world.project.pk]),
    ):
        with django_assert_max_num_queries(12):
            response = admin.get(url)
        assert response.status_code == 200
        assert "Report 0" in response.content.decode()


@pytest.mark.parametrize("n", [2, 20])
def test_the_report_page_takes_the_same_queries_whatever_the_data(
    world, persona_clients, django_assert_max_num_queries, n
):
    fill(world, n)
    report = services.report_create(
        municipality=world.municipality,
        project=world.project,
        period_start=timezone.localdate() - datetime.timedelta(days=30),
        period_end=timezone.localdate(),
        language="en",
    )
    assert report.data["happened"]["updates"]["count"] >= n
    politician = persona_clients["politician"]  # logs in here, outside the counted block
    with django_assert_max_num_queries(9):  # 8, and one for where it is archived
        response = politician.get(report.get_absolute_url())
    assert f"Nyhet {n - 1}" in response.content.decode()


@pytest.mark.parametrize("n", [2, 20])
def test_making_a_report_takes_the_same_queries_whatever_the_data(
    world, persona_clients, django_assert_max_num_queries, n
):
    fill(world, n)
    today = timezone.localdate()
    data = {
        "period_start": (today - datetime.timedelta(days=30)).isoformat(),
        "period_end": today.isoformat(),
    }
    admin = persona_clients["admin"]  # logs in here, outside the counted block
    with django_assert_max_num_queries(70):
        response = admin.post(reverse("reports:create"), data)
    assert response.status_code == 302
    assert StatusReport.objects.get().data["figures"]["concerns_received"] == n


def test_project_page_and_my_projects_link_to_the_reports_for_readers_only(world, persona_clients):
    reports_url = reverse("reports:project_reports", args=[world.project.pk])
    detail_url = reverse("projects:detail", args=[world.project.pk])
    for persona, shown in {"politician": True, "coordinator": True, "case_handler": False}.items():
        detail = persona_clients[persona].get(detail_url).content.decode()
        mine = persona_clients[persona].get(reverse("projects:my_projects")).content.decode()
        assert (reports_url in detail) is shown
        assert (reverse("reports:list") in mine) is shown
