"""`make bench`: requests/s of the public project page against /healthz, production settings.

The script starts gunicorn with production settings on 127.0.0.1, drives it from separate
load-generator processes and prints one line per benchmark:

    BENCH healthz rps=...
    BENCH public_project_page rps=... baseline_rps=... ratio=... queries=... ...
    BENCH concern_intake submissions_per_s=... ratio=... queries=... consistent=ok retry=ok
    BENCH concern_inbox size=... queries=... median_ms=...  (bench/concerns.py)
    BENCH api concerns_list size=... queries=... median_ms=...  (bench/concerns.py)
    BENCH dashboard size=... queries=... median_ms=... ratio=...  (bench/dashboard.py)
    BENCH live_round phones=... errors=... counted=ok vote_p95_ms=... room_p95_ms=...
        healthz_p95_ms=...  (bench/live_round.py)
    BENCH staff_home role=... size=1000/100000 queries_1k=... queries_100k=...
        median_ms_1k=... median_ms_100k=... ratio=...  (bench/staff.py, one line per role)
    BENCH staff_search size=... searches=... queries=... median_ms=... max_ms=...
        (bench/staff.py, one line per size)
    BENCH map_layers size=... queries=... median_ms=... ratio=...
    BENCH map_neighbours addresses=... queries=... median_ms=... max_ms=...  (bench/maps.py)
    BENCH faults intake clients=16 submissions=... answered=... lost=0 duplicated=0 ...
    BENCH faults worker_kill subscribers=... delivered=... lost=0 duplicated=... ...
    BENCH faults smtp_outage queued=... delivered=... lost=0 duplicated=0 outage_s=...
        (bench/faults.py: on a PostgreSQL cluster of its own, whatever --database-url says)
    BENCH documents kind=... download_p95_ms=... baseline_p95_ms=... render_cpu_s=...
    BENCH documents ros_report events=50 worker_cpu_s=...
    BENCH documents survey_codes=2000 parts=... workers=2 seconds=...  (bench/documents.py)
    BENCH api webhooks events=1000 delivered=1000 lost=0 duplicated=0 attempts=... seconds=...
        (bench/webhooks.py)
    BENCH what_works compute measures=1000 concerns=100000 survey_rounds=200 ... seconds=...
        baseline_measures=10 baseline_seconds=...
    BENCH what_works catalogue effects=10000 queries=... median_ms=... baseline_effects=100
        baseline_median_ms=...  (bench/whatworks.py)

Everything lives in a throw-away VAR_DIR (SQLite database, static files); with
`--database-url` a dedicated PostgreSQL database (naboskap_bench) is created and dropped, with
`--redis-url` the cache keys use a prefix of their own and are deleted afterwards.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BENCH_DATABASE = "naboskap_bench"
PROJECT_SLUG = "benkveien"
PROJECT_NAME = "Benkveien bofellesskap"
PAGE_PATH = f"/prosjekter/{PROJECT_SLUG}/"
RESULT_MARK = "BENCH-RESULT "
BENCHMARKS = [
    "page",
    "intake",
    "inbox",
    "api",
    "plan",
    "risk",
    "addresses",
    "dashboard",
    "live_round",
    "staff_home",
    "staff_search",
    "map_layers",
    "faults",
    "documents",
    "api_webhooks",
    "what_works",
]
# Variables of the developer's environment that would change what is measured.
CLEARED_VARIABLES = [
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "DEFAULT_MUNICIPALITY",
    "PUBLIC_PAGE_CACHE_SECONDS",
    "RATELIMIT_IP_META_KEY",
    "DJANGO_SETTINGS_MODULE",
    "CSRF_TRUSTED_ORIGINS",
    # Files and queues outside the temporary VAR_DIR: the developer's, not the benchmark's.
    "PRIVATE_MEDIA_ROOT",
    "TASKS_BACKEND",
    "PROMETHEUS_MULTIPROC_DIR",
    "METRICS_ENABLED",
]


class BenchError(Exception):
    """The benchmark cannot go on, or a check failed."""


STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr, with minutes:seconds since this process started (the driver's
    lines show where a run's time goes)."""
    minutes, seconds = divmod(int(time.monotonic() - STARTED), 60)
    print(f"bench: [{minutes:02d}:{seconds:02d}] {message}", file=sys.stderr, flush=True)


