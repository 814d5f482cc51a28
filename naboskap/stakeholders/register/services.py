"""Operations on the stakeholder register, interactions and assessments."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from naboskap.plans import services as plan_services
from naboskap.projects.models import Project
from naboskap.stakeholders.models import (
    Assessment,
    ContactChannel,
    ErasureLog,
    Interaction,
    Organisation,
    Person,
    Tag,
)
from naboskap.tenancy.models import Municipality


def _check_projects(municipality: Municipality, projects) -> None:
    if any(project.municipality_id != municipality.pk for project in projects):
        raise ValidationError(_("The projects must belong to the municipality."))


def tags_from_names(*, municipality: Municipality, names) -> list[Tag]:
    """The municipality's tags with these names, created when new. Names are trimmed and
    compared without regard to case; empty ones are ignored."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join(str(name).split())[: Tag._meta.get_field("name").max_length]
        if name:
            wanted.setdefault(name.casefold(), name)
    if not wanted:
        return []
    existing = {
        tag.name.casefold(): tag
        for tag in Tag.objects.filter(municipality=municipality)
        if tag.name.casefold() in wanted
    }
    tags = []
    for key, name in wanted.items():
        tag = existing.get(key)
        if tag is None:
            tag = Tag.objects.create(municipality=municipality, name=name)
        tags.append(tag)
    return tags


def _save_stakeholder(obj, *, tags, projects) -> None:
    """Save an organisation or person; `tags` are Tag objects or names (new names are
    created), `projects` the projects it concerns. None leaves them as they are."""
    obj.full_clean()
    obj.save()
    if tags is not None:
        names = [tag for tag in tags if isinstance(tag, str)]
        if names:
            tags = [tag for tag in tags if not isinstance(tag, str)] + tags_from_names(
                municipality=obj.municipality, names=names
            )
        if any(tag.municipality_id != obj.municipality_id for tag in tags):
            raise ValidationError(_("The tags must belong to the municipality."))
        obj.tags.set(tags)
    if projects is not None:
        _check_projects(obj.municipality, projects)
        obj.projects.set(projects)


@transaction.atomic
def organisation_create(
    *, municipality: Municipality, tags=(), projects=(), **fields
) -> Organisation:
    organisation = Organisation(municipality=municipality, **fields)
    _save_stakeholder(organisation, tags=list(tags), projects=list(projects))
    return organisation


@transaction.atomic
def organisation_edit(*, organisation: Organisation, tags=None, projects=None, **fields):
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name, value in fields.items():
        setattr(organisation, name, value)
    _save_stakeholder(
        organisation,
        tags=None if tags is None else list(tags),
        projects=None if projects is None else list(projects),
    )
    return organisation


def _check_person(person: Person) -> None:
    if person.organisation_id and person.organisation.municipality_id != person.municipality_id:
        raise ValidationError(_("The organisation must belong to the municipality."))
    if not person.organisation_id:
        person.role = ""
    if person.lawful_basis == Person.LawfulBasis.CONSENT and not person.consent_given_on:
        raise ValidationError(
            {"consent_given_on": _("Give the date of the consent when consent is the basis.")}
        )
    channels = set(ContactChannel.values)
    if not isinstance(person.preferred_channels, list) or any(
        c not in channels for c in person.preferred_channels
    ):
        raise ValidationError({"preferred_channels": _("Choose channels from the list.")})


@transaction.atomic
def person_create(*, municipality: Municipality, tags=(), projects=(), **fields) -> Person:
    person = Person(municipality=municipality, **fields)
    _check_person(person)
    _save_stakeholder(person, tags=list(tags), projects=list(projects))
    return person


@transaction.atomic
def person_edit(*, person: Person, tags=None, projects=None, **fields) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    for name, value in fields.items():
        setattr(person, name, value)
    _check_person(person)
    _save_stakeholder(
        person,
        tags=None if tags is None else list(tags),
        projects=None if projects is None else list(projects),
    )
    return person


