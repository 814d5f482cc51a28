"""ROS benchmark of `make bench`: the analysis page and its risk matrices with 10 and with
200 unwanted events.

    BENCH risk_matrix page=analysis events=10,200 queries=.. median_ms=.. cpu_ms=.. ratio=..
    BENCH risk_matrix page=matrix events=10,200 queries=.. median_ms=.. cpu_ms=.. ratio=..
    BENCH risk_report_pdf events=50 seconds=.. cpu_s=.. html_ms=.. ratio=.. pages=..

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


REPORT_USER = "benk-ros-rapport"
REPORT_EVENTS = 50
REPORT_PDF_RUNS = 3
REPORT_HTML_RUNS = 10
REPORT_PDF_TARGET = 3.0  # seconds, wall clock (the target)


def phase_report(events: int) -> dict:
    """An analysis with `events` fully filled events (every text, justification, strength
    of knowledge, acceptance, two measures each); time its report as PDF against the report
    page of the same analysis, in this one process."""
    core.django_setup()
    import io

    from django.test import Client
    from django.urls import reverse
    from pypdf import PdfReader

    from naboskap.risk.tests.factories import fill_full_analysis, make_analysis
    from naboskap.tenancy.models import Membership
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp, pass_mfa_stage

    municipality = factories.MunicipalityFactory(
        name="Rapportvik kommune", number="9905", slug="rapportvik"
    )
    user = factories.UserFactory(username=REPORT_USER, email=f"{REPORT_USER}@example.org")
    project = factories.ProjectFactory(
        municipality=municipality,
        name="Rapportveien",
        slug="rapportveien",
        dialogue_owner=user,
        responsible_unit=factories.UnitFactory(municipality=municipality, name="Rapporteier"),
    )
    Membership.objects.create(user=user, municipality=municipality, role="coordinator")
    enrol_totp(user)
    analysis = make_analysis(project, by=user, title="ROS Rapportveien")
    fill_full_analysis(analysis, events)
    client = Client(HTTP_HOST=core.HOST)
    client.force_login(user)
    pass_mfa_stage(client, user)
    html_url = reverse("risk:report", args=[project.pk, analysis.pk])
    pdf_url = reverse("risk:report_pdf", args=[project.pk, analysis.pk])
    html_seconds, html_cpu, html_queries, body = timed(client, html_url, REPORT_HTML_RUNS)
    if f"Hendelse nummer {events}<" not in body:
        raise core.BenchError(f"{html_url} does not show event {events}")
    # The PDF: the same timing, and the document read back.
    pdf_seconds, pdf_cpu, pdf_queries = [], [], set()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(pdf_url)  # warm-up: fonts, templates
    for _run in range(REPORT_PDF_RUNS):
        with CaptureQueriesContext(connection) as queries:
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(pdf_url)
            pdf_seconds.append(time.perf_counter() - began)
            pdf_cpu.append(time.process_time() - began_cpu)
        if response.status_code != 200 or not response.content.startswith(b"%PDF-"):
            raise core.BenchError(f"{pdf_url} answered {response.status_code}, not a PDF")
        pdf_queries.add(len(queries))
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    if f"Hendelse nummer {events}" not in text or "Bedre belysning" not in text:
        raise core.BenchError("the report PDF does not show every event and its measures")
    return {
        "events": events,
        "seconds": statistics.median(pdf_seconds),
        "cpu": statistics.median(pdf_cpu),
        "html_seconds": html_seconds,
        "html_cpu": html_cpu,
        "pages": len(reader.pages),
        "kb": len(response.content) // 1024,
        "queries": max(pdf_queries),
        "html_queries": html_queries,
    }


PHASES = {
    "_risk": lambda argv: phase_risk(int(argv[2])),
    "_risk_report": lambda argv: phase_report(int(argv[2])),
}


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
    core.log(
        f"risk: the report of {REPORT_EVENTS} fully filled events as PDF "
        f"({REPORT_PDF_RUNS}x) against the report page ({REPORT_HTML_RUNS}x)"
    )
    report = core.run_phase(env, "_risk_report", str(REPORT_EVENTS))
    print(
        f"BENCH risk_report_pdf events={report['events']} seconds={report['seconds']:.2f} "
        f"cpu_s={report['cpu']:.2f} html_ms={report['html_seconds'] * 1000:.0f} "
        f"html_cpu_ms={report['html_cpu'] * 1000:.0f} "
        f"ratio={report['cpu'] / report['html_cpu']:.1f} pages={report['pages']} "
        f"kb={report['kb']} queries={report['queries']} html_queries={report['html_queries']}",
        flush=True,
    )
    met = "met" if report["seconds"] < REPORT_PDF_TARGET else "NOT met"
    print(
        f"# target risk_report_pdf seconds < {REPORT_PDF_TARGET:g}: {met} "
        f"(cpu_s={report['cpu']:.2f})",
        flush=True,
    )
    return failures
