"""Action plan benchmark of `make bench`: the plan as PDF (rendered as the worker renders
it; downloads are in bench/documents.py) against the plan page, 500 measures.

    BENCH plan_pdf seconds=... measures=500 units=12 pages=... html_seconds=... ratio=...

Used by bench/run.py, which makes the environment and the database and cleans up; the phase
below runs inside Django through run.py's `run_phase`. See bench/README.md.
"""

from __future__ import annotations

import statistics
import time

import run as core

PLAN_MUNICIPALITY = "planvik"
PLAN_USER = "benk-planlegger"
PDF_RUNS = 3
HTML_RUNS = 10


def measured(call, runs: int) -> tuple[dict, object, int]:
    """The median wall-clock and CPU seconds of `runs` calls after one warm-up, the last
    result, and its queries. Everything runs in this process, so CPU seconds say what the
    work costs even when other work shares the machine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = call()  # warm-up: templates, fonts, the first query of a process
    seconds, cpu = [], []
    for _run in range(runs):
        with CaptureQueriesContext(connection) as queries:
            began, began_cpu = time.perf_counter(), time.process_time()
            result = call()
            seconds.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
    return (
        {"wall": statistics.median(seconds), "cpu": statistics.median(cpu)},
        result,
        len(queries),
    )


def timed(client, url: str, runs: int) -> tuple[dict, object, int]:
    """`measured` GETs of `url` with the test client; any answer but 200 stops the run."""

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise core.BenchError(f"{url} answered {response.status_code}")
        return response

    return measured(get, runs)


def timed_render(project, runs: int) -> tuple[dict, object, int]:
    """The plan's PDF as the worker renders it (a stored document, naboskap.documents),
    `measured`; the PDF as `.content`."""
    from types import SimpleNamespace

    from django.utils import translation

    from naboskap.documents import registry

    kind = registry.get("plans.plan")
    job = registry.Job(project, "", {}, 1, 1, lambda done, total: None)
    with translation.override("nb"):
        return measured(lambda: SimpleNamespace(content=kind.render(job)), runs)


def phase_plan(measures: int, units: int) -> dict:
    """A project with `measures` measures across `units` units; time the plan page, its PDF
    and its XLSX through the whole Django stack (test client, production settings)."""
    core.django_setup()
    import io

    from django.test import Client
    from django.urls import reverse

    from naboskap.tenancy.models import Membership
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp, pass_mfa_stage

    municipality = factories.MunicipalityFactory(
        name="Planvik kommune", number="9903", slug=PLAN_MUNICIPALITY
    )
    user = factories.UserFactory(username=PLAN_USER, email=f"{PLAN_USER}@example.org")
    project = factories.ProjectFactory(
        municipality=municipality,
        name="Planveien",
        slug="planveien",
        dialogue_owner=user,
        responsible_unit=factories.UnitFactory(municipality=municipality, name="Planeier"),
    )
    Membership.objects.create(user=user, municipality=municipality, role="coordinator")
    enrol_totp(user)
    factories.make_plan(project, measures=measures, units=units)

    client = Client(HTTP_HOST=core.HOST)
    client.force_login(user)
    pass_mfa_stage(client, user)
    plan = reverse("plans:plan", args=[project.pk])
    html_seconds, html, html_queries = timed(client, plan, HTML_RUNS)
    unit_seconds, _unit, unit_queries = timed(client, f"{plan}?group=unit", HTML_RUNS)
    matrix_seconds, _matrix, matrix_queries = timed(
        client, reverse("plans:matrix", args=[project.pk]), HTML_RUNS
    )
    pdf_seconds, pdf, pdf_queries = timed_render(project, PDF_RUNS)
    xlsx_seconds, _xlsx, xlsx_queries = timed(
        client, reverse("plans:plan_xlsx", args=[project.pk]), PDF_RUNS
    )
    if html.content.decode().count("<tr") < measures:
        raise core.BenchError("the plan page does not list every measure")
    if not pdf.content.startswith(b"%PDF-"):
        raise core.BenchError("the plan PDF is not a PDF")
    # `make bench` runs in the development install (factory_boy, pypdf): read the PDF back.
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.content))
    pages = len(reader.pages)
    last = reader.pages[-1].extract_text() + reader.pages[-2].extract_text()
    if "Tiltak nummer" not in last:
        raise core.BenchError("the PDF's last pages show no measures")
    return {
        "measures": measures,
        "units": units,
        "html_seconds": html_seconds,
        "unit_seconds": unit_seconds,
        "matrix_seconds": matrix_seconds,
        "pdf_seconds": pdf_seconds,
        "xlsx_seconds": xlsx_seconds,
        "pdf_bytes": len(pdf.content),
        "pages": pages,
        "queries": {
            "html": html_queries,
            "unit": unit_queries,
            "matrix": matrix_queries,
            "pdf": pdf_queries,
            "xlsx": xlsx_queries,
        },
    }


PHASES = {"_plan": lambda argv: phase_plan(int(argv[2]), int(argv[3]))}


def run_benchmarks(args, env: dict) -> list[str]:
    """The plan benchmark; returns failures (checks that did not hold)."""
    core.log(
        f"plan: {args.plan_measures} measures across {args.plan_units} units; "
        f"time the page ({HTML_RUNS}x), the PDF and the XLSX ({PDF_RUNS}x each)"
    )
    result = core.run_phase(env, "_plan", str(args.plan_measures), str(args.plan_units))
    queries = result["queries"]
    pdf, html = result["pdf_seconds"], result["html_seconds"]
    ratio = pdf["cpu"] / html["cpu"]

    def ms(name: str) -> str:
        return f"{result[name + '_seconds']['wall'] * 1000:.0f}"

    print(
        f"BENCH plan_pdf seconds={pdf['wall']:.2f} measures={result['measures']} "
        f"units={result['units']} cpu_seconds={pdf['cpu']:.2f} pages={result['pages']} "
        f"kb={result['pdf_bytes'] // 1024} html_seconds={html['wall']:.3f} "
        f"html_cpu_seconds={html['cpu']:.3f} ratio={ratio:.1f} "
        f"queries={queries['pdf']} html_queries={queries['html']}",
        flush=True,
    )
    print(
        f"BENCH plan_page measures={result['measures']} source_ms={ms('html')} "
        f"unit_ms={ms('unit')} matrix_ms={ms('matrix')} xlsx_ms={ms('xlsx')} "
        f"queries={queries['html']} unit_queries={queries['unit']} "
        f"matrix_queries={queries['matrix']} xlsx_queries={queries['xlsx']}",
        flush=True,
    )
    met = "met" if pdf["cpu"] <= args.plan_pdf_target else "NOT met"
    print(f"# target plan_pdf cpu_seconds <= {args.plan_pdf_target:g}: {met}", flush=True)
    return []
