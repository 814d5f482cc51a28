"""Operations on concerns. The public form, the staff pages and Open311 all call these."""

from __future__ import annotations

import contextlib
import copy
import re
import uuid
from datetime import timedelta

import rules
from auditlog.context import disable_auditlog
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from naboskap.concerns import placeholders, selectors, tasks
from naboskap.concerns.models import (
    Category,
    Concern,
    DeletionLog,
    Message,
    Photo,
    Policy,
    ReferenceCounter,
    RoutingRule,
    StandardAnswer,
    StatusChange,
)
from naboskap.concerns.photos import CleanPhoto, clean_photos
from naboskap.concerns.storage import private_storage
from naboskap.concerns.workdays import add_working_days
from naboskap.concerns.workflow import BY_REPORTER, CancelReason, Status, allowed
from naboskap.lib import events, pagecache
from naboskap.lib.errors import DomainError
from naboskap.maps import geo
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

# An idempotency key from outside (the public form, the staff form, an Open311 client): what
# `secrets.token_urlsafe(24)` gives, with room for other clients' keys. A key someone could
# guess would let them land on another person's report, so the forms refuse any other.
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def idempotency_key_valid(key: str) -> bool:
    return bool(IDEMPOTENCY_KEY.fullmatch(key or ""))


def contact_channel(*, preferred: str, email: str, phone: str) -> str:
    """How the municipality answers a reporter: the channel they chose when its contact
    detail is given, else by email if given, else by phone, else not at all. An empty
    `preferred` chooses the same way (the staff form's and Open311's default)."""
    details = {Concern.Channel.EMAIL: email, Concern.Channel.PHONE: phone}
    if preferred == Concern.Channel.NONE or details.get(preferred):
        return preferred
    if email:
        return Concern.Channel.EMAIL
    if phone:
        return Concern.Channel.PHONE
    return Concern.Channel.NONE


class WorkflowError(DomainError):
    """A transition the workflow does not allow, or one missing what it needs."""


def default_category_names(name) -> dict[str, str]:
    """A default category's name in bokmål, nynorsk and English, from the catalogues."""
    names = {}
    for field, language in (("name", "nb"), ("name_nn", "nn"), ("name_en", "en")):
        with translation.override(language):
            names[field] = str(name)
    return names


def categories_ensure_defaults(*, municipality: Municipality) -> None:
    """Give a municipality the default categories (named in all three languages), once."""
    created = False
    for position, (code, name, ack, answer) in enumerate(DEFAULT_CATEGORIES):
        _category, new = Category.objects.get_or_create(
            municipality=municipality,
            code=code,
            defaults={
                **default_category_names(name),
                "acknowledge_days": ack,
                "answer_days": answer,
                "position": position,
            },
        )
        created = created or new
    if created:
        pagecache.invalidate()  # the report form lists the categories


def route(*, category: Category, project: Project | None) -> Unit | None:
    """The unit a new concern goes to: a rule for this project, a general rule, the
    category's default unit, else the project's responsible unit. A concern about the area in
    general (no project) goes by the general rule or the category's default unit, else to the
    municipality's default unit (`Policy.default_unit`)."""
    rules = {
        rule.project_id: rule.unit
        for rule in RoutingRule.objects.filter(category=category).select_related("unit")
    }
    if project is None:
        return (
            rules.get(None)
            or category.default_unit
            or policy_for(category.municipality_id).default_unit
        )
    return (
        rules.get(project.pk)
        or rules.get(None)
        or category.default_unit
        or project.responsible_unit
    )


def next_reference(*, municipality: Municipality) -> str:
    """The next reference of the municipality's year (`2026-000123`), gap-free per year.

    One statement in the common case: the row is incremented and read back at once
    (UPDATE … RETURNING, in PostgreSQL and SQLite alike), which also locks it until commit.
    """
    year = timezone.localdate().year
    table = ReferenceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE municipality_id = %s AND year = %s "  # noqa: S608
            "RETURNING last",
            [municipality.pk, year],
        )
        row = cursor.fetchone()
    if row is None:  # the year's first concern: make the counter, then count as usual
        # In a savepoint, which a racing creator's win rolls back (and is then let be).
        with contextlib.suppress(IntegrityError), transaction.atomic():
            ReferenceCounter.objects.create(municipality=municipality, year=year, last=0)
        return next_reference(municipality=municipality)
    return f"{year}-{row[0]:06d}"