@transaction.atomic
def person_erase(*, person: Person, by, reason: str) -> ErasureLog:
    """Erase a person on request: the row, their assessments and the audit log's record of
    them go; the interactions they took part in stay, without them. What remains is an
    `ErasureLog` row saying who erased someone, when and why."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the person is erased (e.g. their request).")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    kept = person.interactions.count()
    log = ErasureLog(municipality_id=person.municipality_id, erased_by=by, reason=reason)
    log.interactions_kept = kept
    log.full_clean()
    pk = person.pk
    assessment_pks = [str(a) for a in person.assessments.values_list("pk", flat=True)]
    person.interactions.clear()
    person.assessments.all().delete()
    person.delete()
    # The audit log keeps each field of a deleted row (and the name in an assessment's);
    # those are the personal data.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_pk=str(pk)
    ).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Assessment), object_pk__in=assessment_pks
    ).delete()
    log.save()
    return log


@transaction.atomic
def interaction_log(
    *,
    project: Project,
    user,
    channel: str,
    direction: str,
    summary: str,
    occurred_on=None,
    organisations=(),
    persons=(),
    needs_follow_up: bool = False,
) -> Interaction:
    """Log a contact with stakeholders in a project. The organisations and persons involved
    are linked to the project, and "needs follow-up" puts a measure on the project's plan
    with the interaction as its source."""
    organisations, persons = list(organisations), list(persons)
    if any(o.municipality_id != project.municipality_id for o in organisations) or any(
        p.municipality_id != project.municipality_id for p in persons
    ):
        raise ValidationError(_("The stakeholders must belong to the project's municipality."))
    interaction = Interaction(
        project=project,
        channel=channel,
        direction=direction,
        summary=summary.strip(),
        occurred_on=occurred_on or timezone.localdate(),
        needs_follow_up=needs_follow_up,
        created_by=user,
    )
    interaction.full_clean()
    if interaction.occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("An interaction cannot be in the future.")})
    interaction.save()
    interaction.organisations.set(organisations)
    interaction.persons.set(persons)
    for organisation in organisations:
        organisation.projects.add(project)
    for person in persons:
        person.projects.add(project)
    if needs_follow_up:
        _follow_up(interaction, user)
    return interaction


def _follow_up(interaction: Interaction, user):
    title = _("Follow up: %(summary)s") % {
        "summary": Truncator(" ".join(interaction.summary.split())).chars(150)
    }
    try:
        return plan_services.measure_create(
            project=interaction.project,
            created_by=user,
            title=title,
            owner_unit=interaction.project.responsible_unit,
            responsible=user,
            interaction=interaction,
            description=interaction.summary,
        )
    except plan_services.PlanError as exc:
        raise ValidationError(str(exc)) from exc


@transaction.atomic
def assessment_add(
    *,
    project: Project,
    created_by,
    influence: int,
    affected: int,
    stance: str,
    organisation: Organisation | None = None,
    person: Person | None = None,
    main_concerns: str = "",
    assessed_on=None,
) -> Assessment:
    """A new dated assessment of how a stakeholder stands towards the project (earlier ones
    are kept)."""
    if (organisation is None) == (person is None):
        raise ValidationError(_("Assess either an organisation or a person."))
    stakeholder = organisation or person
    if stakeholder.municipality_id != project.municipality_id:
        raise ValidationError(_("The stakeholder must belong to the project's municipality."))
    assessment = Assessment(
        project=project,
        organisation=organisation,
        person=person,
        influence=influence,
        affected=affected,
        stance=stance,
        main_concerns=main_concerns.strip(),
        assessed_on=assessed_on or timezone.localdate(),
        created_by=created_by,
    )
    assessment.full_clean()
    if assessment.assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be in the future.")})
    assessment.save()
    stakeholder.projects.add(project)
    return assessment
