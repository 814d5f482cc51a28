"""Query-count tests: a page must take as many queries with many rows as with a few."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext


def assert_queries_do_not_grow(
    client: Client,
    url: str,
    add_rows: Callable[[], object],
    django_assert_num_queries,
    *,
    data: dict | None = None,
) -> HttpResponse:
    """Request `url` with the rows there are, call `add_rows()`, and request it again: the
    second request must take exactly as many queries (pytest-django's
    `django_assert_num_queries` lists them when it does not). Both answer 200; returns the
    second response, for the test to check that the new rows are shown.

    Each is measured on the second of two requests, with the cache warm: a change to the data
    may empty cached entries (the public pages' generation), which costs the first request
    after it a few queries whatever the number of rows."""
    client.get(url, data)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, data)
    # Counted now: the next request empties the connection's log that `few` reads from.
    count = len(few)
    assert count > 0, f"{url}: no queries counted"
    assert response.status_code == 200, f"{url}: {response.status_code}"
    add_rows()
    client.get(url, data)
    with django_assert_num_queries(count):
        response = client.get(url, data)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response
