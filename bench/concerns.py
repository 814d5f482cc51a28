"""Concern benchmarks of `make bench`: the public report form under load, and the staff inbox.

    BENCH concern_intake submissions_per_s=... healthz_rps=... ratio=... queries=... ...
    BENCH concern_inbox size=1000 queries=... median_ms=...
    BENCH concern_inbox size=100000 queries=... median_ms=... ratio_100k_1k=...
    BENCH api concerns_list size=1000 queries=... median_ms=...
    BENCH api concerns_list size=100000 queries=... median_ms=... ratio_100k_1k=...

Used by bench/run.py, which makes the environment, the database and the cleanup; the phases
below that run inside Django are started through run.py's `run_phase`. See bench/README.md.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import re
import secrets
import statistics
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

import run as core

HOST = core.HOST
FORM_PATH = f"/prosjekter/{core.PROJECT_SLUG}/meld/"
INBOX_PATH = "/app/meldinger/"
STAFF_INTAKE_PATH = "/app/meldinger/ny/"
INBOX_URLS = {
    "first": INBOX_PATH,
    "page2": f"{INBOX_PATH}?side=2",
    "filtered": f"{INBOX_PATH}?status=received&overdue=on",
    # The case handler's one-click views (issue 16).
    "new": f"{INBOX_PATH}?view=new",
    "mine": f"{INBOX_PATH}?view=mine",
    "week": f"{INBOX_PATH}?view=week",
    "closed": f"{INBOX_PATH}?show=closed",
}
VIEW_URLS = ("new", "mine", "week", "closed")
# The REST API's concern list, a page of 50 (its default), every status, by token (issue 23).
API_PATH = "/api/v1/concerns/?show=all"
# Every concern the load creates says so: the count afterwards looks for this mark.
INTAKE_MARK = "Benkmerke intake:"
SETUP_MARK = "Benkmerke oppsett:"
UNIT_NAME = "Benk-enheten"
INBOX_MUNICIPALITY = "innboksvik"
INBOX_USER = "benk-koordinator"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_FIELD = re.compile(r'name="idempotency_key"[^>]*value="([^"]+)"')
TIMEOUT = 60


# --- Phases that run inside Django (see run.py's run_phase) --------------------------------


def phase_concern_setup() -> dict:
    """Categories, a routing rule to a unit of its own, and the queries of one submission."""
    core.django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from naboskap.concerns import services
    from naboskap.concerns.models import Category, RoutingRule
    from naboskap.projects.models import Project
    from naboskap.tenancy.models import Unit

    project = Project.objects.select_related("municipality").get(slug=core.PROJECT_SLUG)
    municipality = project.municipality
    services.categories_ensure_defaults(municipality=municipality)
    category = Category.objects.get(municipality=municipality, code="noise")
    unit = Unit.objects.create(municipality=municipality, name=UNIT_NAME)
    # A general rule for the category: routing must look it up (not the project's unit).
    RoutingRule.objects.create(municipality=municipality, category=category, unit=unit)

    client = Client(HTTP_HOST=HOST)
    counts = []
    for number in range(2):  # the second is the steady state (the reference counter exists)
        with CaptureQueriesContext(connection) as get_queries:
            response = client.get(FORM_PATH)
        if response.status_code != 200:
            raise core.BenchError(f"{FORM_PATH} answered {response.status_code} in setup")
        key = KEY_FIELD.search(response.content.decode()).group(1)
        data = form_data(project.pk, category.pk, key, f"{SETUP_MARK} {number}")
        with CaptureQueriesContext(connection) as post_queries:
            response = client.post(FORM_PATH, data)
        if response.status_code != 302:
            raise core.BenchError(f"POST {FORM_PATH} answered {response.status_code} in setup")
        counts.append({"get": len(get_queries), "post": len(post_queries)})
    return {
        "staff_queries": staff_intake_queries(project, category),
        "project": project.pk,
        "category": category.pk,
        "queries": counts[-1],
        "queries_first": counts[0],
        "post_sql": [query["sql"][:160] for query in post_queries.captured_queries],
    }


def staff_intake_queries(project, category) -> dict:
    """The queries of a concern that a case handler registers from a phone call
    (`/app/meldinger/ny/`): the form, then the POST, in the steady state."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from naboskap.tenancy.models import Membership, Role
    from naboskap.testing.mfa import enrol_totp, pass_mfa_stage

    user = get_user_model().objects.create_user("benk-mottak", "mottak@example.org")
    Membership.objects.create(user=user, municipality=project.municipality, role=Role.COORDINATOR)
    enrol_totp(user)
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    pass_mfa_stage(client, user)
    counts = {}
    for number in range(2):
        with CaptureQueriesContext(connection) as get_queries:
            response = client.get(STAFF_INTAKE_PATH)
        if response.status_code != 200:
            raise core.BenchError(f"{STAFF_INTAKE_PATH} answered {response.status_code}")
        key = KEY_FIELD.search(response.content.decode()).group(1)
        data = {
            "intake_channel": "phone",
            "project": str(project.pk),
            "category": str(category.pk),
            "description": f"{SETUP_MARK} telefon {number}",
            "reporter_phone": "+4799999999",
            "preferred_channel": "",
            "language": "nb",
            "idempotency_key": key,
        }
        with CaptureQueriesContext(connection) as post_queries:
            response = client.post(STAFF_INTAKE_PATH, data)
        if response.status_code != 302:
            raise core.BenchError(f"POST {STAFF_INTAKE_PATH} answered {response.status_code}")
        counts = {"get": len(get_queries), "post": len(post_queries)}
    return counts


