"""The staff's working day (issue 18) in `make bench`: the start page ("I dag",
`/app/`) for each role, and staff search (`/app/sok/`), at 1,000 and 100,000 concerns.

    BENCH staff_home role=coordinator size=1000/100000 queries_1k=... queries_100k=...
        median_ms_1k=... median_ms_100k=... ratio=...
    BENCH staff_search size=100000 queries=... median_ms=... (one line per size)
    # target ...: met

Each size is a municipality of its own with the same number of projects
(`--staff-projects`, 20: the page shows a section per project, and what is measured is how
it copes with more data, not with more projects), filled as the dashboard benchmark fills
one (`dashboard.fill`: concerns, measures 1/20 of them, a ROS analysis, a council meeting
monthly, a routine and surveys per project), and then made proportional in what the start
page counts: one extra meeting per 50 concerns (dialogue meetings, past and
coming, a third with an invitation not yet sent) and routine tasks brought to one per 20
concerns. The concerns' texts are varied (`TEXTS`, one in twenty each) so that a word
matches a realistic share. One user per role: coordinator (municipality-wide), case handler
(of one unit), police liaison and politician (municipality-wide), facility staff and
environmental caretaker (of the first project). Used by bench/run.py, which makes the
environment, the database and the cleanup. See bench/README.md.
"""

from __future__ import annotations

import statistics
import time

import concerns as concern_bench
import dashboard
import run as core

HOME_URL_NAME = "insights:home"
SEARCH_URL_NAME = "search:search"
ROLES = ["coordinator", "case_handler", "police", "politician", "facility_staff", "caretaker"]
HOME_TARGET_MS = 150
HOME_RATIO_TARGET = 2
SEARCH_TARGET_MS = 200
PLACE = "Arbeid"
TEXTS = [
    "Høy musikk fra hagen etter midnatt.",
    "Knuste vinduer i oppgangen.",
    "Søppel ved containerne ligger utover plenen.",
    "Biler parkerer på fortauet ved skolen.",
    "Hund uten bånd på lekeplassen.",
    "Røyklukt i trappeoppgangen om kvelden.",
    "Støy fra byggeplassen før klokka sju.",
    "Ungdom samles ved garasjene sent på kvelden.",
    "Lyset på gangveien er ødelagt.",
    "Sykler kastet i bekken.",
    "Trafikken i gata har økt mye.",
    "Uro i leiligheten over oss.",
    "Graffiti på veggen mot parken.",
    "Brøytingen stenger innkjørselen.",
    "Rotter ved avfallsbua.",
    "Knust glass på ballbanen.",
    "Fyrverkeri sent på natta.",
    "Bråk fra festlokalet i helgene.",
    "Mangler benker på uteområdet.",
    "Naboen klipper plenen søndag morgen.",
]
# What staff search for: a word in one concern of twenty, two words, a word in every concern
# (the location), a measure's title, a reference and a name.
SEARCHES = ["vinduer", "musikk hagen", "lekeplassen", "tiltak", "{reference}", "{project}"]


def username(role: str, concerns: int) -> str:
    return f"benk-arbeid-{role}-{concerns}"


# --- The phase that runs inside Django (see run.py's run_phase) ----------------------------


def scaled(concerns: int, projects: int) -> dict:
    """The dashboard benchmark's data set for `concerns` (measures 1/20 of them), in a fixed
    number of projects: what grows is the data, not the number of projects on the page."""
    return {**dashboard.scaled(concerns), "projects": projects}


def phase_staff_fill(concerns: int, index: int, projects: int) -> dict:
    core.django_setup()
    from django.db import connection
    from django.urls import reverse

    size = scaled(concerns, projects)
    began = time.monotonic()
    municipality = dashboard.fill(size, 20 + index, username("coordinator", concerns), place=PLACE)
    extra = fill_more(municipality, concerns)
    fill_seconds = time.monotonic() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load

    home = reverse(HOME_URL_NAME)
    roles = {}
    for role in ROLES:
        client = concern_bench.staff_client(username(role, concerns))
        response = client.get(home)  # warm: the first request of a process loads more
        if response.status_code != 200:
            raise core.BenchError(f"{home} answered {response.status_code} for {role}")
        queries, explain = concern_bench.inbox_queries(client, home)
        roles[role] = {
            "queries": queries,
            "explain": explain,
            "cookie": client.cookies[concern_bench.client_cookie_name()].value,
        }
    searches = search_paths(municipality)
    client = concern_bench.staff_client(username("coordinator", concerns))
    found = {}
    for path in searches:
        response = client.get(path)
        if response.status_code != 200 or "data-search-total" not in response.content.decode():
            raise core.BenchError(f"{path} answered {response.status_code} without results")
        found[path] = response.content.decode().count("data-hit")
        queries, explain = concern_bench.inbox_queries(client, path)
        found[path] = {"hits": found[path], "queries": queries, "explain": explain}
    return {
        "size": size,
        "stored": {**dashboard.stored(municipality), **extra},
        "fill_seconds": fill_seconds,
        "home": home,
        "roles": roles,
        "searches": found,
        "cookie_name": concern_bench.client_cookie_name(),
    }


