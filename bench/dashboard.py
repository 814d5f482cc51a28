"""Dashboard benchmark of `make bench`: the municipality dashboard (`/app/oversikt/`) with
100,000 concerns, 5,000 measures and 50 projects, against the same dashboard with 1/100 of
the data, in one run.

    BENCH dashboard size=1000 measures=50 projects=5 queries=... median_ms=...
    BENCH dashboard size=100000 measures=5000 projects=50 queries=... median_ms=... ratio=...
    # target dashboard median_ms < 200 at 100000 concerns, queries the same at both sizes: met

Each size is a municipality of its own in the same database, filled in bulk through the
models (`bulk_create`, so new fields with defaults are filled in as the model says), with the
helpers the other benchmarks and the tests use: concerns as `bench/concerns.py` builds them
for the inbox (`concern_row`), measures by `make_plan`, ROS analyses by `fill_analysis`,
council bodies by `make_body`, routines by `make_routine`/`apply_routine`. Used by
bench/run.py, which makes the environment, the database and the cleanup; the phase below
runs inside Django through run.py's `run_phase`. See bench/README.md.
"""

from __future__ import annotations

import statistics
import time

import concerns as concern_bench
import run as core

DASHBOARD_URL_NAME = "insights:municipality_dashboard"
DASHBOARD_USER = "benk-oversikt"
TARGET_MS = 200
UNITS = 12
EVENTS_PER_PROJECT = 10  # unwanted events in each project's ROS analysis
MONTHS = 15  # concerns are spread over this many months back from today
COUNCIL_MEETINGS = 12  # one a month, the last ones in the future
SURVEY_RESPONSES = 8  # per round; two rounds per project


