"""The situation picture: incidents around a project by ISO week and category.

Three sources, each counted in the database (a grouped query per source, the three in one
round trip, whatever the amount of data): concerns marked as relevant for the police,
caretaker observations (not the "all calm" ones), and the facility's incident log (the
incidents that affect the neighbours). Only counts leave this module: never a concern's
text, a reporter, a place or anything else that could point to a person.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import CharField, Count, DateField, DateTimeField, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.models import Category as ConcernCategory
from naboskap.concerns.models import Concern
from naboskap.facility.models import Category as FacilityCategory
from naboskap.facility.models import Incident, Observation
from naboskap.maps import grid

SOURCES = [
    ("concerns", _("Concerns marked for the police")),
    ("observations", _("Caretaker observations")),
    ("incidents", _("The facility's incident log")),
]

MAX_DAYS = 366
DEFAULT_WEEKS = 12


@dataclass
class Week:
    monday: datetime.date
    counts: list[int]
    by_source: list[int]
    total: int = 0

    @property
    def iso(self) -> tuple[int, int]:
        year, week, _day = self.monday.isocalendar()
        return year, week


@dataclass
class Picture:
    start: datetime.date
    end: datetime.date
    categories: list[tuple[str, str]] = field(default_factory=list)
    weeks: list[Week] = field(default_factory=list)
    category_totals: list[int] = field(default_factory=list)
    source_totals: list[int] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def source_summary(self) -> list[tuple[str, int]]:
        pairs = zip(self.sources, self.source_totals, strict=True)
        return [(label, n) for (_key, label), n in pairs]

    @property
    def top(self) -> list[tuple[str, int]]:
        """The categories by count, most frequent first (those with any)."""
        pairs = zip(self.categories, self.category_totals, strict=True)
        pairs = [(label, n) for (_code, label), n in pairs]
        return sorted((p for p in pairs if p[1]), key=lambda p: -p[1])


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last twelve ISO weeks, this week included."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    return monday - datetime.timedelta(weeks=DEFAULT_WEEKS - 1), today


def _bounds(start: datetime.date, end: datetime.date):
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    return since, until.replace(tzinfo=zone)


def _week(expression):
    return TruncWeek(expression, output_field=DateField())


def picture_counts(project, start, end) -> list[tuple[str, datetime.date, str, int]]:
    """(source, week, category code, count) for the period: the three sources' grouped
    counts, in one query. Everything the picture shows is made from these rows (and the names
    of their categories)."""
    since, until = _bounds(start, end)

    def source(key):
        return Value(key, output_field=CharField())

    concerns = (
        Concern.objects.filter(project=project, police_relevant=True, merged_into__isnull=True)
        .annotate(when=Coalesce("occurred_at", "created_at", output_field=DateTimeField()))
        .filter(when__gte=since, when__lt=until)
        .annotate(source=source("concerns"), week=_week("when"))
        .values("source", "week", "category__code")
        .annotate(n=Count("pk"))
        .values_list("source", "week", "category__code", "n")
        .order_by()
    )
    observations = (
        Observation.objects.filter(
            project=project, all_calm=False, occurred_at__gte=since, occurred_at__lt=until
        )
        # An observation made a concern that is marked for the police counts once, as that.
        .exclude(concern__police_relevant=True)
        .annotate(source=source("observations"), week=_week("occurred_at"))
        .values("source", "week", "category")
        .annotate(n=Count("pk"))
        .values_list("source", "week", "category", "n")
        .order_by()
    )
    incidents = (
        Incident.objects.filter(
            project=project, affects_neighbours=True, occurred_at__gte=since, occurred_at__lt=until
        )
        .annotate(source=source("incidents"), week=_week("occurred_at"))
        .values("source", "week", "category")
        .annotate(n=Count("pk"))
        .values_list("source", "week", "category", "n")
        .order_by()
    )
    return list(concerns.union(observations, incidents, all=True))


def _counts(project, start, end) -> dict[str, dict[tuple[datetime.date, str], int]]:
    """{source: {(monday, category code): count}}."""
    counts: dict[str, dict[tuple[datetime.date, str], int]] = {key: {} for key, _label in SOURCES}
    for key, week, code, n in picture_counts(project, start, end):
        counts[key][(week, code)] = n
    return counts


def police_concerns(project, start: datetime.date, end: datetime.date):
    """The project's concerns marked for the police that happened in the period."""
    since, until = _bounds(start, end)
    return (
        Concern.objects.filter(project=project, police_relevant=True, merged_into__isnull=True)
        .annotate(when=Coalesce("occurred_at", "created_at", output_field=DateTimeField()))
        .filter(when__gte=since, when__lt=until)
    )


def area_counts(project, start: datetime.date, end: datetime.date) -> list[grid.Cell]:
    """The period's concerns for the police, counted per square of the grid
    (`SITUATION_GRID_M`): never a single point."""
    return grid.cells(police_concerns(project, start, end), settings.SITUATION_GRID_M)


def _monday(day) -> datetime.date:
    if isinstance(day, datetime.datetime):  # a backend that hands back a datetime
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day - datetime.timedelta(days=day.weekday())


def picture(project, start: datetime.date, end: datetime.date) -> Picture:
    """Incidents around the project from `start` to `end` (both included), by week and
    category, every week of the period listed (with zeros), categories that occur only."""
    counts = _counts(project, start, end)
    by_week: dict[datetime.date, Counter] = {}
    by_week_source: dict[datetime.date, Counter] = {}
    for source, rows in counts.items():
        for (week, code), n in rows.items():
            monday = _monday(week)
            by_week.setdefault(monday, Counter())[code] += n
            by_week_source.setdefault(monday, Counter())[source] += n
    codes = set().union(*(c.keys() for c in by_week.values())) if by_week else set()
    categories = _labels(project, codes)
    monday = _monday(start)
    weeks = []
    while monday <= end:
        found = by_week.get(monday, Counter())
        sources = by_week_source.get(monday, Counter())
        row = Week(
            monday=monday,
            counts=[found[code] for code, _label in categories],
            by_source=[sources[key] for key, _label in SOURCES],
        )
        row.total = sum(row.counts)
        weeks.append(row)
        monday += datetime.timedelta(weeks=1)
    result = Picture(start=start, end=end, categories=categories, weeks=weeks, sources=SOURCES)
    result.category_totals = [sum(w.counts[i] for w in weeks) for i in range(len(categories))]
    result.source_totals = [sum(w.by_source[i] for w in weeks) for i in range(len(SOURCES))]
    result.total = sum(result.source_totals)
    return result


def _labels(project, codes: set[str]) -> list[tuple[str, str]]:
    """(code, label) for the codes that occur, in the municipality's category order: the
    concern category's name where the municipality has one, else the facility's label."""
    if not codes:
        return []
    known = {
        category.code: category
        for category in ConcernCategory.objects.filter(
            municipality_id=project.municipality_id, code__in=codes
        )
    }
    facility = dict(FacilityCategory.choices)
    order = {code: position for position, code in enumerate(FacilityCategory.values)}

    def key(code):
        category = known.get(code)
        if category is not None:
            return (category.position, category.label)
        return (order.get(code, len(order)), str(facility.get(code, code)))

    return [
        (code, known[code].label if code in known else str(facility.get(code, code)))
        for code in sorted(codes, key=key)
    ]