def search_paths(municipality) -> list[str]:
    from urllib.parse import urlencode

    from django.urls import reverse

    from naboskap.concerns.models import Concern

    concern = Concern.objects.filter(municipality=municipality).order_by("pk")
    concern = concern[concern.count() // 2]
    project = municipality.projects.order_by("pk").first()
    url = reverse(SEARCH_URL_NAME)
    return [
        f"{url}?{urlencode({'q': text.format(reference=concern.reference, project=project.name)})}"
        for text in SEARCHES
    ]


def fill_more(municipality, concerns: int) -> dict:
    """The roles' users, varied concern texts, and meetings and tasks in proportion."""
    from datetime import timedelta

    from django.db.models import F
    from django.db.models.functions import Mod
    from django.utils import timezone

    from naboskap.concerns.models import Concern
    from naboskap.meetings.models import Invitation, Meeting
    from naboskap.routines.models import ProjectTask
    from naboskap.tenancy.models import Membership, Role
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp

    projects = list(municipality.projects.order_by("pk"))
    unit = projects[0].responsible_unit
    scopes = {
        "case_handler": {"unit": unit},
        "police": {},
        "politician": {},
        "facility_staff": {"project": projects[0]},
        "caretaker": {"project": projects[0]},
    }
    for role, scope in scopes.items():
        name = username(role, concerns)
        user = factories.UserFactory(username=name, email=f"{name}@example.org")
        Membership.objects.create(
            user=user, municipality=municipality, role=getattr(Role, role.upper()), **scope
        )
        enrol_totp(user)

    mine = Concern.objects.filter(municipality=municipality)
    varied = mine.annotate(slot=Mod(F("pk"), len(TEXTS)))
    for number, text in enumerate(TEXTS):
        varied.filter(slot=number).update(description=text)

    now = timezone.now().replace(second=0, microsecond=0)
    count = concerns // 50
    meetings = Meeting.objects.bulk_create(
        Meeting(
            project=projects[number % len(projects)],
            kind=Meeting.Kind.DIALOGUE,
            title=f"Dialogmøte {number}",
            place="Grendehuset",
            starts_at=now + timedelta(days=(number % 60) - 40, hours=number % 7),
            ends_at=now + timedelta(days=(number % 60) - 40, hours=number % 7 + 2),
        )
        for number in range(count)
    )
    Invitation.objects.bulk_create(
        Invitation(
            meeting=meeting,
            email=f"nabo{number}@example.org",
            name="Nina Nabo",
            via=Invitation.Via.EMAIL,
        )
        for number, meeting in enumerate(meetings)
        if number % 3 == 0
    )

    tasks = ProjectTask.objects.filter(project__in=projects)
    wanted = concerns // 20
    existing = list(tasks.order_by("pk"))
    copies = []
    for number in range(max(0, wanted - len(existing))):
        task = existing[number % len(existing)]
        task.pk = None
        task.status = ProjectTask.Status.OPEN
        task.completed_at = None
        task.completed_by = None
        copies.append(task)
    ProjectTask.objects.bulk_create(copies, batch_size=2000)
    return {
        "meetings": Meeting.objects.filter(project__in=projects).count(),
        "tasks": tasks.count(),
    }


PHASES = {"_staff_fill": lambda argv: phase_staff_fill(int(argv[2]), int(argv[3]), int(argv[4]))}


# --- The run -------------------------------------------------------------------------------


def time_paths(port: int, cookie_name: str, jobs: list[tuple[str, str]], requests: int):
    """`requests` sequential GETs of each (cookie, path), in turns, after three rounds of
    warm-up; the median milliseconds of each."""
    browsers = []
    for cookie, _path in jobs:
        browser = concern_bench.Browser(port)
        browser.cookies[cookie_name] = cookie
        browsers.append(browser)
    times: list[list[float]] = [[] for _ in jobs]
    for round_number in range(requests + 3):
        for number, (browser, (_cookie, path)) in enumerate(zip(browsers, jobs, strict=True)):
            began = time.monotonic()
            status, location, _content = browser.request("GET", path)
            took = time.monotonic() - began
            if status != 200:
                raise core.BenchError(f"GET {path} answered {status} {location}")
            if round_number >= 3:
                times[number].append(took)
    return [statistics.median(values) * 1000 for values in times]


def short(concerns: int) -> str:
    return f"{concerns // 1000}k" if concerns >= 1000 else str(concerns)


def run_benchmarks(args, env: dict, var_dir, selected: set[str]) -> list[str]:
    """The start page for every role and the search, at each of `--staff-sizes`; returns
    failures (start-page queries that differ between sizes)."""
    log = core.log
    failures: list[str] = []
    filled = []
    for index, concerns in enumerate(args.staff_sizes):
        log(f"staff: fill a municipality with {concerns} concerns (as the dashboard's, and more)")
        result = core.run_phase(
            env, "_staff_fill", str(concerns), str(index), str(args.staff_projects)
        )
        log(f"staff: filled in {result['fill_seconds']:.1f} s; stored {result['stored']}")
        filled.append(result)
    cookie_name = filled[0]["cookie_name"]
    with core.gunicorn(env, var_dir, "staff", args.workers) as port:
        if "staff_home" in selected:
            jobs = [
                (result["roles"][role]["cookie"], result["home"])
                for role in ROLES
                for result in filled
            ]
            log(f"staff: {args.staff_requests} GETs of {filled[0]['home']} per role and size")
            medians = time_paths(port, cookie_name, jobs, args.staff_requests)
            home_lines(filled, medians, failures)
        if "staff_search" in selected:
            for result in filled:
                paths = list(result["searches"])
                cookie = result["roles"]["coordinator"]["cookie"]
                log(f"staff: {args.staff_requests} GETs of each of {len(paths)} searches")
                medians = time_paths(
                    port, cookie_name, [(cookie, path) for path in paths], args.staff_requests
                )
                search_lines(result, paths, medians)
    return failures


def home_lines(filled: list[dict], medians: list[float], failures: list[str]) -> None:
    sizes = [result["stored"]["concerns"] for result in filled]
    label = "/".join(str(size) for size in sizes)
    met = True
    for number, role in enumerate(ROLES):
        own = medians[number * len(filled) : (number + 1) * len(filled)]
        queries = [result["roles"][role]["queries"] for result in filled]
        parts = [f"BENCH staff_home role={role} size={label}"]
        parts += [f"queries_{short(s)}={q}" for s, q in zip(sizes, queries, strict=True)]
        parts += [f"median_ms_{short(s)}={m:.1f}" for s, m in zip(sizes, own, strict=True)]
        ratio = own[-1] / own[0]
        parts.append(f"ratio={ratio:.2f}")
        print(" ".join(parts), flush=True)
        for item in filled[-1]["roles"][role]["explain"][:2]:
            print(f"# explain {role} size={sizes[-1]}: {item['ms']} ms {item['sql'][:150]}")
        if len(set(queries)) != 1:
            failures.append(f"staff_home {role}: queries differ between sizes: {queries}")
        met = met and len(set(queries)) == 1 and ratio <= HOME_RATIO_TARGET
        met = met and own[-1] < HOME_TARGET_MS
    print(
        f"# target staff_home queries equal at every size, ratio <= {HOME_RATIO_TARGET}, "
        f"median_ms < {HOME_TARGET_MS} at {sizes[-1]} concerns, every role: "
        f"{'met' if met else 'NOT met'}",
        flush=True,
    )


def search_lines(result: dict, paths: list[str], medians: list[float]) -> None:
    size = result["stored"]["concerns"]
    queries = sorted({result["searches"][path]["queries"] for path in paths})
    median = statistics.median(medians)
    print(
        f"BENCH staff_search size={size} searches={len(paths)} "
        f"queries={'/'.join(str(q) for q in queries)} median_ms={median:.1f} "
        f"max_ms={max(medians):.1f}",
        flush=True,
    )
    for path, each in zip(paths, medians, strict=True):
        found = result["searches"][path]
        print(f"#   {path.split('?', 1)[1]}: median_ms={each:.1f} hits_shown={found['hits']}")
        for item in found["explain"][:1]:
            print(f"#     explain: {item['ms']} ms {item['sql'][:120]}")
            for plan_line in item["plan"][:6]:
                print(f"#       {plan_line}")
    print(
        f"# target staff_search median_ms < {SEARCH_TARGET_MS} at {size} concerns: "
        f"{'met' if median < SEARCH_TARGET_MS else 'NOT met'}",
        flush=True,
    )