def concern_submit(
    *,
    municipality: Municipality | None = None,
    project: Project | None,
    category: Category,
    idempotency_key: str,
    description: str,
    location: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    occurred_at=None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    preferred_channel: str = "",
    language: str = "nb",
    photos=(),
    intake_channel: str = Concern.IntakeChannel.WEB,
    registered_by=None,
    reporter_address: str = "",
) -> tuple[Concern, bool]:
    """Store a new concern, routed and with deadlines. Returns (concern, created).

    The same idempotency key twice (a double click, a retry on a flaky network) returns the
    first concern and creates nothing, photos included. `photos` (uploads, or photos the form
    has already checked) are checked before anything is stored: a ValidationError stores
    nothing at all.

    `project` None is a concern about the area in general, in the category's municipality.
    Staff registering a concern received by phone, letter… give `intake_channel` and
    `registered_by` (and `reporter_address` for a receipt by letter).

    `preferred_channel` is what the reporter chose, or empty: `contact_channel` decides
    the channel that is stored, from the contact details given. A place marked on a map
    (`latitude`, `longitude`) is rounded before it is stored (`maps.geo`).
    """
    position = geo.position_for_storing(latitude, longitude)
    preferred_channel = contact_channel(
        preferred=preferred_channel, email=reporter_email, phone=reporter_phone
    )
    if project is not None:
        municipality = project.municipality
    elif municipality is None:
        municipality = category.municipality
    photos = clean_photos(photos)
    # No look-up first: the unique key refuses a second row (and the transaction, reference
    # number included, is rolled back), which keeps the common case one query shorter.
    try:
        # The status history records the creation. The audit log does not: its entry would
        # keep the reporter's IP address beyond the reach of the retention rules.
        with transaction.atomic(), disable_auditlog():
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
                **geo.stored_fields(position),
                occurred_at=occurred_at,
                reporter_name=reporter_name,
                reporter_email=reporter_email,
                reporter_phone=reporter_phone,
                preferred_channel=preferred_channel,
                language=language,
                intake_channel=intake_channel,
                registered_by=registered_by,
                reporter_address=reporter_address,
                assigned_unit=unit,
                acknowledge_due=add_working_days(today, category.acknowledge_days),
                answer_due=add_working_days(today, category.answer_days),
            )
            StatusChange.objects.create(concern=concern, to_status=Status.RECEIVED)
            selectors.concerns_changed(municipality.pk)
            # For the municipality's webhooks (ADR 0032), committed with the concern.
            events.emit(events.CONCERN_RECEIVED, concern, municipality_id=municipality.pk)
            photos_store(concern=concern, photos=photos)
            if concern.reporter_email or unit is not None:
                # Queued in the transaction, not after it: the queue is a table in the same
                # database, so the concern and its receipt commit together (the worker sees
                # neither before). After the commit, a database going away would leave a
                # concern without a receipt, and the retry below finds it and queues nothing.
                tasks.concern_received.enqueue(concern.pk)
    except IntegrityError:
        # The key was used before (a double submit), or two requests with it raced.
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
        if locked.first_answered_at is None:
            fields.update(first_answered_at=now, first_answered_on=timezone.localdate(now))
    if to_status in {Status.ACKNOWLEDGED, Status.ANSWERED} and locked.acknowledged_on is None:
        fields["acknowledged_on"] = timezone.localdate(now)
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
    selectors.concerns_changed(locked.municipality_id)
    StatusChange.objects.create(
        concern=locked, from_status=from_status, to_status=to_status, changed_by=by, note=note
    )
    # For the municipality's webhooks (ADR 0032), committed with the change.
    events.emit(
        events.CONCERN_STATUS_CHANGED,
        locked,
        municipality_id=locked.municipality_id,
        status=[from_status, to_status],
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


def _reporter_wrote(*, concern: Concern, action: str, body: str) -> Message:
    """What a reply and a request to reopen share: the message, the case marked "new from
    the reporter" until a handler opens it, the move the workflow table gives the reporter's
    action (`BY_REPORTER`, with a history row), and the handler told by email after commit
    (the reference and a link, never the text)."""
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    message = Message.objects.create(concern=locked, kind=Message.Kind.FROM_REPORTER, body=body)
    now = timezone.now()
    Concern.objects.filter(pk=locked.pk).update(reporter_wrote_at=now)
    concern.reporter_wrote_at = now
    to_status = BY_REPORTER[action].get(locked.status)
    if to_status is not None:
        # A history row without a person is the reporter's doing.
        concern_transition(concern=concern, to_status=to_status, by=None)
    selectors.concerns_changed(locked.municipality_id)  # the inbox counts "new" cases
    transaction.on_commit(lambda: tasks.notify_reporter_wrote.enqueue(concern.pk))
    return message


@transaction.atomic
def reporter_reply(*, concern: Concern, body: str) -> Message:
    """The reporter adds information or answers a question; a waiting case moves on, and
    the handler is told."""
    if not concern.is_open:
        raise WorkflowError(
            _("The case is closed. You can ask us to reopen it, or send a new report.")
        )
    return _reporter_wrote(concern=concern, action="reply", body=body)


def concern_mark_seen(*, concern: Concern, by) -> bool:
    """A handler opened the case: it is no longer "new from the reporter". Returns whether
    the mark was there. Only those who handle the concern clear it."""
    if concern.reporter_wrote_at is None:
        return False  # the common case: no statement at all
    if not rules.has_perm("concerns.change_concern", by, concern):
        return False
    with transaction.atomic():
        Concern.objects.filter(pk=concern.pk).update(reporter_wrote_at=None)
        concern.reporter_wrote_at = None
        selectors.concerns_changed(concern.municipality_id)
    return True


class AssignmentError(WorkflowError):
    """An assignee who could not open or handle the concern."""


def can_be_assigned(user, concern: Concern, unit: Unit | None) -> bool:
    """Whether `user` could handle `concern` once it is with `unit`: asked of the concern
    rules (its unit or its project), never decided here."""
    if user is None or not user.is_active:
        return False
    candidate = copy.copy(concern)
    candidate.assigned_unit = unit
    return rules.has_perm("concerns.change_concern", user, candidate)


def check_assignee(*, concern: Concern, unit: Unit | None, handler) -> None:
    """Raise an AssignmentError unless the unit is the municipality's and the handler (if
    any) may handle the concern with that unit."""
    if unit is not None and unit.municipality_id != concern.municipality_id:
        raise AssignmentError(_("Choose a unit of the concern's municipality."))
    if handler is not None and not can_be_assigned(handler, concern, unit):
        raise AssignmentError(
            _(
                "%(person)s cannot handle concern %(reference)s: only staff who handle "
                "concerns of its unit or its project can be assigned. Choose another case "
                "handler, or first the unit they work in."
            )
            % {
                "person": handler.get_full_name() or handler.get_username(),
                "reference": concern.reference,
            }
        )


@transaction.atomic
def concern_assign(*, concern: Concern, unit: Unit | None, handler=None, by=None) -> None:
    """Give the concern to a unit and (optionally) one case handler, who must be able to
    open and handle it (`check_assignee`): an AssignmentError otherwise, nothing saved."""
    check_assignee(concern=concern, unit=unit, handler=handler)
    changed = concern.assigned_unit_id != (unit.pk if unit else None)
    concern.assigned_unit = unit
    concern.assigned_to = handler
    concern.save(update_fields=["assigned_unit", "assigned_to"])
    selectors.concerns_changed(concern.municipality_id)
    if changed and unit is not None:
        key = f"concern-assigned:{concern.pk}:{uuid.uuid4().hex}"  # this assignment's notice
        transaction.on_commit(lambda: tasks.notify_unit.enqueue(concern.pk, key=key))


@transaction.atomic
def concern_mark_police_relevant(*, concern: Concern, relevant: bool, by=None) -> bool:
    """Mark the concern as relevant for the police (or not). Returns whether it changed.

    Only the mark is shared: the situation picture counts police-relevant concerns by week and
    category and never shows what the reporter wrote or who they are. The change is kept in
    the audit log (the field is registered there) and as an internal note in the thread.
    """
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    if locked.police_relevant == relevant:
        concern.police_relevant = relevant
        return False
    locked.police_relevant = relevant
    locked.save(update_fields=["police_relevant"])
    concern.police_relevant = relevant
    Message.objects.create(
        concern=locked,
        kind=Message.Kind.INTERNAL,
        author=by,
        body=str(
            _("Marked as relevant for the police.")
            if relevant
            else _("No longer marked as relevant for the police.")
        ),
    )
    return True


def concern_link_event(*, concern: Concern, unwanted_event) -> None:
    """Link the concern to an unwanted event of its project's ROS analysis (or unlink it)."""
    if unwanted_event is not None and unwanted_event.analysis.project_id != concern.project_id:
        raise WorkflowError(_("Choose an unwanted event of the concern's own project."))
    concern.unwanted_event = unwanted_event
    concern.save(update_fields=["unwanted_event"])


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
    """The reporter asks to look at an answered or recently closed case again: it is open
    again, marked "new from the reporter", and the handler is told."""
    if not can_request_reopen(concern):
        raise WorkflowError(_("The case can no longer be reopened. Send a new report instead."))
    _reporter_wrote(concern=concern, action="reopen", body=reason)


# Standard answers: a municipality's ready-made texts for messages to reporters ------------


def standard_answer_save(*, answer: StandardAnswer) -> StandardAnswer:
    """Save a standard answer (new or changed); its placeholders were checked by the form,
    and are checked again here."""
    placeholders.check(answer.body)
    answer.full_clean()
    answer.save()
    return answer


def standard_answer_retire(*, answer: StandardAnswer, active: bool = False) -> StandardAnswer:
    """Take a standard answer out of use (it is kept, and can be taken into use again)."""
    answer.active = active
    answer.save(update_fields=["active"])
    return answer


def policy_for(municipality: Municipality | int):
    if isinstance(municipality, Municipality):
        found = Policy.objects.filter(municipality=municipality).first()
        return found or Policy(municipality=municipality)
    found = Policy.objects.select_related("default_unit").filter(municipality_id=municipality)
    return found.first() or Policy(municipality_id=municipality)


def retention_apply(*, municipality: Municipality, now=None, dry_run: bool = False) -> dict:
    """Erase contact details and photos N days after closure, delete concerns K years after.

    Returns what was (or, with `dry_run`, would be) done: {"erased": [...], "deleted": [...]}
    as lists of references. Deletions are logged by reference only.
    """
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
        selectors.concerns_changed(municipality.pk)
    return result


# Settings of a municipality: categories, routing rules and retention ---------------------


def category_save(*, category: Category) -> Category:
    """Save a category (new or changed). The public form lists categories from the cache."""
    category.save()
    pagecache.invalidate()
    return category


def routing_rule_add(*, category: Category, project: Project | None, unit: Unit) -> RoutingRule:
    """Send the category's concerns (for one project, or for all) to the unit. Replaces the
    rule for the same category and project, if there is one."""
    rule, _created = RoutingRule.objects.update_or_create(
        category=category,
        project=project,
        defaults={"municipality": category.municipality, "unit": unit},
    )
    return rule


def routing_rule_delete(*, rule: RoutingRule) -> None:
    rule.delete()


def policy_save(
    *,
    municipality: Municipality,
    erase_contact_after_days: int,
    delete_after_years: int,
    default_unit: Unit | None = None,
):
    policy, _created = Policy.objects.update_or_create(
        municipality=municipality,
        defaults={
            "erase_contact_after_days": erase_contact_after_days,
            "delete_after_years": delete_after_years,
            "default_unit": default_unit,
        },
    )
    return policy
