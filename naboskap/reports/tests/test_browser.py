"""The status report pages in headless Chromium, in bokmål and nynorsk: axe-core finds no
WCAG 2.1 A/AA violations and nothing scrolls sideways at 320 px. The "make a report" form is
also checked with its errors shown."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.reports import schedules, services
from naboskap.testing.factories import UpdateFactory, make_concern, make_measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_status_report_pages(world, visitor):
    today = timezone.localdate()
    UpdateFactory(project=world.project, title="Byggestart i juni", published_at=timezone.now())
    make_concern(world.project, reporter_email="nabo@example.org")
    make_measure(
        world.project, title="Bedre belysning", due_date=today + datetime.timedelta(days=9)
    )
    first = services.report_create(
        municipality=world.municipality,
        project=world.project,
        period_start=today - datetime.timedelta(days=120),
        period_end=today - datetime.timedelta(days=60),
        language="nb",
    )
    report = services.report_create(
        municipality=world.municipality,
        project=world.project,
        period_start=today - datetime.timedelta(days=59),
        period_end=today,
        language="nb",
    )
    municipality_report = services.report_create(
        municipality=world.municipality,
        period_start=today - datetime.timedelta(days=90),
        period_end=today,
        language="nb",
    )
    schedules.schedule_save(municipality=world.municipality, frequency="quarterly")
    assert first.pk

    visitor.login(world.users["coordinator"])
    visitor.open(reverse("reports:list"))
    visitor.open(reverse("reports:project_reports", args=[world.project.pk]))
    visitor.open(report.get_absolute_url())
    visitor.open(municipality_report.get_absolute_url())
    visitor.open(reverse("reports:schedule"))
    visitor.open(reverse("reports:project_schedule", args=[world.project.pk]))
    page = visitor.open(reverse("reports:project_create", args=[world.project.pk]))
    page.fill("#id_period_end", (today - datetime.timedelta(days=200)).isoformat())
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    visitor.audit()
    visitor.assert_no_problems()
