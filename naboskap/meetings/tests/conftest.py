import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def count_queries():
    """How many queries a request takes: `count_queries(client.get, url)` → (response, n)."""

    def count(send, *args, **kwargs):
        with CaptureQueriesContext(connection) as captured:
            response = send(*args, **kwargs)
        return response, len(captured)

    return count
