"""The cache in parallel tests: a key prefix per pytest-xdist worker, and a Redis cache whose
`clear()` leaves the other workers' keys alone (naboskap/testing/cache.py)."""

import os

import pytest

from naboskap.testing.cache import REDIS_BACKEND, PrefixRedisCache, worker_caches

REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/15",
    "KEY_PREFIX": "naboskap-ci",
}


def test_each_worker_has_its_own_key_prefix(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    default = worker_caches({"default": REDIS})["default"]
    assert default["KEY_PREFIX"] == "naboskap-ci-gw3"
    assert default["BACKEND"] == REDIS_BACKEND
    assert default["LOCATION"] == REDIS["LOCATION"]


def test_without_workers_the_prefix_is_the_configured_one(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    database = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "KEY_PREFIX": "n"}
    assert worker_caches({"default": database})["default"] == database


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (CI's second run)")
def test_clearing_one_workers_redis_keeps_the_others_keys():
    mine, theirs = (
        PrefixRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"naboskap-cache-test-{worker}"})
        for worker in ("gw1", "gw10")
    )
    mine.set("counter", 1)
    theirs.set("counter", 2)
    try:
        assert mine.clear()
        assert mine.get("counter") is None
        assert theirs.get("counter") == 2
    finally:
        theirs.clear()
    assert theirs.get("counter") is None
