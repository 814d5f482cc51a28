"""Reads about neighbour lists that several pages (and the letter run) share."""

from django.db.models import QuerySet

from naboskap.stakeholders.models import (
    NeighbourEntry,
    NeighbourList,
)


def neighbour_entries(neighbour_list: NeighbourList) -> QuerySet[NeighbourEntry]:
    """The addresses on the list (not removed by hand), nearest first: what letters go to."""
    return (
        neighbour_list.entries.filter(removed=False)
        .select_related("address")
        .order_by("distance_m", "address__street", "address__number", "address__letter", "pk")
    )


# A map draws at most this many of a list's addresses (a preview too); counts are whole.
MAP_POINTS = 2000


def neighbour_points(neighbour_list: NeighbourList) -> list[tuple[float, float]]:
    """Where the list's addresses are, nearest first (at most MAP_POINTS): for its map."""
    entries = neighbour_entries(neighbour_list)[:MAP_POINTS]
    return list(entries.values_list("address__latitude", "address__longitude"))


def removed_entries(neighbour_list: NeighbourList) -> QuerySet[NeighbourEntry]:
    return (
        neighbour_list.entries.filter(removed=True)
        .select_related("address")
        .order_by("address__street", "address__number", "address__letter", "pk")
    )
