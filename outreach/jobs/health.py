"""How recurring work is doing: last start, last success and next run of each job.

The next run comes from the live cron schedulers (what ``rq cron`` stores in Redis); a job
that has not succeeded for three of its periods is overdue, whatever the reason: failing
runs, no scheduler, no worker, or a queue stuck behind other work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from rq.cron import CronScheduler

from outreach.db import utcnow
from outreach.jobs import recurring
from outreach.jobs.connection import redis_url
from outreach.jobs.liveness import per_process
from outreach.jobs.runner import read_states


@dataclass(frozen=True)
class RecurringStatus:
    """One recurring job as the jobs page and ``/healthz`` show it."""

    name: str
    description: str
    schedule: str
    period: timedelta
    last_start: datetime | None
    last_success: datetime | None
    last_failure: datetime | None
    last_error: str | None
    next_run: datetime | None
    overdue: bool

    @property
    def failing(self) -> bool:
        """The latest finished run failed."""
        return self.last_failure is not None and (
            self.last_success is None or self.last_failure > self.last_success
        )


@dataclass(frozen=True)
class RecurringHealth:
    """Every recurring job, the number of live cron schedulers, and Redis trouble if any."""

    jobs: list[RecurringStatus]
    schedulers: int
    error: str | None = None

    @property
    def overdue(self) -> list[RecurringStatus]:
        """The jobs that have not succeeded for three of their periods."""
        return [job for job in self.jobs if job.overdue]

    @property
    def ok(self) -> bool:
        """Redis answers and no recurring job is overdue."""
        return self.error is None and not self.overdue


def recurring_health(app: Flask | None = None, now: datetime | None = None) -> RecurringHealth:
    """The state of every registered recurring job, read from Redis."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    now = now or utcnow()
    entries = recurring.registered()
    try:
        connection = quick_redis(app)
        states = read_states(connection, [entry.name for entry in entries], now)
        schedulers = CronScheduler.all(connection)
    except RedisError as exc:
        return RecurringHealth([], 0, f"Redis is unreachable ({type(exc).__name__})")
    next_runs: dict[str, datetime] = {}
    for scheduler in schedulers:
        for cron_job in scheduler.get_jobs():
            at = cron_job.next_enqueue_time
            if at is not None and at != datetime.max and cron_job.name in states:
                known = next_runs.get(cron_job.name)
                next_runs[cron_job.name] = at if known is None else min(known, at)
    jobs = []
    for entry in entries:
        state, schedule = states[entry.name], entry.schedule(app.config)
        period = recurring.period_of(schedule, now)
        reference = state.last_success or state.since
        jobs.append(
            RecurringStatus(
                name=entry.name,
                description=entry.description,
                schedule=schedule,
                period=period,
                last_start=state.last_start,
                last_success=state.last_success,
                last_failure=state.last_failure,
                last_error=state.last_error,
                next_run=next_runs.get(entry.name),
                overdue=now - reference > recurring.OVERDUE_PERIODS * period,
            )
        )
    return RecurringHealth(jobs, len(schedulers))


def banner_health(app: Flask) -> RecurringHealth:
    """``recurring_health`` for the banner on every page, cached per process for a few seconds:
    a busy site reads the schedulers and cron periods once, not per page."""
    return per_process(app, "outreach_recurring_banner", lambda: recurring_health(app))


def quick_redis(app: Flask) -> Redis:
    """A client that gives up within a second or two: pages must not hang on a dead Redis."""
    client = app.extensions.get("outreach_health_redis")
    if client is None:
        client = Redis.from_url(
            redis_url(app),
            socket_connect_timeout=1,
            socket_timeout=2,
            retry=Retry(NoBackoff(), 1),
        )
        app.extensions["outreach_health_redis"] = client
    return client
