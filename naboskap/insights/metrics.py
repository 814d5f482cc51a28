"""The numbers of the dashboards, for a municipality or one of its projects.

Every function takes the municipality, optionally one project of it, and where a period
applies `start` and `end` (dates, both included; `default_period()` gives the last 12 whole
months up to today). Each returns a plain dataclass with aggregates only: counts, shares and
medians, never a person. Every number is computed by the database (`annotate`, `aggregate`,
`Count`, `percentile_cont`), in a fixed number of queries whatever the amount of data.

The status report for politicians (`reports`) imports these; keep the signatures stable.
What each number means is in docs/dashboards.md.

    from naboskap.insights import metrics

    period = metrics.default_period()
    numbers = metrics.concerns_per_month(municipality, project, start=period.start, end=period.end)
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractYear, TruncQuarter
from django.utils import timezone

from naboskap.concerns.models import Category, Concern
from naboskap.concerns.workflow import OPEN, Status
from naboskap.insights.models import Answer, Question
from naboskap.insights.selectors import project_trend
from naboskap.lib.anonymity import MIN_GROUP_SIZE
from naboskap.meetings.models import Attendance, Meeting
from naboskap.plans.models import Measure
from naboskap.projects.models import PHASE_ORDER, Phase
from naboskap.risk.models import (
    Analysis,
    Colour,
    ConsequenceScore,
    MatrixCell,
    ProbabilityLevel,
    UnwantedEvent,
)
from naboskap.routines.models import ProjectTask

# Concerns linked to an event over this many days give its observed frequency (risk docs).
OBSERVED_DAYS = 365
OPEN_MEASURE = (Measure.Status.PLANNED, Measure.Status.IN_PROGRESS)
# Council activity: the council's meetings, and the dialogue meetings that come before it.
COUNCIL_KINDS = (Meeting.Kind.COUNCIL, Meeting.Kind.DIALOGUE)
# Worst first: the order the risk profile is shown in.
COLOURS = (Colour.RED, Colour.YELLOW, Colour.GREEN)


# Periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    @property
    def months(self) -> list[datetime.date]:
        """The first day of every month in the period."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = _add_months(month, 1)
        return months

    @property
    def quarters(self) -> list[datetime.date]:
        """The first day of every quarter in the period."""
        first = self.start.replace(month=(self.start.month - 1) // 3 * 3 + 1, day=1)
        quarters, quarter = [], first
        while quarter <= self.end:
            quarters.append(quarter)
            quarter = _add_months(quarter, 3)
        return quarters


def default_period(today: datetime.date | None = None, months: int = 12) -> Period:
    """The last `months` calendar months, this one included (up to today)."""
    today = today or timezone.localdate()
    return Period(_add_months(today.replace(day=1), -(months - 1)), today)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware datetimes from the start of `start` to the start of the day after `end`."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


def _scope(municipality, project, *, project_field="project") -> Q:
    if project is not None:
        return Q(**{project_field: project})
    return Q(**{f"{project_field}__municipality": municipality})


def _concern_scope(municipality, project) -> Q:
    """A project's concerns, or the municipality's (its own column: index-friendly)."""
    if project is not None:
        return Q(municipality=municipality, project=project)
    return Q(municipality=municipality)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# Database helpers --------------------------------------------------------------------------


class Days(Func):
    """Days (with fractions) from the second datetime expression to the first."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        # date_part gives a double; EXTRACT gives numeric (PostgreSQL 14+), whose sort in
        # percentile_cont takes twice as long over 80,000 concerns (bench/dashboard.py).
        extra.setdefault("template", "(DATE_PART('epoch', %(expressions)s) / 86400.0)")
        extra.setdefault("arg_joiner", " - ")
        return super().as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )


class Median(Aggregate):
    """The median (PostgreSQL `percentile_cont(0.5)`)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def median(queryset, expression) -> float | None:
    """The median of `expression` over `queryset`, computed by the database.

    PostgreSQL: one `percentile_cont(0.5)` query. SQLite has no percentile function: a count,
    then the one or two middle values by ordered offset (LIMIT/OFFSET on the ordered values),
    so two queries whatever the number of rows.
    """
    if connection.vendor == "postgresql":
        return queryset.aggregate(m=Median(expression))["m"]
    values = queryset.annotate(_m=expression).filter(_m__isnull=False)
    count = values.count()
    if not count:
        return None
    middle = list(
        values.order_by("_m").values_list("_m", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return sum(middle) / len(middle)


# Concerns ----------------------------------------------------------------------------------


@dataclass
class ConcernsPerMonth:
    months: list[datetime.date]
    # (category label, [count per month]) for every category with a concern in the period
    series: list[tuple[str, list[int]]]
    total: int
    # (how it was received, count) for every intake channel with a concern in the period
    by_channel: list[tuple[str, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.total == 0


def concerns_per_month(municipality, project=None, *, start, end) -> ConcernsPerMonth:
    """Concerns received per calendar month and category (not counting cancelled ones that
    were duplicates or spam: those are not concerns). Two queries."""
    since, until = _bounds(start, end)
    months = Period(start, end).months
    # A count per month by comparing created_at with each month's bounds in local time:
    # converting every row to local time to truncate it (TruncMonth) took twice as long
    # with 100,000 concerns (bench/dashboard.py).
    edges = [max(since, _bounds(month, month)[0]) for month in months] + [until]
    per_month = {
        f"m{number}": Count("pk", filter=Q(created_at__gte=low, created_at__lt=high))
        for number, (low, high) in enumerate(itertools.pairwise(edges))
    }
    rows = (
        Concern.objects.filter(
            _concern_scope(municipality, project),
            created_at__gte=since,
            created_at__lt=until,
        )
        .exclude(status=Status.CANCELLED, cancel_reason__in=("duplicate", "spam"))
        .values("category_id", "intake_channel")
        .annotate(**per_month)
        .order_by()
    )
    counts: dict = {}
    channels: dict[str, int] = {}
    for r in rows:
        for number, month in enumerate(months):
            key = (month, r["category_id"])
            counts[key] = counts.get(key, 0) + r[f"m{number}"]
            channels[r["intake_channel"]] = channels.get(r["intake_channel"], 0) + r[f"m{number}"]
    by_channel = [
        (str(label), channels[value])
        for value, label in Concern.IntakeChannel.choices
        if channels.get(value)
    ]
    category_ids = {category_id for _month, category_id in counts}
    categories = Category.objects.filter(pk__in=category_ids).order_by("position", "name")
    series = [
        (category.label, [counts.get((month, category.pk), 0) for month in months])
        for category in categories
    ]
    return ConcernsPerMonth(months, series, sum(counts.values()), by_channel)


@dataclass
class Deadlines:
    """Deadlines of concerns received in the period.

    A deadline counts once it is decided: met or missed (the work was done, or the due date
    has passed without it). Concerns still within their due date are not counted yet.
    """

    received: int
    acknowledge_decided: int
    acknowledged_in_time: int
    answer_decided: int
    answered_in_time: int
    answered: int
    median_days_to_answer: float | None
    open: int
    overdue: int

    @property
    def acknowledged_percent(self) -> float | None:
        return _percent(self.acknowledged_in_time, self.acknowledge_decided)

    @property
    def answered_percent(self) -> float | None:
        return _percent(self.answered_in_time, self.answer_decided)


def deadlines(municipality, project=None, *, start, end) -> Deadlines:
    """Deadlines kept (acknowledged and first answered by their due dates), the median days
    from receipt to the first answer, and how many are open and overdue today. One query on
    PostgreSQL, three on SQLite (see `median`). The local dates of the first acknowledgement
    and answer are kept on each concern when they happen (`concern_transition`)."""
    since, until = _bounds(start, end)
    today = timezone.localdate()
    concerns = Concern.objects.filter(
        _concern_scope(municipality, project),
        created_at__gte=since,
        created_at__lt=until,
    ).exclude(status=Status.CANCELLED)
    acknowledged = Q(acknowledged_on__isnull=False)
    answered = Q(first_answered_on__isnull=False)
    overdue = Q(status__in=OPEN) & (
        Q(answer_due__lt=today) | Q(acknowledged_at__isnull=True, acknowledge_due__lt=today)
    )
    to_answer = Days("first_answered_at", "created_at")
    numbers = concerns.aggregate(
        received=Count("pk"),
        acknowledge_decided=Count("pk", filter=acknowledged | Q(acknowledge_due__lt=today)),
        acknowledged_in_time=Count("pk", filter=Q(acknowledged_on__lte=F("acknowledge_due"))),
        answer_decided=Count("pk", filter=answered | Q(answer_due__lt=today)),
        answered_in_time=Count("pk", filter=Q(first_answered_on__lte=F("answer_due"))),
        answered=Count("pk", filter=answered),
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=overdue),
        **({"median": Median(to_answer)} if connection.vendor == "postgresql" else {}),
    )
    if connection.vendor == "postgresql":
        middle = numbers.pop("median")
    else:
        middle = median(concerns.filter(answered), to_answer)
    return Deadlines(
        **numbers,
        median_days_to_answer=round(middle, 1) if middle is not None else None,
    )


# Measures ----------------------------------------------------------------------------------


@dataclass
class UnitMeasures:
    unit: str
    open: int
    overdue: int


@dataclass
class MeasuresByUnit:
    rows: list[UnitMeasures]

    @property
    def open(self) -> int:
        return sum(row.open for row in self.rows)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.rows)

    @property
    def empty(self) -> bool:
        return not self.rows


def measures_by_unit(municipality, project=None) -> MeasuresByUnit:
    """Open measures (planned or in progress) per owner unit, and how many of them are past
    their due date today. One query."""
    today = timezone.localdate()
    rows = (
        Measure.objects.filter(_scope(municipality, project), status__in=OPEN_MEASURE)
        .values("owner_unit__name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
        .order_by("-overdue", "-open", "owner_unit__name")
    )
    return MeasuresByUnit(
        [UnitMeasures(r["owner_unit__name"], r["open"], r["overdue"]) for r in rows]
    )


# Risk --------------------------------------------------------------------------------------


@dataclass
class RiskProfile:
    """Unwanted events of the current analyses by overall risk level (the worst matrix cell
    over the consequence dimensions), before and after measures."""

    events: int
    # colour -> count; events not (fully) scored at a stage are counted under ""
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    flagged: int = 0  # observed more often than assessed: to be re-assessed

    @property
    def empty(self) -> bool:
        return self.events == 0

    def rows(self) -> list[tuple[str, int, int]]:
        """(colour, before, after) worst first, then "not scored"."""
        return [(c, self.before.get(c, 0), self.after.get(c, 0)) for c in (*COLOURS, "")]


def _colour_rank():
    return Case(
        *(When(colour=colour, then=Value(len(COLOURS) - i)) for i, colour in enumerate(COLOURS)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _worst_rank(stage: str, probability_field: str):
    """The event's worst colour rank at `stage` (3 red, 2 yellow, 1 green), as a subquery."""
    # The event's own columns (two levels out), and no ordering: without them each of the
    # event's scores joined the event, its analysis, the scale version and the scale and
    # sorted by the cell's default order (bench/dashboard.py).
    cell = (
        MatrixCell.objects.filter(
            version_id=OuterRef(OuterRef("analysis__scale_version_id")),
            probability=OuterRef(OuterRef(probability_field)),
            consequence=OuterRef("level"),
        )
        .order_by()
        .annotate(rank=_colour_rank())
    )
    scores = (
        ConsequenceScore.objects.filter(event=OuterRef("pk"), stage=stage)
        .annotate(rank=Subquery(cell.values("rank")[:1]))
        .order_by(F("rank").desc(nulls_last=True))
        .values("rank")[:1]
    )
    return Subquery(scores, output_field=IntegerField())


def current_events(municipality, project=None):
    """Events of each analysis's newest revision that is not superseded."""
    newer = Analysis.objects.filter(
        series=OuterRef("analysis__series"), revision__gt=OuterRef("analysis__revision")
    )
    return (
        UnwantedEvent.objects.filter(
            _scope(municipality, project, project_field="analysis__project")
        )
        .exclude(analysis__status=Analysis.Status.SUPERSEDED)
        .filter(~Exists(newer))
    )


def risk_profile(municipality, project=None) -> RiskProfile:
    """Events by overall risk level before and after measures, and how many are flagged for
    re-assessment (observed more often than assessed, see docs/risk.md). Two queries."""
    events = current_events(municipality, project)
    by_rank = {len(COLOURS) - i: colour for i, colour in enumerate(COLOURS)}
    rows = (
        events.annotate(
            before_rank=_worst_rank(ConsequenceScore.Stage.BEFORE, "probability"),
            after_rank=_worst_rank(ConsequenceScore.Stage.AFTER, "residual_probability"),
        )
        .values("before_rank", "after_rank")
        .annotate(n=Count("pk"))
        .order_by()
    )
    profile = RiskProfile(events=0)
    for row in rows:  # at most 4 × 4 combinations, not one row per event
        profile.events += row["n"]
        before = by_rank.get(row["before_rank"], "")
        after = by_rank.get(row["after_rank"], "")
        profile.before[before] = profile.before.get(before, 0) + row["n"]
        profile.after[after] = profile.after.get(after, 0) + row["n"]
    profile.flagged = flagged_events(municipality, project)
    return profile


def flagged_events(municipality, project=None) -> int:
    """Current events whose observed probability level (from linked concerns of the last 12
    months, any revision of the event, not cancelled) is above the assessed one. One query."""
    since = timezone.now() - datetime.timedelta(days=OBSERVED_DAYS)
    # Linked concerns of this municipality (an event's concerns are its project's). Events
    # without any are left out first (a semi-join), and the count is not repeated in the
    # filter: the correlated count then runs once per event with concerns, and the plan is
    # cheap enough not to be JIT-compiled (5 s, then 0.4 s, now 0.05 s with 100,000
    # concerns; bench/dashboard.py).
    recent = Concern.objects.filter(
        municipality=municipality, unwanted_event__isnull=False, created_at__gte=since
    ).exclude(status=Status.CANCELLED)
    observed = (
        recent.filter(unwanted_event__lineage=OuterRef("lineage"))
        .order_by()
        .values("unwanted_event__lineage")
        .annotate(n=Count("pk"))
        .values("n")
    )
    level = (
        ProbabilityLevel.objects.filter(
            version_id=OuterRef("analysis__scale_version_id"),
            observed_per_year_from__isnull=False,
            observed_per_year_from__lte=OuterRef("observed"),
        )
        .order_by("-value")
        .values("value")[:1]
    )
    return (
        current_events(municipality, project)
        .filter(probability__isnull=False, lineage__in=recent.values("unwanted_event__lineage"))
        .annotate(observed=Subquery(observed, output_field=IntegerField()))
        .annotate(observed_level=Subquery(level, output_field=IntegerField()))
        .filter(observed_level__gt=F("probability"))
        .count()
    )


# Council -----------------------------------------------------------------------------------


@dataclass
class QuarterActivity:
    quarter: datetime.date  # first day of the quarter
    meetings: int
    present: int
    recorded: int  # attendance entries recorded (present or apologies)

    @property
    def attendance_percent(self) -> float | None:
        return _percent(self.present, self.recorded)

    @property
    def label(self) -> str:
        return f"{self.quarter.year} Q{(self.quarter.month - 1) // 3 + 1}"


@dataclass
class CouncilActivity:
    quarters: list[QuarterActivity]

    @property
    def meetings(self) -> int:
        return sum(q.meetings for q in self.quarters)

    @property
    def attendance_percent(self) -> float | None:
        return _percent(
            sum(q.present for q in self.quarters), sum(q.recorded for q in self.quarters)
        )

    @property
    def empty(self) -> bool:
        return self.meetings == 0


def council_activity(municipality, project=None, *, start, end) -> CouncilActivity:
    """Council and dialogue meetings held per quarter (not cancelled, started by now) and the
    attendance recorded in their minutes. Two queries."""
    since, until = _bounds(start, end)
    meetings = Meeting.objects.filter(
        _scope(municipality, project),
        kind__in=COUNCIL_KINDS,
        cancelled_at__isnull=True,
        starts_at__gte=since,
        starts_at__lt=min(until, timezone.now()),
    )
    held = dict(
        meetings.annotate(quarter=TruncQuarter("starts_at"))
        .values("quarter")
        .annotate(n=Count("pk"))
        .values_list("quarter", "n")
        .order_by()
    )
    attendance = {
        _as_date(r["quarter"]): r
        for r in Attendance.objects.filter(meeting__in=meetings)
        .annotate(quarter=TruncQuarter("meeting__starts_at"))
        .values("quarter")
        .annotate(
            present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)), recorded=Count("pk")
        )
        .order_by()
    }
    held = {_as_date(k): v for k, v in held.items()}
    quarters = [
        QuarterActivity(
            quarter,
            held.get(quarter, 0),
            attendance.get(quarter, {}).get("present", 0),
            attendance.get(quarter, {}).get("recorded", 0),
        )
        for quarter in Period(start, end).quarters
    ]
    return CouncilActivity(quarters)


# Routines ----------------------------------------------------------------------------------


@dataclass
class PhaseProgress:
    phase: str  # Phase value
    done: int
    not_relevant: int
    open: int

    @property
    def label(self) -> str:
        return Phase(self.phase).label

    @property
    def total(self) -> int:
        return self.done + self.not_relevant + self.open

    @property
    def percent(self) -> float | None:
        return _percent(self.done + self.not_relevant, self.total)


@dataclass
class RoutineProgress:
    phases: list[PhaseProgress]

    @property
    def total(self) -> int:
        return sum(p.total for p in self.phases)

    @property
    def closed(self) -> int:
        return sum(p.done + p.not_relevant for p in self.phases)

    @property
    def percent(self) -> float | None:
        return _percent(self.closed, self.total)

    @property
    def empty(self) -> bool:
        return self.total == 0


def routine_progress(municipality, project=None) -> RoutineProgress:
    """Checklist tasks from routines per project phase: done, not relevant and open. One
    query."""
    S = ProjectTask.Status
    rows = (
        ProjectTask.objects.filter(_scope(municipality, project))
        .values("project_phase")
        .annotate(
            done=Count("pk", filter=Q(status=S.DONE)),
            not_relevant=Count("pk", filter=Q(status=S.NOT_RELEVANT)),
            open=Count("pk", filter=Q(status=S.OPEN)),
        )
        .order_by()
    )
    by_phase = {r["project_phase"]: r for r in rows}
    return RoutineProgress(
        [
            PhaseProgress(phase, r["done"], r["not_relevant"], r["open"])
            for phase in PHASE_ORDER
            if (r := by_phase.get(phase))
        ]
    )


# Survey ------------------------------------------------------------------------------------


@dataclass
class SurveyTrend:
    labels: list[str]  # rounds (project) or years (municipality)
    # (question, [mean per label or None when fewer than MIN_GROUP_SIZE answers])
    series: list[tuple[str, list[float | None]]]

    @property
    def empty(self) -> bool:
        return not any(v is not None for _q, values in self.series for v in values)


def survey_trend(municipality, project=None) -> SurveyTrend:
    """Mean answer (1–5) per Likert question: per round for a project (the survey pages'
    trend, `selectors.project_trend`), per year of the rounds for the municipality. Means
    from fewer than MIN_GROUP_SIZE answers are not shown. At most four queries."""
    if project is not None:
        trend = project_trend(project)
        return SurveyTrend(
            [survey_round.title for survey_round in trend["rounds"]],
            [(str(text), values) for text, values in trend["trend"]],
        )
    rows = (
        Answer.objects.filter(
            response__round__project__municipality=municipality,
            question__kind=Question.Kind.LIKERT,
            value__isnull=False,
        )
        .annotate(year=ExtractYear("response__round__opens_on"))
        .values("year", "question__key")
        .annotate(mean=Avg("value"), n=Count("pk"))
        .order_by("year")
    )
    years: list[int] = sorted({r["year"] for r in rows})
    # Questions are the same across template versions by their key, not their wording.
    cells: dict[str, dict[int, float | None]] = {}
    for r in rows:  # one row per question and year (aggregated), not per answer
        mean = r["mean"] if r["n"] >= MIN_GROUP_SIZE else None
        cells.setdefault(r["question__key"], {})[r["year"]] = mean
    latest = {  # the newest wording of each key wins
        q.key: q
        for q in Question.objects.filter(
            template__municipality=municipality, key__in=list(cells), kind=Question.Kind.LIKERT
        ).order_by("template_id", "pk")
    }
    keys = sorted(cells, key=lambda k: (latest[k].position if k in latest else 999, k))
    return SurveyTrend(
        [str(y) for y in years],
        [
            (str(latest[k].localized if k in latest else k), [cells[k].get(y) for y in years])
            for k in keys
        ],
    )


# Everything for one dashboard ----------------------------------------------------------------


@dataclass
class Dashboard:
    period: Period
    concerns: ConcernsPerMonth
    deadlines: Deadlines
    measures: MeasuresByUnit
    risk: RiskProfile
    council: CouncilActivity
    routines: RoutineProgress
    survey: SurveyTrend


def dashboard(municipality, project=None, period: Period | None = None) -> Dashboard:
    """All the dashboard's numbers; a fixed number of queries (about 15)."""
    period = period or default_period()
    return Dashboard(
        period=period,
        concerns=concerns_per_month(municipality, project, start=period.start, end=period.end),
        deadlines=deadlines(municipality, project, start=period.start, end=period.end),
        measures=measures_by_unit(municipality, project),
        risk=risk_profile(municipality, project),
        council=council_activity(municipality, project, start=period.start, end=period.end),
        routines=routine_progress(municipality, project),
        survey=survey_trend(municipality, project),
    )
