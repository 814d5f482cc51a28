"""Operations on the stakeholder register, interactions, assessments, the address register
and neighbour lists."""

from __future__ import annotations

from typing import BinaryIO

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from naboskap.plans import services as plan_services
from naboskap.projects.models import Project
from naboskap.stakeholders import coordinates, importer
from naboskap.stakeholders.models import (
    RADIUS_MAX_M,
    RADIUS_MIN_M,
    Address,
    AddressImport,
    Assessment,
    ContactChannel,
    ErasureLog,
    Interaction,
    NeighbourEntry,
    NeighbourList,
    Organisation,
    Person,
    Tag,
)
from naboskap.stakeholders.sources import address_source
from naboskap.tenancy.models import Municipality


def address_import(
    *,
    municipality: Municipality,
    stream: BinaryIO,
    size: int,
    filename: str,
    via: str,
    encoding: str = "utf-8",
    dry_run: bool = False,
    started_by=None,
    on_error: importer.ErrorCallback | None = None,
    on_progress: importer.ProgressCallback | None = None,
) -> AddressImport:
    """Import an address file and record what happened (also when it failed as a whole)."""
    record = AddressImport(
        municipality=municipality,
        filename=filename[:255],
        via=via,
        started_by=started_by,
        outcome=AddressImport.Outcome.FAILED,
    )
    try:
        report = importer.import_addresses(
            municipality=municipality,
            stream=stream,
            size=size,
            encoding=encoding,
            dry_run=dry_run,
            on_error=on_error,
            on_progress=on_progress,
        )
    except importer.ImportFailed as exc:
        record.failure = str(exc)
    else:
        record.outcome = AddressImport.Outcome.DRY_RUN if dry_run else AddressImport.Outcome.DONE
        record.rows = report.rows
        record.created = report.created
        record.updated = report.updated
        record.other_municipality = report.other_municipality
        record.error_count = report.error_count
        record.errors = [list(error) for error in report.errors]
    record.finished_at = timezone.now()
    record.save()
    return record


def check_radius(radius_m: int) -> None:
    if not RADIUS_MIN_M <= radius_m <= RADIUS_MAX_M:
        raise ValidationError(
            _("The radius must be between %(min)s and %(max)s metres.")
            % {"min": RADIUS_MIN_M, "max": f"{RADIUS_MAX_M:,}".replace(",", "\u00a0")}
        )


def check_site(project: Project) -> None:
    if project.latitude is None or project.longitude is None:
        raise ValidationError(
            _(
                "The project has no coordinates. Set its latitude and longitude on the "
                "project (Edit project) to compute the neighbour list."
            )
        )


def neighbour_list_compute(*, project: Project, radius_m: int, by=None) -> NeighbourList:
    """Find the addresses within `radius_m` of the project's site. Addresses added by hand
    stay on the list, and addresses removed by hand stay removed; other addresses that are no
    longer within the radius leave it."""
    check_site(project)
    check_radius(radius_m)
    latitude, longitude = float(project.latitude), float(project.longitude)
    found = address_source().within(
        municipality=project.municipality,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
    )
    with transaction.atomic():
        neighbour_list, _created = NeighbourList.objects.select_for_update().get_or_create(
            project=project,
            defaults={
                "radius_m": radius_m,
                "centre_latitude": latitude,
                "centre_longitude": longitude,
            },
        )
        existing = {entry.address_id: entry for entry in neighbour_list.entries.all()}
        distance = {address.pk: d for address, d in found}
        new = [
            NeighbourEntry(neighbour_list=neighbour_list, address=address, distance_m=d)
            for address, d in found
            if address.pk not in existing
        ]
        gone = [
            entry.pk
            for address_id, entry in existing.items()
            if address_id not in distance and not entry.added_by_hand and not entry.removed
        ]
        kept = [entry for address_id, entry in existing.items() if entry.pk not in set(gone)]
        _update_distances(kept, distance, latitude, longitude)
        NeighbourEntry.objects.filter(pk__in=gone).delete()
        NeighbourEntry.objects.bulk_create(new)
        neighbour_list.radius_m = radius_m
        neighbour_list.centre_latitude = latitude
        neighbour_list.centre_longitude = longitude
        neighbour_list.computed_at = timezone.now()
        neighbour_list.computed_by = by
        neighbour_list.save()
    return neighbour_list


def _update_distances(entries, known: dict[int, float], latitude: float, longitude: float):
    """The distances of kept entries from the (perhaps moved) centre."""
    unknown = [entry for entry in entries if entry.address_id not in known]
    if unknown:
        addresses = Address.objects.in_bulk([entry.address_id for entry in unknown])
        distances = coordinates.distances_m(
            latitude,
            longitude,
            [addresses[e.address_id].latitude for e in unknown],
            [addresses[e.address_id].longitude for e in unknown],
        )
        known = {**known, **{e.address_id: d for e, d in zip(unknown, distances, strict=True)}}
    changed = []
    for entry in entries:
        if entry.distance_m != known[entry.address_id]:
            entry.distance_m = known[entry.address_id]
            changed.append(entry)
    NeighbourEntry.objects.bulk_update(changed, ["distance_m"])


def neighbour_entry_add(*, neighbour_list: NeighbourList, address: Address) -> NeighbourEntry:
    """Add an address by hand (or put a removed one back)."""
    if address.municipality_id != neighbour_list.project.municipality_id:
        raise ValidationError(_("The address is not in the project's municipality."))
    with transaction.atomic():
        entry = (
            NeighbourEntry.objects.select_for_update()
            .filter(neighbour_list=neighbour_list, address=address)
            .first()
        )
        if entry is not None:
            if entry.removed:
                entry.removed = False
                entry.save(update_fields=["removed"])
            return entry
        [distance] = coordinates.distances_m(
            neighbour_list.centre_latitude,
            neighbour_list.centre_longitude,
            [address.latitude],
            [address.longitude],
        )
        entry = NeighbourEntry(
            neighbour_list=neighbour_list, address=address, distance_m=distance, added_by_hand=True
        )
        entry.full_clean()
        entry.save()
        return entry


def neighbour_entry_remove(*, entry: NeighbourEntry) -> None:
    """Take an address off the list. One found by the radius is kept as removed, so a
    recomputation does not bring it back; one added by hand is simply deleted."""
    if entry.added_by_hand:
        entry.delete()
    else:
        entry.removed = True
        entry.save(update_fields=["removed"])


def neighbour_entry_restore(*, entry: NeighbourEntry) -> None:
    entry.removed = False
    entry.save(update_fields=["removed"])


# The stakeholder register ------------------------------------------------------------------


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
