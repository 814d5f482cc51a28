"""The periodic job of what works (naboskap.scheduling.jobs): every effect made again, so
that windows move on with the days even when nothing new arrives."""

from naboskap.scheduling.jobs import Counts
from naboskap.whatworks import barometer
from naboskap.whatworks.services import compute_effects


def compute_all(counts: Counts) -> None:
    counts.add("effects", count=compute_effects())


def compute_barometer(counts: Counts) -> None:
    """The trust barometer of every project that is not closed, this month and the last
    (a month's reading made after it ended is kept); then the coordinators of projects whose
    barometer fell two months in a row are told, once per month (`barometer`)."""
    barometer.update_readings(counts=counts)
    barometer.notify_falling(counts=counts)
