"""What works (issue 25) in `make bench`: the worker's `compute_effects` for 1,000 done
measures over 100,000 concerns and 200 survey rounds, and the catalogue page
(`/app/hva-virker/`) with 10,000 measures that have an observed effect, each against a
baseline of 1/100 of the data in the same run.

    BENCH what_works compute measures=1000 concerns=100000 survey_rounds=200 projects=50
        database=... seconds=... cpu_seconds=... queries=... effects=1000 estimates=...
        seconds_again=... project_ms=... baseline_measures=10 baseline_concerns=1000
        baseline_seconds=... ratio=...
    # target what_works compute under 10 s at 1000 measures, ...: met
    BENCH what_works catalogue effects=10000 queries=... median_ms=... in_process_ms=...
        baseline_effects=100 baseline_queries=... baseline_median_ms=... ratio=...
    # target what_works catalogue <= 200 ms at 10000 measures, queries the same: met

Compute: each size is a municipality of its own filled by the dashboard benchmark's `fill`
(concerns, measures 1/20 of them, per project a ROS analysis, a council meeting monthly, a
routine and two survey rounds), then 1 concern in 100 gets a done measure: done measures
chosen evenly, `done_on` spread over the last 12 months, one or two concern categories each
(`Measure.categories.through`, bulk), every fifth with an unwanted event of its project as
its source and every seventh a concern of its project; survey rounds are brought to 1 per
500 concerns (at least the 10 `fill` makes) with 20 responses each. `compute_effects` of
that municipality's projects is timed in a process of its own (run.py's `run_phase`), as
the worker's first run after it starts, then again in the same process with the effects
there (`seconds_again`, what the hourly job does), and one project's alone (`project_ms`,
the task after a new concern). The run fails when the effects written are not one per done
measure.

Catalogue: each size is a municipality of its own with a coordinator (TOTP enrolled) and
the same 20 projects; measures by `make_plan`, all done (over the last two years), with one
or two categories, and their `Effect` rows bulk-created directly with realistic figures.
The page's queries are counted with the test client; its session cookie is used against
gunicorn as the dashboard benchmark does (`dashboard.time_dashboards`). The run fails when
the page answers anything but 200, does not show a full page of measures, or its queries
differ between the sizes.

Used by bench/run.py, which makes the environment, the database and the cleanup. See
bench/README.md.
"""

from __future__ import annotations

import collections
import statistics
import time

import concerns as concern_bench
import dashboard
import run as core

CATALOGUE_URL_NAME = "whatworks:catalogue"
PLACE = "Virker"  # names the compute benchmark's municipalities (dashboard.fill)
COMPUTE_INDEX = 40  # dashboard.fill's index: municipality numbers 9950, 9951, …
CATALOGUE_NUMBER = 9960  # the catalogue's municipalities: 9960, 9961, …
COMPUTE_TARGET_SECONDS = 10
CATALOGUE_TARGET_MS = 200
CATALOGUE_PROJECTS = 20
CATALOGUE_UNITS = 6
PAGE_SIZE = 50  # the catalogue's page (whatworks.views.PAGE_SIZE)
ROUND_RESPONSES = 20  # responses in each survey round added here
EVENT_TITLES = [
    "Støy fra byggeplassen om kvelden",
    "Ungdom samles ved garasjene",
    "Innbrudd i boder",
    "Konflikt mellom naboer i oppgangen",
    "Trafikkfarlig skolevei",
]


def username(name: str) -> str:
    return f"benk-virker-{name}"


