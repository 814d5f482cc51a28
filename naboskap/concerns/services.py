"""Operations on concerns. The public form, the staff pages and Open311 all call these."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.concerns import tasks
from naboskap.concerns.models import (
    Category,
    Concern,
    Message,
    Photo,
    ReferenceCounter,
    RoutingRule,
    StatusChange,
)
from naboskap.concerns.photos import CleanPhoto, clean_photos
from naboskap.concerns.storage import private_storage
from naboskap.concerns.workdays import add_working_days
from naboskap.concerns.workflow import CancelReason, Status, allowed
from naboskap.projects.models import Project
from naboskap.tenancy.models import Municipality, Unit

DEFAULT_CATEGORIES = [
    # code, name, acknowledge days, answer days
    ("noise", _("Noise"), 1, 10),
    ("traffic", _("Traffic and parking"), 1, 10),
    ("litter", _("Litter and syringes"), 1, 5),
    ("threats", _("Threats or violence"), 0, 3),
    ("damage", _("Damage to property"), 1, 10),
    ("children", _("Children's and young people's safety"), 0, 5),
    ("other", _("Other"), 1, 10),
]

REOPEN_DAYS = 14


class WorkflowError(Exception):
    """A transition the workflow does not allow, or one missing what it needs."""


def categories_ensure_defaults(*, municipality: Municipality) -> None:
    """Give a municipality the default categories (names in bokmål), once."""
    from django.utils import translation

    with translation.override("nb"):
        for position, (code, name, ack, answer) in enumerate(DEFAULT_CATEGORIES):
            Category.objects.get_or_create(
                municipality=municipality,
                code=code,
                defaults={
                    "name": str(name),
                    "acknowledge_days": ack,
                    "answer_days": answer,
                    "position": position,
                },
            )


def route(*, category: Category, project: Project) -> Unit | None:
    """The unit a new concern goes to: a rule for this project, a general rule, the
    category's default unit, else the project's responsible unit."""
    rules = {
        rule.project_id: rule.unit
        for rule in RoutingRule.objects.filter(category=category).select_related("unit")
    }
    return (
        rules.get(project.pk)
        or rules.get(None)
        or category.default_unit
        or project.responsible_unit
    )


def next_reference(*, municipality: Municipality) -> str:
    year = timezone.localdate().year
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        municipality=municipality, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def concern_submit(
    *,
    project: Project,
    category: Category,
    idempotency_key: str,
    description: str,
    location: str = "",
    occurred_at=None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    preferred_channel: str = Concern.Channel.EMAIL,
    language: str = "nb",
    photos=(),
) -> tuple[Concern, bool]:
    """Store a new concern, routed and with deadlines. Returns (concern, created).

    The same idempotency key twice (a double click, a retry on a flaky network) returns the
    first concern and creates nothing, photos included. `photos` (uploads, or photos the form
    has already checked) are checked before anything is stored: a ValidationError stores
    nothing at all.
    """
    municipality = project.municipality
    existing = Concern.objects.filter(
        municipality=municipality, idempotency_key=idempotency_key
    ).first()
    if existing:
        return existing, False
    photos = clean_photos(photos)
    try:
        with transaction.atomic():
            today = timezone.localdate()
            unit = route(category=category, project=project)
            concern = Concern.objects.create(
                municipality=municipality,
                project=project,
                category=category,
                reference=next_reference(municipality=municipality),
                idempotency_key=idempotency_key,
                description=description,
                location=location,
                occurred_at=occurred_at,
                reporter_name=reporter_name,
                reporter_email=reporter_email,
                reporter_phone=reporter_phone,
                preferred_channel=preferred_channel,
                language=language,
                assigned_unit=unit,
                acknowledge_due=add_working_days(today, category.acknowledge_days),
                answer_due=add_working_days(today, category.answer_days),
            )
            StatusChange.objects.create(concern=concern, to_status=Status.RECEIVED)
            photos_store(concern=concern, photos=photos)
            if concern.reporter_email:
                transaction.on_commit(lambda: tasks.send_receipt.enqueue(concern.pk))
            if unit is not None:
                transaction.on_commit(lambda: tasks.notify_unit.enqueue(concern.pk))
    except IntegrityError:
        # Two requests with the same key raced; the other one won.
        existing = Concern.objects.filter(
            municipality=municipality, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return existing, False
    return concern, True


def photos_add(*, concern: Concern, files) -> list[Photo]:
    """Attach photos to a concern: each checked, stripped of metadata and re-encoded.

    Raises a ValidationError naming every rejected file (not a JPEG or PNG, too large, too
    many); then nothing is stored.
    """
    photos = clean_photos(files, already=concern.photos.count())
    with transaction.atomic():
        return photos_store(concern=concern, photos=photos)


def photos_store(*, concern: Concern, photos: list[CleanPhoto]) -> list[Photo]:
    """Write checked photos (files first, then rows). If anything fails, the files already
    written are removed again, so no photo is left on disk without its row."""
    from django.core.files.base import ContentFile

    stored = []
    try:
        for clean in photos:
            photo = Photo(
                concern=concern,
                content_type=clean.content_type,
                size=len(clean.data),
                width=clean.width,
                height=clean.height,
            )
            photo.image.save(f"photo.{clean.extension}", ContentFile(clean.data), save=False)
            stored.append(photo)
            photo.save()
    except BaseException:
        for photo in stored:
            photo.image.delete(save=False)
        raise
    return stored


def photos_delete(*, concerns) -> int:
    """Delete the photos of these concerns: the rows now, the files on disk once the
    transaction has committed (a rollback keeps both)."""
    photos = list(Photo.objects.filter(concern__in=concerns))
    Photo.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    names = [photo.image.name for photo in photos]

    def remove_files():
        for name in names:
            private_storage.delete(name)

    transaction.on_commit(remove_files)
    return len(photos)


@transaction.atomic
def concern_transition(
    *,
    concern: Concern,
    to_status: str,
    by,
    note: str = "",
    answer: str = "",
    cancel_reason: str = "",
) -> Concern:
    """Move a concern along the workflow, with a history row and the reporter told."""
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    if not allowed(locked.status, to_status):
        raise WorkflowError(
            _("A concern that is “%(from)s” cannot become “%(to)s”.")
            % {"from": Status(locked.status).label, "to": Status(to_status).label}
        )
    if to_status == Status.ANSWERED and not answer.strip():
        raise WorkflowError(_("Write the answer to the reporter."))
    if to_status == Status.CANCELLED and cancel_reason not in CancelReason.values:
        raise WorkflowError(_("Choose why the concern is cancelled."))
    now = timezone.now()
    from_status = locked.status
    fields = {"status": to_status}
    if to_status == Status.ACKNOWLEDGED and locked.acknowledged_at is None:
        fields["acknowledged_at"] = now
    if to_status == Status.ANSWERED:
        fields["answered_at"] = now
    if to_status in {Status.CLOSED, Status.CANCELLED}:
        fields["closed_at"] = now
    if to_status == Status.CANCELLED:
        fields["cancel_reason"] = cancel_reason
    if locked.status in {Status.CLOSED, Status.CANCELLED}:  # reopened
        fields.update(closed_at=None, cancel_reason="")
    for name, value in fields.items():
        setattr(locked, name, value)
        setattr(concern, name, value)
    locked.save(update_fields=list(fields))
    StatusChange.objects.create(
        concern=locked, from_status=from_status, to_status=to_status, changed_by=by, note=note
    )
    if answer.strip():
        message_send(concern=locked, body=answer, author=by)
    return concern


def message_send(*, concern: Concern, body: str, author) -> Message:
    """A message to the reporter: shown on the follow-up page, and emailed when possible.

    The reporters of concerns merged into this one get it too, on their own pages.
    """
    first = None
    for target in [concern, *concern.merged.all()]:
        message = Message.objects.create(
            concern=target, kind=Message.Kind.TO_REPORTER, body=body, author=author
        )
        first = first or message
        if target.reporter_email:
            transaction.on_commit(lambda pk=message.pk: tasks.send_message.enqueue(pk))
    return first


@transaction.atomic
def concern_merge(*, duplicate: Concern, into: Concern, by) -> None:
    """Close `duplicate` as a duplicate of `into`; its reporter gets `into`'s answers."""
    if duplicate.pk == into.pk or into.merged_into_id is not None:
        raise WorkflowError(_("Choose another concern to merge into."))
    if (duplicate.municipality_id, duplicate.project_id) != (into.municipality_id, into.project_id):
        raise WorkflowError(_("Only concerns about the same project can be merged."))
    duplicate.merged_into = into
    duplicate.save(update_fields=["merged_into"])
    Concern.objects.filter(merged_into=duplicate).update(merged_into=into)
    concern_transition(
        concern=duplicate,
        to_status=Status.CANCELLED,
        by=by,
        note=into.reference,
        cancel_reason=CancelReason.DUPLICATE,
    )


