"""The staff project page as the project's home (issue 18): key figures, the routine's next
step, and the project's work by kind, each link only where the user may open it.

`projects` needs no code from here: its page loads `{% project_home project as home %}`
(insights/templatetags/project_home.py), as it loads the other apps' summaries.

Every figure comes with a link to the list it counts, filtered the same way (the concerns
inbox by project and view, the plan's "overdue only"), and shows only when the rules let the
user open that list (`rules.has_perm`, never a role check here). What fits the project's
kind and phase decides what is offered: no caretaker rounds or incident log before anyone
lives there, the routine's next tasks while the project is being planned.

Bounded: the plain counts (concerns, measures, inputs, incidents, scoring rounds, updates,
subscribers) are one query of scalar subqueries (`_counts`); the risk profile, the survey
score and the council's attendance are aggregates in the database; lists are `[:n]` slices
or bounded by the routine and the scale. So the page's query count does not grow with the
number of concerns, measures, meetings, events or answers
(projects/tests/test_project_home.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import rules
from django.db.models import Avg, Count, F, FloatField, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.concerns.selectors import concerns_for_user, overdue_filter
from naboskap.concerns.workflow import OPEN as OPEN_CONCERN
from naboskap.facility.models import Incident
from naboskap.insights import metrics
from naboskap.insights.models import Answer, Question, Response, SurveyRound
from naboskap.lib.anonymity import MIN_GROUP_SIZE
from naboskap.lib.start_page import Item
from naboskap.meetings.models import Attendance, Meeting
from naboskap.meetings.selectors import bodies_with_health, council_health, upcoming_meetings
from naboskap.plans.models import Input, Measure
from naboskap.plans.selectors import OPEN_STATUSES as OPEN_MEASURE
from naboskap.projects.models import Phase, Project, Subscription, Update
from naboskap.risk.models import COLOUR_WORD, Analysis, ConsequenceScore, ScoringRound
from naboskap.risk.selectors import events_to_reassess
from naboskap.routines.selectors import checklist_for

NEXT_MEETINGS = 3
NEXT_TASKS = 3  # the routine's next tasks, listed while the project is being planned
COUNCIL_DAYS = 365  # attendance over the last year of council meetings
# A project is operated once people live there: rounds and the incident log apply. An
# existing facility is lived in whatever the phase of its project.
OPERATING_PHASES = {Phase.MOVE_IN, Phase.OPERATION}


def is_operating(project: Project) -> bool:
    if project.phase == Phase.CLOSED:
        return False
    return project.phase in OPERATING_PHASES or project.kind == Project.Kind.EXISTING


def is_planning(project: Project) -> bool:
    """Before anyone lives there: the routine's tasks lead the work."""
    return not is_operating(project) and project.phase != Phase.CLOSED


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class Section:
    key: str
    title: str
    links: list[Item] = field(default_factory=list)


# The figures --------------------------------------------------------------------------------


@dataclass
class Counted:
    """Open things and how many of them are overdue, each with its list."""

    open: int
    overdue: int
    open_url: str
    overdue_url: str


@dataclass
class RiskLevel:
    colour: str  # "red", "yellow", "green" or "" (not scored)
    word: str
    count: int


@dataclass
class RiskFigure:
    analysis: Analysis
    levels: list[RiskLevel]
    events: int
    flagged: list  # (event, Observation) from risk.selectors.events_to_reassess
    url: str


@dataclass
class SurveyFigure:
    round: SurveyRound
    mean: float | None  # None: fewer than MIN_GROUP_SIZE answers
    responses: int
    url: str
    open_round: SurveyRound | None = None


@dataclass
class CouncilFigure:
    bodies: int
    warnings: int
    last_met: datetime | None
    present: int
    recorded: int
    url: str
    health: list = field(default_factory=list)  # (body, [HealthWarning]) per body

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.present / self.recorded) if self.recorded else None


@dataclass
class NextStep:
    task: object | None  # a ProjectTask with `due`, `overdue` (routines.selectors)
    url: str
    total: int
    closed: int
    upcoming: list = field(default_factory=list)  # the next NEXT_TASKS open tasks
    can_apply: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


@dataclass
class ProjectHome:
    project: Project
    operating: bool
    planning: bool
    next_planned: object | None = None  # PlannedPhase: the next phase with a date
    counts: dict = field(default_factory=dict)  # `_counts`: update_count, subscriber_count, …
    concerns: Counted | None = None
    measures: Counted | None = None
    next_meeting: Meeting | None = None
    next_meetings: list[Meeting] = field(default_factory=list)
    meetings_url: str = ""
    risk: RiskFigure | None = None
    risk_url: str = ""
    survey: SurveyFigure | None = None
    survey_url: str = ""
    council: CouncilFigure | None = None
    next_step: NextStep | None = None
    sections: list[Section] = field(default_factory=list)