# --- Phases that run inside Django, in a subprocess with the server's environment ---------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()


def page_queries() -> dict:
    """Queries of one anonymous request of the page: cold (renders) and warm (cached)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from naboskap.projects.models import Project

    client = Client(HTTP_HOST=HOST)
    counts = []
    for _request in range(2):
        client.cookies.clear()  # each request a first-time visitor, without cookies
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PAGE_PATH)
        if response.status_code != 200:
            raise BenchError(f"{PAGE_PATH} answered {response.status_code} in setup")
        counts.append(len(queries))
    newest = Project.objects.get(slug=PROJECT_SLUG).updates.order_by("-published_at").first()
    if newest is not None and newest.title not in response.content.decode():
        raise BenchError(f"{PAGE_PATH} does not show its newest update in setup")
    return {"cold": counts[0], "warm": counts[1]}


def add_updates(project, author, count: int, start: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.projects import services
    from naboskap.testing.factories import UpdateFactory

    # One second apart, all in the past: a larger number is a newer update.
    first = timezone.now() - timedelta(days=1)
    for number in range(start, start + count):
        # Built by the factory, saved by the service that staff use (it moves changed_at).
        update = UpdateFactory.build(
            project=project,
            title=f"Nyhet nummer {number}",
            body="Dette har skjedd i prosjektet denne uka. " * 8,
            published_at=first + timedelta(seconds=number),
        )
        services.update_save(project=project, update=update, author=author)


def prepare_database() -> None:
    """The tables, the cache table and the static files of a fresh VAR_DIR and database."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def phase_setup(updates: int) -> dict:
    django_setup()
    from naboskap.projects import services
    from naboskap.projects.models import ContactPoint
    from naboskap.testing import factories

    prepare_database()

    # The municipality serves its own host name, as in production; here that is 127.0.0.1.
    municipality = factories.MunicipalityFactory(
        name="Benkvik kommune", number="9901", slug="benkvik", host=HOST
    )
    project = factories.ProjectFactory(
        municipality=municipality, name=PROJECT_NAME, slug=PROJECT_SLUG
    )
    services.contact_point_save(
        project=project,
        contact_point=ContactPoint(
            function="Dialogansvarlig",
            phone="+4799999901",
            email="dialog@benkvik.example",
            opening_hours="Hverdager 08-15",
        ),
    )
    author = project.dialogue_owner
    add_updates(project, author, 1, start=1)
    one = page_queries()
    add_updates(project, author, updates - 1, start=2)
    many = page_queries()
    return {"queries": many, "queries_1_update": one}


def phase_queries() -> dict:
    django_setup()
    return {"queries": page_queries()}


def phase_publish(title: str, slug: str = PROJECT_SLUG) -> dict:
    django_setup()
    from django.utils import timezone

    from naboskap.projects import services
    from naboskap.projects.models import Project, Update

    project = Project.objects.get(slug=slug)
    update = Update(title=title, body="Publisert under benchmark.", published_at=timezone.now())
    services.update_save(project=project, update=update, author=project.dialogue_owner)
    return {"published": title}


def survey_codes_asker(slug: str, title: str, user):
    """A new survey round of the project `slug`, and a function that asks for `count` of its
    single-use codes as `user` (a sheet the worker makes, in parts); it returns the run's
    token. For the benchmarks that time or break the worker's renders."""
    import datetime

    from django.utils import timezone

    from naboskap.insights import services
    from naboskap.projects.models import Project

    project = Project.objects.get(slug=slug)
    today = timezone.localdate()
    survey_round = services.round_create(
        project=project,
        template=services.template_ensure_default(municipality=project.municipality),
        title=title,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
    )

    def ask(count: int) -> str:
        return services.codes_request(
            survey_round=survey_round,
            count=count,
            requested_by=user,
            language="nb",
            link=f"http://{HOST}/u/{survey_round.token}/",
            short_address=f"{HOST}/n/ABC234",
            project_address="",
        )

    return survey_round, ask


