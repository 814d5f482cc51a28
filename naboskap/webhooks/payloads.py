"""What an event carries to one endpoint: the object as the API shows it to the endpoint's
integration user, or nothing when that user may not see it (ADR 0032).

Each builder opens the object with its app's own access helper, as the API's views do, and
within `stay_in_municipality`, as the API does (a 404 or 403 there is `None` here: nothing
is sent), and returns its representation with the API's own serializers: a concern event
and `GET /api/v1/concerns/<id>/` for the same user are the same JSON (and so for a measure,
and the meeting of approved minutes); reading a concern is written to its access log, as the
API's read is.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from rest_framework import serializers

from naboskap.api.rest.concerns import ConcernOut
from naboskap.api.rest.meetings import MeetingDetailOut, meeting_for
from naboskap.api.rest.plans import MeasureDetailOut, measure_for
from naboskap.concerns.access import get_concern_for_user, log_access
from naboskap.lib import events
from naboskap.tenancy.selectors import stay_in_municipality

SEEN = "webhook"


class SiteRequest(HttpRequest):
    """A stand-in for the API request the integration user would make: the user, and the
    site's address (SITE_URL) for the absolute links in the representation."""

    def __init__(self, user) -> None:
        super().__init__()
        site = urlsplit(settings.SITE_URL)
        self.method = "GET"
        self.user = user
        self._site_scheme = site.scheme or "https"
        self._site_host = site.netloc

    def get_host(self) -> str:
        return self._site_host

    def _get_scheme(self) -> str:
        return self._site_scheme


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def concern(user, pk: int) -> dict | None:
    request = SiteRequest(user)
    try:
        found = get_concern_for_user(user, pk)
    except (Http404, PermissionDenied):
        return None
    data = ConcernOut(found, context={"request": request}).data
    with set_actor(user):
        log_access([found], seen=SEEN)
    return dict(data)


def measure(user, pk: int) -> dict | None:
    """The API's `GET /api/v1/measures/<id>/` for the user."""
    try:
        found = measure_for(user, pk)
    except (Http404, PermissionDenied):
        return None
    return dict(MeasureDetailOut(found, context={"request": SiteRequest(user)}).data)


def minutes(user, pk: int) -> dict | None:
    """`pk` is the approved version's (`MinutesVersion`): the version, and the meeting as
    the API's `GET /api/v1/meetings/<id>/` shows it to the user (with its minutes)."""
    from naboskap.meetings.models import MinutesVersion

    version = MinutesVersion.objects.select_related("minutes__meeting").filter(pk=pk).first()
    if version is None:
        return None
    meeting = version.minutes.meeting
    try:
        meeting = meeting_for(user, meeting.pk)
    except (Http404, PermissionDenied):
        return None
    request = SiteRequest(user)
    return {
        "version": version.version,
        "approved_at": serializers.DateTimeField().to_representation(version.approved_at),
        "approved_by": version.approved_by_name,
        "meeting": dict(MeetingDetailOut(meeting, context={"request": request}).data),
        "page": _absolute(
            request, reverse("meetings:meeting_detail", args=[meeting.project_id, meeting.pk])
        ),
    }


def _can_see_document(user, document) -> bool:
    """Only the kinds whose access is known here, each asked of its app's access helper;
    a document made for one person (a run), or of a kind not listed, is never sent."""
    from naboskap.meetings.access import get_meeting_for_user
    from naboskap.projects.access import get_project_for_user
    from naboskap.risk.access import get_analysis_for_user

    if document.variant or document.expires_at is not None or document.project_pk is None:
        return False
    checks: dict[str, Callable[[], object]] = {
        "plans.plan": lambda: get_project_for_user(user, document.object_id, "plans.view_plan"),
        "meetings.minutes": lambda: get_meeting_for_user(
            user, document.project_pk, document.object_id
        ),
        "risk.report": lambda: get_analysis_for_user(user, document.project_pk, document.object_id),
    }
    check = checks.get(document.kind)
    if check is None:
        return False
    try:
        check()
    except (Http404, PermissionDenied):
        return False
    return True


def document(user, pk: int) -> dict | None:
    from naboskap.documents import registry
    from naboskap.documents.models import Document

    found = Document.objects.filter(pk=pk, status=Document.Status.READY).first()
    if found is None or not _can_see_document(user, found):
        return None
    return {
        "id": found.pk,
        "kind": found.kind,
        "label": str(registry.get(found.kind).label),
        "object_id": found.object_id,
        "project_id": found.project_pk,
        "language": found.language,
        "size": found.size,
        "rendered_at": serializers.DateTimeField().to_representation(found.rendered_at),
    }


BUILDERS: dict[str, Callable[[object, int], dict | None]] = {
    events.CONCERN_RECEIVED: concern,
    events.CONCERN_STATUS_CHANGED: concern,
    events.MEASURE_CHANGED: measure,
    events.MINUTES_APPROVED: minutes,
    events.DOCUMENT_READY: document,
}


def build(event: str, user, pk: int) -> dict | None:
    """The event's data for `user`, or None when nothing may be sent to them."""
    if not user.is_active:
        return None
    # As the API: reading for a system does not move its user's pages to another municipality.
    with stay_in_municipality():
        return BUILDERS[event](user, pk)