def _handles_concerns(user, project) -> bool:
    return rules.has_perm("concerns.use_inbox", user, project.municipality)


def _concerns(user, project, counts: dict) -> Counted | None:
    """The concerns about the project that the user handles (as the inbox counts them)."""
    if not _handles_concerns(user, project):
        return None
    return Counted(
        counts["concerns_open"],
        counts["concerns_overdue"],
        _url("concerns:inbox", project=project.pk),
        _url("concerns:inbox", project=project.pk, view="overdue"),
    )


def _count(queryset) -> Subquery:
    """A count as a scalar subquery, so that several counts are one query."""
    return Subquery(
        queryset.order_by().values("project_id").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def _counts(user, project, today: date) -> dict[str, int]:
    """Every plain count of the page in one query (each a subquery on its own table)."""
    measures = Measure.objects.filter(project=OuterRef("pk"), status__in=OPEN_MEASURE)
    counts = {
        "update_count": _count(Update.objects.filter(project=OuterRef("pk"))),
        "subscriber_count": _count(
            Subscription.objects.filter(project=OuterRef("pk"), confirmed_at__isnull=False)
        ),
        "measures_open": _count(measures),
        "measures_overdue": _count(measures.filter(due_date__lt=today)),
        "scoring_open": _count(
            ScoringRound.objects.filter(
                analysis__project=OuterRef("pk"), closed_at__isnull=True
            ).annotate(project_id=F("analysis__project_id"))
        ),
        "inputs_waiting": _count(
            Input.objects.filter(
                project=OuterRef("pk"), decision=Input.Decision.UNDER_CONSIDERATION
            )
        ),
        "incidents_open": _count(
            Incident.objects.filter(project=OuterRef("pk"), status=Incident.Status.OPEN)
        ),
    }
    if _handles_concerns(user, project):
        concerns = concerns_for_user(user, project.municipality).filter(project=OuterRef("pk"))
        counts["concerns_open"] = _count(concerns.filter(status__in=OPEN_CONCERN))
        counts["concerns_overdue"] = _count(concerns.filter(overdue_filter()))
    row = Project.objects.filter(pk=project.pk).values(**counts).get()
    return {name: value or 0 for name, value in row.items()}


def _measures(user, project, counts: dict) -> Counted | None:
    if not rules.has_perm("plans.view_plan", user, project):
        return None
    return Counted(
        counts["measures_open"],
        counts["measures_overdue"],
        _url("plans:plan", project.pk),
        _url("plans:plan", project.pk, overdue="on"),
    )


def _current_analysis(project) -> Analysis | None:
    """The newest revision that is not superseded, of the newest analysis."""
    return (
        Analysis.objects.filter(project=project)
        .exclude(status=Analysis.Status.SUPERSEDED)
        .order_by("-created_at", "-revision", "-pk")
        .first()
    )


def _risk(project) -> RiskFigure | None:
    analysis = _current_analysis(project)
    if analysis is None:
        return None
    by_rank = {len(metrics.COLOURS) - i: colour for i, colour in enumerate(metrics.COLOURS)}
    rows = (
        metrics.current_events(project.municipality, project)
        .filter(analysis=analysis)
        .annotate(rank=metrics._worst_rank(ConsequenceScore.Stage.BEFORE, "probability"))
        .values("rank")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {by_rank.get(row["rank"], ""): row["n"] for row in rows}
    levels = [RiskLevel(c, str(COLOUR_WORD[c]), counts.get(c, 0)) for c in metrics.COLOURS]
    if counts.get(""):
        levels.append(RiskLevel("", str(_("Not scored")), counts[""]))
    return RiskFigure(
        analysis=analysis,
        levels=levels,
        events=sum(counts.values()),
        flagged=events_to_reassess(project),
        url=analysis.get_absolute_url(),
    )


def _survey(project, today: date) -> SurveyFigure | None:
    """The latest round that has closed or is open, with its mean over every agree/disagree
    answer (1–5), shown only from MIN_GROUP_SIZE responses on, as on the results page."""
    likert = (
        Answer.objects.filter(response__round=OuterRef("pk"), question__kind=Question.Kind.LIKERT)
        .exclude(value__isnull=True)
        .order_by()
        .values("response__round")
        .annotate(mean=Avg("value"))
        .values("mean")[:1]
    )
    responses = (
        Response.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    rounds = list(
        SurveyRound.objects.filter(project=project, opens_on__lte=today)
        .annotate(
            answered=Coalesce(Subquery(responses, output_field=IntegerField()), 0),
            mean=Subquery(likert, output_field=FloatField()),
        )
        .order_by("-opens_on", "-pk")[:2]
    )
    if not rounds:
        return None
    open_round = rounds[0] if rounds[0].is_open else None
    # A round still open with too few answers: the last closed one says more.
    shown = rounds[0]
    if open_round is not None and shown.answered < MIN_GROUP_SIZE and len(rounds) > 1:
        shown = rounds[1]
    return SurveyFigure(
        round=shown,
        mean=shown.mean if shown.answered >= MIN_GROUP_SIZE else None,
        responses=shown.answered,
        url=_url("insights:round_results", project.pk, shown.pk),
        open_round=open_round,
    )


def _council(project, now) -> CouncilFigure | None:
    bodies = list(bodies_with_health(project))
    if not bodies:
        return None
    health = [(body, council_health(body)) for body in bodies]
    warnings = sum(len(found) for _body, found in health)
    last_met = max((b.last_met for b in bodies if b.last_met), default=None)
    attendance = Attendance.objects.filter(
        meeting__project=project,
        meeting__body__isnull=False,
        meeting__cancelled_at__isnull=True,
        meeting__starts_at__lte=now,
        meeting__starts_at__gte=now - timedelta(days=COUNCIL_DAYS),
    ).aggregate(
        present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)), recorded=Count("pk")
    )
    url = (
        bodies[0].get_absolute_url() if len(bodies) == 1 else _url("meetings:body_list", project.pk)
    )
    return CouncilFigure(
        bodies=len(bodies),
        warnings=warnings,
        last_met=last_met,
        present=attendance["present"],
        recorded=attendance["recorded"],
        url=url,
        health=health,
    )


def _next_step(user, project, planning: bool) -> NextStep:
    """The routine's next open task: the overdue ones first, then by due date; tasks without
    a date come last, in the routine's order."""
    checklist = checklist_for(project, with_evidence=False)
    open_tasks = [t for t in checklist.tasks if t.is_open]
    far = date.max
    open_tasks.sort(key=lambda t: (t.due is None, t.due or far))
    task = open_tasks[0] if open_tasks else None
    url = _url("routines:checklist", project.pk)
    if task is not None:
        task.project = project
        if rules.has_perm("routines.complete_task", user, task):
            url = _url("routines:task_complete", project.pk, task.pk)
    return NextStep(
        task=task,
        url=url,
        total=checklist.total,
        closed=checklist.closed,
        upcoming=open_tasks[1 : NEXT_TASKS + 1] if planning else [],
        can_apply=rules.has_perm("routines.apply_routine", user, project),
    )


# The sections ------------------------------------------------------------------------------


def _may(user, perm: str, project) -> bool:
    return rules.has_perm(perm, user, project)


def _add(links: list, allowed: bool, label, url: str, count=None, urgent=False) -> None:
    if allowed:
        links.append(Item(str(label), url, count, urgent))


def _sections(user, project, home: ProjectHome, counts: dict) -> list[Section]:
    pk = project.pk
    sections = []

    if _may(user, "meetings.view_meetings", project):
        dialogue = Section("dialogue", str(_("Dialogue and meetings")))
        home.next_meetings = list(upcoming_meetings(project)[:NEXT_MEETINGS])
        home.next_meeting = home.next_meetings[0] if home.next_meetings else None
        _add(dialogue.links, True, _("Meetings"), _url("meetings:meeting_list", pk))
        _add(
            dialogue.links,
            _may(user, "meetings.manage_meetings", project),
            _("Plan a meeting"),
            _url("meetings:meeting_create", pk),
        )
        _add(dialogue.links, True, _("Councils and bodies"), _url("meetings:body_list", pk))
        _add(dialogue.links, True, _("Updates"), _url("projects:updates", pk))
        _add(
            dialogue.links,
            _may(user, "projects.write_update", project),
            _("Write an update"),
            _url("projects:update_create", pk),
        )
        sections.append(dialogue)

    concerns = Section("concerns", str(_("Concerns and safety")))
    if home.concerns is not None:
        _add(concerns.links, True, _("Open concerns"), home.concerns.open_url, home.concerns.open)
        _add(
            concerns.links,
            True,
            _("Overdue"),
            home.concerns.overdue_url,
            home.concerns.overdue,
            urgent=bool(home.concerns.overdue),
        )
    _add(
        concerns.links,
        _may(user, "situation.view_picture", project),
        _("Situation picture"),
        _url("situation:picture", pk),
    )
    if concerns.links:
        sections.append(concerns)

    if _may(user, "risk.view_analyses", project):
        risk = Section("risk", str(_("Risk")))
        if home.risk is not None:
            _add(risk.links, True, _("Current analysis"), home.risk.url)
        _add(risk.links, True, _("Risk and vulnerability analyses"), _url("risk:analysis_list", pk))
        scoring = counts["scoring_open"]
        if scoring:
            _add(
                risk.links, True, _("Scoring rounds open"), _url("risk:analysis_list", pk), scoring
            )
        _add(
            risk.links,
            _may(user, "risk.change_analyses", project),
            _("New analysis"),
            _url("risk:analysis_create", pk),
        )
        sections.append(risk)

    if home.measures is not None:
        plan = Section("plan", str(_("Action and collaboration plan")))
        _add(plan.links, True, _("Open measures"), home.measures.open_url, home.measures.open)
        _add(
            plan.links,
            True,
            _("Overdue"),
            home.measures.overdue_url,
            home.measures.overdue,
            urgent=bool(home.measures.overdue),
        )
        if _may(user, "plans.view_raw_input", project):
            waiting = counts["inputs_waiting"]
            _add(
                plan.links,
                True,
                _("Inputs under consideration"),
                _url("inputs:list", pk, decision=Input.Decision.UNDER_CONSIDERATION),
                waiting,
            )
        else:
            _add(plan.links, True, _("Inputs"), _url("inputs:list", pk))
        _add(plan.links, True, _("Collaboration matrix"), _url("plans:matrix", pk))
        sections.append(plan)

    place = Section("place", str(_("Stakeholders and place")))
    _add(
        place.links,
        _may(user, "stakeholders.view_place_analysis", project),
        _("Place and process analysis"),
        _url("stakeholders:place_analysis", pk),
    )
    _add(
        place.links,
        _may(user, "stakeholders.view_neighbour_list", project),
        _("Neighbour list"),
        _url("stakeholders:neighbour_list", pk),
    )
    _add(
        place.links,
        _may(user, "stakeholders.view_analysis", project),
        _("Stakeholder analysis"),
        _url("stakeholders:analysis", pk),
    )
    _add(
        place.links,
        _may(user, "stakeholders.view_interactions", project),
        _("Interaction log"),
        _url("stakeholders:interaction_list", pk),
    )
    if place.links:
        sections.append(place)

    walks = home.operating and _may(user, "facility.walk_rounds", project)
    # The incident log stays readable once the project is closed: it is its history.
    logs = (home.operating or project.phase == Phase.CLOSED) and _may(
        user, "facility.view_incidents", project
    )
    if walks or logs:
        facility = Section("facility", str(_("Facility operations")))
        _add(facility.links, walks, _("Caretaker rounds"), _url("facility:round_list", pk))
        _add(facility.links, walks, _("Observations"), _url("facility:observation_list", pk))
        if logs:
            open_incidents = counts["incidents_open"]
            _add(
                facility.links,
                True,
                _("Open incidents"),
                _url("facility:incident_list", pk, status=Incident.Status.OPEN),
                open_incidents,
            )
            _add(facility.links, True, _("Incident log"), _url("facility:incident_list", pk))
        sections.append(facility)

    reports = Section("reports", str(_("Reports and follow-up")))
    _add(
        reports.links,
        _may(user, "insights.view_project_dashboard", project),
        _("Dashboard"),
        _url("insights:project_dashboard", pk),
    )
    _add(
        reports.links,
        _may(user, "insights.view_survey", project),
        _("Neighbour safety survey"),
        _url("insights:rounds", pk),
    )
    _add(
        reports.links,
        _may(user, "reports.view_project_reports", project),
        _("Status reports"),
        _url("reports:project_reports", pk),
    )
    if reports.links:
        sections.append(reports)
    return sections


def project_home_for(user, project: Project) -> ProjectHome:
    """Everything the project's home shows `user`, in a fixed number of queries."""
    today = timezone.localdate()
    now = timezone.now()
    home = ProjectHome(
        project=project, operating=is_operating(project), planning=is_planning(project)
    )
    # The page lists the planned phases too: the view prefetches them for both.
    planned = sorted(project.planned_phases.all(), key=lambda p: p.planned_start)
    home.next_planned = next((p for p in planned if p.planned_start >= today), None)
    home.counts = counts = _counts(user, project, today)
    home.concerns = _concerns(user, project, counts)
    home.measures = _measures(user, project, counts)
    if _may(user, "risk.view_analyses", project):
        home.risk_url = _url("risk:analysis_list", project.pk)
        home.risk = _risk(project)
    if _may(user, "insights.view_survey", project):
        home.survey_url = _url("insights:rounds", project.pk)
        home.survey = _survey(project, today)
    if _may(user, "meetings.view_meetings", project):
        home.meetings_url = _url("meetings:meeting_list", project.pk)
        home.council = _council(project, now)
    if _may(user, "routines.view_checklist", project):
        home.next_step = _next_step(user, project, home.planning)
    home.sections = _sections(user, project, home, counts)
    return home
