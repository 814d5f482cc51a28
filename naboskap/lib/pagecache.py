"""One number that every cached public page depends on.

Public pages (and the lookup of which municipality a host serves) are cached under keys that
contain the current *generation*. Anything that changes what the public sees calls
`invalidate()`, which moves the generation on, so every such cache entry is stale at once, in
every app process: the generation lives in the shared cache. Edits are rare next to reads,
so starting over after an edit costs little; a cache hit costs no database query at all.
"""

import time

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "public-pages-generation"


def _fresh() -> int:
    # Never reuse an old number, even if the cache lost the key (eviction or a flush).
    return time.time_ns() // 1000


def generation(request=None) -> int:
    """The current generation; read once per request when a request is given."""
    if request is not None and hasattr(request, "_public_generation"):
        return request._public_generation
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _fresh(), None)
        value = cache.get(GENERATION_KEY) or _fresh()
    if request is not None:
        request._public_generation = value
    return value


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (any more)
        cache.set(GENERATION_KEY, _fresh(), None)


def invalidate() -> None:
    """Something public changed. Bumped now and again after the commit, so that a request
    that read the old data before the commit cannot leave it cached."""
    _bump()
    transaction.on_commit(_bump)
