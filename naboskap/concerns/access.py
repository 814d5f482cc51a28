"""The one way staff views fetch a concern: 404 outside the user's reach. Opening one is logged."""

import rules
from auditlog.signals import accessed
from django.http import Http404
from django.utils.crypto import constant_time_compare

from naboskap.concerns.models import Concern


def get_concern_for_user(user, pk: int, *, log_access: bool = False) -> Concern:
    concern = (
        Concern.objects.select_related(
            "municipality",
            "project",
            "category",
            "assigned_unit",
            "assigned_to",
            "merged_into",
            "unwanted_event__analysis",
        )
        .filter(pk=pk)
        .first()
    )
    if concern is None or not rules.has_perm("concerns.view_concern", user, concern):
        raise Http404
    if log_access:
        # Who opened which concern, and when (GDPR): auditlog's access log.
        accessed.send(sender=Concern, instance=concern)
    return concern


def get_concern_for_reporter(municipality, reference: str, token: str) -> Concern:
    """The reporter's private view: the reference and the unguessable token must both match."""
    concern = (
        Concern.objects.select_related("municipality", "project", "category")
        .filter(municipality=municipality, reference=reference)
        .first()
    )
    if concern is None or not constant_time_compare(concern.token, token or ""):
        raise Http404
    return concern
