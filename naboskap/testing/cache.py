"""The cache in tests: a key prefix per pytest-xdist worker, and a Redis cache that empties
only its own keys.

Django's `RedisCache.clear()` flushes the whole Redis database: with tests in parallel, one
worker's `cache.clear()` would wipe another's rate-limit counters and cached pages. The
database cache needs neither (each worker has its own test database, and so its own cache
table), but gets the prefix too, so that a key shows which worker wrote it.
"""

from __future__ import annotations

import os
import re

from django.core.cache.backends.redis import RedisCache

REDIS_BACKEND = "naboskap.testing.cache.PrefixRedisCache"


class PrefixRedisCache(RedisCache):
    """Django's Redis cache, whose `clear()` deletes only the keys under its prefix."""

    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        # Keys are "<prefix>:<version>:<key>"; the prefix is escaped for Redis' glob match.
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
        return True


def worker_caches(caches: dict) -> dict:
    """`caches` (the CACHES setting) for this test process: the worker's name (gw0, gw1, …)
    appended to the default cache's key prefix, and Redis cleared by prefix."""
    default = dict(caches["default"])
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        default["KEY_PREFIX"] = f"{default.get('KEY_PREFIX', '')}-{worker}"
    if default["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        default["BACKEND"] = REDIS_BACKEND
    return {**caches, "default": default}
