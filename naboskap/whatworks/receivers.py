"""What makes a project's effects stale: a concern received, a measure changed."""

from functools import partial

from django.db import transaction

from naboskap.lib import events
from naboskap.whatworks import tasks

STALE_AFTER = {events.CONCERN_RECEIVED, events.MEASURE_CHANGED}


def event_happened(sender, *, event: str, instance, **_kw) -> None:
    project_pk = getattr(instance, "project_id", None)
    if event in STALE_AFTER and project_pk is not None:
        transaction.on_commit(partial(tasks.compute_project_effects.enqueue, project_pk))
