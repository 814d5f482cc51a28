"""Data migrations of concerns: what they fill in for concerns made before them."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from naboskap.concerns.models import Concern, StatusChange
from naboskap.testing.factories import make_concern

pytestmark = pytest.mark.django_db

first_answer = importlib.import_module(
    "naboskap.concerns.migrations.0008_counts_version_first_answer"
)


def test_first_acknowledgement_and_answer_come_from_the_history(world):
    """Concerns from before the fields existed: the first answer is the earliest move to
    "answered" in the history, not the latest answer; answering without acknowledging
    counts as acknowledging; untouched concerns stay empty."""
    received = timezone.now() - timedelta(days=30)
    reopened, direct, waiting = (make_concern(world.project) for _ in range(3))
    first, second = received + timedelta(days=3), received + timedelta(days=20)
    Concern.objects.filter(pk=reopened.pk).update(
        acknowledged_at=received + timedelta(days=1), answered_at=second, status="answered"
    )
    for when in (first, second):
        change = StatusChange.objects.create(concern=reopened, to_status="answered")
        StatusChange.objects.filter(pk=change.pk).update(changed_at=when)
    # Answered straight away, before the history recorded answers (no row to read).
    Concern.objects.filter(pk=direct.pk).update(answered_at=first, status="answered")

    first_answer.fill_first_answer(apps, None)

    reopened.refresh_from_db()
    assert reopened.first_answered_at == first
    assert reopened.first_answered_on == timezone.localdate(first)
    assert reopened.acknowledged_on == timezone.localdate(received + timedelta(days=1))
    direct.refresh_from_db()
    assert direct.first_answered_at == first
    assert direct.acknowledged_on == direct.first_answered_on == timezone.localdate(first)
    waiting.refresh_from_db()
    assert (waiting.acknowledged_on, waiting.first_answered_at) == (None, None)