def note_add(*, concern: Concern, body: str, author) -> Message:
    """An internal note: never shown to the reporter."""
    return Message.objects.create(
        concern=concern, kind=Message.Kind.INTERNAL, body=body, author=author
    )


@transaction.atomic
def reporter_reply(*, concern: Concern, body: str) -> Message:
    """The reporter adds information or answers a question; a waiting case moves on."""
    message = Message.objects.create(concern=concern, kind=Message.Kind.FROM_REPORTER, body=body)
    if concern.status == Status.WAITING:
        # A history row without a person is the reporter's doing.
        concern_transition(concern=concern, to_status=Status.IN_PROGRESS, by=None)
    return message


@transaction.atomic
def concern_assign(*, concern: Concern, unit: Unit | None, handler=None, by=None) -> None:
    changed = concern.assigned_unit_id != (unit.pk if unit else None)
    concern.assigned_unit = unit
    concern.assigned_to = handler
    concern.save(update_fields=["assigned_unit", "assigned_to"])
    if changed and unit is not None:
        transaction.on_commit(lambda: tasks.notify_unit.enqueue(concern.pk))


def contact_erase(*, concern: Concern) -> None:
    """Delete the reporter's name, email and phone (at their request or by retention)."""
    concern.reporter_name = ""
    concern.reporter_email = ""
    concern.reporter_phone = ""
    concern.preferred_channel = Concern.Channel.NONE
    concern.contact_erased_at = timezone.now()
    concern.save(
        update_fields=[
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "preferred_channel",
            "contact_erased_at",
        ]
    )


