"""Webhook burst benchmark of `make bench` (issue 23, `BENCH api`): 1,000 events to a local
receiver that fails every third request, delivered by the worker with retries.

    BENCH api webhooks events=1000 delivered=1000 lost=0 duplicated=0 attempts=.. seconds=..

A real HTTP server (a thread, `naboskap.webhooks.tests.receiver`) on 127.0.0.1 answers 500 to
every third request and 204 to the others. 1,000 concerns are moved from received to
acknowledged (each its own transaction, through `concern_transition`), which queues 1,000
`concern.status_changed` events; the worker (`db_worker --batch`, run again until nothing
waits) stores each for the endpoint as its integration user sees it and sends it, signed.
The pauses between attempts are one second here (WEBHOOKS_RETRY_SECONDS; a day in
production). `delivered` counts distinct event ids the receiver accepted with a valid
signature; `duplicated` counts accepted requests beyond one per event; `attempts` counts
every request; `seconds` runs from the first change to the last delivery.

Used by bench/run.py (`--only api_webhooks`), which makes the environment and the database
and cleans up; the phase runs inside Django through run.py's `run_phase`.
"""

from __future__ import annotations

import time

import run as core

EVENTS = 1000
FAIL_EVERY = 3
MUNICIPALITY = ("Krokvik kommune", "9908", "krokvik")
USER = "benk-integrasjon"
TIMEOUT_SECONDS = 600


def phase_webhooks() -> dict:
    core.django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from naboskap.concerns import services as concern_services
    from naboskap.concerns.models import Concern
    from naboskap.tenancy.models import Membership
    from naboskap.testing import factories
    from naboskap.webhooks import services as webhook_services
    from naboskap.webhooks import signing
    from naboskap.webhooks.models import Delivery
    from naboskap.webhooks.tests.receiver import Receiver

    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
    settings.WEBHOOKS_RETRY_SECONDS = [1] * 7

    def work() -> None:
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    name, number, slug = MUNICIPALITY
    municipality = factories.MunicipalityFactory(name=name, number=number, slug=slug)
    user = factories.UserFactory(username=USER)
    unit = factories.UnitFactory(municipality=municipality, name="Integrasjon")
    project = factories.ProjectFactory(
        municipality=municipality, slug="krokveien", dialogue_owner=user, responsible_unit=unit
    )
    Membership.objects.create(user=user, municipality=municipality, role="coordinator")
    concerns = [factories.make_concern(project) for _n in range(EVENTS)]
    work()  # the concerns' own work (routing notices) first: not measured

    receiver = Receiver(answer=lambda n: 500 if n % FAIL_EVERY == 0 else 204).start()
    try:
        endpoint, secret = webhook_services.endpoint_create(
            municipality=municipality,
            name="Sak/arkiv",
            url=receiver.url,
            events=["concern.status_changed"],
            user=user,
        )
        began = time.perf_counter()
        for concern in concerns:
            concern_services.concern_transition(concern=concern, to_status="acknowledged", by=user)
        emitted = time.perf_counter() - began
        deadline = began + TIMEOUT_SECONDS
        rounds = 0
        while True:
            work()
            rounds += 1
            waiting = Delivery.objects.filter(
                endpoint=endpoint, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
            )
            stored = Delivery.objects.filter(endpoint=endpoint).count()
            if stored >= EVENTS and not waiting.exists():
                break
            broken = DBTaskResult.objects.filter(
                task_path__startswith="naboskap.webhooks.", status=TaskResultStatus.FAILED
            ).first()
            if broken is not None:
                raise core.BenchError(f"a webhooks task failed: {broken.traceback[-600:]}")
            if time.perf_counter() > deadline:
                raise core.BenchError(f"{waiting.count()} deliveries still waiting")
            time.sleep(0.2)
        seconds = time.perf_counter() - began
        requests = list(receiver.requests)
    finally:
        receiver.stop()

    accepted = [r for r in requests if r.status == 204]
    forged = [r for r in requests if not signing.verify(secret, r.headers, r.body)]
    delivered_ids = {r.headers["Webhook-Id"] for r in accepted}
    event_ids = set(Delivery.objects.filter(endpoint=endpoint).values_list("event_id", flat=True))
    concern_ids = {r.json["data"]["id"] for r in accepted}
    return {
        "events": EVENTS,
        "delivered": len(delivered_ids & event_ids),
        "lost": EVENTS - len(concern_ids & {c.pk for c in concerns}),
        "duplicated": len(accepted) - len(delivered_ids),
        "attempts": len(requests),
        "failed": Delivery.objects.filter(endpoint=endpoint, status="failed").count(),
        "bad_signatures": len(forged),
        "seconds": seconds,
        "emit_seconds": emitted,
        "worker_rounds": rounds,
        "acknowledged": Concern.objects.filter(project=project, status="acknowledged").count(),
    }


PHASES = {"_api_webhooks": lambda argv: phase_webhooks()}


def run_benchmarks(args, env: dict) -> list[str]:
    core.log(
        f"api webhooks: {EVENTS} events to a local receiver that fails every "
        f"{FAIL_EVERY}rd request, sent by the worker"
    )
    result = core.run_phase(env, "_api_webhooks")
    print(
        f"BENCH api webhooks events={result['events']} delivered={result['delivered']} "
        f"lost={result['lost']} duplicated={result['duplicated']} "
        f"attempts={result['attempts']} seconds={result['seconds']:.1f}",
        flush=True,
    )
    print(
        f"# api webhooks failed={result['failed']} bad_signatures={result['bad_signatures']} "
        f"worker_rounds={result['worker_rounds']} "
        f"changes_seconds={result['emit_seconds']:.1f} (the 1,000 status changes themselves)",
        flush=True,
    )
    failures = []
    if result["delivered"] != result["events"] or result["lost"]:
        failures.append(f"api webhooks: {result['lost']} events lost")
    if result["duplicated"]:
        failures.append(f"api webhooks: {result['duplicated']} events delivered twice")
    if result["bad_signatures"]:
        failures.append(f"api webhooks: {result['bad_signatures']} requests badly signed")
    met = not failures
    print(f"# target api webhooks 1,000 events, 0 lost: {'met' if met else 'NOT met'}", flush=True)
    return failures
