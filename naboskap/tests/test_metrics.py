"""Metrics for Prometheus at /metrics (naboskap.lib.metrics): off by default, and when on, only
for the allowed addresses or the token."""

import django_prometheus
import pytest
from django.db import OperationalError
from django.test import Client
from django_tasks import task

from naboskap.lib import metrics

pytestmark = pytest.mark.django_db

OUTSIDER = "203.0.113.9"
TOKEN = "a-long-random-scrape-token"


@task()
def tidy_up() -> None:
    """A background task to queue."""


@pytest.fixture
def metrics_on(settings):
    """What METRICS_ENABLED=1 sets up at start (settings.py): django-prometheus's middleware
    around the others, and its app config, which adds the database gauges."""
    settings.METRICS_ENABLED = True
    settings.MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *settings.MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
    metrics.PrometheusConfig("django_prometheus", django_prometheus).ready()
    return settings


def scrape(client: Client, **headers):
    return client.get("/metrics", headers=headers)


def test_metrics_are_off_by_default(client):
    assert scrape(client).status_code == 404


def test_a_local_scrape_shows_latency_by_view_and_the_queue(metrics_on, client):
    tidy_up.enqueue()
    client.get("/healthz")
    response = scrape(client)
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert (
        'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="healthz"}'
        in body
    )
    task = "naboskap.tests.test_metrics.tidy_up"
    assert f'naboskap_tasks{{status="READY",task="{task}"}} 1.0' in body
    assert f'naboskap_tasks{{status="FAILED",task="{task}"}} 0.0' in body
    assert f'naboskap_tasks_waiting_seconds{{task="{task}"}}' in body
    assert "naboskap_database_metrics_up 1.0" in body


def test_the_database_gauges_cost_six_queries(metrics_on, client, django_assert_num_queries):
    """Two for the task queue, three for the scheduled jobs (runs by outcome, latest runs,
    workers alive), one for the outbox."""
    tidy_up.enqueue()
    with django_assert_num_queries(6):
        assert scrape(client).status_code == 200


def test_another_address_gets_not_found(metrics_on):
    assert scrape(Client(REMOTE_ADDR=OUTSIDER)).status_code == 404


def test_an_allowed_network(metrics_on):
    metrics_on.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert scrape(Client(REMOTE_ADDR="10.20.30.40")).status_code == 200
    assert scrape(Client(REMOTE_ADDR="127.0.0.1")).status_code == 404


def test_behind_a_proxy_the_address_it_forwards_counts(metrics_on):
    """The proxy's own address (127.0.0.1) is not what counts: every visitor comes from it."""
    metrics_on.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    assert scrape(proxy, **{"X-Real-IP": OUTSIDER}).status_code == 404
    assert scrape(proxy).status_code == 404
    assert scrape(proxy, **{"X-Real-IP": "::1"}).status_code == 200


def test_the_right_token_opens_from_anywhere(metrics_on):
    metrics_on.METRICS_TOKEN = TOKEN
    outsider = Client(REMOTE_ADDR=OUTSIDER)
    response = scrape(outsider, Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"naboskap_database_metrics_up" in response.content


def test_a_wrong_token_gets_not_found(metrics_on):
    metrics_on.METRICS_TOKEN = TOKEN
    outsider = Client(REMOTE_ADDR=OUTSIDER)
    assert scrape(outsider, Authorization="Bearer not-the-token").status_code == 404
    assert scrape(outsider, Authorization=f"Basic {TOKEN}").status_code == 404
    assert scrape(outsider).status_code == 404


def test_without_a_token_set_an_empty_one_does_not_open(metrics_on):
    assert scrape(Client(REMOTE_ADDR=OUTSIDER), Authorization="Bearer ").status_code == 404


def test_metrics_switched_off_hide_it_from_allowed_callers_too(metrics_on, client):
    metrics_on.METRICS_ENABLED = False
    metrics_on.METRICS_TOKEN = TOKEN
    assert scrape(client, Authorization=f"Bearer {TOKEN}").status_code == 404


def test_the_scrape_answers_when_the_database_does_not(metrics_on, client, monkeypatch):
    def unavailable():
        raise OperationalError("connection refused")

    gauges = dict(metrics.GAUGES)
    gauges["naboskap_tasks"] = metrics.DatabaseGauge("naboskap_tasks", "Tasks.", (), unavailable)
    monkeypatch.setattr(metrics, "GAUGES", gauges)
    response = scrape(client)
    body = response.content.decode()
    assert response.status_code == 200
    assert "naboskap_database_metrics_up 0.0" in body
    assert "naboskap_tasks" not in body  # nor the gauges after it: the database is away
    assert "django_http_requests_latency_seconds_by_view_method" in body


def test_another_module_adds_a_gauge(metrics_on, client, monkeypatch):
    monkeypatch.setattr(metrics, "GAUGES", dict(metrics.GAUGES))
    metrics.register_gauge(
        "naboskap_test_emails_failed",
        "Emails that failed for good, by kind.",
        ["kind"],
        lambda: [(("receipt",), 2), (("news",), 0)],
    )
    body = scrape(client).content.decode()
    assert 'naboskap_test_emails_failed{kind="receipt"} 2.0' in body
    assert 'naboskap_test_emails_failed{kind="news"} 0.0' in body


def test_a_gauge_name_belongs_to_one_module(monkeypatch):
    monkeypatch.setattr(metrics, "GAUGES", dict(metrics.GAUGES))
    with pytest.raises(ValueError, match="naboskap_tasks"):
        metrics.register_gauge("naboskap_tasks", "Mine.", [], lambda: [])


def test_with_several_workers_the_database_gauges_come_from_any_of_them(
    metrics_on, client, tmp_path
):
    """PROMETHEUS_MULTIPROC_DIR: the request metrics come from the workers' files (none yet
    here), the database gauges from the database."""
    metrics_on.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    tidy_up.enqueue()
    body = scrape(client).content.decode()
    assert 'naboskap_tasks{status="READY",task="naboskap.tests.test_metrics.tidy_up"} 1.0' in body