def satisfaction_give(*, concern: Concern, score: int, comment: str = "") -> None:
    if concern.status not in {Status.CLOSED, Status.ANSWERED}:
        raise WorkflowError(_("You can rate the handling once the case is answered."))
    concern.satisfaction = score
    concern.satisfaction_comment = comment
    concern.save(update_fields=["satisfaction", "satisfaction_comment"])


def can_request_reopen(concern: Concern) -> bool:
    """Answered, or closed less than 14 days ago (cancelled cases are not reopened by the
    reporter: spam and duplicates stay closed)."""
    if concern.status == Status.ANSWERED:
        return True
    return (
        concern.status == Status.CLOSED
        and concern.closed_at is not None
        and timezone.now() - concern.closed_at < timedelta(days=REOPEN_DAYS)
    )


@transaction.atomic
def reopen_request(*, concern: Concern, reason: str) -> None:
    if not can_request_reopen(concern):
        raise WorkflowError(_("The case can no longer be reopened. Send a new report instead."))
    Message.objects.create(concern=concern, kind=Message.Kind.FROM_REPORTER, body=reason)
    concern_transition(concern=concern, to_status=Status.IN_PROGRESS, by=None)


def policy_for(municipality: Municipality):
    from naboskap.concerns.models import Policy

    return Policy.objects.filter(municipality=municipality).first() or Policy(
        municipality=municipality
    )


def retention_apply(*, municipality: Municipality, now=None, dry_run: bool = False) -> dict:
    """Erase contact details and photos N days after closure, delete concerns K years after.

    Returns what was (or, with `dry_run`, would be) done: {"erased": [...], "deleted": [...]}
    as lists of references. Deletions are logged by reference only.
    """
    from naboskap.concerns.models import DeletionLog

    now = now or timezone.now()
    policy = policy_for(municipality)
    closed = Concern.objects.filter(
        municipality=municipality, status__in=[Status.CLOSED, Status.CANCELLED]
    )
    to_delete = closed.filter(
        closed_at__lt=now - timedelta(days=365 * policy.delete_after_years)
    ).order_by("pk")
    to_erase = (
        closed.filter(closed_at__lt=now - timedelta(days=policy.erase_contact_after_days))
        .exclude(pk__in=to_delete.values("pk"))
        .filter(
            # Contact details not yet erased, or photos (an anonymous report's too).
            Q(contact_erased_at__isnull=True)
            & ~Q(reporter_name="", reporter_email="", reporter_phone="")
            | Q(photos__isnull=False)
        )
        .distinct()
        .order_by("pk")
    )
    result = {
        "erased": list(to_erase.values_list("reference", flat=True)),
        "deleted": list(to_delete.values_list("reference", flat=True)),
    }
    if dry_run:
        return result
    with transaction.atomic():
        erasing, deleting = list(to_erase), list(to_delete)
        for concern in erasing:
            if concern.has_contact:
                contact_erase(concern=concern)
        # Photos go with the contact details; a deleted concern's files go too (the rows
        # would cascade, the files would not).
        photos_delete(concerns=[c.pk for c in erasing + deleting])
        DeletionLog.objects.bulk_create(
            DeletionLog(municipality=municipality, reference=c.reference, closed_at=c.closed_at)
            for c in deleting
        )
        to_delete.delete()
    return result
