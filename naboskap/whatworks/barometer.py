"""The trust barometer (issue 25): one indicator per project and calendar month, made of
parts a coordinator can read, each with its own figure.

Each part scores 0–100, or has no score (None) when there is nothing to judge that month:

survey
    The neighbour safety survey: the mean answer (1–5) on the agree/disagree questions of the
    newest round that had opened by the reading's day (`as_of`), counting the responses
    submitted by then, and only a round with at least MIN_GROUP_SIZE responses (as the
    results page). Score = (mean − 1) / 4 × 100: 1 gives 0, 3 gives 50, 5 gives 100. The
    round before it is kept beside it, for the trend.
concerns
    Concerns against what the ROS analysis expected. "Expected" is read off the analysis's
    own scale, as the risk pages compare observed and assessed (docs/risk.md): an event
    assessed at probability level p is expected *at most* as often as level p + 1 starts
    ("observed per year from"), since from there on the risk pages flag it "re-assess". The
    expected number for the month is that yearly ceiling summed over the events of the
    project's current analyses (the newest revision of each, as the risk pages take them),
    divided by 365 and times the days of the month counted. The observed number is the
    concerns received in those days that are linked to one of those events (any revision
    of it), cancelled ones and merged duplicates left out. Score = 100 when observed ≤
    expected, else 100 × expected / observed (twice as many as expected gives 50). Events
    with no assessed probability, on a scale without those numbers, or at the scale's top
    level (nothing is more often than that) are not compared; with no event compared there
    is no score. Concerns linked to no event are shown beside it, not scored: the analysis
    said nothing about them.
answers
    Answers on time: the concerns whose answer was due in the month (up to `as_of`), and how
    many got their first answer by that day, as the dashboard counts deadlines kept
    (insights.metrics.deadlines): a concern due today and not yet answered is not counted
    yet. Score = on time / due × 100.
promises
    Promises (measures) kept: the measures open on `as_of` (created by then, neither done
    by then nor cancelled) and how many of them were past their due date. Score = 100 ×
    (open − overdue) / open; no open measure, no score.
council
    Council activity: each council (a body of the project) that is due to have met, that
    is, it met within its own "longest time between meetings" up to `as_of` or has existed
    that long (the council's health warning uses the same interval). A council that has not
    met scores 0; one that has, the share of attendance recorded at those meetings that was
    present (100 when none was recorded). The part's score is the mean over the councils.

The total is the parts' scores weighted by the municipality's weights (`Settings`, 30/20/
20/20/10 by default), over the parts that have a score: a part without data does not pull
the total down, the others' weights are scaled up to fill its share. Scores and total are
whole numbers, and the reading keeps the weights it was made with.

`update_readings` makes the readings of the current and the previous month every night
(the `trust_barometer` job at 05:40, before the status reports at 06:00, so that a report
made on the first of a month finds the month just ended complete), or more months on a
first run (`manage.py compute_barometer --months 12`), for every project that is not closed,
in a fixed number of queries whatever the number of projects, concerns, measures or
meetings, and stores them with one upsert. A month's reading made after the month ended is
complete (`as_of` is its last day) and is kept as it is; the current month's is made again
at each run. `notify_falling` then tells a project's coordinators, once per month, when the
total of each of the last three complete months was lower than the one before: it fell for
two periods in a row.
"""

from __future__ import annotations

import calendar
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

import rules
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from naboskap.concerns.models import Concern
from naboskap.concerns.workflow import Status as ConcernStatus
from naboskap.insights.models import Answer, Question
from naboskap.lib.anonymity import MIN_GROUP_SIZE
from naboskap.meetings.models import Attendance, Body, Meeting
from naboskap.meetings.selectors import months_before
from naboskap.outbox import services as outbox
from naboskap.plans.models import Measure
from naboskap.plans.selectors import OPEN_STATUSES as OPEN_MEASURE
from naboskap.projects.models import Phase, Project
from naboskap.risk.models import Analysis, ProbabilityLevel, UnwantedEvent
from naboskap.tenancy.models import Role
from naboskap.tenancy.selectors import recipients_by_language
from naboskap.whatworks.models import BAROMETER_PARTS, BarometerReading, Settings

logger = logging.getLogger(__name__)

MONTHS = 2  # the current month and the one before, at each run
LONGEST_COUNCIL_INTERVAL = 24  # months (meetings.Body's check constraint)
FALLING_KIND = "barometer_falling"


