"""What every kind of stored document does, tried on each (see `kinds.CASES`): a download of a
current document is the stored file, sent without rendering; a change to what it shows makes
it stale and queues a render; the page then says it is being prepared and looks again by
itself; the worker renders it; and who may download it is as before."""

import pytest

from naboskap.conftest import client_for, run_tasks
from naboskap.documents.models import Document
from naboskap.documents.tests.kinds import cases, no_rendering, pdf_text
from naboskap.testing.documents import fetch_document, read

# The access helper's queries, the stored document, what the fingerprint reads, the session.
DOWNLOAD_QUERIES = 16


def stored(case, obj) -> Document:
    return Document.objects.get(kind=case.kind, object_id=obj.pk)


@cases
@pytest.mark.django_db
def test_a_current_document_is_sent_from_storage_without_rendering(
    world, case, monkeypatch, django_assert_max_num_queries
):
    obj, url = case.make(world)
    client = client_for(world.users[case.reader])
    first = fetch_document(client, url)  # rendered here as the worker would
    assert first["Content-Type"] == "application/pdf"
    assert case.shows in pdf_text(first.content)
    document = stored(case, obj)
    assert document.status == Document.Status.READY
    assert document.rendered_at and document.cpu_seconds > 0 and document.size > 0

    no_rendering(monkeypatch)
    with django_assert_max_num_queries(DOWNLOAD_QUERIES):
        again = client.get(url)
    assert again.streaming  # straight from storage
    assert read(again).content == first.content
    assert again["Cache-Control"] == "private, no-store"
    assert again["Content-Disposition"].startswith("attachment; filename=")
    if case.filename:
        assert f'filename="{case.filename}"' in again["Content-Disposition"]


@cases
@pytest.mark.django_db(transaction=True)
def test_a_change_makes_it_stale_the_page_waits_and_the_worker_renders_it(world, case):
    obj, url = case.make(world)
    client = client_for(world.users[case.reader])
    run_tasks()  # what the services queued: a kind rendered ahead is ready before anyone asks
    if case.ahead:
        first = client.get(url)
        assert first.streaming, "rendered ahead, not when asked"
    else:
        assert not client.get(url).streaming, "nothing to render it ahead"
        run_tasks()
        first = client.get(url)
        assert first.streaming
    assert case.shows in pdf_text(read(first).content)
    if case.change is None:  # frozen: later data does not make it stale
        from naboskap.testing.factories import make_measure

        make_measure(world.project, title="Skrevet etterpå")
        run_tasks()
        assert client.get(url).streaming
        return

    changed = case.change(obj)
    page = client.get(url)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3; url=' in html
    assert 'hx-trigger="every 3s"' in html
    assert stored(case, obj).status == Document.Status.PREPARING

    run_tasks()
    document = stored(case, obj)
    assert document.status == Document.Status.READY
    after = client.get(url)
    assert after.streaming
    assert changed in pdf_text(read(after).content)


@cases
@pytest.mark.django_db
def test_access_is_as_before(world, case, persona_clients):
    _obj, url = case.make(world)
    documents = Document.objects.count()
    assert persona_clients["anonymous"].get(url).status_code == 302
    if case.outsider_reads_own:  # their own municipality's document, never this one
        text = pdf_text(fetch_document(persona_clients["outsider"], url).content)
        assert "Annenby kommune" in text and "Fjordby kommune" not in text
        return
    assert persona_clients["outsider"].get(url).status_code == case.outsider
    assert Document.objects.count() == documents  # nothing asked for on their behalf