def compute_scaled(concerns: int) -> dict:
    """The dashboard benchmark's data set for `concerns`, with 1 done measure per 100
    concerns and 1 survey round per 500 (at least 10): 100,000 gives 1,000 and 200."""
    return {
        **dashboard.scaled(concerns),
        "done": concerns // 100,
        "survey_rounds": max(10, concerns // 500),
    }


# --- Phases that run inside Django (see run.py's run_phase) --------------------------------


def phase_compute_fill(concerns: int, index: int) -> dict:
    """A municipality of its own filled by `dashboard.fill`, with `done` measures done on a
    day of the last year, addressing categories, and survey rounds brought to the size."""
    core.django_setup()
    from django.db import connection

    size = compute_scaled(concerns)
    began = time.monotonic()
    municipality = dashboard.fill(
        size, COMPUTE_INDEX + index, username(f"beregn-{concerns}"), place=PLACE
    )
    mark_done(municipality, size["done"])
    add_survey_rounds(municipality, size["survey_rounds"])
    fill_seconds = time.monotonic() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    return {
        "slug": municipality.slug,
        "fill_seconds": fill_seconds,
        "stored": compute_stored(municipality),
    }


def compute_stored(municipality) -> dict:
    from naboskap.concerns.models import Concern
    from naboskap.insights.models import Response, SurveyRound
    from naboskap.plans.models import Measure

    return {
        "concerns": Concern.objects.filter(municipality=municipality).count(),
        "done": Measure.objects.filter(
            project__municipality=municipality,
            status=Measure.Status.DONE,
            done_on__isnull=False,
        ).count(),
        "survey_rounds": SurveyRound.objects.filter(project__municipality=municipality).count(),
        "responses": Response.objects.filter(round__project__municipality=municipality).count(),
        "projects": municipality.projects.count(),
    }


def mark_done(municipality, count: int) -> None:
    """`count` of the done measures (chosen evenly, so every project has some) get a
    `done_on` in the last 12 months and one or two concern categories; every fifth without
    a source gets an unwanted event of its project as its source, every seventh a concern."""
    from datetime import timedelta

    from django.db.models import Min
    from django.utils import timezone

    from naboskap.concerns.models import Category, Concern
    from naboskap.plans.models import Measure
    from naboskap.risk.models import UnwantedEvent

    done = list(
        Measure.objects.filter(
            project__municipality=municipality, status=Measure.Status.DONE
        ).order_by("pk")
    )
    if len(done) < count:
        raise core.BenchError(f"what_works: {len(done)} done measures, {count} wanted")
    chosen = [done[i * len(done) // count] for i in range(count)]
    categories = list(
        Category.objects.filter(municipality=municipality)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    events: dict[int, list[int]] = {}
    for pk, project_id in UnwantedEvent.objects.filter(
        analysis__project__municipality=municipality
    ).values_list("pk", "analysis__project_id"):
        events.setdefault(project_id, []).append(pk)
    first_concern = dict(
        Concern.objects.filter(municipality=municipality, category__isnull=False)
        .values("project_id")
        .annotate(first=Min("pk"))
        .values_list("project_id", "first")
    )
    today = timezone.localdate()
    links = []
    for number, measure in enumerate(chosen):
        # 211 and 365 have no common factor: the days are spread, not in project order.
        measure.done_on = today - timedelta(days=1 + (number * 211) % 365)
        if not measure.source_field:
            if number % 5 == 0 and events.get(measure.project_id):
                options = events[measure.project_id]
                measure.unwanted_event_id = options[number % len(options)]
            elif number % 7 == 0 and measure.project_id in first_concern:
                measure.concern_id = first_concern[measure.project_id]
        addresses = {categories[number % len(categories)]}
        if number % 3 == 0:
            addresses.add(categories[(number + 3) % len(categories)])
        links += [
            Measure.categories.through(measure_id=measure.pk, category_id=pk) for pk in addresses
        ]
    Measure.objects.bulk_update(chosen, ["done_on", "unwanted_event", "concern"], batch_size=500)
    Measure.categories.through.objects.bulk_create(links, batch_size=2000)


def add_survey_rounds(municipality, total: int) -> None:
    """Survey rounds brought to `total`, spread over the projects and the last 15 months,
    each with ROUND_RESPONSES responses answering every Likert question (as
    `dashboard.fill_surveys` makes them: the round through the service, the rest in bulk)."""
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.insights import services
    from naboskap.insights.models import Answer, Response, SurveyRound

    projects = list(municipality.projects.order_by("pk"))
    missing = total - SurveyRound.objects.filter(project__in=projects).count()
    if missing <= 0:
        return
    template = services.template_ensure_default(municipality=municipality)
    questions = [q for q in template.questions.all() if q.is_likert]
    today = timezone.localdate()
    rounds = []
    for number in range(missing):
        opens = today - timedelta(days=450 - number * 440 // missing)
        rounds.append(
            services.round_create(
                project=projects[number % len(projects)],
                template=template,
                title=f"Nabolagsundersøkelse {number + 1}",
                opens_on=opens,
                closes_on=opens + timedelta(days=21),
            )
        )
    responses = Response.objects.bulk_create(
        (
            Response(round=survey_round, submitted_on=survey_round.opens_on + timedelta(days=r))
            for survey_round in rounds
            for r in range(ROUND_RESPONSES)
        ),
        batch_size=2000,
    )
    Answer.objects.bulk_create(
        (
            Answer(response=response, question=question, value=1 + (r * 3 + q) % 5)
            for r, response in enumerate(responses)
            for q, question in enumerate(questions)
        ),
        batch_size=5000,
    )


def phase_compute(slug: str, profile_anyway: bool = False) -> dict:
    """`compute_effects` of the municipality's projects, in this fresh process (as the
    worker's first run), again with the effects there, and for one project; the queries
    (executed statements) of the first run. A profile of it when it misses the target (or
    `profile_anyway`: `--whatworks-profile`)."""
    core.django_setup()
    from django.db import connection

    from naboskap.plans.models import Measure
    from naboskap.tenancy.models import Municipality
    from naboskap.whatworks.models import Effect
    from naboskap.whatworks.services import compute_effects

    municipality = Municipality.objects.get(slug=slug)
    project_ids = list(municipality.projects.order_by("pk").values_list("pk", flat=True))
    expected = Measure.objects.filter(
        project_id__in=project_ids, status=Measure.Status.DONE, done_on__isnull=False
    ).count()
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(" ".join(sql.split())[:90])
        return execute(sql, params, many, context)

    began, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        made = compute_effects(project_ids=project_ids)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    effects = Effect.objects.filter(measure__project_id__in=project_ids)
    stored, estimates = effects.count(), effects.filter(ratio__isnull=False).count()
    began = time.perf_counter()
    again = compute_effects(project_ids=project_ids)
    seconds_again = time.perf_counter() - began
    project_times = []
    for project_id in project_ids[:5]:
        began = time.perf_counter()
        compute_effects(project_ids=[project_id])
        project_times.append((time.perf_counter() - began) * 1000)
    profile = []
    if profile_anyway or max(seconds, seconds_again) >= COMPUTE_TARGET_SECONDS:
        profile = profile_compute(project_ids)
    return {
        "database": connection.vendor,
        "expected": expected,
        "made": made,
        "made_again": again,
        "stored": stored,
        "estimates": estimates,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "seconds_again": seconds_again,
        "project_ms": statistics.median(project_times),
        "queries": len(executed),
        "statements": sorted(collections.Counter(executed).items(), key=lambda item: -item[1]),
        "profile": profile,
    }


def profile_compute(project_ids: list[int]) -> list[str]:
    """The functions `compute_effects` spends its time in (cumulative), one line each."""
    import cProfile
    import io
    import pstats

    from naboskap.whatworks.services import compute_effects

    profiler = cProfile.Profile()
    profiler.runcall(compute_effects, project_ids=project_ids)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return [line for line in out.getvalue().splitlines() if line.strip()][-27:]


def phase_catalogue_fill(effects: int, index: int) -> dict:
    """A municipality of its own with `effects` done measures with an effect; the
    catalogue's queries (EXPLAIN ANALYZE of the slowest on PostgreSQL) and a session."""
    core.django_setup()
    from django.db import connection
    from django.urls import reverse

    began = time.monotonic()
    municipality, user_name = fill_catalogue(effects, index)
    fill_seconds = time.monotonic() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    url = reverse(CATALOGUE_URL_NAME)
    client = concern_bench.staff_client(user_name)
    response = client.get(url)  # warm: the first request of a process loads more
    content = response.content.decode()
    rows = content.count('role="rowheader" scope="row"')
    if response.status_code != 200 or rows != min(PAGE_SIZE, effects):
        raise core.BenchError(
            f"{url} answered {response.status_code} with {rows} measures, "
            f"{min(PAGE_SIZE, effects)} expected"
        )
    queries, explain = concern_bench.inbox_queries(client, url)
    timings = []
    for _request in range(5):
        began = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
    from naboskap.whatworks.models import Effect

    return {
        "effects": Effect.objects.filter(measure__project__municipality=municipality).count(),
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


def fill_catalogue(effects: int, index: int):
    """The municipality, its coordinator, CATALOGUE_PROJECTS projects and `effects` done
    measures (by `make_plan`), each with an `Effect` row made here directly."""
    from datetime import timedelta
    from functools import lru_cache

    from django.utils import timezone

    from naboskap.concerns import services as concern_services
    from naboskap.concerns.models import Category
    from naboskap.plans.models import Measure
    from naboskap.testing.factories import make_plan
    from naboskap.whatworks import statistics as effect_statistics
    from naboskap.whatworks.models import Effect

    municipality, user, units, projects = dashboard.fill_municipality(
        name=f"Katalogvik {effects} kommune",
        number=f"{CATALOGUE_NUMBER + index:04d}",
        slug=f"katalogvik-{effects}",
        username=username(f"katalog-{effects}"),
        place="Katalog",
        index=index,
        units=CATALOGUE_UNITS,
        projects=CATALOGUE_PROJECTS,
    )
    for number, project in enumerate(projects):
        share = effects // len(projects) + (1 if number < effects % len(projects) else 0)
        if share:
            make_plan(project, measures=share, units=units)
    concern_services.categories_ensure_defaults(municipality=municipality)
    categories = list(Category.objects.filter(municipality=municipality).order_by("pk"))
    measures = list(
        Measure.objects.filter(project__in=projects).order_by("pk").values_list("pk", "title")
    )
    today = timezone.localdate()
    now = timezone.now()
    # Done on a day of the last two years (the newest at least 15 days ago).
    done_on = {
        pk: today - timedelta(days=15 + (n * 211) % 715) for n, (pk, _title) in enumerate(measures)
    }
    changed = list(Measure.objects.filter(project__in=projects).only("pk"))
    for measure in changed:
        measure.status, measure.progress = Measure.Status.DONE, 100
        measure.done_on = done_on[measure.pk]
    Measure.objects.bulk_update(changed, ["status", "progress", "done_on"], batch_size=1000)

    rate_ratio = lru_cache(maxsize=None)(effect_statistics.rate_ratio)
    links, rows = [], []
    for number, (pk, _title) in enumerate(measures):
        addresses = [categories[number % len(categories)]]
        if number % 3 == 0:
            addresses.append(categories[(number + 3) % len(categories)])
        if number % 10 == 9:
            addresses = []  # addresses an unwanted event only
        links += [
            Measure.categories.through(measure_id=pk, category_id=category.pk)
            for category in addresses
        ]
        day = done_on[pk]
        after_days = min(90, (today - day).days)
        before = 1 + (number * 7) % 30
        after = round(before * (0.3 + (number % 12) / 10))
        too_little = before + after < 6 or after_days < 14
        ratio = None if too_little else rate_ratio(after, before, after_days, 90)
        survey_before = 2.8 + (number % 10) / 10
        survey_change = ((number % 7) - 2) / 10
        responses = 8 + number % 23
        rows.append(
            Effect(
                measure_id=pk,
                done_on=day,
                window_days=90,
                after_days=after_days,
                concerns_before=before,
                concerns_after=after,
                ratio=ratio.value if ratio else None,
                ratio_low=ratio.low if ratio else None,
                ratio_high=ratio.high if ratio else None,
                too_little_data=too_little or ratio is None,
                survey_before=survey_before if number % 4 else None,
                survey_after=survey_before + survey_change if number % 4 else None,
                survey_responses_before=responses if number % 4 else 0,
                survey_responses_after=responses - 3 if number % 4 else 0,
                survey_change_low=survey_change - 0.45 if number % 4 else None,
                survey_change_high=survey_change + 0.45 if number % 4 else None,
                council_meetings_before=3,
                council_meetings_after=3 if after_days >= 90 else after_days // 30,
                council_present_before=18,
                council_present_after=17,
                meanwhile=[
                    {
                        "date": (day + timedelta(days=k * 9 - 20)).isoformat(),
                        "kind": "measure",
                        "what": f"Tiltak nummer {number + k + 1}",
                        "measure": pk + k + 1,
                    }
                    for k in range(number % 4)
                ],
                category_codes=sorted(category.code for category in addresses),
                event_titles=[EVENT_TITLES[number % len(EVENT_TITLES)]]
                if number % 5 == 0 or not addresses
                else [],
                computed_at=now,
            )
        )
    Measure.categories.through.objects.bulk_create(links, batch_size=2000)
    Effect.objects.bulk_create(rows, batch_size=1000)
    return municipality, user.username


PHASES = {
    "_whatworks_compute_fill": lambda argv: phase_compute_fill(int(argv[2]), int(argv[3])),
    "_whatworks_compute": lambda argv: phase_compute(argv[2], argv[3] == "1"),
    "_whatworks_catalogue_fill": lambda argv: phase_catalogue_fill(int(argv[2]), int(argv[3])),
}


# --- The run -------------------------------------------------------------------------------


def run_benchmarks(args, env: dict, var_dir) -> list[str]:
    """Both figures; returns failures (effects not one per done measure, a catalogue page
    that is not whole or whose queries differ between sizes)."""
    failures = run_compute(args, env)
    failures += run_catalogue(args, env, var_dir)
    return failures


def run_compute(args, env: dict) -> list[str]:
    log = core.log
    failures: list[str] = []
    filled = []
    for index, concerns in enumerate(args.whatworks_sizes):
        size = compute_scaled(concerns)
        log(
            f"what_works: fill {concerns} concerns, {size['done']} done measures, "
            f"{size['survey_rounds']} survey rounds (dashboard.fill and more)"
        )
        result = core.run_phase(env, "_whatworks_compute_fill", str(concerns), str(index))
        log(f"what_works: filled in {result['fill_seconds']:.1f} s; stored {result['stored']}")
        filled.append(result)
    timed = []
    for result in filled:
        log(f"what_works: compute_effects for {result['slug']} in a fresh process")
        profile = "1" if args.whatworks_profile and result is filled[-1] else "0"
        timed.append(core.run_phase(env, "_whatworks_compute", result["slug"], profile))
    for result, times in zip(filled, timed, strict=True):
        stored = result["stored"]
        wanted = stored["done"]
        if not (times["made"] == times["made_again"] == times["stored"] == wanted):
            failures.append(
                f"what_works compute: {times['made']} effects made ({times['made_again']} "
                f"again, {times['stored']} stored) for {wanted} done measures"
            )
    base, base_times = filled[0]["stored"], timed[0]
    largest, times = filled[-1]["stored"], timed[-1]
    print(
        f"BENCH what_works compute measures={largest['done']} concerns={largest['concerns']} "
        f"survey_rounds={largest['survey_rounds']} responses={largest['responses']} "
        f"projects={largest['projects']} database={times['database']} "
        f"seconds={times['seconds']:.2f} cpu_seconds={times['cpu_seconds']:.2f} "
        f"queries={times['queries']} effects={times['stored']} estimates={times['estimates']} "
        f"seconds_again={times['seconds_again']:.2f} project_ms={times['project_ms']:.0f} "
        f"baseline_measures={base['done']} baseline_concerns={base['concerns']} "
        f"baseline_survey_rounds={base['survey_rounds']} "
        f"baseline_seconds={base_times['seconds']:.2f} "
        f"baseline_queries={base_times['queries']} "
        f"ratio={times['seconds'] / max(base_times['seconds'], 1e-6):.1f}",
        flush=True,
    )
    if times["queries"] != base_times["queries"]:
        # Which statements grow with the size (one line each: count, the statement's start).
        for sql, number in times["statements"][:8]:
            print(f"# queries at {largest['done']} measures: {number} x {sql}", flush=True)
    for line in times["profile"]:
        print(f"# profile {line}", flush=True)
    slowest = max(times["seconds"], times["seconds_again"])
    met = "met" if slowest < COMPUTE_TARGET_SECONDS else "NOT met"
    print(
        f"# target what_works compute under {COMPUTE_TARGET_SECONDS} s at {largest['done']} "
        f"measures, {largest['concerns']} concerns, {largest['survey_rounds']} survey rounds "
        f"({times['database']}): {met}",
        flush=True,
    )
    return failures


def run_catalogue(args, env: dict, var_dir) -> list[str]:
    log = core.log
    failures: list[str] = []
    filled = []
    for index, effects in enumerate(args.whatworks_effects):
        log(f"what_works: catalogue with {effects} done measures with an effect")
        result = core.run_phase(env, "_whatworks_catalogue_fill", str(effects), str(index))
        log(f"what_works: filled in {result['fill_seconds']:.1f} s; {result['effects']} effects")
        filled.append(result)
    with core.gunicorn(env, var_dir, "whatworks", args.workers) as port:
        log(f"what_works: {args.whatworks_requests} GETs of each size's {filled[0]['url']}")
        medians = dashboard.time_dashboards(port, filled, args.whatworks_requests)
    base, largest = filled[0], filled[-1]
    print(
        f"BENCH what_works catalogue effects={largest['effects']} "
        f"queries={largest['queries']} median_ms={medians[-1]:.1f} "
        f"in_process_ms={largest['in_process_ms']:.1f} baseline_effects={base['effects']} "
        f"baseline_queries={base['queries']} baseline_median_ms={medians[0]:.1f} "
        f"ratio={medians[-1] / medians[0]:.2f}",
        flush=True,
    )
    for result in filled:
        for item in result["explain"][:3]:
            print(
                f"# explain effects={result['effects']}: {item['ms']} ms {item['sql'][:150]}",
                flush=True,
            )
            for plan_line in item["plan"][:8]:
                print(f"#     {plan_line}", flush=True)
    counts = [result["queries"] for result in filled]
    if len(set(counts)) != 1:
        failures.append(f"what_works catalogue queries differ between sizes: {counts}")
    met = "met" if medians[-1] <= CATALOGUE_TARGET_MS and len(set(counts)) == 1 else "NOT met"
    print(
        f"# target what_works catalogue <= {CATALOGUE_TARGET_MS} ms at {largest['effects']} "
        f"measures, queries the same at every size: {met}",
        flush=True,
    )
    return failures
