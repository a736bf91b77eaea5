"""A job taken by a worker that then died: RQ's own record of one, for the recovery tests."""

from __future__ import annotations

import subprocess

from redis import Redis
from rq import Queue, Worker
from rq.job import Job

from outreach.jobs.recovery import HOST_FIELD, host_identity


def dead_pid() -> int:
    """The id of a process that has ended."""
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def started_by_a_dead_worker(redis_url: str, job_id: str) -> Job:
    """Have a worker (on this machine, whose process is gone) take ``job_id`` and stop."""
    connection = Redis.from_url(redis_url)
    job = Job.fetch(job_id, connection=connection)
    queue = Queue(job.origin, connection=connection)  # whichever queue the job went to
    worker = Worker([queue], connection=connection, name=f"dead-{job_id[:8]}")
    worker.register_birth()
    connection.hset(worker.key, mapping={HOST_FIELD: host_identity(), "pid": dead_pid()})
    queue.remove(job)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    assert job.get_status(refresh=True) == "started"
    return job
