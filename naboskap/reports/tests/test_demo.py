"""The demo status reports: one per demo project and one for Fjordvik, and a schedule."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from naboskap.conftest import client_for
from naboskap.demo.reports import load_reports
from naboskap.projects.models import Project
from naboskap.reports.models import ReportSchedule, StatusReport
from naboskap.testing.mfa import enrol_totp


def test_the_demo_has_kept_reports_and_a_schedule(db):
    call_command("load_demo", stdout=io.StringIO())
    projects = {p.slug: p for p in Project.objects.all()}
    reports = StatusReport.objects.all()
    assert {r.project.slug if r.project else None for r in reports} == {
        None,
        "lindeveien",
        "solbakken",
    }
    assert ReportSchedule.objects.filter(project__isnull=True, frequency="quarterly").exists()
    users = {u.username: u for u in get_user_model().objects.all()}
    load_reports(projects, users)  # a second run adds nothing
    assert StatusReport.objects.count() == 3
    assert ReportSchedule.objects.count() == 1

    politician = users["politiker"]
    enrol_totp(politician)
    client = client_for(politician, language="en")
    listing = client.get(reverse("reports:list")).content.decode()
    for report in reports:
        assert report.get_absolute_url() in listing
    report = reports.get(project=projects["solbakken"])
    page = client.get(report.get_absolute_url()).content.decode()
    assert report.title in page
    assert report.language == "nb"  # the municipality's language, whoever reads it
