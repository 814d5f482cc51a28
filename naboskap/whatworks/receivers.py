"""What makes a project's effects stale: a concern received, a measure changed."""

from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from naboskap.lib import events
from naboskap.lib.start_page import Item
from naboskap.whatworks import tasks

STALE_AFTER = {events.CONCERN_RECEIVED, events.MEASURE_CHANGED}


def event_happened(sender, *, event: str, instance, **_kw) -> None:
    project_pk = getattr(instance, "project_id", None)
    if event in STALE_AFTER and project_pk is not None:
        transaction.on_commit(partial(tasks.compute_project_effects.enqueue, project_pk))


def start_page_items(sender, *, user, municipality, **_kw) -> list[Item]:
    """For those who plan: the catalogue of what worked, from the start page (the menu is
    full; suggestions and each measure's effect link to it too)."""
    if not user.has_perm("whatworks.view_catalogue", municipality):
        return []
    return [
        Item(
            _("What works: measures that were done, and what followed"),
            reverse("whatworks:catalogue"),
        )
    ]
