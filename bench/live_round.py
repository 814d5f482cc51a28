"""Live ROS scoring in the room (issue 19) under load, on gunicorn with production settings:

    BENCH live_round phones=60 events=10 votes=600 errors=0 counted=ok vote_p95_ms=...
        room_p95_ms=... healthz_p95_ms=... ...

`--live-phones` (60) simulated phones each join the round by its code (the device cookie),
then score `--live-events` (10) events one screen at a time: GET the event's page, "think"
for a while, POST the vote (one dimension in five answered "don't know"), and go on; every
sixth phone changes its first vote from its summary at the end. Meanwhile the room view
(one projector, logged in as the coordinator) polls its results every 3 s as htmx does, and a
prober GETs `/healthz` twice a second: the baseline of the same run. Afterwards (in a
subprocess) every vote in the database is compared with the last one each phone sent:
`counted=ok` when each (phone, event) is there exactly once with the values sent.

Used by bench/run.py, which makes the environment, the database and the cleanup; the phases
below that run inside Django are started through run.py's `run_phase`. See bench/README.md.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import random
import re
import threading
import time
from pathlib import Path

import concerns
import run as core

HOST = core.HOST
LIVE_USER = "benk-rom"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEVICE_COOKIE = "naboskap_enhet"
POLL_SECONDS = 3.0
HEALTHZ_SECONDS = 0.5
DONT_KNOW = "unknown"
# The targets of issue 19, in milliseconds (p95).
VOTE_TARGET_MS = 200
ROOM_TARGET_MS = 300


# --- Phases that run inside Django (see run.py's run_phase) --------------------------------


def phase_live_setup(events: int) -> dict:
    """A coordinator (TOTP enrolled) and an open round over `events` events of a draft
    analysis of the benchmark project, whose municipality serves 127.0.0.1."""
    core.django_setup()
    from django.urls import reverse

    from naboskap.projects.models import Project
    from naboskap.risk import selectors, services
    from naboskap.risk.tests.factories import make_analysis
    from naboskap.tenancy.models import Membership
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp

    project = Project.objects.select_related("municipality").get(slug=core.PROJECT_SLUG)
    user = factories.UserFactory(username=LIVE_USER, email=f"{LIVE_USER}@example.org")
    Membership.objects.create(user=user, municipality=project.municipality, role="coordinator")
    enrol_totp(user)
    analysis = make_analysis(project, by=user, title="ROS i dialogmøtet")
    made = [
        services.event_create(
            analysis=analysis,
            title=f"Benkhendelse {number}",
            scenario="Fest i bakgården etter midnatt, flere helger på rad. " * 3,
        )
        for number in range(1, events + 1)
    ]
    scoring_round = services.round_open(analysis=analysis, events=made, opened_by=user)
    scale = selectors.load_scale(analysis.scale_version)
    client = concerns.staff_client(LIVE_USER)
    args = [project.pk, analysis.pk, scoring_round.pk]
    room = reverse("risk:round_room", args=args)
    if client.get(room).status_code != 200:
        raise core.BenchError(f"{room} did not answer 200 in setup")
    return {
        "code": scoring_round.code,
        "numbers": [event.number for event in made],
        "size": scale.size,
        "dimensions": [d.key for d in scale.dimensions],
        "room": room,
        "fragment": reverse("risk:round_room_results", args=args),
        "join": reverse("portal:scoring_join", args=[scoring_round.code]),
        "summary": reverse("portal:scoring_summary", args=[scoring_round.code]),
        "cookie": [
            concerns.client_cookie_name(),
            client.cookies[concerns.client_cookie_name()].value,
        ],
    }


def phase_live_verify(sent_file: str) -> dict:
    """Each (phone, event) the phones saw counted: exactly one vote with the last values sent."""
    core.django_setup()
    from django.http import HttpRequest

    from naboskap.portal.scoring_views import device_id
    from naboskap.risk import services
    from naboskap.risk.models import Vote

    sent = json.loads(Path(sent_file).read_text())
    expected = {}
    if not sent:
        raise core.BenchError("no vote was sent")
    for entry in sent:
        # The phone's device id, read from its cookie as the vote page reads it.
        request = HttpRequest()
        request.COOKIES = {DEVICE_COOKIE: entry["cookie"]}
        device = services.device_key(device_id(request))
        expected[(device, entry["number"])] = (entry["probability"], entry["consequences"])
    stored = {}
    duplicates = 0
    for vote in Vote.objects.filter(round__code=sent[0]["code"]).select_related("event"):
        key = (vote.device, vote.event.number)
        duplicates += key in stored
        stored[key] = (vote.probability, vote.consequences)
    wrong = sum(1 for key, values in expected.items() if stored.get(key) != tuple(values))
    return {
        "expected": len(expected),
        "stored": len(stored) + duplicates,
        "duplicates": duplicates,
        "missing": len(set(expected) - set(stored)),
        "unexpected": len(set(stored) - set(expected)),
        "wrong": wrong,
    }


PHASES = {
    "_live_setup": lambda argv: phase_live_setup(int(argv[2])),
    "_live_verify": lambda argv: phase_live_verify(argv[2]),
}


# --- The load, in the driver ----------------------------------------------------------------


def choose(rng: random.Random, size: int) -> str:
    """A level, or "don't know" one time in five."""
    return DONT_KNOW if rng.random() < 0.2 else str(rng.randint(1, size))


def as_stored(value: str):
    return None if value == DONT_KNOW else int(value)


def phone_thread(port, setup, phone_id, start, think, timings, sent, errors):
    """One person's phone: join, score every event one screen at a time, maybe change one."""
    rng = random.Random(phone_id)
    browser = concerns.Browser(port)
    code, numbers = setup["code"], setup["numbers"]

    def request(kind, method, path, body=None, headers=None, expect=200):
        began = time.monotonic()
        try:
            status, location, content = browser.request(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{kind} {path}: {type(exc).__name__}")
            return None, "", b""
        timings[kind].append(time.monotonic() - began)
        if status != expect:
            errors.append(f"{kind} {method} {path}: {status}")
        return status, location, content

    def vote(number, query="", following=None):
        path = f"/ros/{code}/{number}/{query}"
        status, _location, content = request("page", "GET", path)
        match = CSRF_FIELD.search(content.decode("utf-8", "replace")) if status == 200 else None
        if match is None:
            errors.append(f"page {path}: no form")
            return
        time.sleep(rng.uniform(0.5, 1.5) * think)  # reading the scenario, choosing
        fields = {"csrfmiddlewaretoken": match.group(1), "probability": choose(rng, setup["size"])}
        for key in setup["dimensions"]:
            fields[f"c_{key}"] = choose(rng, setup["size"])
        body = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, location, _content = request("vote", "POST", path, body, headers, expect=302)
        if status == 302:
            if following and location != following:
                errors.append(f"vote {path}: went on to {location}, not {following}")
            sent.append(
                {
                    "code": code,
                    "cookie": browser.cookies.get(DEVICE_COOKIE, ""),
                    "number": number,
                    "probability": as_stored(fields["probability"]),
                    "consequences": {
                        key: as_stored(fields[f"c_{key}"])
                        for key in setup["dimensions"]
                        if fields[f"c_{key}"] != DONT_KNOW
                    },
                }
            )

    while time.monotonic() < start + rng.uniform(0, 5):  # people scan the code one by one
        time.sleep(0.01)
    request("join", "GET", setup["join"])
    for index, number in enumerate(numbers):
        later = numbers[index + 1] if index + 1 < len(numbers) else None
        vote(number, following=f"/ros/{code}/{later}/" if later else setup["summary"])
    request("summary", "GET", setup["summary"])
    if phone_id % 6 == 0:  # changes the first vote from the summary
        vote(numbers[0], "?fra=oppsummering", following=setup["summary"])


def poller_thread(port, path, headers, cookies, start, every, stop, timings, kind, errors):
    """From `start`, GET `path` every `every` seconds until `stop` is set (the room view's
    htmx polling)."""
    browser = concerns.Browser(port)
    browser.cookies.update(cookies)
    stop.wait(max(0.0, start - time.monotonic()))
    while not stop.is_set():
        began = time.monotonic()
        try:
            status, _location, _content = browser.request("GET", path, None, headers)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{kind} {path}: {type(exc).__name__}")
        else:
            timings[kind].append(time.monotonic() - began)
            if status != 200:
                errors.append(f"{kind} {path}: {status}")
        stop.wait(max(0.0, every - (time.monotonic() - began)))


def phones_process(arguments) -> dict:
    port, setup, phone_ids, start, think = arguments
    timings = {"join": [], "page": [], "vote": [], "summary": []}
    sent: list[dict] = []
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=phone_thread, args=(port, setup, phone, start, think, timings, sent, errors)
        )
        for phone in phone_ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"timings": timings, "sent": sent, "errors": errors}


