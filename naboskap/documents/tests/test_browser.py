"""A coordinator downloads the ROS report just after a change, in headless Chromium at a
phone's width and a laptop's, in bokmål and nynorsk: the page says the PDF is being
prepared, looks again by itself, and starts the download when the worker has rendered it.
axe-core finds no WCAG 2.1 A/AA violations on the way."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from naboskap.conftest import run_tasks
from naboskap.risk import services
from naboskap.risk.tests.factories import make_analysis
from naboskap.testing.documents import render_queued

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_the_coordinator_gets_the_ros_report_after_a_change(world, visitor, width, tmp_path):
    project = world.project
    analysis = make_analysis(project, by=world.users["coordinator"], title="ROS Lindeveien")
    run_tasks()  # rendered ahead, in the municipality's language
    services.event_create(analysis=analysis, title="Tyveri fra sykkelboden")  # now stale
    pdf_url = reverse("risk:report_pdf", args=[project.pk, analysis.pk])

    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    visitor.login(world.users["coordinator"])
    visitor.open(reverse("risk:report", args=[project.pk, analysis.pk]))
    with page.expect_navigation():
        page.locator(f'main a[href="{pdf_url}"]').first.click()
    status = page.locator("#document-status")
    assert status.get_attribute("role") == "status"
    assert status.locator('.ds-alert[data-color="info"]').is_visible()
    visitor.audit()
    page.screenshot(path=tmp_path / f"preparing-{width}-{visitor.language}.png", full_page=True)

    # The worker renders it; the page, looking again by itself, starts the download.
    with page.expect_download(timeout=30_000) as started:
        render_queued()
    download = started.value
    assert download.suggested_filename == "ros-rapport-lindeveien-revisjon-1.pdf"
    with open(download.path(), "rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    assert "Tyveri fra sykkelboden" in "".join(p.extract_text() for p in reader.pages)
    assert reader.trailer["/Root"]["/Lang"] == visitor.language
    assert page.url.endswith(f"{pdf_url}?vent=1")
    assert status.locator('.ds-alert[data-color="success"]').is_visible()
    visitor.audit()
    page.screenshot(path=tmp_path / f"ready-{width}-{visitor.language}.png", full_page=True)
    visitor.assert_no_problems()


def test_survey_codes_come_part_by_part_with_the_progress_shown(
    world, visitor, survey_round, monkeypatch, tmp_path
):
    from naboskap.documents.models import Document
    from naboskap.documents.rendering import render_document
    from naboskap.insights import documents

    monkeypatch.setattr(documents, "CODES_PER_PART", 2)  # small parts, quickly made
    page = visitor.page
    page.set_viewport_size({"width": 390, "height": 900})
    visitor.login(world.users["coordinator"])
    visitor.open(reverse("insights:round_codes", args=[world.project.pk, survey_round.pk]))
    page.locator("#id_count").fill("5")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    parts = list(Document.objects.filter(kind="insights.codes").order_by("part"))
    assert [part.params["count"] for part in parts] == [2, 2, 1]
    assert render_document(parts[0].pk) == "rendered"
    page.reload()
    status = page.locator("#document-status")
    assert status.locator("ul.document-parts li a").count() == 1  # part 1 to download
    assert status.locator("progress").get_attribute("value") == "40"
    visitor.audit()
    page.screenshot(path=tmp_path / f"codes-{visitor.language}.png", full_page=True)
    for part in parts[1:]:
        render_document(part.pk)
    status.locator("ul.document-parts li a").nth(2).wait_for(timeout=15_000)  # htmx looks again
    assert status.locator("progress").count() == 0
    visitor.audit()
    page.screenshot(path=tmp_path / f"codes-ready-{visitor.language}.png", full_page=True)
    visitor.assert_no_problems()
