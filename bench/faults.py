"""Faults survived, proven (issue 22): `bench/run.py --only faults` (`make faults`).

    BENCH faults intake clients=16 submissions=... answered=... lost=0 duplicated=0 ...
    BENCH faults worker_kill subscribers=500 delivered=500 lost=0 duplicated=... ...
    BENCH faults smtp_outage queued=200 delivered=200 lost=0 duplicated=0 outage_s=... ...
    BENCH faults render_kill parts=2 ready=2 lost=0 requeued=1 recovered_s=... ...

Real processes, on a PostgreSQL cluster of the benchmark's own: `initdb` in a temporary
directory on a free port (as the `postgres` user when run as root, which initdb refuses),
so that restarting it touches nobody else's database. gunicorn serves the app with
production settings, `manage.py db_worker` runs as a subprocess that is started again when
it exits (as systemd's `Restart=always` does), and an SMTP server in this process
(naboskap.testing.smtp) counts what it accepts per recipient. The four scenarios:

- intake: 16 clients send the public report form (GET for the CSRF token and the hidden
  idempotency key, POST), each retrying the same POST on a connection error, a timeout or a
  5xx; a third of the way in, PostgreSQL is stopped (`pg_ctl stop -m fast`, as a restart
  does), kept down a few seconds and started again. Every answered reference must exist
  once, no submission twice, and every reporter must get one receipt.
- worker_kill: news to 500 subscribers, the SMTP server slowed per message, the worker
  killed (SIGKILL, its whole process group) a third of the way through and started again.
- smtp_outage: news to 200 subscribers queued while the SMTP server is stopped; the worker
  tries and fails; the server comes back after 10 s; every email must arrive once.
- render_kill: a sheet of 1,000 survey codes (two parts) asked for, the worker killed
  (SIGKILL) while it renders a part and started again: the task it was running stays
  "running" until the worker is missed (WORKER_LOST_SECONDS), is queued again by the new
  worker's scheduler, and takes over the dead worker's claim; every part must be made.

The exit status is 1 if anything is lost or duplicated, with one exception: an email the
server accepted in the instant before the worker was killed (worker_kill), or lost its
database (intake: the worker exits when PostgreSQL goes away), cannot be recorded as sent,
and is sent again with the same Message-ID (docs/operations.md). One such duplicate per
kill or exit is allowed and reported; any other duplicate fails. See bench/README.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import pwd
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import concerns
import psycopg
import run as core

HOST = core.HOST
DATABASE = "naboskap_faults"
CLIENTS = 16
# More web workers than cores: a restart breaks each one's kept database connection.
WEB_WORKERS = 4
REQUEST_TIMEOUT = 15
# A client gives a submission up after retrying this long (none should).
GIVE_UP_SECONDS = 90
# Seconds before a worker that exited is started again (systemd's RestartSec).
RESTART_DELAY = 1.0
# How long the SMTP server takes over each recipient in worker_kill (in RCPT, before the
# message is sent: so a kill in this pause loses nothing the server has accepted).
SMTP_DELAY = 0.02
# Emails wait for their next attempt; a worker started again picks them up within a minute
# (the job `send_outbox`, every minute, and the claim taken over after OUTBOX_CLAIM_SECONDS).
DELIVERY_TIMEOUT = 180
IDLE_SECONDS = 5
INTAKE_MARK = "Feiltest innsending"
INTAKE_NUMBER = re.compile(rf"^{INTAKE_MARK} (\d+):")
REFERENCE = re.compile(r"^/melding/([^/?]+)/")
DOMAINS = {
    "intake": "intake.faults.example",
    "worker_kill": "kill.faults.example",
    "smtp_outage": "outage.faults.example",
}
NEWS = {"worker_kill": "feiltest-drept-arbeider", "smtp_outage": "feiltest-epostbrudd"}
# What the harness changes from production: retries and claims on a benchmark's time scale.
HARNESS_SETTINGS = {
    "OUTBOX_CLAIM_SECONDS": "5",
    "OUTBOX_RETRY_SECONDS": "1,2,3,5,8,13,21",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": HOST,
    "EMAIL_USE_TLS": "0",
    "EMAIL_USE_SSL": "0",
    "WORKER_HEARTBEAT_SECONDS": "3",
    "WORKER_LOST_SECONDS": "10",
}
RENDER_CODES = 1000
# Appended to the cluster's postgresql.conf. fsync off: a throw-away cluster, and the
# restart is a clean shutdown (checkpointed), so nothing committed depends on it.
CLUSTER_CONF = """
listen_addresses = '{host}'
port = {port}
unix_socket_directories = '{sockets}'
fsync = off
full_page_writes = off
max_connections = 60
"""


def log(message: str) -> None:
    core.log(f"faults: {message}")


# --- Phases that run inside Django (see run.py's run_phase) --------------------------------


def phase_setup(argv: list[str]) -> dict:
    """Migrate, collect static files, and make the municipality, the project the form is
    about, and two projects with confirmed subscribers for the news runs."""
    kill_subscribers, outage_subscribers = int(argv[2]), int(argv[3])
    core.django_setup()
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from naboskap.concerns import services
    from naboskap.concerns.models import Category, Concern
    from naboskap.documents.models import Document
    from naboskap.outbox.models import Email
    from naboskap.projects.models import Subscription
    from naboskap.testing import factories

    core.prepare_database()
    municipality = factories.MunicipalityFactory(
        name="Feilvik kommune", number="9931", slug="feilvik", host=HOST
    )
    project = factories.ProjectFactory(
        municipality=municipality, name=core.PROJECT_NAME, slug=core.PROJECT_SLUG
    )
    services.categories_ensure_defaults(municipality=municipality)
    category = Category.objects.get(municipality=municipality, code="noise")
    now = timezone.now()
    for scenario, count in (("worker_kill", kill_subscribers), ("smtp_outage", outage_subscribers)):
        news = factories.ProjectFactory(
            municipality=municipality, name=f"Feiltest {scenario}", slug=NEWS[scenario]
        )
        Subscription.objects.bulk_create(
            Subscription(project=news, email=address(scenario, n), confirmed_at=now)
            for n in range(count)
        )
    return {
        "project": project.pk,
        "category": category.pk,
        "concern_table": Concern._meta.db_table,
        "email_table": Email._meta.db_table,
        "task_table": DBTaskResult._meta.db_table,
        "document_table": Document._meta.db_table,
    }


def phase_codes(argv: list[str]) -> dict:
    """A coordinator asks for a sheet of survey codes (made by the worker, in parts)."""
    count = int(argv[2])
    core.django_setup()
    from naboskap.testing import factories

    user = factories.UserFactory(username="feiltest-koder")
    _round, ask = core.survey_codes_asker(core.PROJECT_SLUG, "Feiltest: koder", user)
    token = ask(count)
    return {"token": token}


PHASES = {
    "_faults_setup": phase_setup,
    "_faults_publish": lambda argv: core.phase_publish(argv[3], slug=argv[2]),
    "_faults_codes": phase_codes,
}


def address(scenario: str, number: int) -> str:
    return f"n{number:05d}@{DOMAINS[scenario]}"


# --- The cluster ---------------------------------------------------------------------------


def server_binaries() -> Path | None:
    """The directory with initdb and pg_ctl: PG_BINDIR, the newest of Debian's
    /usr/lib/postgresql/<version>/bin, or the PATH."""
    candidates = [Path(os.environ["PG_BINDIR"])] if os.environ.get("PG_BINDIR") else []
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versions, key=lambda path: version_of(path.parent.name), reverse=True)
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).parent)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def version_of(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def as_postgres(command: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the `postgres` user."""
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]


