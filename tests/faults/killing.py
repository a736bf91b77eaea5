"""What the killed-worker tests share: reading a job's state back, and the recovery check."""

from __future__ import annotations

from flask import Flask
from redis import Redis
from rq.job import Job

from outreach.extensions import db
from outreach.jobs import recovery
from outreach.jobs.connection import get_redis
from outreach.jobs.models import Task, TaskStatus

ENDS = 20  # seconds for a job to end once a new worker runs and recovery has run


def recover(app: Flask) -> dict[str, int]:
    """The recovery pass the cron scheduler runs every minute (and each worker at its start)."""
    return recovery.recover(app, get_redis(app))


def task_of(task_id: str) -> Task:
    """A Task row as the database has it now."""
    db.session.rollback()
    row = db.session.get(Task, task_id)
    assert row is not None
    return row


def assert_ended(task: Task) -> None:
    """Finished, or failed with a reason a person can read."""
    assert task.status in (TaskStatus.FINISHED, TaskStatus.FAILED), task.status
    if task.status is TaskStatus.FAILED:
        assert task.error, "a failed job says why"


def progress(redis_url: str, job_id: str, key: str) -> int:
    """One number of a running job's progress (0 until it reports)."""
    job = Job.fetch(job_id, connection=Redis.from_url(redis_url))
    return int(job.get_meta(refresh=True).get("progress", {}).get(key, 0))
