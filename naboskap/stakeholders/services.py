"""Operations on neighbour lists."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from naboskap.maps import coordinates
from naboskap.projects.models import Project
from naboskap.stakeholders.models import (
    RADIUS_MAX_M,
    RADIUS_MIN_M,
    Address,
    NeighbourEntry,
    NeighbourList,
)
from naboskap.stakeholders.selectors import MAP_POINTS
from naboskap.stakeholders.sources import address_source


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


def neighbour_list_preview(*, project: Project, radius_m: int) -> tuple[int, list[tuple]]:
    """What computing the list with `radius_m` would find, without saving it: how many
    addresses, and the positions of the nearest (at most `selectors.MAP_POINTS`) for the map."""
    check_site(project)
    check_radius(radius_m)
    found = address_source().within(
        municipality=project.municipality,
        latitude=float(project.latitude),
        longitude=float(project.longitude),
        radius_m=radius_m,
    )
    points = [(a.latitude, a.longitude) for a, _distance in found[:MAP_POINTS]]
    return len(found), points


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
