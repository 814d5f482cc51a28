"""The report form sent again after its answer was lost (issue 22, "faults survived"): the
concern was stored, then the request failed (here: saving the session, as when the database
goes away at that moment), so the neighbour got an error page and sends the same form again,
with the same hidden key. They get the same reference, and there is one concern."""

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from naboskap.concerns.models import Concern, StatusChange
from naboskap.conftest import english
from naboskap.portal.tests.test_concerns import REFERENCE, hidden_key, report_data


@pytest.fixture
def session_save_fails_once(monkeypatch):
    """The first session save after the concern is stored fails, as if the database went."""
    save = SessionStore.save
    failures = []

    def flaky(self, must_create=False):
        if not failures:
            failures.append(self)
            raise OperationalError("server closed the connection unexpectedly")
        return save(self, must_create=must_create)

    monkeypatch.setattr(SessionStore, "save", flaky)
    return failures


def test_the_same_form_sent_again_after_a_lost_answer_gives_the_same_reference(
    world, session_save_fails_once, django_capture_on_commit_callbacks
):
    client = english(raise_request_exception=False)
    form = client.get(reverse("portal:report"))
    data = report_data(world, idempotency_key=hidden_key(form), reporter_email="nabo@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        lost = client.post(reverse("portal:report"), data)
    assert lost.status_code == 500 and session_save_fails_once
    stored = Concern.objects.get()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.post(reverse("portal:report"), data)
    assert again.status_code == 302
    reference, _token = REFERENCE.search(again["Location"]).groups()
    assert reference == stored.reference
    assert Concern.objects.count() == 1 and StatusChange.objects.count() == 1
    assert callbacks == []  # no second receipt
    assert DBTaskResult.objects.filter(task_path__endswith=".concern_received").count() == 1
    page = client.get(again["Location"]).content.decode()
    assert re.search(rf"You had already sent this report\. .*{reference}", page)
