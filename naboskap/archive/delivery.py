"""The worker's side of the archive (ADR 0033): building each waiting registration's package
and sending it, one at a time, case folders before what goes into them.

A registration is claimed by a conditional update (`claimed_at`), so two workers never send
the same one at the same moment, and a claim older than CLAIM_LOST lost its worker. A
transport that says "not now" (`TemporaryFailure`) has it tried again after a growing pause;
after the last one, or when the package cannot be built or the transport says "never", the
registration has failed, with the reason, until the archivist sends it again. A registration
whose case folder has not been sent yet waits for it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone, translation

from naboskap.archive import packages, transports
from naboskap.archive.models import Registration, Settings

logger = logging.getLogger(__name__)

# The pause after each failed attempt (seconds): 1 min, 5 min, 30 min, 2 h, 6 h, 24 h; then
# the registration has failed.
RETRY_SECONDS = (60, 300, 1800, 7200, 21600, 86400)
CLAIM_LOST = timedelta(minutes=15)

Status = Registration.Status
DONE = (Status.SENT, Status.ARCHIVED)


def _due(now: datetime):
    return (
        Registration.objects.filter(status=Status.WAITING, next_attempt_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LOST))
        .filter(Q(folder__isnull=True) | Q(folder__status__in=DONE))
        .annotate(
            order=Case(
                When(kind=Registration.Kind.FOLDER, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("order", "next_attempt_at", "pk")
    )


def _claim(now: datetime) -> Registration | None:
    for pk in _due(now).values_list("pk", flat=True)[:20]:
        taken = (
            Registration.objects.filter(pk=pk, status=Status.WAITING)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LOST))
            .update(claimed_at=now)
        )
        if taken:
            return Registration.objects.select_related("municipality", "folder").get(pk=pk)
    return None


def send_due(limit: int | None = None) -> int:
    """Send what waits and is due, folders first; returns how many were sent."""
    sent = tried = 0
    while limit is None or tried < limit:
        registration = _claim(timezone.now())
        if registration is None:
            break
        tried += 1
        sent += send_one(registration)
    return sent


def send_one(registration: Registration) -> bool:
    """Build and send one claimed registration, and record what happened."""
    archive = Settings.objects.select_related("municipality").get(
        municipality_id=registration.municipality_id
    )
    try:
        with translation.override(archive.municipality.default_language):
            package = packages.build(registration, archive)
        name = transports.transport_for(archive).send(package)
    except transports.TemporaryFailure as error:
        _failed(registration, str(error), temporary=True)
        return False
    except (transports.PermanentFailure, packages.CannotBuild) as error:
        _failed(registration, str(error), temporary=False)
        return False
    except Exception as error:  # a bug or bad data: the archivist sees it, nothing is lost
        logger.exception("Archive registration %s could not be built", registration.pk)
        _failed(registration, f"{type(error).__name__}: {error}", temporary=False)
        return False
    Registration.objects.filter(pk=registration.pk).update(
        status=Status.SENT,
        attempts=registration.attempts + 1,
        sent_at=timezone.now(),
        package=name,
        last_error="",
        claimed_at=None,
    )
    return True


def _failed(registration: Registration, reason: str, *, temporary: bool) -> None:
    attempts = registration.attempts + 1
    fields = {"attempts": attempts, "last_error": reason[:500], "claimed_at": None}
    if temporary and attempts <= len(RETRY_SECONDS):
        fields["next_attempt_at"] = timezone.now() + timedelta(seconds=RETRY_SECONDS[attempts - 1])
    else:
        fields["status"] = Status.FAILED
        logger.warning("Archive registration %s failed: %s", registration.pk, reason)
    Registration.objects.filter(pk=registration.pk).update(**fields)


def refused(registration: Registration, reason: str, *, temporary: bool) -> None:
    """The archive answered a sent registration with an error (by Fiks IO): tried again after
    a pause when it was the archive's own trouble, else failed, as a failed send is."""
    registration.status = Status.WAITING
    Registration.objects.filter(pk=registration.pk).update(status=Status.WAITING)
    _failed(registration, reason, temporary=temporary)
