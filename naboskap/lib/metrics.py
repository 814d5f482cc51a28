"""Metrics for Prometheus at `/metrics`, when `METRICS_ENABLED` is on (README, docs/operations.md).

django-prometheus's middleware counts requests and times them by view in each process. The
gauges here are read from the database at each scrape instead, so any process gives the same
answer: the background task queue, and whatever other modules add with `register_gauge`:

    register_gauge(
        "naboskap_emails_failed",
        "Emails that failed for good, by kind.",
        ["kind"],
        lambda: [((kind,), count) for kind, count in failed_by_kind()],
    )

A sampler takes no arguments and returns `(label values, value)` pairs, one per series; it
runs one grouped query, not one per series. Register from an app's `AppConfig.ready()`.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from ipaddress import ip_address, ip_network

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Case, Count, DateTimeField, F, Min, When
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_prometheus.apps import DjangoPrometheusConfig
from django_tasks import TaskResultStatus
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from naboskap.lib.ratelimits import client_ip

logger = logging.getLogger(__name__)

Sample = tuple[Sequence[str], float]


@dataclass(frozen=True)
class DatabaseGauge:
    name: str
    documentation: str
    labels: tuple[str, ...]
    sampler: Callable[[], Iterable[Sample]]


GAUGES: dict[str, DatabaseGauge] = {}


def register_gauge(
    name: str,
    documentation: str,
    labels: Sequence[str],
    sampler: Callable[[], Iterable[Sample]],
) -> None:
    """Add a gauge whose series `sampler` reads from the database at each scrape."""
    known = GAUGES.get(name)
    if known and known.sampler.__module__ != sampler.__module__:
        raise ValueError(f"{known.sampler.__module__} has registered a gauge named {name}")
    GAUGES[name] = DatabaseGauge(name, documentation, tuple(labels), sampler)


class DatabaseCollector:
    """prometheus_client's Collector for the gauges registered above.

    When the database does not answer, the scrape still succeeds: the gauges are left out
    and `naboskap_database_metrics_up` says 0. Other samplers are not tried after the first
    database error, so a scrape does not wait for each one to time out.
    """

    def describe(self) -> list[Metric]:
        # Nothing to declare in advance: without `describe`, registering the collector would
        # run `collect`, and so the queries, while the app is still starting.
        return []

    def collect(self) -> Iterable[Metric]:
        up = 1
        for gauge in list(GAUGES.values()):
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
            try:
                for label_values, value in gauge.sampler():
                    family.add_metric([str(label) for label in label_values], value)
            except DatabaseError as error:
                logger.warning("Metrics: the database did not answer (%s): %s", gauge.name, error)
                up = 0
                break
            except Exception:
                logger.exception("Metrics: the sampler of %s failed", gauge.name)
                up = 0
                continue
            yield family
        yield GaugeMetricFamily(
            "naboskap_database_metrics_up",
            "1 when every gauge read from the database was read at this scrape, else 0.",
            value=up,
        )


COLLECTOR = DatabaseCollector()


@cache
def install() -> None:
    """Adds the collector to prometheus_client's registry, once per process."""
    REGISTRY.register(COLLECTOR)


class PrometheusConfig(DjangoPrometheusConfig):
    """django-prometheus (settings.py installs it in its place when METRICS_ENABLED is on),
    with the database gauges added to what it exports."""

    def ready(self):
        super().ready()
        install()


def registry() -> CollectorRegistry:
    """What a scrape shows: this process's registry, or with PROMETHEUS_MULTIPROC_DIR the
    request metrics of every worker (read from their files) and the database gauges."""
    if not settings.PROMETHEUS_MULTIPROC_DIR:
        return REGISTRY
    shared = CollectorRegistry()
    MultiProcessCollector(shared, path=settings.PROMETHEUS_MULTIPROC_DIR)
    shared.register(COLLECTOR)
    return shared


def may_scrape(request: HttpRequest) -> bool:
    """From an address in METRICS_ALLOWED_IPS (the client address the rate limits use), or
    with `Authorization: Bearer <METRICS_TOKEN>` when a token is set."""
    return _has_token(request) or _from_allowed_address(request)


def _has_token(request: HttpRequest) -> bool:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    token = settings.METRICS_TOKEN
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(credentials.strip().encode(), token.encode())
    )


def _from_allowed_address(request: HttpRequest) -> bool:
    try:
        address = ip_address(client_ip(request))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped  # "::ffff:127.0.0.1" from a dual-stack socket
    return any(
        address in ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS
    )


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus's scrape. 404, like an unknown page, when metrics are off or the caller may
    not see them."""
    if not settings.METRICS_ENABLED or not may_scrape(request):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


# The background task queue (django-tasks-db's table), by task and status.


def _task_results():
    # Through the app registry: settings.py imports this module (PrometheusConfig) before the
    # models are loaded.
    return apps.get_model("django_tasks_database", "DBTaskResult").objects


def tasks_by_status() -> list[Sample]:
    """Every status for every task the table holds, 0 included, so a rule can compare."""
    rows = _task_results().order_by().values("task_path", "status").annotate(count=Count("id"))
    counts = {(row["task_path"], row["status"]): row["count"] for row in rows}
    return [
        ((task, status), counts.get((task, status), 0))
        for task in sorted({task for task, _status in counts})
        for status in TaskResultStatus.values
    ]


def tasks_waiting() -> list[Sample]:
    """Seconds since the oldest task that is due (ready, its `run_after` passed) became due."""
    now = timezone.now()
    # A task enqueued without a time to run at is due from the moment it was enqueued.
    due_since = Case(
        When(run_after__lte=now, then=F("run_after")),
        default=F("enqueued_at"),
        output_field=DateTimeField(),
    )
    rows = _task_results().ready().order_by().values("task_path").annotate(since=Min(due_since))
    return [((row["task_path"],), _seconds_since(row["since"], now)) for row in rows]


def _seconds_since(moment: datetime | None, now: datetime) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment else 0.0


register_gauge(
    "naboskap_tasks",
    "Background tasks in the queue table by task and status: READY is the queue depth "
    "(scheduled tasks included), FAILED the failures kept until they are pruned.",
    ["task", "status"],
    tasks_by_status,
)
register_gauge(
    "naboskap_tasks_waiting_seconds",
    "How long the oldest due task of each kind has waited for a worker.",
    ["task"],
    tasks_waiting,
)
