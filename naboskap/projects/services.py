"""Operations that change projects. Views, the admin and the API all call these."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from naboskap.documents.services import documents_recheck
from naboskap.lib import pagecache
from naboskap.projects import tasks
from naboskap.projects.models import (
    SHORT_LINK_ALPHABET,
    SHORT_LINK_LENGTH,
    ContactPoint,
    Phase,
    PhaseChange,
    PlannedPhase,
    Project,
    ShortLink,
    Subscription,
    Update,
    normalise_short_link,
)
from naboskap.projects.selectors import news_held
from naboskap.projects.validators import validate_one_line_title
from naboskap.tenancy.models import Municipality, Unit

PROJECT_FIELDS = [
    "kind",
    "name",
    "slug",
    "address",
    "latitude",
    "longitude",
    "description",
    "target_group",
    "dwellings_with_tenancy",
    "dwellings_temporary",
    "dwellings_emergency",
    "responsible_unit",
    "dialogue_owner",
    "visibility",
]


def project_touch(*, project: Project) -> None:
    """Mark the project's public content as changed, which invalidates its cached pages."""
    project.changed_at = timezone.now()
    Project.objects.filter(pk=project.pk).update(changed_at=project.changed_at)
    pagecache.invalidate()


@transaction.atomic
def project_create(
    *,
    municipality: Municipality,
    created_by,
    participating_units: Iterable[Unit] = (),
    phase: str = Phase.IDEA,
    **fields,
) -> Project:
    project = Project(municipality=municipality, phase=phase, **fields)
    project.full_clean()
    project.save()
    project.participating_units.set(participating_units)
    PhaseChange.objects.create(project=project, to_phase=phase, changed_by=created_by)
    pagecache.invalidate()
    return project


@transaction.atomic
def project_edit(
    *,
    project: Project,
    participating_units: Iterable[Unit] | None = None,
    send_held_news: bool = True,
    **fields,
) -> Project:
    """Save the project's fields. When it becomes public, the news published while it was
    hidden goes to its subscribers, or (`send_held_news` False) is never sent."""
    # As stored: a form has already put the new values on the instance.
    stored = Project.objects.filter(pk=project.pk).values_list("visibility", flat=True).first()
    was_public = stored == Project.Visibility.PUBLIC
    for name, value in fields.items():
        if name not in PROJECT_FIELDS:
            raise ValueError(f"{name} is not an editable project field")
        setattr(project, name, value)
    project.changed_at = timezone.now()
    project.full_clean()
    project.save(update_fields=[*fields.keys(), "changed_at"])
    if participating_units is not None:
        project.participating_units.set(participating_units)
    if project.is_public and not was_public:
        if send_held_news:
            news_send_held(project=project)
        else:
            news_drop_held(project=project)
    pagecache.invalidate()
    documents_recheck(project_pk=project.pk)  # its name and address are on its PDFs
    return project


def news_send_held(*, project: Project) -> int:
    """Send the held news (`news_held`). Returns how many updates are queued; each is claimed
    when it is sent, so none goes twice."""
    held = list(news_held(project).values_list("pk", flat=True))
    for pk in held:
        transaction.on_commit(lambda pk=pk: tasks.notify_subscribers.enqueue(pk))
    return len(held)


def news_drop_held(*, project: Project) -> int:
    """Never send the held news (`news_held`): the coordinator chose so. Returns how many."""
    now = timezone.now()
    return news_held(project).update(notified_at=now, notification_dropped_at=now)


@transaction.atomic
def project_change_phase(*, project: Project, to_phase: str, changed_by, note: str = "") -> None:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if to_phase not in Phase.values:
        raise ValueError(f"unknown phase {to_phase}")
    PhaseChange.objects.create(
        project=locked, from_phase=locked.phase, to_phase=to_phase, changed_by=changed_by, note=note
    )
    project.phase = locked.phase = to_phase
    Project.objects.filter(pk=project.pk).update(phase=to_phase)
    project_touch(project=project)


@transaction.atomic
def project_plan_phases(*, project: Project, planned: dict[str, datetime | None]) -> None:
    """Set or clear the planned start of coming phases ({phase: date or None})."""
    for phase, start in planned.items():
        if start is None:
            PlannedPhase.objects.filter(project=project, phase=phase).delete()
        else:
            PlannedPhase.objects.update_or_create(
                project=project, phase=phase, defaults={"planned_start": start}
            )
    project_touch(project=project)


@transaction.atomic
def contact_point_save(*, project: Project, contact_point: ContactPoint) -> ContactPoint:
    contact_point.project = project
    contact_point.full_clean()
    contact_point.save()
    project_touch(project=project)
    return contact_point


@transaction.atomic
def contact_point_delete(*, contact_point: ContactPoint) -> None:
    project = contact_point.project
    contact_point.delete()
    project_touch(project=project)


@transaction.atomic
def update_save(*, project: Project, update: Update, author) -> Update:
    """Save a draft, publish now, or schedule; subscribers are told once it is published."""
    update.project = project
    if update.author_id is None:
        update.author = author
    try:
        validate_one_line_title(update.title)
    except ValidationError as error:
        raise ValidationError({"title": error.messages}) from None
    update.full_clean()
    update.save()
    project_touch(project=project)
    if update.published_at is not None and update.notified_at is None:
        run_after = update.published_at if update.published_at > timezone.now() else None
        transaction.on_commit(
            lambda: tasks.notify_subscribers.using(run_after=run_after).enqueue(update.pk)
        )
    return update


@transaction.atomic
def update_delete(*, update: Update) -> None:
    project = update.project
    update.delete()
    project_touch(project=project)


def subscription_request(*, project: Project, email: str, language: str) -> Subscription:
    """Ask for a confirmation by email. Says nothing about whether the address was known."""
    subscription, _created = Subscription.objects.get_or_create(
        project=project, email=email.strip().lower(), defaults={"language": language}
    )
    if subscription.confirmed_at is None:
        transaction.on_commit(lambda: tasks.send_subscription_confirmation.enqueue(subscription.pk))
    return subscription


def subscription_confirm(*, subscription: Subscription) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])


def subscription_cancel(*, subscription: Subscription) -> None:
    subscription.delete()


# Short links on letters --------------------------------------------------------------------

SHORT_LINK_ATTEMPTS = 10


def _new_short_code() -> str:
    return "".join(secrets.choice(SHORT_LINK_ALPHABET) for _i in range(SHORT_LINK_LENGTH))


def short_link_for(*, municipality: Municipality, target: str, expires_at: datetime | None = None):
    """The short link to `target` (a path within the municipality's site): an existing one
    that lives at least as long, else a new one with a fresh random code (retried on the rare
    collision)."""
    now = timezone.now()
    existing = ShortLink.objects.filter(municipality=municipality, target=target)
    if expires_at is None:
        existing = existing.filter(expires_at__isnull=True)
    else:
        existing = existing.filter(Q(expires_at__gte=expires_at) & Q(expires_at__gt=now))
    found = existing.order_by("pk").first()
    if found is not None:
        return found
    for _attempt in range(SHORT_LINK_ATTEMPTS):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    code=_new_short_code(),
                    target=target,
                    municipality=municipality,
                    expires_at=expires_at,
                )
        except IntegrityError:
            continue
    raise RuntimeError("No free short link code after several attempts.")


def short_link_resolve(*, municipality: Municipality, code: str):
    """The live short link with `code` (as typed, any case) in the municipality, or None."""
    link = ShortLink.objects.filter(
        municipality=municipality, code=normalise_short_link(code)
    ).first()
    if link is None or link.is_expired():
        return None
    return link
