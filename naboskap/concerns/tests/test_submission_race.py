"""A submission sent twice, one after the other or both at once, is one concern (issue 22,
"faults survived"): the unique idempotency key decides, with no look-up first, so the second
always takes the IntegrityError path and ends with the first concern."""

import threading
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from naboskap.concerns import selectors, services
from naboskap.concerns.models import Category, Concern, ReferenceCounter, StatusChange

KEY = "retry-after-a-lost-answer-0001"


def noise(world) -> Category:
    services.categories_ensure_defaults(municipality=world.municipality)
    return Category.objects.get(municipality=world.municipality, code="noise")


def submit(world, category, description="Høy musikk fra hagen etter midnatt."):
    return services.concern_submit(
        project=world.project,
        category=category,
        idempotency_key=KEY,
        description=description,
        reporter_email="nabo@example.org",
    )


def receipts_queued(concern: Concern) -> int:
    """The receipt tasks queued for the concern (`concern_received`, its id the argument)."""
    queued = DBTaskResult.objects.filter(task_path__endswith=".concern_received")
    return sum(
        1 for row in queued.values_list("args_kwargs", flat=True) if row["args"] == [concern.pk]
    )


def test_the_same_key_again_stores_nothing_and_queues_no_second_receipt(
    world, django_capture_on_commit_callbacks
):
    category = noise(world)
    with django_capture_on_commit_callbacks(execute=True):
        first, created = submit(world, category)
    assert created
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # Another text with the same key (a retry whose first answer was lost): the first.
        again, created_again = submit(world, category, description="Endret tekst.")
    assert (again.pk, again.reference, created_again) == (first.pk, first.reference, False)
    assert callbacks == []
    assert Concern.objects.get().description == "Høy musikk fra hagen etter midnatt."
    assert StatusChange.objects.count() == 1
    assert receipts_queued(first) == 1
    # The second's reference number was rolled back with it: the numbers stay gap-free.
    assert ReferenceCounter.objects.get(municipality=world.municipality).last == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_at_once_store_one_concern(world, monkeypatch):
    """Two requests with the same key at the same moment (a retry while the first is still
    being handled): the first holds its transaction open a while after its insert, so the
    second really waits on it, then ends with the first's concern."""
    category = noise(world)
    services.concern_submit(  # the year's reference counter exists, as on any busy day
        project=world.project,
        category=category,
        idempotency_key="an-earlier-concern-0001",
        description="Tidligere melding.",
    )
    changed = selectors.concerns_changed

    def slowly(municipality_id):
        changed(municipality_id)
        time.sleep(0.5)  # inside the winner's transaction, after its insert

    monkeypatch.setattr(selectors, "concerns_changed", slowly)
    start = threading.Barrier(2)
    results, failures = [], []

    def neighbour():
        try:
            start.wait(timeout=10)
            results.append(submit(world, category))
        except Exception as exc:  # shown by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=neighbour) for _n in range(2)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert time.monotonic() - began < 5
    assert sorted(created for _concern, created in results) == [False, True]
    assert len({concern.pk for concern, _created in results}) == 1
    assert len({concern.reference for concern, _created in results}) == 1
    assert Concern.objects.filter(idempotency_key=KEY).count() == 1
    assert StatusChange.objects.filter(concern__idempotency_key=KEY).count() == 1
    assert receipts_queued(results[0][0]) == 1
    assert ReferenceCounter.objects.get(municipality=world.municipality).last == 2
