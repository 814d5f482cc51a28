"""ROS benchmark of `make bench`: the analysis page and its risk matrices with 10 and with
200 unwanted events.

    BENCH risk_matrix page=analysis events=10,200 queries=.. median_ms=.. cpu_ms=.. ratio=..
    BENCH risk_matrix page=matrix events=10,200 queries=.. median_ms=.. cpu_ms=.. ratio=..

The ROS report's PDF is a stored document rendered by the worker: its benchmark is in
bench/documents.py (`BENCH documents`).

`median_ms` is wall-clock time, `cpu_ms` the CPU time of the request (it runs in this one
process, so CPU time hardly moves when other work shares the machine); `ratio` is the CPU
time with 200 events over that with 10. Used by bench/run.py,
which makes the environment and the database and cleans up; the phase below runs inside
Django through run.py's `run_phase`. See bench/README.md.
"""

from __future__ import annotations

import statistics
import time

import run as core

RISK_USER = "benk-ros"
RUNS = 15
SIZES = (10, 200)
PAGES = ("analysis", "matrix")


def timed(client, url: str, runs: int) -> tuple[float, float, int, str]:
    """The median wall-clock and CPU seconds of `runs` GETs after one warm-up, their
    queries, the last body."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        raise core.BenchError(f"{url} answered {response.status_code}")
    seconds, cpu, counts = [], [], set()
    for _run in range(runs):
        with CaptureQueriesContext(connection) as queries:
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            seconds.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        if response.status_code != 200:
            raise core.BenchError(f"{url} answered {response.status_code}")
        counts.add(len(queries))
    if len(counts) != 1:
        raise core.BenchError(f"{url}: the query count varies between requests: {counts}")
    return (
        statistics.median(seconds),
        statistics.median(cpu),
        counts.pop(),
        response.content.decode(),
    )


def phase_risk(runs: int) -> dict:
    """A project with a ROS analysis on the default scale; time its page and its matrices
    (one per consequence dimension and an overall one) with 10 events, then with 200."""
    core.django_setup()
    from django.test import Client
    from django.urls import reverse

    from naboskap.risk.tests.factories import fill_analysis, make_analysis
    from naboskap.tenancy.models import Membership
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp, pass_mfa_stage

    municipality = factories.MunicipalityFactory(
        name="Rosvik kommune", number="9904", slug="rosvik"
    )
    user = factories.UserFactory(username=RISK_USER, email=f"{RISK_USER}@example.org")
    project = factories.ProjectFactory(
        municipality=municipality,
        name="Rosveien",
        slug="rosveien",
        dialogue_owner=user,
        responsible_unit=factories.UnitFactory(municipality=municipality, name="Roseier"),
    )
    Membership.objects.create(user=user, municipality=municipality, role="coordinator")
    enrol_totp(user)
    analysis = make_analysis(project, by=user)
    client = Client(HTTP_HOST=core.HOST)
    client.force_login(user)
    pass_mfa_stage(client, user)
    urls = {
        "analysis": reverse("risk:analysis_detail", args=[project.pk, analysis.pk]),
        "matrix": reverse("risk:matrix", args=[project.pk, analysis.pk]),
    }
    results: dict = {page: {"seconds": [], "cpu": [], "queries": []} for page in PAGES}
    filled = 0
    for size in SIZES:
        fill_analysis(analysis, size - filled)
        filled = size
        for page, url in urls.items():
            seconds, cpu, queries, body = timed(client, url, runs)
            if f"Hendelse nummer {size}<" not in body:
                raise core.BenchError(f"{url} does not show event {size}")
            results[page]["seconds"].append(seconds)
            results[page]["cpu"].append(cpu)
            results[page]["queries"].append(queries)
    return {"sizes": list(SIZES), "runs": runs, "pages": results}


PHASES = {"_risk": lambda argv: phase_risk(int(argv[2]))}


def run_benchmarks(args, env: dict) -> list[str]:
    """The ROS benchmark; returns failures (query counts that grow with the events)."""
    core.log(
        f"risk: analysis page and matrices with {' and '.join(map(str, SIZES))} events, "
        f"{RUNS} timed GETs each"
    )
    result = core.run_phase(env, "_risk", str(RUNS))
    failures = []
    sizes = ",".join(str(size) for size in result["sizes"])
    for page, data in result["pages"].items():
        small, large = data["cpu"][0], data["cpu"][-1]
        queries = data["queries"]
        print(
            f"BENCH risk_matrix page={page} events={sizes} "
            f"queries={','.join(map(str, queries))} "
            f"median_ms={','.join(f'{s * 1000:.1f}' for s in data['seconds'])} "
            f"cpu_ms={','.join(f'{s * 1000:.1f}' for s in data['cpu'])} "
            f"ratio={large / small:.2f}",
            flush=True,
        )
        if len(set(queries)) != 1:
            failures.append(f"risk_matrix {page}: queries grow with the events: {queries}")
    same = "met" if not failures else "NOT met"
    print(f"# target risk_matrix queries the same at {sizes} events: {same}", flush=True)
    return failures
