"""Stored documents benchmark of `make bench` (issue 22): each PDF kind downloaded when it is
current, against rendering it in the request (the old way); the worker's render of the
50-event ROS report; and a 2,000-code survey sheet made by two workers.

    BENCH documents kind=ros_report download_p50_ms=.. download_p95_ms=.. baseline_p95_ms=..
        ratio=.. render_cpu_s=.. kb=..          (one line per kind)
    BENCH documents ros_report events=50 worker_cpu_s=.. worker_seconds=..
    BENCH documents survey_codes=2000 parts=4 workers=2 seconds=.. cpu_s=..

Used by bench/run.py, which makes the environment and the database and cleans up; the
phases below run inside Django through run.py's `run_phase`. See bench/README.md.
"""

from __future__ import annotations

import http.client
import os
import signal
import statistics
import subprocess
import sys
import time

import run as core

USER = "benk-dokumenter"
MUNICIPALITY = ("Dokumentvik kommune", "9909", "dokumentvik")
ROS_EVENTS = 50
PLAN_MEASURES = 200
MINUTES_ITEMS = 20
LETTER_INVITEES = 30
PLACE_SITES = 10
CODES = 2000
WORKERS = 2
BASELINE_RUNS = 3
DOWNLOADS = 30
TARGETS = {"download_p95_ms": 300, "ros_worker_cpu_s": 6, "codes_seconds": 20}


def _make_data() -> dict:
    """A project with one of every document kind, filled as a busy project would be (and the
    municipality's record of processing activities and DPIA support document); returns
    the download address of each, by kind."""
    import datetime
    from decimal import Decimal

    from django.urls import reverse
    from django.utils import timezone

    from naboskap.concerns import services as concern_services
    from naboskap.meetings import services as meeting_services
    from naboskap.meetings.minutes import services as minutes_services
    from naboskap.meetings.tests.factories import make_body, make_meeting
    from naboskap.reports import services as report_services
    from naboskap.risk.tests.factories import fill_full_analysis, make_analysis
    from naboskap.situation import services as situation_services
    from naboskap.situation.tests.helpers import END, START, fill
    from naboskap.stakeholders.places import services as place_services
    from naboskap.tenancy.models import Membership
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp

    name, number, slug = MUNICIPALITY
    municipality = factories.MunicipalityFactory(name=name, number=number, slug=slug)
    user = factories.UserFactory(username=USER, email=f"{USER}@example.org")
    project = factories.ProjectFactory(
        municipality=municipality,
        name="Dokumentveien",
        slug="dokumentveien",
        dialogue_owner=user,
        latitude=Decimal("69.65"),
        longitude=Decimal("18.95"),
        responsible_unit=factories.UnitFactory(municipality=municipality, name="Dokumenteier"),
    )
    Membership.objects.create(user=user, municipality=municipality, role="coordinator")
    # The DPIA support document is for the municipality's administrator.
    Membership.objects.create(user=user, municipality=municipality, role="admin")
    enrol_totp(user)
    # The record of processing activities lists them.
    concern_services.categories_ensure_defaults(municipality=municipality)

    analysis = make_analysis(project, by=user, title="ROS Dokumentveien")
    fill_full_analysis(analysis, ROS_EVENTS)
    factories.make_plan(project, measures=PLAN_MEASURES, units=12)

    council = make_meeting(project, body=make_body(project), days=-1, title="Naborådsmøte")
    minutes_services.minutes_start(meeting=council, created_by=user)
    for item in range(MINUTES_ITEMS):
        agenda_item = minutes_services.agenda_item_add(meeting=council, title=f"Sak {item}")
        minutes_services.item_notes_save(
            item=agenda_item, notes="Naboene tok opp støy og parkering. " * 6
        )

    meeting = make_meeting(project, title="Informasjonsmøte", place="Dokumentvik skole")
    meeting_services.invitations_send(
        meeting=meeting,
        people=[
            {"name": f"Nabo {n}", "postal_address": f"Dokumentveien {n}, 9999 Dokumentvik"}
            for n in range(LETTER_INVITEES)
        ],
    )

    place = place_services.place_analysis_edit(
        project=project,
        by=user,
        site_description="Et boligfelt med skole og barnehage like ved. " * 5,
        conclusions="Trafikk og skoleveien er hovedtemaene. " * 5,
    )
    for n in range(PLACE_SITES):
        place_services.place_item_add(
            project=project,
            by=user,
            item="site",
            kind="school",
            name=f"Skole {n}",
            latitude=69.65 + n / 2000,
            longitude=18.95 + n / 1000,
            note="",
        )

    fill(project)  # the situation picture of the period: concerns, observations, incidents
    assessment = situation_services.assessment_create(
        project=project,
        period_start=START,
        period_end=END,
        text="Uro ved inngangen på kveldstid i uke 10. Tiltak: felles runde fredager. " * 8,
        by=user,
    )

    today = timezone.localdate()
    report = report_services.report_create(
        municipality=municipality,
        project=project,
        period_start=today - datetime.timedelta(days=90),
        period_end=today,
        language="nb",
    )
    return {
        "ros_report": (
            "risk.report",
            analysis.pk,
            reverse("risk:report_pdf", args=[project.pk, analysis.pk]),
        ),
        "plan": ("plans.plan", project.pk, reverse("plans:plan_pdf", args=[project.pk])),
        "minutes": (
            "meetings.minutes",
            council.pk,
            reverse("meetings:minutes_pdf", args=[project.pk, council.pk]),
        ),
        "letters": (
            "meetings.letters",
            meeting.pk,
            reverse("meetings:meeting_letters", args=[project.pk, meeting.pk]),
        ),
        "place_analysis": (
            "stakeholders.place",
            place.pk,
            reverse("stakeholders:place_pdf", args=[project.pk, place.version]),
        ),
        "status_report": (
            "reports.status_report",
            report.pk,
            reverse("reports:pdf", args=[report.pk]),
        ),
        "records": ("privacy.records", municipality.pk, reverse("privacy:records_pdf")),
        "dpia": ("privacy.dpia", municipality.pk, reverse("privacy:dpia_pdf")),
        "situation_assessment": (
            "situation.assessment",
            assessment.versions.get().pk,
            reverse("situation:assessment_pdf", args=[project.pk, assessment.pk]),
        ),
    }