def form_data(project: int, category: int, key: str, description: str) -> dict[str, str]:
    """What a person fills in: routed category, an email address for the receipt."""
    return {
        "project": str(project),
        "category": str(category),
        "description": f"{description} Høy musikk fra hagen etter midnatt.",
        "location": "Ved lekeplassen",
        "occurred_at": "",
        "reporter_name": "Benk Testesen",
        "reporter_email": "benk@example.org",
        "reporter_phone": "",
        "preferred_channel": "email",
        "idempotency_key": key,
        "website": "",
    }


def phase_intake_verify(keys_file: str) -> dict:
    """What the load stored: one concern per successful key, routed, with a receipt queued."""
    core.django_setup()
    from django_tasks_db.models import DBTaskResult

    from naboskap.concerns.models import Concern

    keys = set(json.loads(Path(keys_file).read_text()))
    stored = list(
        Concern.objects.filter(description__startswith=INTAKE_MARK).values_list(
            "pk", "idempotency_key", "assigned_unit__name"
        )
    )
    stored_keys = [key for _pk, key, _unit in stored]
    receipts = set()
    queued = DBTaskResult.objects.filter(task_path__endswith=".concern_received")
    for args_kwargs in queued.values_list("args_kwargs", flat=True):
        receipts.update(args_kwargs.get("args", [])[:1])
    return {
        "stored": len(stored),
        "distinct": len(set(stored_keys)),
        "same_keys": set(stored_keys) == keys,
        "routed": sum(1 for _pk, _key, unit in stored if unit == UNIT_NAME),
        "receipts": sum(1 for pk, _key, _unit in stored if pk in receipts),
    }