# Months ----------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _as_date(value) -> date:
    """A truncated month as a date (TruncMonth gives a datetime on a DateTimeField)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


# The parts -------------------------------------------------------------------------------


@dataclass
class Part:
    """What the page says of a part: its key, name and how it is scored."""

    key: str
    label: str
    meaning: str


def parts() -> list[Part]:
    """The parts in their order, in the active language."""
    texts = {
        "survey": (
            _("Survey trend"),
            _(
                "The neighbour safety survey: the mean answer (1 to 5) of the newest round "
                "with at least %(min)d responses. A mean of 1 gives 0, 3 gives 50 and 5 "
                "gives 100."
            )
            % {"min": MIN_GROUP_SIZE},
        ),
        "concerns": (
            _("Concerns against the risk analysis"),
            _(
                "Concerns about the unwanted events of the risk analysis, against the most "
                "the analysis expects: each event at most as often as the next probability "
                "level up starts. As many as expected or fewer gives 100, twice as many "
                "gives 50. Concerns linked to no event are shown but not scored."
            ),
        ),
        "answers": (
            _("Answers on time"),
            _(
                "Of the concerns whose answer was due in the month, the share answered by "
                "the deadline."
            ),
        ),
        "promises": (
            _("Promises kept"),
            _(
                "Of the measures open at the end of the month, the share that was not past "
                "its due date."
            ),
        ),
        "council": (
            _("Council activity"),
            _(
                "Each council that has not met within its agreed longest time between "
                "meetings gives 0; one that has, the share of members recorded as present. "
                "The mean over the councils."
            ),
        ),
    }
    return [Part(key, *texts[key]) for key in BAROMETER_PARTS]


def weighted_total(scores: dict[str, int | None], weights: dict[str, int]) -> int | None:
    """The scores weighted over the parts that have one; None when none has (or every such
    part weighs nothing)."""
    counted = [(weights.get(key, 0), score) for key, score in scores.items() if score is not None]
    weight = sum(w for w, _score in counted)
    if not weight:
        return None
    return round(sum(w * score for w, score in counted) / weight)


def _percent(part: float, whole: float) -> int:
    return round(100 * part / whole)


def concerns_score(observed: int, expected: float) -> int:
    if observed <= expected:
        return 100
    return _percent(expected, observed)


def survey_score(mean: float) -> int:
    return round((mean - 1) / 4 * 100)


@dataclass
class PartFigure:
    """A part of one reading, for a page: its score, its figure in words and how much it
    counted in that reading's total (its share of the weights of the parts with a score)."""

    key: str
    label: str
    meaning: str
    score: int | None
    figure: str
    weight: int  # as set when the reading was made
    share: int | None  # percent of the total; None when the part has no score


def _number(value: float, decimals: int = 1) -> str:
    return formats.number_format(value, decimals, use_l10n=True)


def _figure(reading: BarometerReading, key: str) -> str:
    r = reading
    if key == "survey":
        if r.survey_score is None:
            return _("No survey round with at least %(min)d responses yet.") % {
                "min": MIN_GROUP_SIZE
            }
        text = ngettext(
            "Mean answer %(mean)s of 5 from %(count)d response (%(round)s).",
            "Mean answer %(mean)s of 5 from %(count)d responses (%(round)s).",
            r.survey_responses,
        ) % {"mean": _number(r.survey_mean), "count": r.survey_responses, "round": r.survey_round}
        if r.survey_previous_mean is not None:
            text += " " + _("The round before: %(mean)s.") % {
                "mean": _number(r.survey_previous_mean)
            }
        return text
    if key == "concerns":
        if r.concerns_score is None:
            text = _(
                "No unwanted event to compare with: none has an assessed probability below "
                "the top level on a scale with frequencies."
            )
        else:
            text = ngettext(
                "%(count)d concern about the analysis's events; it expects at most "
                "%(expected)s in these days.",
                "%(count)d concerns about the analysis's events; it expects at most "
                "%(expected)s in these days.",
                r.concerns_observed,
            ) % {"count": r.concerns_observed, "expected": _number(r.concerns_expected)}
        if r.concerns_unlinked:
            text += " " + ngettext(
                "%(count)d concern was linked to no event.",
                "%(count)d concerns were linked to no event.",
                r.concerns_unlinked,
            ) % {"count": r.concerns_unlinked}
        return text
    if key == "answers":
        if r.answers_score is None:
            return _("No concern had its answer due this month.")
        return ngettext(
            "%(on_time)d of %(count)d concern due was answered on time.",
            "%(on_time)d of %(count)d concerns due were answered on time.",
            r.answers_due,
        ) % {"on_time": r.answers_on_time, "count": r.answers_due}
    if key == "promises":
        if r.promises_score is None:
            return _("No open measures.")
        return ngettext(
            "%(overdue)d of %(count)d open measure was past its due date.",
            "%(overdue)d of %(count)d open measures were past their due date.",
            r.promises_open,
        ) % {"overdue": r.promises_overdue, "count": r.promises_open}
    if r.council_score is None:
        return _("No council is due to have met yet.")
    text = ngettext(
        "%(met)d of %(count)d council met within its agreed interval.",
        "%(met)d of %(count)d councils met within their agreed interval.",
        r.council_bodies,
    ) % {"met": r.council_bodies_met, "count": r.council_bodies}
    if r.council_recorded:
        text += " " + ngettext(
            "%(present)d of %(count)d attendance recorded was present.",
            "%(present)d of %(count)d attendances recorded were present.",
            r.council_recorded,
        ) % {"present": r.council_present, "count": r.council_recorded}
    return text


