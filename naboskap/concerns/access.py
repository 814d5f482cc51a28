"""The one way staff views fetch a concern: 404 outside the user's reach, 403 within it when
the user lacks the permission the page needs. Opening one is logged."""

import rules
from auditlog.cid import get_cid
from auditlog.models import LogEntry
from auditlog.signals import accessed
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_save
from django.http import Http404
from django.utils.crypto import constant_time_compare

from naboskap.concerns.models import Concern
from naboskap.tenancy.selectors import enter_municipality

VIEW = "concerns.view_concern"
CHANGE = "concerns.change_concern"


def get_concern_for_user(user, pk: int, perm: str = VIEW, *, log_access: bool = False) -> Concern:
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
    if concern is None or not rules.has_perm(VIEW, user, concern):
        raise Http404
    if perm != VIEW and not rules.has_perm(perm, user, concern):
        raise PermissionDenied
    enter_municipality(user, concern.municipality_id)
    if log_access:
        # Who opened which concern, and when (GDPR): auditlog's access log.
        accessed.send(sender=Concern, instance=concern)
    return concern


def log_access(concerns, *, seen: str = "") -> None:
    """Log that the current user was shown these concerns' text or the reporter's contact
    details (auditlog's access log, with the actor and address its middleware gives).

    `seen` says where, when it was not the case page itself: "inbox" (the summary in the
    list), "photo". Several concerns are logged in one statement.
    """
    concerns = [concern for concern in concerns if concern.pk is not None]
    if not seen and len(concerns) == 1:
        accessed.send(sender=Concern, instance=concerns[0])
        return
    if not concerns:
        return
    content_type = ContentType.objects.get_for_model(Concern)
    entries = []
    for concern in concerns:
        entry = LogEntry(
            content_type=content_type,
            object_pk=str(concern.pk),
            object_id=concern.pk,
            object_repr=str(concern),
            action=LogEntry.Action.ACCESS,
            additional_data={"seen": seen} if seen else None,
            cid=get_cid(),
        )
        # What auditlog's context sets on each entry it saves (actor, address): bulk
        # creation sends no signals of its own.
        pre_save.send(
            sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None
        )
        entries.append(entry)
    # One INSERT of every row. `bulk_create` would wrap it in a transaction of its own, two
    # statements more on every inbox view (BEGIN and COMMIT on SQLite), for a statement
    # that is atomic anyway.
    fields = [f for f in LogEntry._meta.concrete_fields if not f.primary_key]
    LogEntry.objects._insert(entries, fields=fields)


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