def phase_inbox_fill(size: int) -> dict:
    """Bring the inbox municipality to `size` concerns (bulk), measure the queries per page."""
    core.django_setup()
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from naboskap.concerns import selectors, services
    from naboskap.concerns.models import Category, Concern
    from naboskap.projects.models import Project
    from naboskap.tenancy.models import Membership, Municipality, Unit
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp

    municipality = Municipality.objects.filter(slug=INBOX_MUNICIPALITY).first()
    if municipality is None:
        municipality = factories.MunicipalityFactory(
            name="Innboksvik kommune", number="9902", slug=INBOX_MUNICIPALITY
        )
        # Factory sequences start again in every process: names that other rows have not.
        user = factories.UserFactory(username=INBOX_USER, email=f"{INBOX_USER}@example.org")
        for number in range(3):
            factories.ProjectFactory(
                municipality=municipality,
                name=f"Innboksveien {number}",
                slug=f"innboksveien-{number}",
                dialogue_owner=user,
                responsible_unit=factories.UnitFactory(
                    municipality=municipality, name=f"Innboksenhet {number}"
                ),
            )
        services.categories_ensure_defaults(municipality=municipality)
        Membership.objects.create(user=user, municipality=municipality, role="coordinator")
        enrol_totp(user)
    projects = list(Project.objects.filter(municipality=municipality))
    categories = list(Category.objects.filter(municipality=municipality))
    units = list(Unit.objects.filter(municipality=municipality))

    existing = Concern.objects.filter(municipality=municipality).count()
    now = timezone.now()
    began = time.monotonic()
    batch = []
    for number in range(existing, size):
        # Newest first is number `size - 1`; older ones are mostly closed, as in real life.
        created = now - timedelta(minutes=(size - number) * 7 % (730 * 24 * 60))
        batch.append(
            concern_row(number, created, now, projects=projects, categories=categories, units=units)
        )
        if len(batch) == 5000:
            Concern.objects.bulk_create(batch)
            batch = []
    if batch:
        Concern.objects.bulk_create(batch)
    # As every writer of concerns does: the inbox's cached counts are out of date now.
    selectors.concerns_changed(municipality.pk)
    fill_seconds = time.monotonic() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE concerns_concern")

    client = staff_client()
    queries, explain = {}, {}
    for name, url in INBOX_URLS.items():
        client.get(url)  # warm: the first request of a process loads more
        queries[name], explain[name] = inbox_queries(client, url)
    # The counts per status are counted once per change of a concern, then cached: what one
    # such recount costs at this size.
    user = Membership.objects.get(municipality=municipality, role="coordinator").user
    api_token, api_queries = api_setup(user)
    recounts = []
    for _round in range(5):
        selectors.concerns_changed(municipality.pk)
        user = type(user).objects.get(pk=user.pk)  # memberships are loaded once per user
        counted = time.monotonic()
        selectors.inbox_counts(user, municipality)
        recounts.append((time.monotonic() - counted) * 1000)
    return {
        "size": Concern.objects.filter(municipality=municipality).count(),
        "fill_seconds": fill_seconds,
        "recount_ms": statistics.median(recounts),
        "queries": queries,
        "explain": explain,
        "cookie": [client_cookie_name(), client.cookies[client_cookie_name()].value],
        "api_token": api_token,
        "api_queries": api_queries,
    }


def api_setup(user) -> tuple[str, int]:
    """A read token for the inbox coordinator, and the queries of the API's concern list."""
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from naboskap.api import services as api_services

    _token, raw = api_services.token_create(
        user=user,
        name="Benk",
        scopes=["concerns:read"],
        expires_at=timezone.now() + timedelta(hours=6),
    )
    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get(API_PATH)  # warm
    queries, _explain = inbox_queries(client, API_PATH)
    return raw, queries


