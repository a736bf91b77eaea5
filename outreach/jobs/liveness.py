"""Which job workers and cron schedulers are alive, from the heartbeats RQ keeps in Redis.

A worker's hash (``rq:worker:<name>``) holds its ``last_heartbeat``; a cron scheduler's
heartbeat is its score in the ``rq:cron_schedulers`` sorted set. Either one older than its
``*_STALE_AFTER`` setting is stale: the process died or hangs. The banner on every page asks
only "has any worker been seen lately?", cached for a few seconds per web process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq.cron_scheduler_registry import get_registry_key as cron_registry_key
from rq.utils import as_text, utcparse
from rq.worker_registration import REDIS_WORKER_KEYS

from outreach.config import Settings
from outreach.jobs.queues import queue_names

T = TypeVar("T")

BANNER_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Heartbeat:
    """One worker or cron scheduler, and how long ago it was last seen."""

    name: str
    last_heartbeat: datetime | None
    age: float | None  # seconds
    stale: bool
    queues: tuple[str, ...] = ()
    state: str = ""
    pid: int | None = None
    hostname: str = ""


@dataclass(frozen=True)
class Liveness:
    """The workers and cron schedulers Redis knows, or why they could not be read."""

    workers: list[Heartbeat]
    schedulers: list[Heartbeat]
    error: str | None = None
    queues: tuple[str, ...] = ()  # each must have a live worker

    @property
    def problems(self) -> list[str]:
        """What is wrong, in words: no live worker (on some queue) or scheduler, or a stale one."""
        if self.error:
            return [self.error]
        live = [w for w in self.workers if not w.stale]
        found = [] if live else ["no job worker is running"]
        served = {queue for w in live for queue in w.queues}
        if live:
            found += [f"no job worker takes queue {q!r}" for q in self.queues if q not in served]
        if not any(not s.stale for s in self.schedulers):
            found.append("no cron scheduler is running")
        found += [
            f"worker {w.name} has not been seen for {w.age:.0f} s" for w in self.workers if w.stale
        ]
        found += [
            f"cron scheduler {s.name} has not been seen for {s.age:.0f} s"
            for s in self.schedulers
            if s.stale
        ]
        return found

    @property
    def ok(self) -> bool:
        """A live worker and a live scheduler, and none stale."""
        return not self.problems


def _age(moment: datetime | None, now: float) -> float | None:
    return max(now - moment.timestamp(), 0.0) if moment else None


def read_liveness(app: Flask, connection: Redis, now: float | None = None) -> Liveness:
    """Every registered worker and cron scheduler with its heartbeat age (raises RedisError)."""
    settings = Settings.from_config(app.config)
    now = time.time() if now is None else now
    keys = sorted(as_text(k) for k in connection.smembers(REDIS_WORKER_KEYS))
    with connection.pipeline() as pipe:
        for key in keys:
            pipe.hmget(key, "last_heartbeat", "queues", "state", "pid", "hostname")
        pipe.zrange(cron_registry_key(), 0, -1, withscores=True)
        *rows, schedulers = pipe.execute()
    workers = []
    for key, (last, queues, state, pid, host) in zip(keys, rows, strict=True):
        if last is None:  # expired: RQ drops it from the set at its next maintenance
            continue
        seen = utcparse(last.decode())
        age = _age(seen, now)
        workers.append(
            Heartbeat(
                name=key.removeprefix("rq:worker:"),
                last_heartbeat=seen,
                age=age,
                stale=age is None or age > settings.worker_stale_after,
                queues=tuple((queues or b"").decode().split(",")) if queues else (),
                state=(state or b"").decode(),
                pid=int(pid) if pid else None,
                hostname=(host or b"").decode(),
            )
        )
    cron = []
    for name, score in schedulers:
        seen = datetime.fromtimestamp(score, UTC)
        age = _age(seen, now)
        cron.append(
            Heartbeat(
                name=as_text(name),
                last_heartbeat=seen,
                age=age,
                stale=age is None or age > settings.scheduler_stale_after,
            )
        )
    return Liveness(workers, cron, queues=expected_queues(app))


def expected_queues(app: Flask) -> tuple[str, ...]:
    """The queues Outreach puts jobs on (one per lane), each of which needs a worker."""
    return tuple(queue_names(app.config))


def liveness(app: Flask, connection: Redis) -> Liveness:
    """:func:`read_liveness`, with Redis trouble reported instead of raised."""
    try:
        return read_liveness(app, connection)
    except RedisError as exc:
        return Liveness([], [], f"Redis is unreachable ({type(exc).__name__})")


def per_process(app: Flask, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this process (``app.extensions[name]``) for
    ``BANNER_CACHE_SECONDS``: what every page shows is asked for once, not per page."""
    cached = app.extensions.get(name)
    now = time.monotonic()
    if cached is not None and now - cached[0] < BANNER_CACHE_SECONDS:
        return cached[1]  # type: ignore[no-any-return]
    value = compute()
    app.extensions[name] = (now, value)
    return value


def workers_missing(app: Flask, connection: Redis) -> bool:
    """No worker seen within ``OUTREACH_WORKER_STALE_AFTER`` (False when Redis cannot say).

    Cached per process for a few seconds, so a busy site asks Redis once, not per page.
    """

    def missing() -> bool:
        try:
            return not any(not w.stale for w in read_liveness(app, connection).workers)
        except RedisError:
            return False  # the Redis banner says it already; this one would only guess

    return per_process(app, "outreach_workers_missing", missing)
