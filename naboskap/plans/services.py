"""Operations on the action plan. Views, the API and other apps (concerns, risk, meetings)
call these; other apps never write plan rows themselves."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.documents.services import documents_changed
from naboskap.lib import events, pagecache
from naboskap.lib.errors import DomainError
from naboskap.plans.documents import PLAN
from naboskap.plans.inputs.tasks import input_submitted
from naboskap.plans.models import SOURCE_FIELDS, Input, Measure, MeasureChange, Participation
from naboskap.projects.models import Project

# Fields whose changes the history records; "participations" is recorded as one text.
TRACKED_FIELDS = [
    "title",
    "description",
    "kind",
    "owner_unit",
    "responsible",
    "due_date",
    "status",
    "cancel_reason",
    "progress",
    "phase",
    "is_public",
    "public_text",
]
PARTICIPATIONS = "participations"
CATEGORIES = "categories"
# The sender's email of an input is erased this many days after the input was answered.
# The daily `apply_concern_retention` passes the municipality's own number, the one that
# erases concerns' contact details (`concerns.Policy.erase_contact_after_days`, set on the
# settings page for concerns); this is the default, the same as that field's.
INPUT_EMAIL_RETENTION_DAYS = 90

logger = logging.getLogger(__name__)


class PlanError(DomainError):
    """A change the plan does not allow; the message is shown to the user."""


def _display(measure: Measure, field: str) -> str:
    value = getattr(measure, field)
    if value is None or value == "":
        return ""
    getter = getattr(measure, f"get_{field}_display", None)
    if getter is not None:
        return str(getter())
    if isinstance(value, bool):
        return "1" if value else "0"
    if field == "responsible":
        return value.get_full_name() or value.get_username()
    return str(value)


def _snapshot(measure: Measure) -> dict[str, str]:
    return {field: _display(measure, field) for field in TRACKED_FIELDS}


def _participations_display(participations: dict) -> str:
    """`{unit: part}` as one line, by unit name: "Eiendom: R, Helse og sosial: C"."""
    labels = dict(Participation.Part.choices)
    items = sorted(participations.items(), key=lambda item: item[0].name.lower())
    return ", ".join(f"{unit.name}: {labels.get(part, part)}" for unit, part in items)


def _categories_display(categories) -> str:
    return ", ".join(sorted(category.label for category in categories))


def _stored_participations(measure: Measure) -> dict:
    return {p.unit: p.part for p in measure.participations.select_related("unit")}


def check_measure(measure: Measure) -> None:
    """Raise PlanError if the plan does not allow the measure as it stands."""
    if measure.status == Measure.Status.CANCELLED and not measure.cancel_reason.strip():
        raise PlanError(_("Give a reason for cancelling the measure."))
    if sum(getattr(measure, f"{name}_id") is not None for name in SOURCE_FIELDS) > 1:
        raise PlanError(_("A measure comes from one source at most."))
    if measure.owner_unit.municipality_id != measure.project.municipality_id:
        raise PlanError(_("The owner unit must belong to the project's municipality."))
    if not 0 <= measure.progress <= 100:
        raise PlanError(_("Progress is a percentage from 0 to 100."))


def _check_participations(measure: Measure, participations: dict) -> None:
    parts = set(Participation.Part.values)
    for unit, part in participations.items():
        if unit.municipality_id != measure.project.municipality_id:
            raise PlanError(_("Participating units must belong to the project's municipality."))
        if part not in parts:
            raise PlanError(_("Choose responsible, accountable, consulted or informed."))


def _check_categories(measure: Measure, categories) -> None:
    if any(c.municipality_id != measure.project.municipality_id for c in categories):
        raise PlanError(_("The categories must be the project's municipality's."))


def _normalise(measure: Measure) -> None:
    if measure.status == Measure.Status.DONE:
        measure.progress = 100
        measure.done_on = measure.done_on or timezone.localdate()
    else:
        measure.done_on = None
    if measure.status != Measure.Status.CANCELLED:
        measure.cancel_reason = ""


def measure_create(
    *,
    project: Project,
    created_by,
    participations: dict | None = None,
    categories=None,
    note: str = "",
    **fields,
) -> Measure:
    """Create a measure. `fields` are model fields (including at most one source, such as
    `concern=` or `input=`); `participations` maps units to their part; `categories` are the
    concern categories it addresses."""
    return measure_save_new(
        measure=Measure(project=project, **fields),
        created_by=created_by,
        participations=participations,
        categories=categories,
        note=note,
    )


@transaction.atomic
def measure_save_new(
    *,
    measure: Measure,
    created_by,
    participations: dict | None = None,
    categories=None,
    note: str = "",
) -> Measure:
    """Save a new measure built elsewhere (by `measure_create` or the admin's form) and
    record its first history row."""
    _normalise(measure)
    check_measure(measure)
    _check_participations(measure, participations or {})
    measure.save()
    changes = {f: ["", value] for f, value in _snapshot(measure).items() if value}
    if participations:
        _participations_write(measure, participations)
        changes[PARTICIPATIONS] = ["", _participations_display(participations)]
    if categories:
        _check_categories(measure, categories)
        measure.categories.set(categories)
        changes[CATEGORIES] = ["", _categories_display(categories)]
    MeasureChange.objects.create(measure=measure, changed_by=created_by, changes=changes, note=note)
    # For the municipality's webhooks (ADR 0032), committed with the measure.
    events.emit(events.MEASURE_CHANGED, measure, municipality_id=measure.project.municipality_id)
    if measure.is_public or measure.input_id:  # "you said, we did" counts input measures
        pagecache.invalidate()
    # The plan, and the project's other documents that show the measure (a ROS report).
    documents_changed(kind=PLAN, obj=measure.project)
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    changed_by,
    note: str = "",
    participations: dict | None = None,
    categories=None,
    **fields,
) -> MeasureChange | None:
    """Change a measure (and, given `participations`, the units taking part; given
    `categories`, the concern categories it addresses) and record what changed. Returns the
    history row, or None when nothing changed and no note was given."""
    # Lock the row; "before" is what is stored, not what the caller's copy holds.
    stored = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("owner_unit", "responsible")
        .get(pk=measure.pk)
    )
    before = _snapshot(stored)
    for name, value in fields.items():
        setattr(measure, name, value)
    _normalise(measure)
    check_measure(measure)
    after = _snapshot(measure)
    changes = {f: [before[f], after[f]] for f in TRACKED_FIELDS if before[f] != after[f]}
    if participations is not None:
        _check_participations(measure, participations)
        old = _participations_display(_stored_participations(measure))
        new = _participations_display(participations)
        if old != new:
            changes[PARTICIPATIONS] = [old, new]
    if categories is not None:
        _check_categories(measure, categories)
        old = _categories_display(measure.categories.all())
        new = _categories_display(categories)
        if old != new:
            changes[CATEGORIES] = [old, new]
    if not changes and not note:
        return None
    measure.save()
    if PARTICIPATIONS in changes:
        _participations_write(measure, participations)
    if CATEGORIES in changes:
        measure.categories.set(categories)
    if stored.is_public or measure.is_public or measure.input_id:
        pagecache.invalidate()
    documents_changed(kind=PLAN, obj=measure.project)
    # For the municipality's webhooks (ADR 0032), committed with the change.
    events.emit(
        events.MEASURE_CHANGED,
        measure,
        municipality_id=measure.project.municipality_id,
        fields=sorted(changes),
    )
    return MeasureChange.objects.create(
        measure=measure, changed_by=changed_by, changes=changes, note=note
    )


def _participations_write(measure: Measure, participations: dict) -> None:
    measure.participations.exclude(unit__in=list(participations)).delete()
    for unit, part in participations.items():
        Participation.objects.update_or_create(measure=measure, unit=unit, defaults={"part": part})


def participations_set(*, measure: Measure, participations: dict, changed_by=None) -> None:
    """Replace the units taking part in a measure ({unit: part}), with a history row."""
    measure_update(measure=measure, changed_by=changed_by, participations=participations)


# Inputs ("Du sa – vi gjorde") ---------------------------------------------------------------
# What the public page shows of an input: its public text, decision and reason, and the
# status of the measures it led to. Every change to those of a published input moves the
# public page generation on.


def _input_check(input: Input) -> None:
    if input.decision != Input.Decision.UNDER_CONSIDERATION and not input.decision_reason.strip():
        raise PlanError(_("Give a reason for the decision."))
    if input.moderation == Input.Moderation.PUBLISHED and not input.public_text.strip():
        raise PlanError(_("Write the text the public page shows before publishing."))


def _input_locked(input: Input) -> Input:
    return Input.objects.select_for_update().get(pk=input.pk)


@transaction.atomic
def input_register(*, project: Project, created_by, text: str, origin: str, **fields) -> Input:
    """Register an input staff received (at a meeting, by letter, …). It stays unpublished
    until someone publishes a curated public text."""
    input = Input(project=project, created_by=created_by, text=text, origin=origin, **fields)
    input.moderation = Input.Moderation.PENDING
    _input_check(input)
    input.save()
    return input


def input_submit_public(
    *,
    project: Project,
    idempotency_key: str,
    text: str,
    theme: str = "",
    contact_email: str = "",
) -> tuple[Input, bool]:
    """Store a suggestion from the public form, waiting for moderation. Returns (input,
    created); the same idempotency key twice returns the first input and stores nothing."""
    existing = Input.objects.filter(project=project, idempotency_key=idempotency_key).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            input = Input.objects.create(
                project=project,
                idempotency_key=idempotency_key,
                text=text,
                theme=theme,
                contact_email=contact_email,
                origin=Input.Origin.PUBLIC_FORM,
                moderation=Input.Moderation.PENDING,
            )
            transaction.on_commit(lambda: _input_notify(input.pk))
    except IntegrityError:
        # Two requests with the same key raced; the other one won.
        existing = Input.objects.filter(project=project, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return input, True


def _input_notify(input_id: int) -> None:
    input_submitted.enqueue(input_id)


def _input_save(input: Input, stored: Input, fields: list[str]) -> Input:
    _input_check(input)
    input.save(update_fields=fields)
    if Input.Moderation.PUBLISHED in (stored.moderation, input.moderation):
        pagecache.invalidate()
    return input


@transaction.atomic
def input_edit(*, input: Input, **fields) -> Input:
    """Change what was said, by whom, where and when (not the decision or publication)."""
    stored = _input_locked(input)
    for name, value in fields.items():
        setattr(input, name, value)
    return _input_save(input, stored, list(fields))


@transaction.atomic
def input_decide(*, input: Input, decision: str, decision_reason: str = "") -> Input:
    """Record the decision; any decision but "under consideration" needs a reason."""
    stored = _input_locked(input)
    input.decision = decision
    input.decision_reason = decision_reason.strip()
    # The time of the answer, from which the sender's email is kept for a while (see
    # `input_retention_apply`); a later change between answers keeps the first time.
    if decision == Input.Decision.UNDER_CONSIDERATION:
        input.decided_at = None
    elif stored.decision == Input.Decision.UNDER_CONSIDERATION or stored.decided_at is None:
        input.decided_at = timezone.now()
    else:
        input.decided_at = stored.decided_at
    return _input_save(input, stored, ["decision", "decision_reason", "decided_at"])


@transaction.atomic
def input_publish(*, input: Input, public_text: str) -> Input:
    """Publish the input on the project's "Du sa – vi gjorde" page with the curated text."""
    stored = _input_locked(input)
    input.public_text = public_text.strip()
    input.moderation = Input.Moderation.PUBLISHED
    if not input.public_text:
        raise PlanError(_("Write the text the public page shows before publishing."))
    return _input_save(input, stored, ["public_text", "moderation"])


@transaction.atomic
def input_hide(*, input: Input) -> Input:
    """Keep the input off the public page (or take it off again)."""
    stored = _input_locked(input)
    input.moderation = Input.Moderation.HIDDEN
    return _input_save(input, stored, ["moderation"])


@transaction.atomic
def input_create_measure(*, input: Input, created_by, title: str, **fields) -> Measure:
    """A measure the input led to, in the input's project. The owner unit defaults to the
    project's responsible unit; it must belong to the project's municipality."""
    fields.setdefault("owner_unit", input.project.responsible_unit)
    if fields["owner_unit"] is None:
        raise PlanError(_("Choose the unit that owns the measure."))
    measure = measure_create(
        project=input.project, created_by=created_by, title=title, input=input, **fields
    )
    if input.moderation == Input.Moderation.PUBLISHED:
        pagecache.invalidate()  # the public page counts the measures of published inputs
    return measure


# Retention of the sender's email ----------------------------------------------------------


def inputs_due_for_erasure(*, municipality, now=None, days: int = INPUT_EMAIL_RETENTION_DAYS):
    """The municipality's inputs whose sender's email is kept longer than the rule allows:
    answered (a decision other than "under consideration") more than `days` ago."""
    now = now or timezone.now()
    return (
        Input.objects.filter(
            project__municipality=municipality,
            decided_at__lt=now - timedelta(days=days),
        )
        .exclude(decision=Input.Decision.UNDER_CONSIDERATION)
        .exclude(contact_email="")
        .order_by("pk")
    )


def input_retention_apply(
    *, municipality, now=None, dry_run: bool = False, days: int = INPUT_EMAIL_RETENTION_DAYS
) -> list[str]:
    """Erase the sender's email of every input answered more than `days` ago. Returns the
    references of the inputs erased (or, with `dry_run`, that would be). Each erasure sets
    `contact_erased_at`, which the audit log records; the address itself is logged nowhere."""
    due = inputs_due_for_erasure(municipality=municipality, now=now, days=days)
    references = [f"#{pk}" for pk in due.values_list("pk", flat=True)]
    if dry_run or not references:
        return references
    with transaction.atomic():
        for input in due.select_for_update():
            input_contact_erase(input=input)
    logger.info(
        "Erased the sender's email of %s inputs in %s: %s",
        len(references),
        municipality,
        ", ".join(references),
    )
    return references


def input_contact_erase(*, input: Input) -> Input:
    """Delete the sender's email (by retention, or at their request)."""
    input.contact_email = ""
    input.contact_erased_at = timezone.now()
    input.save(update_fields=["contact_email", "contact_erased_at"])
    return input
