"""A shared cache, in the app's Redis, for read models that take seconds on big workspaces.

The link intersect and the reports dashboard group up to millions of rows; a team opening
them again and again would make every web process repeat that work. Each entry is stored
under what it shows (``key``) with the version of the data it was computed from (callers
read a stamp of their tables in a few index lookups), and is served while that version
holds, for ``OUTREACH_PAGE_CACHE_SECONDS`` at most (0 turns the cache off). One web process
computes a missing or outdated entry (a lock in Redis) while the others show the entry it
replaces, or, when there is none yet, wait for it instead of running the same query at the
same time. When Redis cannot be reached the value is computed as if there were no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from outreach.config import Settings
from outreach.jobs.connection import get_redis

T = TypeVar("T")
PREFIX = "outreach-cache:"
KEEP_SECONDS = 3600  # an outdated entry is kept this long, to show while it is recomputed
LOCK_SECONDS = 120  # a computing process that died frees the key after this
WAIT_SECONDS = 60.0  # how long others wait for a first entry before computing themselves
log = logging.getLogger(__name__)


def cache_seconds() -> int:
    """How long an entry is served (0: no caching)."""
    return int(Settings.from_config(current_app.config).page_cache_seconds)


def cache_key(*parts: object) -> str:
    """A short key for these parts (their ``repr``s, hashed)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def _read(redis: Redis, name: str) -> tuple[str, float, Any] | None:
    found = redis.get(name)
    if not isinstance(found, bytes):
        return None
    try:
        entry: tuple[str, float, Any] = pickle.loads(found)
    except Exception:  # written by another version of the code: a miss, never a failed page
        log.warning("page cache entry %s could not be read; computing it again", name)
        return None
    return entry


def cached(key: str, version: str, compute: Callable[[], T], at_most: int | None = None) -> T:
    """``compute()``'s value for ``key`` at this ``version`` of the data, shared by every
    web process (for ``at_most`` seconds when that is shorter than the setting)."""
    seconds = min(cache_seconds(), cache_seconds() if at_most is None else at_most)
    if seconds <= 0:
        return compute()
    name = PREFIX + key
    try:
        redis = get_redis()
        entry = _read(redis, name)
        if entry is not None and entry[0] == version and time.time() - entry[1] < seconds:
            value: T = entry[2]
            return value
        if not redis.set(name + ":lock", b"1", nx=True, ex=LOCK_SECONDS):
            if entry is not None:  # another process is bringing it up to date
                return entry[2]  # type: ignore[no-any-return]
            deadline = time.monotonic() + WAIT_SECONDS
            while entry is None and time.monotonic() < deadline:
                time.sleep(0.05)
                entry = _read(redis, name)
            if entry is not None:
                return entry[2]  # type: ignore[no-any-return]
    except RedisError as exc:
        log.warning("page cache unavailable: %s", exc)
        return compute()
    try:
        value = compute()
        entry = (version, time.time(), value)
        redis.set(name, pickle.dumps(entry), ex=max(KEEP_SECONDS, seconds))
    except RedisError as exc:
        log.warning("page cache unavailable: %s", exc)
    finally:
        with contextlib.suppress(RedisError):
            redis.delete(name + ":lock")
    return value