def concern_row(number: int, created, now, *, projects, categories, units):
    """Concern number `number` of a benchmark, received at `created`, unsaved (for
    `bulk_create`; `created_at` is taken as given): round-robin over the projects, categories
    and units; mostly closed when older than 60 days, as in real life."""
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.concerns.models import Concern
    from naboskap.concerns.workflow import Status

    # bulk_create keeps `created_at` as given (auto_now_add would set it to now); this
    # process only.
    Concern._meta.get_field("created_at").auto_now_add = False
    open_statuses = [Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING]
    age_days = (now - created).days
    if age_days > 60 and number % 10 < 8:
        status = Status.CLOSED
    elif number % 7 == 0:
        status = Status.ANSWERED
    else:
        status = open_statuses[number % len(open_statuses)]
    project = projects[number % len(projects)]
    return Concern(
        municipality_id=project.municipality_id,
        project=project,
        category=categories[number % len(categories)],
        reference=f"{created.year}-{number + 1:06d}",
        status=status,
        description=f"Innboks {number}: Høy musikk fra hagen etter midnatt.",
        location="Ved lekeplassen",
        reporter_email="benk@example.org" if number % 3 else "",
        idempotency_key=f"benk-innboks-{number:07d}",
        assigned_unit=units[number % len(units)] if units else None,
        acknowledge_due=(created + timedelta(days=1)).date(),
        # Some open cases due today, at every size (the inbox's "due this week" view).
        answer_due=timezone.localdate(now)
        if status in open_statuses and number % 13 == 0
        else (created + timedelta(days=14)).date(),
        acknowledged_at=None if status == Status.RECEIVED else created,
        acknowledged_on=None if status == Status.RECEIVED else timezone.localdate(created),
        # Some open cases the reporter has written to since (the inbox's "new" view).
        reporter_wrote_at=now if status in open_statuses and number % 20 == 0 else None,
        created_at=created,
    )


def client_cookie_name() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def staff_client(username: str = INBOX_USER):
    """A test client logged in as the inbox coordinator (or `username`), past the two-step
    check. Its session lives in the database, so gunicorn accepts the same cookie."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from naboskap.testing.mfa import pass_mfa_stage

    user = get_user_model().objects.get(username=username)
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    pass_mfa_stage(client, user)
    return client


def inbox_queries(client, url: str) -> tuple[int, list]:
    """Queries of one inbox request; on PostgreSQL each SELECT's EXPLAIN ANALYZE time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise core.BenchError(f"{url} answered {response.status_code} in setup")
    explain = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                explain.append(
                    {
                        "ms": round(plan["Execution Time"], 2),
                        "node": plan["Plan"]["Node Type"],
                        "sql": sql[:240],
                        "plan": summarize(plan["Plan"]),
                    }
                )
        explain.sort(key=lambda item: -item["ms"])
    return len(captured), explain[:3]


def summarize(node: dict, depth: int = 0) -> list[str]:
    """The plan's nodes, one short line each (type, relation, index, rows, time)."""
    parts = [node["Node Type"]]
    for key in ("Relation Name", "Index Name"):
        if key in node:
            parts.append(node[key])
    parts.append(f"rows={node.get('Actual Rows')} ms={node.get('Actual Total Time')}")
    lines = ["  " * depth + " ".join(str(part) for part in parts)]
    for child in node.get("Plans", []):
        lines.extend(summarize(child, depth + 1))
    return lines


PHASES = {
    "_concern_setup": lambda argv: phase_concern_setup(),
    "_intake_verify": lambda argv: phase_intake_verify(argv[2]),
    "_inbox_fill": lambda argv: phase_inbox_fill(int(argv[2])),
}


# --- HTTP, in the driver -------------------------------------------------------------------


class Browser:
    """One person's cookies, over a new connection per request (gunicorn's sync workers close
    it after each answer anyway)."""

    def __init__(self, port: int, timeout: float = TIMEOUT):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), content

    def form(self) -> tuple[str, str]:
        """GET the form; its CSRF token and idempotency key, as the browser would keep them."""
        status, _location, content = self.request("GET", FORM_PATH)
        if status != 200:
            raise RuntimeError(f"GET {FORM_PATH}: {status}")
        page = content.decode()
        return CSRF_FIELD.search(page).group(1), KEY_FIELD.search(page).group(1)

    def submit(self, csrf: str, fields: dict[str, str]) -> tuple[int, str]:
        body, content_type = multipart({"csrfmiddlewaretoken": csrf, **fields})
        status, location, _content = self.request(
            "POST", FORM_PATH, body, {"Content-Type": content_type}
        )
        return status, location


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """The form as a browser sends it (multipart: it has a file field, left empty here)."""
    boundary = f"----naboskapbench{secrets.token_hex(8)}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