def scaled(concerns: int) -> dict:
    """The data set for `concerns` concerns: 1 measure per 20 concerns, 1 project per 2,000
    (at least 5). 100,000 gives the issue's 5,000 measures and 50 projects."""
    return {"concerns": concerns, "measures": concerns // 20, "projects": max(5, concerns // 2000)}


# --- The phase that runs inside Django (see run.py's run_phase) ----------------------------


def phase_dashboard_fill(concerns: int, index: int) -> dict:
    """A municipality of its own with `scaled(concerns)`; the dashboard's queries (with
    EXPLAIN ANALYZE of the slowest on PostgreSQL) and a logged-in session for the server."""
    core.django_setup()
    from django.db import connection
    from django.urls import reverse

    size = scaled(concerns)
    username = f"{DASHBOARD_USER}-{concerns}"
    began = time.monotonic()
    municipality = fill(size, index, username)
    fill_seconds = time.monotonic() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load

    url = reverse(DASHBOARD_URL_NAME)
    client = concern_bench.staff_client(username)
    response = client.get(url)  # warm: the first request of a process loads more
    if response.status_code != 200 or municipality.name not in response.content.decode():
        raise core.BenchError(f"{url} answered {response.status_code} without {municipality}")
    queries, explain = concern_bench.inbox_queries(client, url)
    timings = []
    for _request in range(5):
        began = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
    return {
        "size": size,
        "stored": stored(municipality),
        "fill_seconds": fill_seconds,
        "queries": queries,
        "explain": explain,
        "in_process_ms": statistics.median(timings),
        "url": url,
        "cookie": [
            concern_bench.client_cookie_name(),
            client.cookies[concern_bench.client_cookie_name()].value,
        ],
    }


def stored(municipality) -> dict:
    from naboskap.concerns.models import Concern

    return {
        "concerns": Concern.objects.filter(municipality=municipality).count(),
        "measures": municipality_measures(municipality).count(),
        "projects": municipality.projects.count(),
    }


def municipality_measures(municipality):
    from naboskap.plans.models import Measure

    return Measure.objects.filter(project__municipality=municipality)


def fill(size: dict, index: int, username: str, place: str = "Oversikt"):
    """Make the municipality, its coordinator, units, projects and everything on them.
    (`place` names them, so that other benchmarks fill municipalities of their own with it
    in the same database: bench/staff.py.)"""
    from naboskap.concerns import services as concern_services
    from naboskap.concerns.models import Category

    municipality, user, units, projects = fill_municipality(
        name=f"{place}vik {size['concerns']} kommune",
        number=f"{9910 + index:04d}",
        slug=f"{place.lower()}vik-{size['concerns']}",
        username=username,
        place=place,
        index=index,
        units=UNITS,
        projects=size["projects"],
    )
    concern_services.categories_ensure_defaults(municipality=municipality)
    categories = list(Category.objects.filter(municipality=municipality))
    events = fill_risk(projects, user)
    fill_measures(projects, units, size["measures"])
    fill_concerns(projects, categories, units, events, size["concerns"])
    fill_council(projects)
    fill_routines(municipality, projects, user)
    fill_surveys(municipality, projects)
    return municipality


def fill_municipality(
    *,
    name: str,
    number: str,
    slug: str,
    username: str,
    place: str,
    index: int,
    units: int,
    projects: int,
):
    """A municipality with a coordinator (past the two-step login), `units` units and
    `projects` projects across the phases, named after `place` and `index`. Returns
    (municipality, user, units, projects)."""
    from naboskap.projects.models import Phase
    from naboskap.tenancy.models import Membership
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp

    municipality = factories.MunicipalityFactory(name=name, number=number, slug=slug)
    # Factory sequences start again in every process: names that other rows have not.
    user = factories.UserFactory(username=username, email=f"{username}@example.org")
    Membership.objects.create(user=user, municipality=municipality, role="coordinator")
    enrol_totp(user)
    made_units = [
        factories.UnitFactory(municipality=municipality, name=f"{place}enhet {index}-{n}")
        for n in range(units)
    ]
    phases = [Phase.PLANNING, Phase.CONSTRUCTION, Phase.MOVE_IN, Phase.OPERATION]
    made_projects = [
        factories.ProjectFactory(
            municipality=municipality,
            name=f"{place}veien {index}-{n}",
            slug=f"{place.lower()}veien-{index}-{n}",
            dialogue_owner=user,
            responsible_unit=made_units[n % units],
            phase=phases[n % len(phases)],
        )
        for n in range(projects)
    ]
    return municipality, user, made_units, made_projects


def fill_risk(projects, user) -> dict:
    """A ROS analysis per project with scored events (every third with a measure)."""
    from naboskap.risk.tests.factories import fill_analysis, make_analysis

    events = {}
    for project in projects:
        analysis = make_analysis(project, by=user)
        events[project.pk] = fill_analysis(analysis, EVENTS_PER_PROJECT)
    return events


def fill_measures(projects, units, total: int) -> None:
    """Bring the measures to `total` with `make_plan` (every fifth overdue), then finish or
    cancel some, so that open, overdue, done and cancelled all occur."""
    from django.utils import timezone

    from naboskap.plans.models import Measure
    from naboskap.testing.factories import make_plan

    existing = Measure.objects.filter(project__in=projects).count()
    missing = max(0, total - existing)
    for number, project in enumerate(projects):
        share = missing // len(projects) + (1 if number < missing % len(projects) else 0)
        if share:
            make_plan(project, measures=share, units=units)
    ids = list(Measure.objects.filter(project__in=projects).values_list("pk", flat=True))
    Measure.objects.filter(pk__in=ids[::4]).update(
        status=Measure.Status.DONE, progress=100, updated_at=timezone.now()
    )
    Measure.objects.filter(pk__in=ids[1::17]).update(status=Measure.Status.CANCELLED)


def fill_concerns(projects, categories, units, events: dict, total: int) -> None:
    """`total` concerns spread evenly over MONTHS months, built like the inbox benchmark's
    (`concern_row`), answered 0–19 days after they came in (answer deadline 14 days: about a
    quarter late), closed two days after the answer; every 9th relevant for the police, every
    37th linked to an unwanted event of its project (the observed frequency; 37 is prime, so
    the links spread over every project and event)."""
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.concerns.models import Concern
    from naboskap.concerns.workflow import Status

    now = timezone.now()
    span_minutes = MONTHS * 30 * 24 * 60
    batch = []
    for number in range(total):
        created = now - timedelta(minutes=(total - number) * span_minutes // total + 30)
        concern = concern_bench.concern_row(
            number, created, now, projects=projects, categories=categories, units=units
        )
        if concern.status in (Status.ANSWERED, Status.CLOSED):
            concern.answered_at = min(now, created + timedelta(days=number % 20, hours=3))
            # Answered once: the first answer is the answer (as concern_transition keeps it).
            concern.first_answered_at = concern.answered_at
            concern.first_answered_on = timezone.localdate(concern.answered_at)
        if concern.status == Status.CLOSED:
            concern.closed_at = min(now, concern.answered_at + timedelta(days=2))
        concern.police_relevant = number % 9 == 0
        if number % 37 == 0:
            linked = events[concern.project.pk]
            concern.unwanted_event = linked[(number // 37) % len(linked)]
        batch.append(concern)
        if len(batch) == 5000:
            Concern.objects.bulk_create(batch)
            batch = []
    if batch:
        Concern.objects.bulk_create(batch)


def fill_council(projects) -> None:
    """A council per project (through the service) meeting monthly, the past meetings with
    attendance (three in four present)."""
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.meetings.models import Attendance, Meeting
    from naboskap.meetings.tests.factories import make_body

    now = timezone.now().replace(second=0, microsecond=0)
    for project in projects:
        body = make_body(project)
        members = list(body.members.all())
        meetings = Meeting.objects.bulk_create(
            Meeting(
                project=project,
                body=body,
                kind=Meeting.Kind.COUNCIL,
                title=f"Møte {month + 1} i naborådet",
                place="Fellesstua",
                starts_at=now - timedelta(days=30 * (COUNCIL_MEETINGS - 2 - month)),
                ends_at=now - timedelta(days=30 * (COUNCIL_MEETINGS - 2 - month), hours=-2),
            )
            for month in range(COUNCIL_MEETINGS)
        )
        Attendance.objects.bulk_create(
            Attendance(
                meeting=meeting,
                member=member,
                status=Attendance.Status.PRESENT if (m + k) % 4 else Attendance.Status.APOLOGIES,
            )
            for m, meeting in enumerate(meetings)
            if meeting.starts_at < now
            for k, member in enumerate(members)
        )


def fill_routines(municipality, projects, user) -> None:
    """One routine applied to every project (through the services); some tasks done."""
    from django.utils import timezone

    from naboskap.routines.models import ProjectTask
    from naboskap.routines.tests.factories import apply_routine, make_routine

    routine = make_routine(municipality, slug=f"oversikt-{municipality.pk}", name="Oversikt")
    for project in projects:
        apply_routine(project, routine, by=user)
    ids = list(ProjectTask.objects.filter(project__in=projects).values_list("pk", flat=True))
    ProjectTask.objects.filter(pk__in=ids[::2]).update(
        status=ProjectTask.Status.DONE, completed_at=timezone.now(), completed_by=user
    )


def fill_surveys(municipality, projects) -> None:
    """Two survey rounds per project (last year's and this year's), with answers."""
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.insights import services
    from naboskap.insights.models import Answer, Response

    template = services.template_ensure_default(municipality=municipality)
    questions = [q for q in template.questions.all() if q.is_likert]
    today = timezone.localdate()
    for number, project in enumerate(projects):
        for year, (opens, closes) in enumerate([(-400, -370), (-30, -2)]):
            survey_round = services.round_create(
                project=project,
                template=template,
                title=f"Trygghetsundersøkelse {year + 1}",
                opens_on=today + timedelta(days=opens),
                closes_on=today + timedelta(days=closes),
            )
            responses = Response.objects.bulk_create(
                Response(round=survey_round, submitted_on=survey_round.opens_on)
                for _n in range(SURVEY_RESPONSES)
            )
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    question=question,
                    value=1 + (number + r + q + 2 * year) % 5,
                )
                for r, response in enumerate(responses)
                for q, question in enumerate(questions)
            )


PHASES = {"_dashboard_fill": lambda argv: phase_dashboard_fill(int(argv[2]), int(argv[3]))}


# --- The run -------------------------------------------------------------------------------


def time_dashboards(port: int, filled: list[dict], requests: int) -> list[float]:
    """`requests` sequential GETs of each size's dashboard, in turns, after three rounds of
    warm-up; the median time of each (the same server, the same moment)."""
    browsers = []
    for result in filled:
        browser = concern_bench.Browser(port)
        browser.cookies[result["cookie"][0]] = result["cookie"][1]
        browsers.append(browser)
    times: list[list[float]] = [[] for _ in filled]
    for round_number in range(requests + 3):
        for number, (browser, result) in enumerate(zip(browsers, filled, strict=True)):
            began = time.monotonic()
            status, location, _content = browser.request("GET", result["url"])
            took = time.monotonic() - began
            if status != 200:
                raise core.BenchError(f"GET {result['url']} answered {status} {location}")
            if round_number >= 3:
                times[number].append(took)
    return [statistics.median(values) * 1000 for values in times]


def run_benchmarks(args, env: dict, var_dir) -> list[str]:
    """The dashboard at each of `--dashboard-sizes`; returns failures (query counts that
    differ between sizes)."""
    log = core.log
    failures: list[str] = []
    filled = []
    for index, concerns in enumerate(args.dashboard_sizes):
        size = scaled(concerns)
        log(
            f"dashboard: bulk-create {size['concerns']} concerns, {size['measures']} measures, "
            f"{size['projects']} projects (and analyses, councils, routines, surveys)"
        )
        result = core.run_phase(env, "_dashboard_fill", str(concerns), str(index))
        log(f"dashboard: filled in {result['fill_seconds']:.1f} s; stored {result['stored']}")
        filled.append(result)
    with core.gunicorn(env, var_dir, "dashboard", args.workers) as port:
        log(f"dashboard: {args.dashboard_requests} GETs of each size's {filled[0]['url']}")
        medians = time_dashboards(port, filled, args.dashboard_requests)
    smallest = medians[0]
    for result, median in zip(filled, medians, strict=True):
        stored = result["stored"]
        line = (
            f"BENCH dashboard size={stored['concerns']} measures={stored['measures']} "
            f"projects={stored['projects']} queries={result['queries']} "
            f"median_ms={median:.1f} in_process_ms={result['in_process_ms']:.1f}"
        )
        if result is not filled[0]:
            line += (
                f" baseline_size={filled[0]['stored']['concerns']} ratio={median / smallest:.2f}"
            )
        print(line, flush=True)
        for item in result["explain"][:3]:
            print(
                f"# explain size={stored['concerns']}: {item['ms']} ms {item['sql'][:150]}",
                flush=True,
            )
            for plan_line in item["plan"][:8]:
                print(f"#     {plan_line}", flush=True)
    counts = [result["queries"] for result in filled]
    if len(set(counts)) != 1:
        failures.append(f"dashboard queries differ between sizes: {counts}")
    largest = medians[-1]
    met = "met" if largest < TARGET_MS and len(set(counts)) == 1 else "NOT met"
    print(
        f"# target dashboard median_ms < {TARGET_MS} at {filled[-1]['stored']['concerns']} "
        f"concerns, queries the same at every size: {met}",
        flush=True,
    )
    return failures
