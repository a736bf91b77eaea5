"""Running recurring work: the job RQ's cron scheduler enqueues, and what each run leaves behind.

Every scheduled run is one RQ job, ``run_recurring(name)``, enqueued by ``rq cron`` whatever
the previous run did. A run claims its slot (the scheduled time it belongs to) in Redis, so
when two schedulers enqueue the same slot only the first copy does the work. Each run records
its start and its end (success, or the kind of failure) for the jobs page and ``/healthz``;
a failing run raises, so RQ keeps it in the failed-job registry with its traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from redis import Redis
from rq import get_current_job

from outreach.db import utcnow
from outreach.jobs import recurring
from outreach.jobs.connection import get_redis
from outreach.jobs.process import worker_app
from outreach.jobs.queues import queue_name

PREFIX = "outreach:recurring"
RESULT_TTL = 3600  # a run's return value stays readable for an hour
FAILURE_TTL = 7 * 86400  # a failed run stays in RQ's failed-job registry for a week
CLAIMS_KEPT = timedelta(days=1)  # a copy enqueued later than this after its slot would run again
RUNS_KEPT = 200  # entries in each job's run log


def state_key(name: str) -> str:
    """The Redis hash of one recurring job's last start, success and failure."""
    return f"{PREFIX}:{name}"


def runs_key(name: str) -> str:
    """The Redis list of one recurring job's latest runs, newest first."""
    return f"{PREFIX}:{name}:runs"


def claims_key(name: str) -> str:
    """The Redis sorted set of slots already taken by a run."""
    return f"{PREFIX}:{name}:slots"


def cron_jobs(app: Flask) -> list[dict[str, Any]]:
    """Keyword arguments of ``rq.cron.register`` for every registered recurring job."""
    return [
        {
            "func": run_recurring,
            "queue_name": queue_name(app.config, entry.lane),
            "args": (entry.name,),
            "cron": entry.schedule(app.config),
            "name": entry.name,
            "job_timeout": entry.timeout,
            "result_ttl": RESULT_TTL,
            "failure_ttl": FAILURE_TTL,
        }
        for entry in recurring.registered()
    ]


def run_recurring(name: str) -> dict[str, Any]:
    """Run one scheduled slot of the recurring job ``name``, unless a copy already took it."""
    app = worker_app()  # builds the app, so every feature has registered its entries
    entry = recurring.get(name)
    job = get_current_job()
    connection = job.connection if job is not None else get_redis(app)
    enqueued = job.enqueued_at if job is not None and job.enqueued_at else utcnow()
    slot = recurring.slot_of(entry.schedule(app.config), enqueued)
    if not claim(connection, name, slot):
        return {"slot": slot.isoformat(), "skipped": "another copy of this run took the slot"}
    job_id = job.id if job is not None else ""
    started = utcnow()
    with connection.pipeline() as pipe:
        pipe.hset(state_key(name), "last_start", started.isoformat())
        pipe.hsetnx(state_key(name), "since", started.isoformat())
        pipe.execute()
    try:
        result = entry.func()
    except BaseException as exc:
        _record_end(connection, name, slot, job_id, started, type(exc).__name__)
        raise
    _record_end(connection, name, slot, job_id, started, None)
    return {"slot": slot.isoformat(), "result": result}


def claim(connection: Redis, name: str, slot: datetime) -> bool:
    """Take ``slot`` for this run; False when another run already took it."""
    stamp = slot.timestamp()
    with connection.pipeline() as pipe:
        pipe.zadd(claims_key(name), {str(int(stamp)): stamp}, nx=True)
        pipe.zremrangebyscore(claims_key(name), "-inf", stamp - CLAIMS_KEPT.total_seconds())
        pipe.expire(claims_key(name), int(CLAIMS_KEPT.total_seconds()) * 2)
        added, _, _ = pipe.execute()
    return bool(added)


def _record_end(
    connection: Redis,
    name: str,
    slot: datetime,
    job_id: str,
    started: datetime,
    error: str | None,
) -> None:
    ended = utcnow()
    run = {
        "slot": slot.isoformat(),
        "job": job_id,
        "started": started.isoformat(),
        "ended": ended.isoformat(),
        "error": error,
    }
    with connection.pipeline() as pipe:
        if error:
            pipe.hset(state_key(name), "last_failure", ended.isoformat())
            pipe.hset(state_key(name), "last_error", error)
        else:
            pipe.hset(state_key(name), "last_success", ended.isoformat())
        pipe.lpush(runs_key(name), json.dumps(run))
        pipe.ltrim(runs_key(name), 0, RUNS_KEPT - 1)
        pipe.execute()


@dataclass(frozen=True)
class RunState:
    """What the runs of one recurring job left in Redis."""

    since: datetime
    last_start: datetime | None
    last_success: datetime | None
    last_failure: datetime | None
    last_error: str | None


def read_states(connection: Redis, names: list[str], now: datetime) -> dict[str, RunState]:
    """The run state of each job; the watch starts now for a job never seen before."""
    with connection.pipeline() as pipe:
        for name in names:
            pipe.hsetnx(state_key(name), "since", now.isoformat())
            pipe.hgetall(state_key(name))
        replies = pipe.execute()
    states = {}
    for name, raw in zip(names, replies[1::2], strict=True):
        fields = {key.decode(): value.decode() for key, value in raw.items()}
        states[name] = RunState(
            since=_moment(fields.get("since")) or now,
            last_start=_moment(fields.get("last_start")),
            last_success=_moment(fields.get("last_success")),
            last_failure=_moment(fields.get("last_failure")),
            last_error=fields.get("last_error") or None,
        )
    return states


def recent_runs(connection: Redis, name: str, limit: int = RUNS_KEPT) -> list[dict[str, Any]]:
    """The latest finished runs of a job, newest first (slot, job id, start, end, error)."""
    return [json.loads(item) for item in connection.lrange(runs_key(name), 0, limit - 1)]


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