# --- The intake load ----------------------------------------------------------------------
#
# /healthz and a whole submission (GET the form, POST it) take turns in slices, as in
# run.py's `hammer`; a submission counts in the slice in which its GET began, for the part of
# it inside the slice's window.


def intake_thread(port, setup, start, warmup, duration, events, client_id):
    measured_from = start + warmup
    slices = max(1, round(duration / core.SLICE)) * 2
    until = measured_from + slices * core.SLICE
    browser = Browser(port)
    turn = client_id
    while time.monotonic() < start:
        time.sleep(0.001)
    while True:
        began = time.monotonic()
        if began >= until:
            break
        if began < measured_from:
            turn += 1
            kind = ("healthz", "submit")[turn % 2]
        else:
            kind = ("healthz", "submit")[int((began - measured_from) // core.SLICE) % 2]
        event = {"kind": kind, "began": began}
        try:
            if kind == "healthz":
                status, _location, _content = browser.request("GET", "/healthz")
                event["ok"] = status == 200
                event["status"] = str(status)
            else:
                # A new neighbour each time, with no cookies yet (one person reports once;
                # the thank-you message of an earlier report would otherwise show on the form).
                browser = Browser(port)
                csrf, key = browser.form()
                got_form = time.monotonic()
                event["key"] = key
                fields = form_data(setup["project"], setup["category"], key, INTAKE_MARK)
                status, location = browser.submit(csrf, fields)
                event["post_s"] = time.monotonic() - got_form
                event["ok"] = status == 302 and location.startswith("/melding/")
                event["status"] = str(status)
                event["location"] = location
        except (OSError, http.client.HTTPException, RuntimeError, AttributeError) as exc:
            event["ok"] = False
            event["status"] = f"error:{type(exc).__name__}"
        event["ended"] = time.monotonic()
        events.append(event)


def intake_process(arguments) -> list[dict]:
    port, setup, start, warmup, duration, threads, first_id = arguments
    events: list[dict] = []
    workers = [
        threading.Thread(
            target=intake_thread,
            args=(port, setup, start, warmup, duration, events, first_id + number),
        )
        for number in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return events


def drive_intake(port, setup, clients, processes, warmup, duration) -> tuple[list, float]:
    context = multiprocessing.get_context("spawn")
    processes = max(1, min(processes, clients))
    shares = [
        clients // processes + (1 if n < clients % processes else 0) for n in range(processes)
    ]
    with context.Pool(processes) as pool:
        start = time.monotonic() + 1.5
        arguments = []
        first = 0
        for share in shares:
            arguments.append((port, setup, start, warmup, duration, share, first))
            first += share
        parts = pool.map(intake_process, arguments)
    return [event for part in parts for event in part], start + warmup


def window_stats(events: list[dict], kind: str, measured_from: float, duration: float) -> dict:
    index = ("healthz", "submit").index(kind)
    slices = max(1, round(duration / core.SLICE)) * 2
    seconds = len(range(index, slices, 2)) * (core.SLICE - core.SETTLE)
    done, latencies, post_latencies, statuses = 0.0, [], [], {}
    for event in events:
        if event["kind"] != kind or event["began"] < measured_from:
            continue
        slice_start = (
            measured_from + int((event["began"] - measured_from) // core.SLICE) * core.SLICE
        )
        window_start, window_end = slice_start + core.SETTLE, slice_start + core.SLICE
        inside = min(event["ended"], window_end) - max(event["began"], window_start)
        if inside <= 0:
            continue
        statuses[event["status"]] = statuses.get(event["status"], 0) + 1
        if event["ok"]:
            took = event["ended"] - event["began"]
            done += inside / max(took, 1e-9)
            latencies.append(took)
            if "post_s" in event:
                post_latencies.append(event["post_s"])

    def percentile(values, p):
        values = sorted(values)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(p * len(values)))] * 1000

    return {
        "rate": done / seconds,
        "count": len(latencies),
        "statuses": statuses,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "post_p50_ms": percentile(post_latencies, 0.50),
        "post_p99_ms": percentile(post_latencies, 0.99),
    }


def check_retry(port: int, setup: dict, sent: list[dict]) -> tuple[str, list[str]]:
    """The same key again, from a new page load (a reload, a second tab), and eight at once:
    the same follow-up page every time. Returns the verdict and the keys now expected."""
    for event in sent[:5]:
        browser = Browser(port)
        csrf, _new_key = browser.form()
        fields = form_data(setup["project"], setup["category"], event["key"], INTAKE_MARK)
        status, location = browser.submit(csrf, fields)
        if status != 302 or location != event["location"]:
            return f"retry of a key answered {status} {location!r}", []
    # A double click on a slow network: the same key eight times at once.
    browser = Browser(port)
    csrf, key = browser.form()
    fields = form_data(setup["project"], setup["category"], key, INTAKE_MARK)
    answers: list[tuple[int, str]] = []
    barrier = threading.Barrier(8)

    def send():
        barrier.wait()
        try:
            answers.append(browser.submit(csrf, fields))
        except (OSError, http.client.HTTPException) as exc:
            answers.append((0, type(exc).__name__))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    locations = {location for _status, location in answers}
    if any(status != 302 for status, _location in answers) or len(locations) != 1:
        return f"eight posts of one key answered {sorted(answers)}", []
    return "ok", [key]


# --- The staff inbox ----------------------------------------------------------------------


def time_inbox(port: int, cookie: list[str], requests: int) -> dict:
    """`requests` sequential GETs of each inbox URL, in turns; the median time of each."""
    browser = Browser(port)
    browser.cookies[cookie[0]] = cookie[1]
    times: dict[str, list[float]] = {name: [] for name in INBOX_URLS}
    for round_number in range(requests + 3):  # three rounds of warm-up
        for name, url in INBOX_URLS.items():
            began = time.monotonic()
            status, location, _content = browser.request("GET", url)
            took = time.monotonic() - began
            if status != 200:
                raise core.BenchError(f"GET {url} answered {status} {location}")
            if round_number >= 3:
                times[name].append(took)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def time_api(port: int, token: str, requests: int) -> float:
    """The median time in ms of `requests` sequential GETs of the API's concern list."""
    browser = Browser(port)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    times = []
    for number in range(requests + 3):  # three of warm-up
        began = time.monotonic()
        status, _location, content = browser.request("GET", API_PATH, headers=headers)
        took = time.monotonic() - began
        if status != 200 or len(json.loads(content)["results"]) != 50:
            raise core.BenchError(f"GET {API_PATH} answered {status}: {content[:200]!r}")
        if number >= 3:
            times.append(took)
    return statistics.median(times) * 1000


# --- The run -------------------------------------------------------------------------------


def run_benchmarks(args, env: dict, var_dir: Path, selected: set[str]) -> list[str]:
    """The concern benchmarks; returns failures (checks that did not hold)."""
    failures: list[str] = []
    log = core.log
    setup = core.run_phase(env, "_concern_setup")
    with core.gunicorn(env, var_dir, "concerns", args.workers) as port:
        if "intake" in selected:
            failures += intake(args, env, var_dir, port, setup)
        if {"inbox", "api"} & selected:
            results, api_results = {}, {}
            for size in args.inbox_sizes:
                log(f"inbox: bulk-create up to {size} concerns, queries and EXPLAIN per page")
                filled = core.run_phase(env, "_inbox_fill", str(size))
                log(
                    f"inbox: {filled['size']} concerns ({filled['fill_seconds']:.1f} s to fill); "
                    f"{args.inbox_requests} GETs of each of {', '.join(INBOX_URLS.values())}"
                )
                if "api" in selected:
                    api_results[size] = (
                        filled["api_queries"],
                        time_api(port, filled["api_token"], args.inbox_requests),
                    )
                    print(api_line(size, api_results, args.inbox_sizes[0]), flush=True)
                if "inbox" not in selected:
                    continue
                medians = time_inbox(port, filled["cookie"], args.inbox_requests)
                results[size] = (filled, medians)
                queries = filled["queries"]
                line = (
                    f"BENCH concern_inbox size={size} queries={queries['first']} "
                    f"queries_page2={queries['page2']} queries_filtered={queries['filtered']} "
                    f"median_ms={medians['first']:.1f} page2_median_ms={medians['page2']:.1f} "
                    f"filtered_median_ms={medians['filtered']:.1f} "
                    f"recount_ms={filled['recount_ms']:.1f} "
                    f"queries_views={','.join(f'{v}:{queries[v]}' for v in VIEW_URLS)} "
                    f"views_median_ms={','.join(f'{v}:{medians[v]:.1f}' for v in VIEW_URLS)}"
                )
                smallest = args.inbox_sizes[0]
                if size != smallest:
                    base = results[smallest][1]
                    ratios = {name: medians[name] / base[name] for name in INBOX_URLS}
                    label = f"ratio_{size // 1000}k_{smallest // 1000}k"
                    line += (
                        f" {label}={ratios['first']:.2f} page2_ratio={ratios['page2']:.2f} "
                        f"filtered_ratio={ratios['filtered']:.2f} "
                        f"views_ratio={','.join(f'{v}:{ratios[v]:.2f}' for v in VIEW_URLS)}"
                    )
                print(line, flush=True)
                for name, slowest in filled["explain"].items():
                    for item in slowest[:2]:
                        print(
                            f"# explain size={size} {name}: {item['ms']} ms {item['sql'][:150]}",
                            flush=True,
                        )
                        for plan_line in item["plan"][:8]:
                            print(f"#     {plan_line}", flush=True)
            failures += api_verdict(api_results)
        if "inbox" in selected:
            sizes = list(results)
            counts = {size: results[size][0]["queries"] for size in sizes}
            if any(counts[size] != counts[sizes[0]] for size in sizes):
                failures.append(f"inbox queries differ between sizes: {counts}")
            worst = max(max(value.values()) for value in counts.values())
            if len(sizes) > 1:
                ratio = results[sizes[-1]][1]["first"] / results[sizes[0]][1]["first"]
                met = "met" if ratio <= 2 and worst <= 15 else "NOT met"
                print(
                    f"# target concern_inbox queries <= 15 at every size, ratio <= 2: {met}",
                    flush=True,
                )
    return failures


def api_line(size: int, api_results: dict, smallest: int) -> str:
    queries, median = api_results[size]
    line = f"BENCH api concerns_list size={size} page=50 queries={queries} median_ms={median:.1f}"
    if size != smallest:
        ratio = median / api_results[smallest][1]
        line += f" ratio_{size // 1000}k_{smallest // 1000}k={ratio:.2f}"
    return line


def api_verdict(api_results: dict) -> list[str]:
    """The API list's targets: the same queries at every size, the largest within 2× of the
    smallest."""
    if not api_results:
        return []
    sizes = sorted(api_results)
    counts = {size: api_results[size][0] for size in sizes}
    failures = []
    if len(set(counts.values())) != 1:
        failures.append(f"api concern list queries differ between sizes: {counts}")
    if len(sizes) > 1:
        ratio = api_results[sizes[-1]][1] / api_results[sizes[0]][1]
        met = "met" if ratio <= 2 and not failures else "NOT met"
        print(f"# target api concerns_list queries equal, ratio <= 2: {met}", flush=True)
    return failures


def intake(args, env, var_dir: Path, port: int, setup: dict) -> list[str]:
    failures = []
    clients = args.intake_clients
    log = core.log
    log(
        f"intake: {clients} clients ({args.intake_processes} processes) GET {FORM_PATH}, POST it; "
        f"/healthz in turns of {core.SLICE:g} s, {args.duration:g} s each"
    )
    events, measured_from = drive_intake(
        port, setup, clients, args.intake_processes, args.warmup, args.duration
    )
    health = window_stats(events, "healthz", measured_from, args.duration)
    submit = window_stats(events, "submit", measured_from, args.duration)
    posts = [event for event in events if event["kind"] == "submit" and "key" in event]
    sent = [event for event in posts if event["ok"]]
    failed = [event for event in posts if not event["ok"]]
    other = {}
    for event in events:
        if not event["ok"]:
            other[event["status"]] = other.get(event["status"], 0) + 1
    if other:
        failures.append(f"intake: answers other than 200/302: {other}")
    keys_file = var_dir / "intake-keys.json"
    keys_file.write_text(json.dumps([event["key"] for event in sent]))
    stored = core.run_phase(env, "_intake_verify", str(keys_file))
    consistent = (
        "ok"
        if stored["stored"] == len(sent) == stored["distinct"] and stored["same_keys"]
        else f"FAILED(stored={stored['stored']},successes={len(sent)})"
    )
    if consistent != "ok":
        failures.append(f"intake: {consistent}, posts without a 302: {len(failed)}")
    retry, extra_keys = check_retry(port, setup, sent)
    if retry == "ok":
        keys_file.write_text(json.dumps([event["key"] for event in sent] + extra_keys))
        again = core.run_phase(env, "_intake_verify", str(keys_file))
        if again["stored"] != len(sent) + 1 or not again["same_keys"]:
            retry = f"FAILED(stored={again['stored']},expected={len(sent) + 1})"
    if retry != "ok":
        failures.append(f"intake retry: {retry}")
    routed = "ok" if stored["routed"] == stored["stored"] else f"{stored['routed']}"
    receipts = "ok" if stored["receipts"] == stored["stored"] else f"{stored['receipts']}"
    if routed != "ok" or receipts != "ok":
        failures.append(f"intake: routed {routed}, receipts queued {receipts}")
    ratio = submit["rate"] / health["rate"] if health["rate"] else float("nan")
    queries = setup["queries"]
    print(
        f"BENCH concern_intake clients={clients} submissions_per_s={submit['rate']:.1f} "
        f"healthz_rps={health['rate']:.1f} ratio={ratio:.2f} "
        f"queries={queries['post']} queries_form={queries['get']} "
        f"queries_first={setup['queries_first']['post']} "
        f"staff_queries_form={setup['staff_queries']['get']} "
        f"staff_queries={setup['staff_queries']['post']} "
        f"p50_ms={submit['p50_ms']:.1f} p99_ms={submit['p99_ms']:.1f} "
        f"post_p50_ms={submit['post_p50_ms']:.1f} post_p99_ms={submit['post_p99_ms']:.1f} "
        f"healthz_p50_ms={health['p50_ms']:.1f} submitted={len(sent)} "
        f"consistent={consistent} retry={retry} routed={routed} receipts_queued={receipts}",
        flush=True,
    )
    # The target of issue 16: the intake keeps its consistency checks and at most 12 queries
    # per public submission; throughput and p99 are reported (the old 0.3 x /healthz target
    # is retired: a submission is two requests, each far heavier than a health check).
    met = "met" if queries["post"] <= 12 and consistent == retry == "ok" else "NOT met"
    print(f"# target concern_intake queries <= 12, consistent and retry-safe: {met}", flush=True)
    if queries["post"] > 12:
        for sql in setup["post_sql"]:
            print(f"#     {sql}", flush=True)
    return failures
