"""A job worker and a cron scheduler as Redis knows them, without running either."""

from __future__ import annotations

import time

from flask import Flask
from redis import Redis
from rq import Worker
from rq.cron import CronScheduler
from rq.cron_scheduler_registry import get_registry_key

from outreach.jobs.liveness import expected_queues


def live_worker(app: Flask, name: str = "test-worker", ago: float = 0.0) -> Worker:
    """Register a worker on every queue of the app, its last heartbeat ``ago`` seconds ago."""
    connection = Redis.from_url(app.config["REDIS_URL"])
    worker = Worker(list(expected_queues(app)), connection=connection, name=name)
    worker.register_birth()
    if ago:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() - ago))
        worker.connection.hset(worker.key, "last_heartbeat", stamp)
    return worker


def live_scheduler(redis_url: str, name: str = "test-scheduler", ago: float = 0.0) -> None:
    """Register a cron scheduler whose last heartbeat was ``ago`` seconds ago."""
    connection = Redis.from_url(redis_url)
    CronScheduler(connection=connection, name=name).register_birth()
    if ago:
        connection.zadd(get_registry_key(), {name: time.time() - ago})