def _baseline(kind: str, document) -> list[float]:
    """The old way: the PDF rendered while the request waits (wall-clock seconds per run)."""
    from django.utils import translation

    from naboskap.documents import registry
    from naboskap.documents.rendering import object_of

    found = registry.get(kind)
    obj = object_of(document)
    seconds = []
    for _run in range(BASELINE_RUNS):
        job = registry.Job(obj, document.variant, {}, 1, 1, lambda done, total: None)
        began = time.perf_counter()
        with translation.override(document.language):
            found.render(job)
        seconds.append(time.perf_counter() - began)
    return seconds


def phase_setup() -> dict:
    """The data; every document rendered as the worker renders it (in this process, timed),
    then rendered BASELINE_RUNS times more the old way; a logged-in session for the downloads."""
    core.django_setup()
    from django.conf import settings

    from naboskap.documents import registry
    from naboskap.documents.models import Document
    from naboskap.documents.rendering import render_document
    from naboskap.documents.services import document_for
    from naboskap.lib.pdf import render_pdf
    from naboskap.testing.mfa import pass_mfa_stage

    documents = _make_data()
    render_pdf("pdf/base.html", {})  # fonts and Pango warmed once, as in a running worker
    results = {}
    for name, (kind, object_id, url) in documents.items():
        # Made when its app reported a change; the plan's measures are bulk-created here.
        obj = registry.get(kind).model.objects.get(pk=object_id)
        document = document_for(kind=kind, obj=obj, variant="", language=settings.LANGUAGE_CODE)
        began = time.perf_counter()
        outcome = render_document(document.pk)
        seconds = time.perf_counter() - began
        document.refresh_from_db()
        if outcome != "rendered" or document.status != Document.Status.READY:
            raise core.BenchError(f"{name}: the worker's render gave {outcome} ({document.error})")
        results[name] = {
            "url": url,
            "language": document.language,
            "worker_seconds": seconds,
            "worker_cpu_s": document.cpu_seconds,
            "kb": document.size // 1024,
            "baseline": _baseline(kind, document),
        }

    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username=USER)
    client = Client(HTTP_HOST=core.HOST)
    client.force_login(user)
    pass_mfa_stage(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"documents": results, "cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}


def phase_codes(workers: int) -> dict:
    """A coordinator asks for CODES codes while WORKERS `db_worker` processes run, as in a
    deployment; `seconds` runs from the request until the last part is stored. The workers
    start first, and each renders a small run before the clock starts: a running worker has
    Django, WeasyPrint and its fonts loaded already."""
    core.django_setup()
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from naboskap.documents.models import Document

    # What the set-up left queued (the renders ahead of time, now current) is done first.
    batch = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
    subprocess.run([*batch, "--verbosity", "0"], check=True, cwd=core.ROOT, env=os.environ)
    user = get_user_model().objects.get(username=USER)
    survey_round, ask = core.survey_codes_asker("dokumentveien", "Trygghet i Dokumentveien", user)

    def wait_for(token: str, timeout: float = 300) -> list:
        deadline = time.perf_counter() + timeout
        while True:
            parts = list(Document.objects.filter(kind="insights.codes", variant=token))
            if parts and all(part.status != Document.Status.PREPARING for part in parts):
                return sorted(parts, key=lambda part: part.part)
            if time.perf_counter() > deadline:
                raise core.BenchError(f"code parts not ready after {timeout} s")
            time.sleep(0.05)

    worker = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"]
    worker += ["--no-scheduler", "--interval", "0.1", "--verbosity", "0"]
    processes = [
        subprocess.Popen(worker, cwd=core.ROOT, env=os.environ, start_new_session=True)
        for _worker in range(workers)
    ]
    try:
        # Warm-up: one small run per worker (a worker takes one task at a time).
        warm = [ask(1) for _worker in range(workers)]
        for token in warm:
            wait_for(token)
        began = time.perf_counter()
        started = time.time()
        token = ask(CODES)
        parts = wait_for(token)
        seconds = time.perf_counter() - began
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    if any(part.status != Document.Status.READY for part in parts):
        raise core.BenchError(
            f"code parts not ready: {[(p.part, p.status, p.error) for p in parts]}"
        )
    if survey_round.codes.count() != CODES + workers:
        raise core.BenchError(f"{survey_round.codes.count()} codes stored, not {CODES + workers}")
    return {
        "codes": CODES,
        "parts": len(parts),
        "workers": workers,
        "seconds": seconds,
        "cpu_s": sum(part.cpu_seconds for part in parts),
        "kb": sum(part.size for part in parts) // 1024,
        # When each part was stored (seconds after the request) and its CPU time: parts
        # stored in pairs show the two workers rendering side by side.
        "timeline": [
            (part.part, part.rendered_at.timestamp() - started, part.cpu_seconds) for part in parts
        ],
        "url": reverse(
            "insights:round_codes_run", args=[survey_round.project_id, survey_round.pk, token]
        )
        + "?del=1",
    }


PHASES = {
    "_documents": lambda argv: phase_setup(),
    "_documents_codes": lambda argv: phase_codes(int(argv[2])),
}


def timed_downloads(port: int, path: str, cookie: str) -> list[float]:
    """DOWNLOADS sequential GETs of a stored PDF (after a warm-up), each read to the end."""
    seconds = []
    connection = http.client.HTTPConnection(core.HOST, port, timeout=30)
    try:
        for run in range(DOWNLOADS + 3):
            began = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            body = response.read()
            if run >= 3:
                seconds.append(time.perf_counter() - began)
            kind = response.getheader("Content-Type", "")
            if response.status != 200 or kind != "application/pdf" or not body.startswith(b"%PDF"):
                raise core.BenchError(f"{path} answered {response.status} {kind}, not the PDF")
    finally:
        connection.close()
    return seconds


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def run_benchmarks(args, env: dict, var_dir) -> list[str]:
    core.log(
        f"documents: one of each kind (ROS {ROS_EVENTS} events, plan {PLAN_MEASURES} measures, "
        f"…), rendered as the worker does and {BASELINE_RUNS}x in the request"
    )
    setup = core.run_phase(env, "_documents")
    core.log(f"documents: {CODES} survey codes made by {WORKERS} workers")
    codes = core.run_phase(env, "_documents_codes", str(WORKERS))
    downloads = {name: data["url"] for name, data in setup["documents"].items()}
    downloads["survey_codes"] = codes["url"]
    core.log(f"documents: {DOWNLOADS} downloads of each stored PDF through gunicorn")
    measured = {}
    with core.gunicorn(env, var_dir, "documents", args.workers) as port:
        for name, path in downloads.items():
            measured[name] = timed_downloads(port, path, setup["cookie"])
    failures = []
    for name, seconds in measured.items():
        data = setup["documents"].get(name)
        line = (
            f"BENCH documents kind={name} download_p50_ms={statistics.median(seconds) * 1000:.1f} "
            f"download_p95_ms={p95(seconds) * 1000:.1f}"
        )
        if data:
            baseline = p95(data["baseline"])
            line += (
                f" baseline_p95_ms={baseline * 1000:.0f} ratio={baseline / p95(seconds):.0f}"
                f" render_cpu_s={data['worker_cpu_s']:.2f} kb={data['kb']}"
            )
        else:
            line += (
                f" render_cpu_s={codes['cpu_s']:.2f} kb={codes['kb']} (part 1 of {codes['parts']})"
            )
        print(line, flush=True)
        if p95(seconds) * 1000 >= TARGETS["download_p95_ms"]:
            failures.append(f"documents {name}: download p95 {p95(seconds) * 1000:.0f} ms")
    ros = setup["documents"]["ros_report"]
    print(
        f"BENCH documents ros_report events={ROS_EVENTS} worker_cpu_s={ros['worker_cpu_s']:.2f} "
        f"worker_seconds={ros['worker_seconds']:.2f}",
        flush=True,
    )
    print(
        f"BENCH documents survey_codes={codes['codes']} parts={codes['parts']} "
        f"workers={codes['workers']} seconds={codes['seconds']:.1f} "
        f"cpu_s={codes['cpu_s']:.1f}",
        flush=True,
    )
    for part, stored_at, cpu in codes["timeline"]:
        print(f"# documents survey_codes part={part} stored_at_s={stored_at:.1f} cpu_s={cpu:.1f}")
    worst = max(p95(seconds) for seconds in measured.values()) * 1000
    checks = [
        ("download p95 < 300 ms for every kind", worst < TARGETS["download_p95_ms"]),
        ("ROS report (50 events) <= 6 s CPU in the worker", ros["worker_cpu_s"] <= 6),
        ("2,000-code survey sheet <= 20 s", codes["seconds"] <= TARGETS["codes_seconds"]),
    ]
    for label, met in checks:
        print(f"# target documents {label}: {'met' if met else 'NOT met'}", flush=True)
    return failures