def percentile(values: list[float], p: float) -> float:
    """The `p` percentile of `values` (seconds), in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def p95(values: list[float]) -> float:
    return percentile(values, 0.95)


def run_benchmarks(args, env: dict, var_dir: Path) -> list[str]:
    phones, events = args.live_phones, args.live_events
    core.log(f"live_round: a round of {events} events, {phones} phones, the room polling")
    setup = core.run_phase(env, "_live_setup", str(events))
    cookie_name, cookie_value = setup["cookie"]
    staff_cookies = {cookie_name: cookie_value}
    room_headers = {
        "HX-Request": "true",
        "HX-Current-URL": f"http://{HOST}{setup['room']}",
    }
    failures: list[str] = []
    with core.gunicorn(env, var_dir, "live-round", args.workers) as port:
        # Warm-up, not measured: every worker has loaded the pages once.
        phone, projector = concerns.Browser(port), concerns.Browser(port)
        projector.cookies.update(staff_cookies)
        for _round in range(2 * args.workers):
            for browser, path, headers in (
                (phone, setup["join"], {}),
                (phone, f"/ros/{setup['code']}/{setup['numbers'][0]}/", {}),
                (projector, setup["fragment"], room_headers),
                (projector, setup["room"], {}),
            ):
                status, _location, _content = browser.request("GET", path, None, headers)
                if status != 200:
                    raise core.BenchError(f"{path} answered {status} in the warm-up")
        # Phones and pollers begin together, once every phone process has started.
        start = time.monotonic() + 5.0
        stop = threading.Event()
        timings = {"room": [], "healthz": []}
        errors: list[str] = []
        pollers = [
            threading.Thread(
                target=poller_thread,
                args=(
                    port,
                    setup["fragment"],
                    room_headers,
                    staff_cookies,
                    start,
                    POLL_SECONDS,
                    stop,
                    timings,
                    "room",
                    errors,
                ),
            ),
            threading.Thread(
                target=poller_thread,
                args=(
                    port,
                    "/healthz",
                    {},
                    {},
                    start,
                    HEALTHZ_SECONDS,
                    stop,
                    timings,
                    "healthz",
                    errors,
                ),
            ),
        ]
        processes = max(1, min(args.live_processes, phones))
        groups = [list(range(phones))[number::processes] for number in range(processes)]
        context = multiprocessing.get_context("spawn")
        with context.Pool(processes) as pool:
            for poller in pollers:
                poller.start()
            parts = pool.map(
                phones_process,
                [(port, setup, group, start, args.live_think) for group in groups],
            )
        seconds = time.monotonic() - start  # from the first phone on
        stop.set()
        for poller in pollers:
            poller.join()
    phone_timings: dict[str, list[float]] = {}
    sent: list[dict] = []
    for part in parts:
        for kind, values in part["timings"].items():
            phone_timings.setdefault(kind, []).extend(values)
        sent.extend(part["sent"])
        errors.extend(part["errors"])
    sent_file = var_dir / "live-round-sent.json"
    sent_file.write_text(json.dumps(sent))
    verify = core.run_phase(env, "_live_verify", str(sent_file))
    expected_votes = phones * events
    counted = (
        verify["expected"] == expected_votes
        and verify["stored"] == expected_votes
        and not (verify["duplicates"] or verify["missing"] or verify["unexpected"])
        and not verify["wrong"]
    )
    vote_p95, room_p95 = p95(phone_timings["vote"]), p95(timings["room"])
    print(
        f"BENCH live_round phones={phones} events={events} votes_sent={len(sent)} "
        f"votes_stored={verify['stored']} changed={sum(1 for p in range(phones) if p % 6 == 0)} "
        f"errors={len(errors)} counted={'ok' if counted else 'FAILED'} "
        f"vote_p95_ms={vote_p95:.1f} page_p95_ms={p95(phone_timings['page']):.1f} "
        f"vote_p50_ms={percentile(phone_timings['vote'], 0.5):.1f} "
        f"room_p95_ms={room_p95:.1f} room_p50_ms={percentile(timings['room'], 0.5):.1f} "
        f"room_polls={len(timings['room'])} "
        f"healthz_p95_ms={p95(timings['healthz']):.1f} healthz_requests={len(timings['healthz'])} "
        f"think_s={args.live_think:g} seconds={seconds:.1f} workers={args.workers}",
        flush=True,
    )
    for error in errors[:10]:
        print(f"# live_round error: {error}", flush=True)
    if errors:
        failures.append(f"live_round: {len(errors)} errors, e.g. {errors[0]}")
    if not counted:
        failures.append(f"live_round: votes not counted once: {verify}")
    for name, value, target in (
        ("vote_p95_ms", vote_p95, VOTE_TARGET_MS),
        ("room_p95_ms", room_p95, ROOM_TARGET_MS),
    ):
        met = "met" if value < target else "NOT met"
        print(f"# target live_round {name} < {target}: {met}", flush=True)
    ok = "met" if not errors and counted else "NOT met"
    print(f"# target live_round errors=0 and every vote counted once: {ok}", flush=True)
    return failures