def describe(reading: BarometerReading) -> list[PartFigure]:
    """Each part of the reading with its figure in words, in the active language."""
    weights = reading.weights or {}
    counted = sum(weights.get(key, 0) for key in BAROMETER_PARTS if reading.score(key) is not None)
    return [
        PartFigure(
            key=part.key,
            label=part.label,
            meaning=part.meaning,
            score=reading.score(part.key),
            figure=_figure(reading, part.key),
            weight=weights.get(part.key, 0),
            share=(
                _percent(weights.get(part.key, 0), counted)
                if counted and reading.score(part.key) is not None
                else None
            ),
        )
        for part in parts()
    ]


# What the readings are counted from ------------------------------------------------------


@dataclass
class _Round:
    opens_on: date
    pk: int
    title: str
    # (day, responses, sum of answers, answers) per day of submission
    days: list


class _Data:
    """Everything the readings of these projects in these months are made from, one query
    per table (plus one for the settings)."""

    def __init__(self, projects: list[Project], months: list[date], today: date) -> None:
        ids = [project.pk for project in projects]
        self.today = today
        first = months[0]
        since, until = _midnight(first), _midnight(today + timedelta(days=1))
        chosen = Settings.objects.filter(
            municipality_id__in={project.municipality_id for project in projects}
        )
        self.settings = defaultdict(Settings, {row.municipality_id: row for row in chosen})
        self._events(ids)
        # Concerns received, by project, month and the lineage of the event they are about.
        self.received: dict = defaultdict(int)
        rows = (
            Concern.objects.filter(project_id__in=ids, created_at__gte=since, created_at__lt=until)
            .exclude(status=ConcernStatus.CANCELLED)
            .annotate(month=TruncMonth("created_at"))
            .values_list("project_id", "month", "unwanted_event__lineage")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for project_id, month, lineage, n in rows:
            self.received[project_id, _as_date(month), lineage] += n
        # Answers due, by project and month (insights.metrics.deadlines' definitions).
        self.answers: dict = {}
        rows = (
            Concern.objects.filter(project_id__in=ids, answer_due__gte=first, answer_due__lte=today)
            .exclude(status=ConcernStatus.CANCELLED)
            .annotate(month=TruncMonth("answer_due"))
            .values_list("project_id", "month")
            .annotate(
                due=Count(
                    "pk", filter=Q(first_answered_on__isnull=False) | Q(answer_due__lt=today)
                ),
                on_time=Count("pk", filter=Q(first_answered_on__lte=F("answer_due"))),
            )
            .order_by()
        )
        for project_id, month, due, on_time in rows:
            self.answers[project_id, _as_date(month)] = (due, on_time)
        # Measures open and overdue on each month's day, by project: one row per project.
        self.promises: dict = {}
        counts = {}
        for i, month in enumerate(months):
            day = self.as_of(month)
            open_then = Q(created_at__lt=_midnight(day + timedelta(days=1))) & (
                Q(status__in=OPEN_MEASURE) | Q(status=Measure.Status.DONE, done_on__gt=day)
            )
            counts[f"open_{i}"] = Count("pk", filter=open_then)
            counts[f"overdue_{i}"] = Count("pk", filter=open_then & Q(due_date__lt=day))
        rows = (
            Measure.objects.filter(project_id__in=ids)
            .exclude(status=Measure.Status.CANCELLED)
            .values("project_id")
            .annotate(**counts)
            .order_by()
        )
        for row in rows:
            for i, month in enumerate(months):
                self.promises[row["project_id"], month] = (row[f"open_{i}"], row[f"overdue_{i}"])
        self._survey(ids, today)
        self._council(ids, months)

    def as_of(self, month: date) -> date:
        return min(month_end(month), self.today)

    def _events(self, ids: list[int]) -> None:
        """The yearly ceiling of each comparable event of the projects' current analyses,
        by project and lineage; and how many events are compared."""
        rows = list(
            UnwantedEvent.objects.filter(analysis__project_id__in=ids, probability__isnull=False)
            .exclude(analysis__status=Analysis.Status.SUPERSEDED)
            .values_list(
                "analysis__project_id",
                "analysis__series",
                "analysis__revision",
                "analysis__scale_version_id",
                "lineage",
                "probability",
            )
        )
        newest: dict = {}
        for _project, series, revision, *_rest in rows:
            newest[series] = max(newest.get(series, 0), revision)
        thresholds: dict = {}
        versions = {row[3] for row in rows}
        for version_id, value, per_year in ProbabilityLevel.objects.filter(
            version_id__in=versions
        ).values_list("version_id", "value", "observed_per_year_from"):
            thresholds[version_id, value] = per_year
        self.ceilings: dict[int, dict] = defaultdict(dict)
        for project_id, series, revision, version_id, lineage, probability in rows:
            if revision != newest[series]:
                continue
            ceiling = thresholds.get((version_id, probability + 1))
            if ceiling is not None:
                self.ceilings[project_id][lineage] = ceiling

    def _survey(self, ids: list[int], today: date) -> None:
        self.rounds: dict[int, dict[int, _Round]] = defaultdict(dict)
        rows = (
            Answer.objects.filter(
                response__round__project_id__in=ids,
                response__round__opens_on__lte=today,
                response__submitted_on__lte=today,
                question__kind=Question.Kind.LIKERT,
                value__isnull=False,
            )
            .values_list(
                "response__round__project_id",
                "response__round_id",
                "response__round__opens_on",
                "response__round__title",
                "response__submitted_on",
            )
            .annotate(responses=Count("response", distinct=True), total=Sum("value"), n=Count("pk"))
            .order_by()
        )
        for project_id, round_id, opens_on, title, day, responses, total, n in rows:
            found = self.rounds[project_id].setdefault(
                round_id, _Round(opens_on, round_id, title, [])
            )
            found.days.append((day, responses, total, n))

    def survey(self, project_id: int, day: date) -> list[tuple[_Round, int, float]]:
        """[(round, responses, mean)] of the newest round with enough responses by `day`,
        then of the one before it with enough: none, one or two."""
        found = []
        rounds = sorted(self.rounds.get(project_id, {}).values(), key=lambda r: (r.opens_on, r.pk))
        for survey_round in reversed(rounds):
            if survey_round.opens_on > day:
                continue
            days = [row for row in survey_round.days if row[0] <= day]
            responses = sum(row[1] for row in days)
            answers = sum(row[3] for row in days)
            if responses >= MIN_GROUP_SIZE and answers:
                found.append((survey_round, responses, sum(row[2] for row in days) / answers))
                if len(found) == 2:
                    break
        return found

    def _council(self, ids: list[int], months: list[date]) -> None:
        self.bodies: dict[int, list[tuple]] = defaultdict(list)
        for pk, project_id, interval, created_at in Body.objects.filter(
            project_id__in=ids
        ).values_list("pk", "project_id", "meeting_interval_months", "created_at"):
            self.bodies[project_id].append((pk, interval, timezone.localdate(created_at)))
        since = months_before(months[0], LONGEST_COUNCIL_INTERVAL)
        self.meetings: dict[int, list[tuple]] = defaultdict(list)
        rows = (
            Meeting.objects.filter(
                project_id__in=ids,
                body__isnull=False,
                cancelled_at__isnull=True,
                starts_at__gte=_midnight(since),
                starts_at__lte=timezone.now(),
            )
            .exclude(kind=Meeting.Kind.SOCIAL)
            .values_list("pk", "body_id", "starts_at")
            .annotate(
                present=Count(
                    "attendances", filter=Q(attendances__status=Attendance.Status.PRESENT)
                ),
                recorded=Count("attendances"),
            )
            .order_by()
        )
        for _pk, body_id, starts_at, present, recorded in rows:
            self.meetings[body_id].append((timezone.localdate(starts_at), present, recorded))


# Making the readings ---------------------------------------------------------------------


def _reading(project: Project, month: date, data: _Data, now: datetime) -> BarometerReading:
    day = data.as_of(month)
    reading = BarometerReading(project=project, month=month, as_of=day, computed_at=now)
    weights = data.settings[project.municipality_id].weights
    reading.weights = weights

    surveys = data.survey(project.pk, day)
    if surveys:
        survey_round, reading.survey_responses, reading.survey_mean = surveys[0]
        reading.survey_round = survey_round.title
        reading.survey_score = survey_score(reading.survey_mean)
        if len(surveys) > 1:
            reading.survey_previous_mean = surveys[1][2]

    ceilings = data.ceilings.get(project.pk, {})
    reading.concerns_events = len(ceilings)
    reading.concerns_unlinked = data.received.get((project.pk, month, None), 0)
    if ceilings:
        days = (day - month).days + 1
        reading.concerns_expected = round(sum(ceilings.values()) * days / 365, 2)
        reading.concerns_observed = sum(
            data.received.get((project.pk, month, lineage), 0) for lineage in ceilings
        )
        reading.concerns_score = concerns_score(
            reading.concerns_observed, reading.concerns_expected
        )

    reading.answers_due, reading.answers_on_time = data.answers.get((project.pk, month), (0, 0))
    if reading.answers_due:
        reading.answers_score = _percent(reading.answers_on_time, reading.answers_due)

    reading.promises_open, reading.promises_overdue = data.promises.get((project.pk, month), (0, 0))
    if reading.promises_open:
        reading.promises_score = _percent(
            reading.promises_open - reading.promises_overdue, reading.promises_open
        )

    scores = []
    for body_id, interval, created_on in data.bodies.get(project.pk, []):
        if created_on > day:
            continue
        since = months_before(day, interval)
        held = [m for m in data.meetings.get(body_id, []) if since <= m[0] <= day]
        if not held and created_on > since:
            continue  # not due to have met yet
        reading.council_bodies += 1
        if not held:
            scores.append(0)
            continue
        reading.council_bodies_met += 1
        reading.council_meetings += len(held)
        present = sum(m[1] for m in held)
        recorded = sum(m[2] for m in held)
        reading.council_present += present
        reading.council_recorded += recorded
        scores.append(100 * present / recorded if recorded else 100)
    if scores:
        reading.council_score = round(sum(scores) / len(scores))

    reading.total = weighted_total({part: reading.score(part) for part in BAROMETER_PARTS}, weights)
    return reading


STORED = [
    field.name
    for field in BarometerReading._meta.concrete_fields
    if field.name not in ("id", "project", "month", "falling_notified_at")
]


def update_readings(
    *,
    project_ids: list[int] | None = None,
    months: int = MONTHS,
    today: date | None = None,
    again: bool = False,
    counts=None,
) -> int:
    """Make the readings of the last `months` calendar months (this one included) of these
    projects, or of every project that is not closed, and store them. A month's reading
    made after the month ended is kept, unless `again`. Returns how many were made (and
    counts them per municipality in `counts`, a scheduling.jobs.Counts)."""
    today = today or timezone.localdate()
    current = month_start(today)
    wanted = [add_months(current, -n) for n in range(max(months, 1) - 1, -1, -1)]
    projects = Project.objects.only("pk", "municipality_id", "phase")
    if project_ids is None:
        projects = projects.exclude(phase=Phase.CLOSED)
    else:
        projects = projects.filter(pk__in=project_ids)
    projects = list(projects.order_by("pk"))
    if not projects:
        return 0
    kept = set()
    if not again:
        complete = BarometerReading.objects.filter(
            project__in=projects, month__in=wanted[:-1]
        ).values_list("project_id", "month", "as_of")
        kept = {(pk, month) for pk, month, as_of in complete if as_of == month_end(month)}
    months_to_make = [m for m in wanted if any((p.pk, m) not in kept for p in projects)]
    if not months_to_make:
        return 0
    data = _Data(projects, months_to_make, today)
    now = timezone.now()
    readings = [
        _reading(project, month, data, now)
        for project in projects
        for month in months_to_make
        if (project.pk, month) not in kept
    ]
    BarometerReading.objects.bulk_create(
        readings,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["project", "month"],
        update_fields=STORED,
    )
    if counts is not None:
        for reading in readings:
            counts.add("barometer_readings", reading.project.municipality_id)
    return len(readings)


# Telling the coordinators ----------------------------------------------------------------


def falling(readings: list[BarometerReading]) -> bool:
    """Whether the totals of these consecutive readings (oldest first) each fell."""
    totals = [reading.total for reading in readings]
    return (
        len(totals) >= 3
        and None not in totals
        and all(later < earlier for earlier, later in pairwise(totals))
    )


def coordinators_of(project: Project) -> list:
    """Whom to tell about the project's barometer: its dialogue owner and the coordinators
    of this project alone, else the municipality's coordinators; only people who may open
    the project."""
    users = get_user_model().objects.select_related("naboskap_profile")
    narrowed = list(
        users.filter(
            is_active=True,
            memberships__municipality_id=project.municipality_id,
            memberships__role=Role.COORDINATOR,
            memberships__project=project,
        ).distinct()
    )
    found = {user.pk: user for user in narrowed}
    owner = project.dialogue_owner
    if owner is not None:
        found.setdefault(owner.pk, owner)
    if not found:
        found = {
            user.pk: user
            for user in users.filter(
                is_active=True,
                memberships__municipality_id=project.municipality_id,
                memberships__role=Role.COORDINATOR,
                memberships__project__isnull=True,
            ).distinct()
        }
    return [
        user
        for user in found.values()
        if user.is_active and user.email and rules.has_perm("projects.view_project", user, project)
    ]


def notify_falling(*, today: date | None = None, counts=None) -> int:
    """Email the coordinators of each project whose total fell in each of the last two
    complete months, once per month (the latest reading is claimed). Returns how many
    projects were told."""
    today = today or timezone.localdate()
    current = month_start(today)
    months = [add_months(current, -n) for n in (3, 2, 1)]
    readings = (
        BarometerReading.objects.filter(month__in=months)
        .exclude(project__phase=Phase.CLOSED)
        .select_related("project__municipality", "project__dialogue_owner__naboskap_profile")
        .order_by("project_id", "month")
    )
    by_project: dict[int, list[BarometerReading]] = defaultdict(list)
    for reading in readings:
        by_project[reading.project_id].append(reading)
    told = 0
    for found in by_project.values():
        latest = found[-1]
        if (
            [r.month for r in found] != months
            or not all(r.is_complete for r in found)
            or latest.falling_notified_at is not None
            or not falling(found)
        ):
            continue
        if _tell(found, counts):
            told += 1
    return told


def _tell(found: list[BarometerReading], counts) -> bool:
    latest = found[-1]
    project = latest.project
    with transaction.atomic():
        claimed = BarometerReading.objects.filter(
            pk=latest.pk, falling_notified_at__isnull=True
        ).update(falling_notified_at=timezone.now())
        if not claimed:
            return False
        groups = recipients_by_language(coordinators_of(project), project.municipality)
        context = {
            "project": project,
            "readings": found,
            "url": django_settings.SITE_URL + reverse("whatworks:barometer", args=[project.pk]),
        }
        for language, recipients in sorted(groups.items()):
            with translation.override(language):
                context["figures"] = describe(latest)
                subject = render_to_string("whatworks/email/falling_subject.txt", context)
                body = render_to_string("whatworks/email/falling_body.txt", context)
            outbox.queue(
                key=f"barometer-falling:{project.pk}:{latest.month:%Y-%m}",
                to=recipients,
                subject=subject,
                body=body,
                kind=FALLING_KIND,
                municipality=project.municipality,
            )
            if counts is not None:
                counts.add("emails", project.municipality_id, count=len(recipients))
    if not groups:
        logger.info("Trust barometer of project %s fell, but nobody to tell", project.pk)
    return True