def run_phase(env: dict, *args: str) -> dict:
    """Run a phase of this script in a subprocess with the server's environment."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    results = [
        line[len(RESULT_MARK) :]
        for line in done.stdout.splitlines()
        if line.startswith(RESULT_MARK)
    ]
    if done.returncode != 0 or not results:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise BenchError(f"phase {args[0]} failed (exit {done.returncode})")
    return json.loads(results[-1])


# --- The load generator --------------------------------------------------------------------
#
# The paths take turns in slices of SLICE seconds, the same in every client process, so a
# change in the machine's load touches all of them alike. The first SETTLE seconds of a slice
# are not counted (requests of the previous path finish); a request that overlaps the end of
# a window counts for the fraction inside it, which keeps slow pages from being undercounted.

SLICE = 2.0
SETTLE = 0.25


def hammer(port: int, paths: list[str], start: float, warmup: float, duration: float) -> dict:
    """One client's loop over one HTTP connection (reopened when the server closes it)."""
    measured_from = start + warmup
    slices = max(1, round(duration / SLICE)) * len(paths)
    until = measured_from + slices * SLICE
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    results = {path: {"done": 0.0, "errors": 0, "latencies": [], "statuses": {}} for path in paths}
    turn = 0
    while time.monotonic() < start:
        time.sleep(0.001)
    while True:
        began = time.monotonic()
        if began >= until:
            break
        if began < measured_from:
            turn += 1
            index = turn % len(paths)  # warm-up: every path, one after the other
        else:
            index = int((began - measured_from) // SLICE) % len(paths)
        path = paths[index]
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            status = str(response.status)
        except (OSError, http.client.HTTPException):
            connection.close()
            status = "error"
        ended = time.monotonic()
        if began < measured_from:
            continue
        slice_start = measured_from + int((began - measured_from) // SLICE) * SLICE
        window_start, window_end = slice_start + SETTLE, slice_start + SLICE
        inside = min(ended, window_end) - max(began, window_start)
        if inside <= 0:
            continue
        result = results[path]
        result["statuses"][status] = result["statuses"].get(status, 0) + 1
        if status == "200":
            result["done"] += inside / max(ended - began, 1e-9)
            result["latencies"].append(ended - began)
        else:
            result["errors"] += 1
    connection.close()
    return results


def _hammer(arguments):
    return hammer(*arguments)


def drive(port: int, paths: list[str], connections: int, warmup: float, duration: float):
    """Load from `connections` separate processes, each with one HTTP connection."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(connections) as pool:
        # One start for all (CLOCK_MONOTONIC is system-wide), late enough for every process.
        start = time.monotonic() + 1.0
        parts = pool.map(_hammer, [(port, paths, start, warmup, duration)] * connections)
    slices = max(1, round(duration / SLICE)) * len(paths)
    measured = {}
    for index, path in enumerate(paths):
        own_slices = len(range(index, slices, len(paths)))
        seconds = own_slices * (SLICE - SETTLE)
        mine = [part[path] for part in parts]
        statuses: dict[str, int] = {}
        for part in mine:
            for status, count in part["statuses"].items():
                statuses[status] = statuses.get(status, 0) + count
        latencies = sorted(latency for part in mine for latency in part["latencies"])

        def percentile(p: float, latencies=latencies) -> float:
            if not latencies:
                return float("nan")
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

        measured[path] = {
            "rps": sum(part["done"] for part in mine) / seconds,
            "requests": len(latencies),
            "errors": sum(part["errors"] for part in mine),
            "statuses": statuses,
            "seconds": seconds,
            "p50_ms": percentile(0.50),
            "p99_ms": percentile(0.99),
        }
    return measured


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(env: dict, var_dir: Path, name: str, workers: int):
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    if not gunicorn_bin.exists():
        raise BenchError(f"{gunicorn_bin} not found: run `make install` first")
    port = free_port()
    error_log = var_dir / f"gunicorn-{name}.log"
    command = [
        str(gunicorn_bin),
        "naboskap.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(error_log),
        "--log-level",
        "warning",
        "--timeout",
        "30",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise BenchError(f"gunicorn exited with {server.returncode} on start")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if get(port, "/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer /healthz within 30 s")
            time.sleep(0.2)
        yield port
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode} during the benchmark")
    except BaseException:
        if error_log.exists():
            sys.stderr.write(error_log.read_text()[-4000:])
        raise
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


# --- PostgreSQL and Redis ------------------------------------------------------------------


def database_urls(url: str) -> tuple[str, str]:
    """The bench database's URL and the server's maintenance database's, from any URL."""
    global BENCH_DATABASE
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise BenchError("--database-url must be a PostgreSQL URL (postgres://...)")
    # Only a dedicated bench database is touched: the one the URL names if its name starts
    # with naboskap_bench (so that runs side by side can each have their own), else
    # naboskap_bench, whatever database the URL names.
    named = parts.path.lstrip("/")
    if re.fullmatch(r"naboskap_bench\w*", named):
        BENCH_DATABASE = named
    bench = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    return bench, admin


def postgres(admin_url: str, statement: str) -> None:
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(sql.SQL(statement).format(sql.Identifier(BENCH_DATABASE)))
    except psycopg.Error as exc:
        raise BenchError(f"PostgreSQL: {exc}") from exc


def postgres_sessions(admin_url: str) -> int:
    """Sessions connected to the bench database now: another run's, if any."""
    import psycopg

    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [BENCH_DATABASE]
            ).fetchone()
    except psycopg.Error as exc:
        raise BenchError(f"PostgreSQL: {exc}") from exc
    return row[0]


def delete_redis_keys(url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


# --- The run -------------------------------------------------------------------------------


def bench_env(var_dir: Path, database_url: str | None, redis_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_VARIABLES}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "naboskap.settings",
            "NABOSKAP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}",
            # Plain HTTP on loopback; everything else as in production.
            "SECURE_SSL_REDIRECT": "0",
            "DEBUG": "0",
            "VAR_DIR": str(var_dir),
            # Every request comes from 127.0.0.1: the per-address limit would answer 429.
            "RATELIMIT_ENABLE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    # A prefix of its own: Redis may be shared, and its keys are deleted by this prefix.
    env["CACHE_KEY_PREFIX"] = f"naboskap-bench-{secrets.token_hex(4)}"
    return env


def fmt(value: float) -> str:
    return f"{value:.1f}"


def run(args: argparse.Namespace) -> int:
    database_url = args.database_url or None
    redis_url = args.redis_url or None
    admin_url = None
    if database_url:
        database_url, admin_url = database_urls(database_url)
    var_dir = Path(tempfile.mkdtemp(prefix="naboskap-bench-"))
    env = bench_env(var_dir, database_url, redis_url)
    failures = []
    created_database = used_redis = False
    try:
        if admin_url:
            # Another run on the same server uses it: dropping it would end that run.
            if sessions := postgres_sessions(admin_url):
                raise BenchError(
                    f"database {BENCH_DATABASE} has {sessions} session(s) open: another "
                    "bench run? Give this one a database of its own (a URL ending in "
                    f"/{BENCH_DATABASE}_2), or stop that run"
                )
            # Left over only if an earlier run was killed; nothing else uses this name.
            postgres(admin_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
            postgres(admin_url, "CREATE DATABASE {}")
            created_database = True
        if redis_url:
            import redis

            try:
                redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
            except redis.RedisError as exc:
                raise BenchError(f"Redis: {exc}") from exc
            used_redis = True
        database = "postgresql" if database_url else "sqlite"
        cache = "redis" if redis_url else "database"
        print(
            f"# naboskap bench: NABOSKAP_ENV=production database={database} cache={cache} "
            f"gunicorn workers={args.workers} (sync) connections={args.connections} "
            f"warmup={args.warmup:g}s duration={args.duration:g}s updates={args.updates} "
            f"cpus={os.cpu_count()} only={','.join(args.only)}",
            flush=True,
        )
        print("# RATELIMIT_ENABLE=0: rate limiting is off in the server under test", flush=True)

        if args.only != ["faults"]:  # faults sets up a database of its own
            log(f"setup in {var_dir}: migrate, createcachetable, collectstatic, seed")
            setup = run_phase(env, "_setup", str(args.updates))
            queries, queries_one = setup["queries"], setup["queries_1_update"]
            if "page" in args.only and queries != queries_one:
                failures.append(
                    f"queries grow with updates: {queries_one} with 1 update, "
                    f"{queries} with {args.updates}"
                )

        if "page" in args.only:
            run_page(args, env, var_dir, setup, failures)
        if {"intake", "inbox", "api"} & set(args.only):
            import concerns

            failures += concerns.run_benchmarks(args, env, var_dir, set(args.only))
        if "plan" in args.only:
            import plans

            failures += plans.run_benchmarks(args, env)
        if "risk" in args.only:
            import risk

            failures += risk.run_benchmarks(args, env)
        if "addresses" in args.only:
            import addresses

            failures += addresses.run_benchmarks(args, env, var_dir)
        if "dashboard" in args.only:
            import dashboard

            failures += dashboard.run_benchmarks(args, env, var_dir)
        if "live_round" in args.only:
            import live_round

            failures += live_round.run_benchmarks(args, env, var_dir)
        if {"staff_home", "staff_search"} & set(args.only):
            import staff

            failures += staff.run_benchmarks(args, env, var_dir, set(args.only))
        if "map_layers" in args.only:
            import maps

            failures += maps.run_benchmarks(args, env, var_dir)
        if "faults" in args.only:
            import faults

            failures += faults.run_benchmarks(args, var_dir)
        if "documents" in args.only:
            import documents

            failures += documents.run_benchmarks(args, env, var_dir)
        if "api_webhooks" in args.only:
            import webhooks

            failures += webhooks.run_benchmarks(args, env)
        if "what_works" in args.only:
            import whatworks

            failures += whatworks.run_benchmarks(args, env, var_dir)
    finally:
        cleanup(
            var_dir,
            admin_url if created_database else None,
            redis_url if used_redis else None,
            env["CACHE_KEY_PREFIX"],
        )
    for failure in failures:
        log(f"FAILED: {failure}")
    return 1 if failures else 0


def run_page(args, env: dict, var_dir: Path, setup: dict, failures: list[str]) -> None:
    """The public project page (cached and uncached) against /healthz."""
    queries, queries_one = setup["queries"], setup["queries_1_update"]

    def measure(port: int) -> tuple[dict, dict]:
        log(
            f"GET /healthz and {PAGE_PATH} in turns of {SLICE:g} s: "
            f"{args.warmup:g} s warm-up, {args.duration:g} s each"
        )
        results = drive(port, ["/healthz", PAGE_PATH], args.connections, args.warmup, args.duration)
        for path, result in results.items():
            if result["errors"] or not result["requests"]:
                raise BenchError(f"{path}: answers other than 200: {result['statuses']}")
        return results["/healthz"], results[PAGE_PATH]

    with gunicorn(env, var_dir, "cached", args.workers) as port:
        status, body = get(port, PAGE_PATH)
        if status != 200 or PROJECT_NAME not in body:
            raise BenchError(f"{PAGE_PATH} answered {status} without the project")
        baseline, page = measure(port)
        invalidation = check_invalidation(env, port)
        if invalidation != "ok":
            failures.append(f"invalidation: {invalidation}")
    ratio = page["rps"] / baseline["rps"]
    print(
        f"BENCH healthz rps={fmt(baseline['rps'])} "
        f"p50_ms={baseline['p50_ms']:.1f} p99_ms={baseline['p99_ms']:.1f}",
        flush=True,
    )
    print(
        f"BENCH public_project_page rps={fmt(page['rps'])} "
        f"baseline_rps={fmt(baseline['rps'])} ratio={ratio:.2f} "
        f"queries={queries['warm']} queries_1_update={queries_one['warm']} "
        f"queries_render={queries['cold']} queries_render_1_update={queries_one['cold']} "
        f"p50_ms={page['p50_ms']:.1f} p99_ms={page['p99_ms']:.1f} "
        f"invalidation={invalidation}",
        flush=True,
    )

    if args.uncached:
        # PUBLIC_PAGE_CACHE_SECONDS=0: the fragment is rendered on every request. A key
        # prefix of its own, so that nothing cached by the first server is found.
        uncached_env = {
            **env,
            "PUBLIC_PAGE_CACHE_SECONDS": "0",
            "CACHE_KEY_PREFIX": f"{env['CACHE_KEY_PREFIX']}-uncached",
        }
        uncached_queries = run_phase(uncached_env, "_queries")["queries"]
        with gunicorn(uncached_env, var_dir, "uncached", args.workers) as port:
            uncached_baseline, uncached = measure(port)
        print(
            f"BENCH public_project_page_uncached rps={fmt(uncached['rps'])} "
            f"baseline_rps={fmt(uncached_baseline['rps'])} "
            f"ratio={uncached['rps'] / uncached_baseline['rps']:.2f} "
            f"queries={uncached_queries['warm']} "
            f"p50_ms={uncached['p50_ms']:.1f} p99_ms={uncached['p99_ms']:.1f}",
            flush=True,
        )

    met = "met" if ratio >= args.target else "NOT met"
    print(f"# target ratio >= {args.target:g}: {met}", flush=True)
    if args.fail_below is not None and ratio < args.fail_below:
        failures.append(f"ratio {ratio:.2f} is below {args.fail_below:g}")


def check_invalidation(env: dict, port: int) -> str:
    """Publish an update through the service; the very next GETs must show it."""
    title = f"Benkmerke {secrets.token_hex(4)}"
    for _request in range(4):  # warm: both workers answer from the cache
        status, body = get(port, PAGE_PATH)
        if status != 200 or title in body:
            return f"unexpected page before publishing ({status})"
    log(f"publish '{title}' through services.update_save and GET the page again")
    run_phase(env, "_publish", title)
    for _request in range(4):  # whichever worker answers, the new update is there
        status, body = get(port, PAGE_PATH)
        if status != 200:
            return f"page answered {status} after publishing"
        if title not in body:
            return "stale page after publishing"
    return "ok"


def cleanup(var_dir: Path, admin_url: str | None, redis_url: str | None, prefix: str | None):
    shutil.rmtree(var_dir, ignore_errors=True)
    if admin_url:
        try:
            postgres(admin_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        except Exception as exc:
            log(f"could not drop database {BENCH_DATABASE}: {exc}")
    if redis_url and prefix:
        try:
            delete_redis_keys(redis_url, prefix)
        except Exception as exc:
            log(f"could not delete Redis keys {prefix}*: {exc}")


def environment_url(name: str, schemes: set[str]) -> str:
    """BENCH_<name>, else <name> itself when it has one of `schemes`: so that
    `DATABASE_URL=postgres://… REDIS_URL=redis://… make bench` runs on them. Only the bench
    database (see `database_urls`) and a key prefix of the run's own are used there."""
    url = os.environ.get(f"BENCH_{name}") or os.environ.get(name, "")
    return url if urlsplit(url).scheme in schemes else os.environ.get(f"BENCH_{name}", "")


def main() -> int:
    # bench/concerns.py imports this module as `run`: the same module, not a second copy.
    sys.modules.setdefault("run", sys.modules[__name__])
    import addresses
    import concerns
    import dashboard
    import documents
    import faults
    import live_round
    import maps
    import plans
    import risk
    import staff
    import webhooks
    import whatworks

    phases = {
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in concerns.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in plans.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in risk.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in addresses.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in dashboard.PHASES.items()},
        **{
            name: (lambda phase=phase: phase(sys.argv)) for name, phase in live_round.PHASES.items()
        },
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in staff.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in maps.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in faults.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in documents.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in webhooks.PHASES.items()},
        **{name: (lambda phase=phase: phase(sys.argv)) for name, phase in whatworks.PHASES.items()},
        "_setup": lambda: phase_setup(int(sys.argv[2])),
        "_queries": phase_queries,
        "_publish": lambda: phase_publish(sys.argv[2]),
    }
    if len(sys.argv) > 1 and sys.argv[1] in phases:
        print(RESULT_MARK + json.dumps(phases[sys.argv[1]]()), flush=True)
        return 0

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=environment_url("DATABASE_URL", {"postgres", "postgresql", "pgsql"}),
        help="PostgreSQL server to use (a database naboskap_bench is created and dropped); "
        "default: SQLite in a temporary directory. Also BENCH_DATABASE_URL, or DATABASE_URL "
        "when it is a PostgreSQL URL.",
    )
    parser.add_argument(
        "--redis-url",
        default=environment_url("REDIS_URL", {"redis", "rediss", "unix"}),
        help="Redis for the cache (REDIS_URL); default: the database cache. Also BENCH_REDIS_URL, "
        "or REDIS_URL.",
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds measured (10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up (2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--updates", type=int, default=50, help="published updates (50)")
    parser.add_argument("--target", type=float, default=0.5, help="ratio to report against")
    parser.add_argument("--fail-below", type=float, help="exit 1 if the ratio is below this")
    parser.add_argument(
        "--no-uncached",
        dest="uncached",
        action="store_false",
        help="skip the page with PUBLIC_PAGE_CACHE_SECONDS=0",
    )
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated benchmarks to run, of {','.join(BENCHMARKS)} (default: all)",
    )
    parser.add_argument(
        "--intake-clients", type=int, default=32, help="concurrent form submitters (32)"
    )
    parser.add_argument(
        "--intake-processes",
        type=int,
        default=4,
        help="processes the submitters run in, as threads (4)",
    )
    parser.add_argument(
        "--inbox-sizes",
        default="1000,100000",
        help="concerns in the inbox, smallest first (1000,100000)",
    )
    parser.add_argument(
        "--inbox-requests", type=int, default=50, help="timed GETs of each inbox page (50)"
    )
    parser.add_argument(
        "--plan-measures", type=int, default=500, help="measures in the benchmark plan (500)"
    )
    parser.add_argument("--plan-units", type=int, default=12, help="units they spread over (12)")
    parser.add_argument(
        "--plan-pdf-target", type=float, default=10, help="CPU seconds the plan PDF may take (10)"
    )
    parser.add_argument(
        "--dashboard-sizes",
        default="1000,100000",
        help="concerns on the municipality dashboard, smallest (the baseline) first; measures "
        "are 1/20 of them, projects 1/2000 (at least 5) (1000,100000)",
    )
    parser.add_argument(
        "--dashboard-requests", type=int, default=30, help="timed GETs of each dashboard (30)"
    )
    parser.add_argument(
        "--live-phones", type=int, default=60, help="phones voting in the live round (60)"
    )
    parser.add_argument("--live-events", type=int, default=10, help="events each phone scores (10)")
    parser.add_argument(
        "--live-think",
        type=float,
        default=3.0,
        help="mean seconds a phone takes on an event before voting (3)",
    )
    parser.add_argument(
        "--live-processes", type=int, default=4, help="processes the phones run in (4)"
    )
    parser.add_argument(
        "--staff-sizes",
        default="1000,100000",
        help="concerns for the start page and search, smallest (the baseline) first; "
        "measures, meetings and tasks in proportion (1000,100000)",
    )
    parser.add_argument(
        "--staff-projects",
        type=int,
        default=20,
        help="projects of the start page and search, the same at every size (20)",
    )
    parser.add_argument(
        "--staff-requests",
        type=int,
        default=20,
        help="timed GETs of each start page (per role) and each search (20)",
    )
    parser.add_argument(
        "--map-sizes",
        default="1000,100000",
        help="concerns marked on the staff map, smallest (the baseline) first (1000,100000)",
    )
    parser.add_argument(
        "--map-addresses",
        type=int,
        default=1_000_000,
        help="addresses around the site while the neighbour radius is dragged (1000000)",
    )
    parser.add_argument(
        "--map-requests", type=int, default=30, help="timed GETs of each map layer (30)"
    )
    parser.add_argument(
        "--whatworks-sizes",
        default="1000,100000",
        help="concerns for what works' compute_effects, smallest (the baseline) first; done "
        "measures 1/100 of them, survey rounds 1/500 (at least 10) (1000,100000)",
    )
    parser.add_argument(
        "--whatworks-effects",
        default="100,10000",
        help="done measures with an effect in the what works catalogue, smallest (the "
        "baseline) first (100,10000)",
    )
    parser.add_argument(
        "--whatworks-requests", type=int, default=30, help="timed GETs of each catalogue (30)"
    )
    parser.add_argument(
        "--whatworks-profile",
        action="store_true",
        help="print a profile of compute_effects at the largest size even when it meets the "
        "target (it is printed when it does not)",
    )
    faults_options = [  # (option, type, default, help): bench/faults.py
        ("submissions", int, 160, "reports 16 clients send while PostgreSQL restarts"),
        ("db-down", float, 3, "seconds PostgreSQL stays down in that restart"),
        ("subscribers", int, 500, "subscribers of the news run whose worker is killed"),
        ("queued", int, 200, "emails queued while the SMTP server is away"),
        ("outage", float, 10, "seconds the SMTP server is away"),
    ]
    for name, kind, default, text in faults_options:
        parser.add_argument(
            f"--faults-{name}", type=kind, default=default, help=f"{text} ({default})"
        )
    args = parser.parse_args()
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    if not args.only or set(args.only) - set(BENCHMARKS):
        parser.error(f"--only takes a comma-separated list of {', '.join(BENCHMARKS)}")
    try:
        args.inbox_sizes = sorted(int(size) for size in args.inbox_sizes.split(","))
    except ValueError:
        parser.error("--inbox-sizes takes numbers, like 1000,100000")
    try:
        args.dashboard_sizes = sorted(int(size) for size in args.dashboard_sizes.split(","))
    except ValueError:
        parser.error("--dashboard-sizes takes numbers, like 1000,100000")
    try:
        args.staff_sizes = sorted(int(size) for size in args.staff_sizes.split(","))
    except ValueError:
        parser.error("--staff-sizes takes numbers, like 1000,100000")
    try:
        args.map_sizes = sorted(int(size) for size in args.map_sizes.split(","))
    except ValueError:
        parser.error("--map-sizes takes numbers, like 1000,100000")
    try:
        args.whatworks_sizes = sorted(int(size) for size in args.whatworks_sizes.split(","))
        args.whatworks_effects = sorted(int(size) for size in args.whatworks_effects.split(","))
    except ValueError:
        parser.error("--whatworks-sizes and --whatworks-effects take numbers, like 1000,100000")
    if args.updates < 2 or args.duration <= 0 or args.connections < 1 or args.workers < 1:
        parser.error("--updates must be at least 2; --duration, --connections, --workers positive")

    def interrupted(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        return run(args)
    except BenchError as exc:
        log(f"FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; server stopped and temporary files removed")
        return 130


if __name__ == "__main__":
    sys.exit(main())
