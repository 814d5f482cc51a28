"""What works: the observed effect of the measures that are done (ADR 0034).

`compute_effects` counts, for each done measure, what happened in the window before the day
it was done and in the window after (the municipality's `window_days`, 90 by default):

- concerns in the categories it addresses (its own, and its source concern's) and about the
  unwanted events it addresses (every revision of the event), merged duplicates left out;
- the neighbour survey's mean score per response, in the project's rounds;
- members present per meeting of the project's councils;

with 95 % intervals (`statistics`), and what else happened in the project in those windows
(other measures done, phase changes), since the measure is never claimed to have caused the
change. The worker runs it every hour for everything and after each new concern or changed
measure for that project; it reads each table once whatever the number of measures.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from naboskap.concerns.models import Category, Concern
from naboskap.insights.models import Response
from naboskap.meetings.models import Attendance, Meeting
from naboskap.plans.models import Measure
from naboskap.projects.models import PhaseChange
from naboskap.whatworks import statistics
from naboskap.whatworks.models import Effect, Settings

logger = logging.getLogger(__name__)

# The after window is too short to say anything before this many days have passed.
SHORTEST_AFTER_DAYS = 14


def compute_effects(*, project_ids: list[int] | None = None, today: date | None = None) -> int:
    """Make the effect of every done measure again (of these projects, or of all), and
    delete the effects of measures that are no longer done. Returns how many were made."""
    today = today or timezone.localdate()
    measures = list(
        Measure.objects.filter(status=Measure.Status.DONE, done_on__isnull=False)
        .filter(**({"project_id__in": project_ids} if project_ids is not None else {}))
        .select_related("project", "concern", "unwanted_event")
        .prefetch_related("categories")
        .order_by("pk")
    )
    stale = Effect.objects.exclude(measure__status=Measure.Status.DONE)
    if project_ids is not None:
        stale = stale.filter(measure__project_id__in=project_ids)
    stale.delete()
    if not measures:
        return 0
    chosen = Settings.objects.filter(
        municipality_id__in={measure.project.municipality_id for measure in measures}
    )
    settings_of = defaultdict(Settings, {row.municipality_id: row for row in chosen})
    window_of = {m.pk: settings_of[m.project.municipality_id].window_days for m in measures}
    projects = sorted({measure.project_id for measure in measures})
    start = min(m.done_on - timedelta(days=window_of[m.pk]) for m in measures)
    data = _ProjectData(projects, start)
    now = timezone.now()
    effects = []
    for measure in measures:
        effect = _effect(measure, settings_of[measure.project.municipality_id], data, today)
        if effect is not None:
            effect.computed_at = now
            effects.append(effect)
    addressing = [effect.measure_id for effect in effects]
    with transaction.atomic():
        # A measure that addresses nothing any more has no effect to show.
        Effect.objects.filter(measure__in=[m.pk for m in measures]).exclude(
            measure__in=addressing
        ).delete()
        Effect.objects.bulk_create(
            effects,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["measure"],
            update_fields=[
                f.name for f in Effect._meta.concrete_fields if f.name not in ("id", "measure")
            ],
        )
    return len(effects)


def _effect(measure: Measure, settings: Settings, data: _ProjectData, today: date) -> Effect | None:
    categories = {category.pk for category in measure.categories.all()}
    if measure.concern is not None and measure.concern.category_id:
        categories.add(measure.concern.category_id)
    lineages = {measure.unwanted_event.lineage} if measure.unwanted_event else set()
    if not categories and not lineages:
        return None
    done, window = measure.done_on, settings.window_days
    before_from, after_to = done - timedelta(days=window), done + timedelta(days=window)
    after_days = max(0, min(window, (today - done).days))
    concerns_before = concerns_after = 0
    rows = data.concerns[measure.project_id]
    first = bisect_left(rows, (before_from,))
    last = bisect_left(rows, (min(after_to, today),))
    for day, category, lineage in rows[first:last]:
        if category not in categories and lineage not in lineages:
            continue
        if day < done:
            concerns_before += 1
        else:
            concerns_after += 1
    too_little = (
        after_days < SHORTEST_AFTER_DAYS
        or concerns_before + concerns_after < settings.minimum_concerns
    )
    ratio = (
        None
        if too_little
        else statistics.rate_ratio(concerns_after, concerns_before, after_days, window)
    )
    survey_before = data.survey(measure.project_id, before_from, done)
    survey_after = data.survey(measure.project_id, done, min(after_to, today))
    change = statistics.mean_difference(survey_after, survey_before)
    council_before = data.council(measure.project_id, before_from, done)
    council_after = data.council(measure.project_id, done, min(after_to, today))
    return Effect(
        measure=measure,
        done_on=done,
        window_days=window,
        after_days=after_days,
        concerns_before=concerns_before,
        concerns_after=concerns_after,
        ratio=ratio.value if ratio else None,
        ratio_low=ratio.low if ratio else None,
        ratio_high=ratio.high if ratio else None,
        too_little_data=too_little or ratio is None,
        survey_before=_mean(survey_before),
        survey_after=_mean(survey_after),
        survey_responses_before=len(survey_before),
        survey_responses_after=len(survey_after),
        survey_change_low=change.low if change else None,
        survey_change_high=change.high if change else None,
        council_meetings_before=len(council_before),
        council_meetings_after=len(council_after),
        council_present_before=sum(council_before),
        council_present_after=sum(council_after),
        meanwhile=data.meanwhile(measure, before_from, min(after_to, today)),
        category_codes=sorted(data.category_codes(categories)),
        event_titles=[measure.unwanted_event.title] if measure.unwanted_event else [],
    )


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


class _ProjectData:
    """What the effects of these projects' measures are counted from, read once: one query
    per table, whatever the number of measures."""

    def __init__(self, project_ids: list[int], start: date) -> None:
        since = timezone.make_aware(datetime.combine(start, datetime.min.time()))
        # Each project's concerns as (day, category, event lineage), by day: a measure's
        # windows are found by bisection.
        self.concerns: dict[int, list[tuple[date, int | None, object]]] = defaultdict(list)
        zone = timezone.get_current_timezone()
        rows = (
            Concern.objects.filter(
                project_id__in=project_ids, created_at__gte=since, merged_into__isnull=True
            )
            .values_list("project_id", "created_at", "category_id", "unwanted_event__lineage")
            .order_by("created_at")
        )
        for project_id, created_at, category_id, lineage in rows.iterator(chunk_size=5000):
            day = created_at.astimezone(zone).date()
            self.concerns[project_id].append((day, category_id, lineage))
        # Each response's mean score, by project and day.
        self._responses: dict[int, list[tuple[date, float]]] = defaultdict(list)
        responses = (
            Response.objects.filter(round__project_id__in=project_ids, submitted_on__gte=start)
            .annotate(score=Avg("answers__value"))
            .filter(score__isnull=False)
            .values_list("round__project_id", "submitted_on", "score")
            .order_by("submitted_on")
        )
        for project_id, day, score in responses.iterator(chunk_size=5000):
            self._responses[project_id].append((day, float(score)))
        # Members present at each council meeting held, by project and day.
        self._meetings: dict[int, list[tuple[date, int]]] = defaultdict(list)
        meetings = (
            Meeting.objects.filter(
                project_id__in=project_ids,
                kind=Meeting.Kind.COUNCIL,
                starts_at__gte=since,
                starts_at__lt=timezone.now(),
            )
            .annotate(
                present=Count(
                    "attendances", filter=Q(attendances__status=Attendance.Status.PRESENT)
                )
            )
            .values_list("project_id", "starts_at", "present")
            .order_by("starts_at")
        )
        for project_id, starts_at, present in meetings:
            self._meetings[project_id].append((timezone.localdate(starts_at), present))
        self._done: dict[int, list[tuple[date, int, str]]] = defaultdict(list)
        done = Measure.objects.filter(
            project_id__in=project_ids, status=Measure.Status.DONE, done_on__gte=start
        ).values_list("project_id", "done_on", "pk", "title")
        for project_id, day, pk, title in done.order_by("done_on", "pk"):
            self._done[project_id].append((day, pk, title))
        self._phases: dict[int, list[tuple[date, str]]] = defaultdict(list)
        phases = PhaseChange.objects.filter(
            project_id__in=project_ids, changed_at__gte=since
        ).values_list("project_id", "changed_at", "to_phase")
        for project_id, changed_at, phase in phases.order_by("changed_at"):
            self._phases[project_id].append((timezone.localdate(changed_at), phase))
        self._codes = dict(Category.objects.values_list("pk", "code"))

    def category_codes(self, category_ids: set[int]) -> set[str]:
        return {self._codes[pk] for pk in category_ids if pk in self._codes}

    def survey(self, project_id: int, start: date, end: date) -> list[float]:
        rows = self._responses.get(project_id, [])
        first = bisect_left(rows, (start,))
        last = bisect_left(rows, (end,))
        return [score for _day, score in rows[first:last]]

    def council(self, project_id: int, start: date, end: date) -> list[int]:
        rows = self._meetings.get(project_id, [])
        first = bisect_left(rows, (start,))
        last = bisect_left(rows, (end,))
        return [present for _day, present in rows[first:last]]

    def meanwhile(self, measure: Measure, start: date, end: date) -> list[dict]:
        found = [
            {"date": day.isoformat(), "kind": "measure", "what": title, "measure": pk}
            for day, pk, title in self._done.get(measure.project_id, [])
            if start <= day <= end and pk != measure.pk
        ]
        found += [
            {"date": day.isoformat(), "kind": "phase", "what": phase}
            for day, phase in self._phases.get(measure.project_id, [])
            if start <= day <= end
        ]
        return sorted(found, key=lambda item: item["date"])