class Cluster:
    """A PostgreSQL cluster in a temporary directory, on a free port, trusted on 127.0.0.1."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="naboskap-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgresql.log"
        self.port = core.free_port()

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{DATABASE}"

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = as_postgres(command)
        done = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise core.BenchError(f"{program} failed: {(done.stderr or done.stdout)[-2000:]}")

    def create(self) -> None:
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise core.BenchError(
                    "run as root, the faults benchmark runs PostgreSQL as the user `postgres`, "
                    "which does not exist (install the postgresql package)"
                ) from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        # Trust on loopback: the cluster lives as long as the run, on a port nobody knows.
        self.run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        conf = CLUSTER_CONF.format(host=HOST, port=self.port, sockets=self.root)
        with (self.data / "postgresql.conf").open("a") as file:
            file.write(conf)
        self.start()
        admin = f"postgresql://postgres@{HOST}:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def query(self, sql: str, *params) -> list[tuple]:
        with psycopg.connect(self.url, connect_timeout=10) as connection:
            return connection.execute(sql, params).fetchall()


# --- Processes -----------------------------------------------------------------------------


def start_process(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    """A process in a group of its own (so that it and its children can be killed at once),
    its output in `log_path`."""
    with log_path.open("ab") as output:
        return subprocess.Popen(
            command,
            env=env,
            cwd=core.ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        kill_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process, signal.SIGKILL)
            process.wait()
    kill_group(process, signal.SIGKILL)  # whatever of the group is left


def tail(path: Path, size: int = 3000) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace")[-size:]
    return ""


@contextlib.contextmanager
def web(env: dict, var_dir: Path):
    """gunicorn with the app, as in production (sync workers)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    port = core.free_port()
    log_path = var_dir / "gunicorn.log"
    command = [
        str(gunicorn), "naboskap.wsgi:application", "--bind", f"{HOST}:{port}",
        "--workers", str(WEB_WORKERS), "--worker-class", "sync", "--timeout", "30",
        "--log-level", "warning", "--chdir", str(core.ROOT),
    ]  # fmt: skip
    process = start_process(command, env, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise core.BenchError(f"gunicorn exited with {process.returncode}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if core.get(port, "/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise core.BenchError("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield port
    except BaseException:
        sys.stderr.write(tail(log_path))
        raise
    finally:
        stop_process(process)


class Worker:
    """`manage.py db_worker`, started again RESTART_DELAY after it exits, as systemd does
    with Restart=always. `exits` counts the exits it did not cause (`kill`)."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.command = [sys.executable, "manage.py", "db_worker", "--no-reload"]
        self.env, self.log_path = env, log_path
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None
        self.exits = self.kills = self._killed = 0
        self.thread = threading.Thread(target=self._watch, name="faults-worker", daemon=True)

    def __enter__(self) -> Worker:
        self.process = start_process(self.command, self.env, self.log_path)
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        with self.lock:
            stop_process(self.process)
        if exc_info[0] is not None:
            sys.stderr.write(tail(self.log_path))

    def _watch(self) -> None:
        while not self.stopping.wait(0.2):
            with self.lock:
                if self.process.poll() is None:
                    continue
                if self._killed:
                    self._killed -= 1
                else:
                    self.exits += 1
                    log(f"the worker exited ({self.process.returncode}); starting it again")
            if self.stopping.wait(RESTART_DELAY):
                return
            with self.lock:
                self.process = start_process(self.command, self.env, self.log_path)

    def kill(self) -> None:
        """SIGKILL, the worker and anything it started: no chance to clean up."""
        with self.lock:
            kill_group(self.process, signal.SIGKILL)
            self.process.wait()
            self._killed += 1
            self.kills += 1


def slow_smtp_server():
    """naboskap.testing.smtp's server, with a pause per recipient that can be turned on."""
    from naboskap.testing.smtp import Sink, SmtpServer

    @dataclass
    class SlowSink(Sink):
        delay: float = 0.0

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if self.delay:
                await asyncio.sleep(self.delay)
            return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    server = SmtpServer()
    server.sink = SlowSink()
    return server.start()


def received(server, scenario: str) -> list[tuple[str, str]]:
    """(recipient, Message-ID) of every message the server accepted for the scenario."""
    domain = "@" + DOMAINS[scenario]
    messages = list(server.sink.received)
    return [
        (str(m["X-Envelope-To"]), str(m["Message-ID"]))
        for m in messages
        if str(m["X-Envelope-To"]).endswith(domain)
    ]


def emails(cluster: Cluster, setup: dict, scenario: str) -> dict[str, int]:
    """The scenario's emails in the outbox by status, and their failed attempts."""
    rows = cluster.query(
        f"SELECT status, count(*), coalesce(sum(attempts), 0), coalesce(max(attempts), 0) "
        f'FROM {setup["email_table"]} WHERE "to" LIKE %s GROUP BY status',
        f"%@{DOMAINS[scenario]}",
    )
    counts = {status: count for status, count, _attempts, _most in rows}
    counts["attempts"] = sum(attempts for _status, _count, attempts, _most in rows)
    counts["max_attempts"] = max((most for *_rest, most in rows), default=0)
    counts["waiting"] = counts.get("queued", 0) + counts.get("sending", 0)
    return counts


def wait_until(condition, timeout: float, what: str) -> float:
    """Seconds until `condition()` holds; BenchError after `timeout`."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            raise core.BenchError(f"{what}: not within {timeout:g} s")
        time.sleep(0.25)
    return time.monotonic() - began


def wait_for_delivery(smtp, cluster: Cluster, setup: dict, scenario: str, expected) -> float:
    """Seconds until every expected recipient has the email and none of the scenario's
    waits in the outbox; or until nothing is left that could still send one (none waiting,
    no task ready, for IDLE_SECONDS on end): what is missing then is lost."""
    began = time.monotonic()
    idle_since = None
    while True:
        now = time.monotonic()
        if emails(cluster, setup, scenario)["waiting"]:
            idle_since = None
        elif tally(smtp, scenario, expected)["lost"] == 0:
            return now - began
        elif ready_tasks(cluster, setup):
            idle_since = None
        else:
            idle_since = idle_since or now
            if now - idle_since > IDLE_SECONDS:
                return now - began
        if now - began > DELIVERY_TIMEOUT:
            raise core.BenchError(f"{scenario}: emails still waiting after {DELIVERY_TIMEOUT} s")
        time.sleep(0.25)


def ready_tasks(cluster: Cluster, setup: dict) -> int:
    table = setup["task_table"]
    return cluster.query(f"SELECT count(*) FROM {table} WHERE status = 'READY'")[0][0]


def tally(server, scenario: str, expected: list[str]) -> dict:
    """Delivered once, lost, duplicated (extra copies), and whether each duplicate is the
    same message (its Message-ID) sent again."""
    got = received(server, scenario)
    per_address = Counter(to for to, _message_id in got)
    ids = {}
    for to, message_id in got:
        ids.setdefault(to, set()).add(message_id)
    duplicated = sum(count - 1 for count in per_address.values() if count > 1)
    return {
        "delivered": sum(1 for to in expected if per_address[to]),
        "lost": sum(1 for to in expected if not per_address[to]),
        "duplicated": duplicated,
        "same_message_id": all(len(ids[to]) == 1 for to in per_address if per_address[to] > 1),
    }


# --- Scenario 1: concern intake while PostgreSQL restarts ----------------------------------


@dataclass
class Submission:
    number: int
    reference: str = ""
    outcome: str = "pending"  # answered, gave_up, rejected:<status>, error:<exception>
    posts: int = 0
    failed_gets: int = 0
    failed_posts: int = 0
    last_post_at: float = 0.0  # time.time() when the answered POST was sent


def pause(attempt: int) -> None:
    """A short backoff with jitter: 0.1, 0.2, 0.4 … at most 2 s."""
    time.sleep(min(2.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.0))


def submit(port: int, setup: dict, submission: Submission) -> None:
    """One neighbour: GET the form (its CSRF token and hidden key), fill it in, POST it, and
    on a connection error, a timeout or a 5xx POST the same form again, with the same key."""
    give_up_at = time.monotonic() + GIVE_UP_SECONDS
    browser = concerns.Browser(port, timeout=REQUEST_TIMEOUT)
    while True:
        try:
            csrf, key = browser.form()
            break
        except (OSError, http.client.HTTPException, RuntimeError, AttributeError):
            submission.failed_gets += 1
            if time.monotonic() > give_up_at:
                submission.outcome = "gave_up"
                return
            pause(submission.failed_gets)
    text = f"{INTAKE_MARK} {submission.number:05d}:"
    fields = concerns.form_data(setup["project"], setup["category"], key, text)
    fields["reporter_email"] = address("intake", submission.number)
    while True:
        submission.posts += 1
        submission.last_post_at = time.time()
        try:
            status, location = browser.submit(csrf, fields)
        except (OSError, http.client.HTTPException):
            status, location = None, ""
        answer = REFERENCE.match(location) if status == 302 else None
        if answer:
            submission.reference, submission.outcome = answer.group(1), "answered"
            return
        if status is not None and status < 500 and status != 429:
            submission.outcome = f"rejected:{status}"
            return
        submission.failed_posts += 1
        if time.monotonic() > give_up_at:
            submission.outcome = "gave_up"
            return
        pause(submission.failed_posts)


def scenario_intake(args, env, var_dir, cluster, smtp, setup) -> list[str]:
    count, down_s = args.faults_submissions, args.faults_db_down
    submissions = [Submission(number) for number in range(count)]
    pending = iter(submissions)
    lock = threading.Lock()
    answered = []
    restart_due = threading.Event()
    restart: dict[str, float] = {}

    def client(port: int) -> None:
        while True:
            with lock:
                submission = next(pending, None)
            if submission is None:
                return
            try:
                submit(port, setup, submission)
            except Exception as exc:  # counted as not answered, and said
                submission.outcome = f"error:{exc!r}"
                log(f"report {submission.number}: {exc!r}")
            with lock:
                if submission.outcome == "answered":
                    answered.append(time.monotonic())
                if len(answered) >= count // 3:
                    restart_due.set()

    def restarter() -> None:
        if not restart_due.wait(timeout=GIVE_UP_SECONDS):
            return
        log(f"stopping PostgreSQL (fast), {down_s:g} s down, starting it again")
        restart["at"] = time.monotonic()
        cluster.stop("fast")
        time.sleep(down_s)
        cluster.start()
        restart["up"] = time.monotonic()

    with Worker(env, var_dir / "worker-intake.log") as worker, web(env, var_dir) as port:
        log(f"{CLIENTS} clients send {count} reports through the form")
        began = time.monotonic()
        threads = [
            threading.Thread(target=client, args=(port,), daemon=True) for _n in range(CLIENTS)
        ]
        threads.append(threading.Thread(target=restarter, daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - began
        answered_refs = [s for s in submissions if s.outcome == "answered"]
        expected = [address("intake", s.number) for s in answered_refs]
        log("waiting for every receipt (the worker, through the outbox)")
        wait_for_delivery(smtp, cluster, setup, "intake", expected)
        receipts = tally(smtp, "intake", expected)
        got = {to for to, _message_id in received(smtp, "intake")}
        receipt_tasks = receipt_task_states(
            cluster, setup, [to for to in expected if to not in got]
        )
        worker_exits = worker.exits

    stored: dict[int, list[tuple[str, float]]] = {}
    rows = cluster.query(
        f"SELECT description, reference, created_at FROM {setup['concern_table']} "
        "WHERE description LIKE %s",
        f"{INTAKE_MARK} %",
    )
    for description, reference, created_at in rows:
        number = int(INTAKE_NUMBER.match(description).group(1))
        stored.setdefault(number, []).append((reference, created_at.timestamp()))
    lost = sum(
        1
        for s in answered_refs
        if s.reference not in {ref for ref, _at in stored.get(s.number, [])}
    )
    duplicated = sum(len(found) - 1 for found in stored.values())
    # Stored by a POST whose answer was lost: the retry found it (the idempotency key).
    stored_before_retry = sum(
        1
        for s in answered_refs
        if s.failed_posts and any(at < s.last_post_at for _ref, at in stored.get(s.number, []))
    )
    outcomes = Counter(s.outcome.split(":")[0] for s in submissions)
    after_restart = sum(1 for at in answered if at > restart.get("up", float("inf")))
    print(
        f"BENCH faults intake clients={CLIENTS} submissions={count} "
        f"answered={outcomes['answered']} lost={lost} duplicated={duplicated} "
        f"gave_up={outcomes['gave_up']} rejected={outcomes['rejected']} "
        f"failed_requests={sum(s.failed_gets + s.failed_posts for s in submissions)} "
        f"retried_posts={sum(s.failed_posts for s in submissions)} "
        f"stored_before_retry={stored_before_retry} "
        f"restart_s={restart.get('up', 0) - restart.get('at', 0):.1f} db_down_s={down_s:g} "
        f"answered_after_restart={after_restart} worker_exits={worker_exits} "
        f"receipts={receipts['delivered']} receipts_lost={receipts['lost']} "
        f"receipts_duplicated={receipts['duplicated']} "
        f"receipts_allowed_duplicates={worker_exits} "
        f"same_message_id={'yes' if receipts['same_message_id'] else 'no'} "
        f"lost_receipt_tasks={receipt_tasks or '-'} seconds={seconds:.1f}",
        flush=True,
    )
    failures = []
    if lost or duplicated:
        failures.append(f"intake: {lost} answered reports lost, {duplicated} stored twice")
    if outcomes["answered"] < count:
        failures.append(f"intake: {count - outcomes['answered']} reports never answered")
    if "up" not in restart or not after_restart:
        failures.append("intake: PostgreSQL was not restarted in the middle of the load")
    # A worker that loses the database just after the server accepted an email cannot record
    # it: sent again after OUTBOX_CLAIM_SECONDS with the same Message-ID, one per exit at most.
    duplicates_allowed = receipts["duplicated"] <= worker_exits and receipts["same_message_id"]
    if receipts["lost"] or not duplicates_allowed:
        failures.append(
            f"intake: {receipts['lost']} receipts lost ({receipt_tasks}), "
            f"{receipts['duplicated']} sent twice (allowed {worker_exits}, the same message)"
        )
    return failures


def receipt_task_states(cluster: Cluster, setup: dict, addresses: list[str]) -> str:
    """Why receipts are missing: the state of each one's `concern_received` task (or
    NOT_QUEUED), as `state:count,…`."""
    if not addresses:
        return ""
    rows = cluster.query(
        f"SELECT coalesce(t.status, 'NOT_QUEUED') FROM {setup['concern_table']} c "
        f"LEFT JOIN {setup['task_table']} t ON t.task_path LIKE %s "
        "AND t.args_kwargs -> 'args' ->> 0 = c.id::text WHERE c.reporter_email = ANY(%s)",
        "%.concern_received",
        addresses,
    )
    return ",".join(f"{state}:{n}" for state, n in sorted(Counter(r[0] for r in rows).items()))


# --- Scenario 2: the worker killed while it sends news -------------------------------------


def scenario_worker_kill(args, env, var_dir, cluster, smtp, setup) -> list[str]:
    count = args.faults_subscribers
    expected = [address("worker_kill", n) for n in range(count)]
    smtp.sink.delay = SMTP_DELAY
    try:
        with Worker(env, var_dir / "worker-kill.log") as worker:
            began = time.monotonic()
            log(f"news to {count} subscribers; the worker is killed a third of the way")
            core.run_phase(env, "_faults_publish", NEWS["worker_kill"], "Feiltest: stans")
            wait_until(
                lambda: len(received(smtp, "worker_kill")) >= count // 3,
                DELIVERY_TIMEOUT,
                "a third of the news sent",
            )
            worker.kill()
            at_kill = len(received(smtp, "worker_kill"))
            killed = time.monotonic()
            log(f"killed the worker (SIGKILL) after {at_kill} emails; it starts again")
            recovered_s = wait_for_delivery(smtp, cluster, setup, "worker_kill", expected)
            seconds = time.monotonic() - began
            exits, kills = worker.exits, worker.kills
    finally:
        smtp.sink.delay = 0.0
    result = tally(smtp, "worker_kill", expected)
    outbox = emails(cluster, setup, "worker_kill")
    allowed = kills  # at most the one email in flight per kill
    same = "yes" if result["same_message_id"] else "no"
    print(
        f"BENCH faults worker_kill subscribers={count} delivered={result['delivered']} "
        f"lost={result['lost']} duplicated={result['duplicated']} allowed_duplicates={allowed} "
        f"same_message_id={same} sent_before_kill={at_kill} kills={kills} "
        f"worker_exits={exits} outbox_sent={outbox.get('sent', 0)} "
        f"outbox_failed={outbox.get('failed', 0)} recovered_s={recovered_s:.1f} "
        f"after_kill_s={time.monotonic() - killed:.1f} smtp_delay_ms={SMTP_DELAY * 1000:g} "
        f"claim_s={HARNESS_SETTINGS['OUTBOX_CLAIM_SECONDS']} seconds={seconds:.1f}",
        flush=True,
    )
    failures = []
    if result["lost"] or outbox.get("failed", 0):
        failures.append(f"worker_kill: {result['lost']} subscribers without the news")
    if result["duplicated"] > allowed or not result["same_message_id"]:
        failures.append(
            f"worker_kill: {result['duplicated']} duplicates (allowed {allowed}, each the "
            f"same Message-ID: {same})"
        )
    if not 0 < at_kill < count:
        failures.append("worker_kill: the worker was not killed in the middle of sending")
    return failures


# --- Scenario 3: the SMTP server away ------------------------------------------------------


def scenario_smtp_outage(args, env, var_dir, cluster, smtp, setup) -> list[str]:
    count, outage = args.faults_queued, args.faults_outage
    expected = [address("smtp_outage", n) for n in range(count)]
    smtp.stop()
    down_at = time.monotonic()
    log(f"SMTP server stopped; news to {count} subscribers; back after {outage:g} s")
    try:
        with Worker(env, var_dir / "worker-outage.log") as worker:
            core.run_phase(env, "_faults_publish", NEWS["smtp_outage"], "Feiltest: e-postbrudd")
            wait_until(
                lambda: emails(cluster, setup, "smtp_outage")["attempts"] > 0,
                DELIVERY_TIMEOUT,
                "a failed attempt to send",
            )
            time.sleep(max(0.0, down_at + outage - time.monotonic()))
            smtp.start()
            outage_s = time.monotonic() - down_at
            log(f"SMTP server back after {outage_s:.1f} s")
            delivered_s = wait_for_delivery(smtp, cluster, setup, "smtp_outage", expected)
            exits = worker.exits
    finally:
        if smtp.controller is None:
            smtp.start()
    result = tally(smtp, "smtp_outage", expected)
    outbox = emails(cluster, setup, "smtp_outage")
    print(
        f"BENCH faults smtp_outage queued={count} delivered={result['delivered']} "
        f"lost={result['lost']} duplicated={result['duplicated']} "
        f"outbox_failed={outbox.get('failed', 0)} outage_s={outage_s:.1f} "
        f"failed_attempts={outbox['attempts']} max_attempts={outbox['max_attempts']} "
        f"delivered_s={delivered_s:.1f} worker_exits={exits} "
        f"retry_s={HARNESS_SETTINGS['OUTBOX_RETRY_SECONDS']}",
        flush=True,
    )
    failures = []
    if result["lost"] or result["duplicated"] or outbox.get("failed", 0):
        failures.append(
            f"smtp_outage: {result['lost']} lost, {result['duplicated']} duplicated, "
            f"{outbox.get('failed', 0)} failed"
        )
    return failures


# --- Scenario 4: the worker killed while it renders a document ----------------------------


def code_parts(cluster: Cluster, setup: dict, token: str) -> list[tuple]:
    """(part, status, claimed) of each part of the code run `token`."""
    return cluster.query(
        f"SELECT part, status, claimed_at IS NOT NULL FROM {setup['document_table']} "
        "WHERE kind = 'insights.codes' AND variant = %s ORDER BY part",
        token,
    )


def render_tasks(cluster: Cluster, setup: dict) -> Counter:
    rows = cluster.query(
        f"SELECT status, jsonb_array_length(worker_ids) FROM {setup['task_table']} "
        "WHERE task_path LIKE %s",
        "%.render_document",
    )
    return Counter(f"{status}:{attempts}" for status, attempts in rows)


def scenario_render_kill(args, env, var_dir, cluster, smtp, setup) -> list[str]:
    with Worker(env, var_dir / "worker-render.log") as worker:
        began = time.monotonic()
        token = core.run_phase(env, "_faults_codes", str(RENDER_CODES))["token"]
        log(f"{RENDER_CODES} survey codes asked for; the worker is killed while it renders")
        wait_until(
            lambda: any(status == "preparing" and claimed for _p, status, claimed in
                        code_parts(cluster, setup, token)),
            DELIVERY_TIMEOUT,
            "a part being rendered",
        )  # fmt: skip
        time.sleep(1)  # in the middle of it
        at_kill = code_parts(cluster, setup, token)
        worker.kill()
        killed = time.monotonic()
        log(f"killed the worker (SIGKILL) while rendering: {at_kill}; it starts again")
        wait_until(
            lambda: all(status != "preparing" for _p, status, _c in
                        code_parts(cluster, setup, token)),
            DELIVERY_TIMEOUT,
            "every part made",
        )  # fmt: skip
        recovered_s = time.monotonic() - killed
        seconds = time.monotonic() - began
        kills = worker.kills
    parts = code_parts(cluster, setup, token)
    ready = sum(status == "ready" for _p, status, _c in parts)
    tasks = render_tasks(cluster, setup)
    requeued = sum(n for state, n in tasks.items() if not state.endswith(":1"))
    running = sum(n for state, n in tasks.items() if state.startswith("RUNNING"))
    print(
        f"BENCH faults render_kill parts={len(parts)} ready={ready} lost={len(parts) - ready} "
        f"requeued={requeued} left_running={running} kills={kills} "
        f"recovered_s={recovered_s:.1f} seconds={seconds:.1f} "
        f"lost_after_s={HARNESS_SETTINGS['WORKER_LOST_SECONDS']} "
        f"tasks={','.join(f'{state}:{n}' for state, n in sorted(tasks.items()))}",
        flush=True,
    )
    failures = []
    if ready != len(parts) or running:
        failures.append(f"render_kill: {len(parts) - ready} parts not made, {running} running")
    if not requeued:
        failures.append("render_kill: no task was queued again (was the worker killed mid-render?)")
    return failures


# --- The run -------------------------------------------------------------------------------


def run_benchmarks(args, var_dir: Path) -> list[str]:
    """The four scenarios on a cluster of their own; returns what failed."""
    bindir = server_binaries()
    if bindir is None:
        reason = (
            "PostgreSQL's server programs (initdb, pg_ctl) are not installed: "
            "apt-get install postgresql, or set PG_BINDIR"
        )
        print("BENCH faults skipped reason=no-postgresql-server", flush=True)
        print(f"# faults: {reason}", flush=True)
        named = len(args.only) < len(core.BENCHMARKS)  # asked for with --only, not by default
        return [f"faults: {reason}"] if named else []
    var_dir = var_dir / "faults"
    var_dir.mkdir()
    cluster = Cluster(bindir)
    smtp = None
    failures = []
    began = time.monotonic()
    try:
        log(
            f"a PostgreSQL cluster of its own: {bindir}/initdb in {cluster.root}, "
            f"port {cluster.port}"
        )
        cluster.create()
        smtp = slow_smtp_server()
        env = {
            **core.bench_env(var_dir, cluster.url, None),
            **HARNESS_SETTINGS,
            "EMAIL_PORT": str(smtp.port),
        }
        print(
            f"# faults: on a PostgreSQL cluster of its own ({bindir.parent.name}, fsync=off), "
            "not --database-url; gunicorn, db_worker and an SMTP server as processes; "
            "RATELIMIT_ENABLE=0 (every client is 127.0.0.1)",
            flush=True,
        )
        log("setup: migrate, collectstatic, a municipality, a project, subscribers")
        setup = core.run_phase(
            env, "_faults_setup", str(args.faults_subscribers), str(args.faults_queued)
        )
        scenarios = (scenario_intake, scenario_worker_kill, scenario_smtp_outage)
        for scenario in (*scenarios, scenario_render_kill):
            name = scenario.__name__.removeprefix("scenario_")
            try:
                failures += scenario(args, env, var_dir, cluster, smtp, setup)
            except core.BenchError as exc:
                print(f"BENCH faults {name} error={exc!r}", flush=True)
                failures.append(f"faults {name}: {exc}")
    finally:
        if smtp is not None:
            smtp.stop()
        cluster.remove()
    print(f"# faults: {time.monotonic() - began:.0f} s in all", flush=True)
    return failures
