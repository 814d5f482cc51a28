"""The page a download answers with while a document is being prepared: it says so, shows
the progress when known, looks again by itself (htmx, or a `<noscript>` refresh), turns into
the download when the document is ready, and says so clearly when it failed, with a way to
try again. Tried on the ROS report; every kind shares the page (`documents.downloads`)."""

import dataclasses

import pytest
from django.urls import reverse

from naboskap.conftest import client_for, english
from naboskap.documents import registry
from naboskap.documents.models import Document
from naboskap.documents.rendering import render_document
from naboskap.documents.tests.kinds import make_ros
from naboskap.lib.storage import private_storage
from naboskap.testing.documents import fetch_document, render_queued

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ros(world):
    analysis, url = make_ros(world)
    return analysis, url, english(world.users["coordinator"])


def document_of(analysis) -> Document:
    return Document.objects.get(kind="risk.report", object_id=analysis.pk, language="en")


def test_the_page_says_it_is_being_prepared_and_looks_again_by_itself(world, ros):
    analysis, url, client = ros
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "The PDF is being prepared." in html
    # Without script, the page reloads itself; with it, htmx asks for the status part.
    assert f'<noscript><meta http-equiv="refresh" content="3; url={url}?vent=1"></noscript>' in (
        html
    )
    assert f'hx-get="{url}?vent=1" hx-trigger="every 3s"' in html
    assert 'role="status"' in html
    back = reverse("risk:report", args=[world.project.pk, analysis.pk])
    assert f'href="{back}"' in html and "Back to Report" in html
    assert "<script>" not in html  # no inline script (the Content Security Policy)
    document = document_of(analysis)
    assert document.status == Document.Status.PREPARING and document.queued_at


def test_the_progress_is_shown_when_known(ros):
    analysis, url, client = ros
    client.get(url)
    Document.objects.filter(pk=document_of(analysis).pk).update(progress_done=2, progress_total=5)
    html = client.get(url, **HTMX).content.decode()
    assert '<progress id="document-progress" max="100" value="40">' in html
    assert "40 % done" in html


def test_asked_again_while_it_is_prepared_it_is_not_queued_twice(
    ros, django_capture_on_commit_callbacks
):
    _analysis, url, client = ros
    with django_capture_on_commit_callbacks() as first:
        client.get(url)
    with django_capture_on_commit_callbacks() as again:
        client.get(url)
        client.get(url + "?vent=1", **HTMX)
    assert len(first) == 1 and not again


def test_htmx_gets_the_status_part_then_loads_the_ready_page_which_starts_the_download(ros):
    _analysis, url, client = ros
    client.get(url)
    part = client.get(url + "?vent=1", **HTMX)
    assert part.status_code == 200
    assert "<html" not in part.content.decode()
    assert "The PDF is being prepared." in part.content.decode()

    assert render_queued() == 1
    ready = client.get(url + "?vent=1", **HTMX)
    assert ready["HX-Redirect"] == url + "?vent=1"
    page = client.get(url + "?vent=1").content.decode()
    assert "The PDF is ready. The download starts by itself." in page
    assert f'<meta http-equiv="refresh" content="0; url={url}">' in page
    assert f'href="{url}"' in page and "every 3s" not in page
    assert client.get(url)["Content-Type"] == "application/pdf"


def test_a_document_that_fails_says_so_and_can_be_tried_again(ros, monkeypatch):
    analysis, url, client = ros
    kind = registry.get("risk.report")

    def broken(job):
        raise RuntimeError("Pango is missing")

    monkeypatch.setitem(registry._kinds, kind.name, dataclasses.replace(kind, render=broken))
    client.get(url)
    assert render_document(document_of(analysis).pk) == "failed"
    document = document_of(analysis)
    assert document.status == Document.Status.FAILED
    assert "Pango is missing" in document.error
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "The PDF could not be made." in html and "Try again" in html
    assert "every 3s" not in html and "Pango" not in html
    # A failed version is not tried again by itself, only when asked.
    assert render_document(document.pk) == "claimed"
    again = client.post(url)
    assert again.status_code == 302 and again["Location"] == url + "?vent=1"
    assert document_of(analysis).status == Document.Status.PREPARING

    monkeypatch.setitem(registry._kinds, kind.name, kind)
    assert render_queued() == 1
    assert client.get(url)["Content-Type"] == "application/pdf"


def test_a_file_lost_from_storage_is_made_again_not_an_error(ros):
    analysis, url, client = ros
    fetch_document(client, url)
    private_storage.delete(document_of(analysis).file.name)
    page = client.get(url)
    assert page.status_code == 200 and "The PDF is being prepared." in page.content.decode()
    assert fetch_document(client, url)["Content-Type"] == "application/pdf"


def test_each_reader_gets_the_document_in_their_own_language(world, ros):
    analysis, url, client = ros
    english_pdf = fetch_document(client, url)
    bokmål_pdf = fetch_document(client_for(world.users["coordinator"]), url)
    assert english_pdf.content != bokmål_pdf.content
    languages = Document.objects.filter(kind="risk.report", object_id=analysis.pk)
    assert sorted(languages.values_list("language", flat=True)) == ["en", "nb"]
