"""Jobs whose worker died end failed, with a reason: in RQ, on their Task and on the feature's row.

RQ finds such a job by itself only late: its started-job entry must expire (a minute or more
after the last heartbeat) and a worker's maintenance pass (every ten minutes) must run. The
recovery pass here, run every minute by the cron scheduler and whenever a worker starts,
runs RQ's own abandoned-job handling (:meth:`StartedJobRegistry.cleanup`) on every queue, for
the expired entries and, at once, for every job whose worker ran on this machine and whose
process no longer exists.
It then closes each Task that RQ already failed while the Task still says queued or running
(a work horse killed outright gets no failure callback), and each Task whose job is gone.

A feature whose job leaves a record of its own (an import, a crawl run, outbox rows) registers
a handler with :func:`when_lost` that closes that record and says what was kept.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask
from redis import Redis
from rq import Queue
from rq.exceptions import AbandonedJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.utils import as_text
from rq.worker_registration import REDIS_WORKER_KEYS, WORKERS_BY_QUEUE_KEY
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.continuation import task_id_of
from outreach.jobs.models import OPEN, Task, TaskStatus
from outreach.jobs.process import worker_app
from outreach.jobs.recurring import recurring

log = logging.getLogger(__name__)

WORKER_LOST = "The worker running this job stopped (killed or crashed)"
JOB_LOST = "The job was lost from the queue before it finished (Redis was emptied or unreachable)"
LOST_GRACE = timedelta(minutes=10)  # a Task without its RQ job this long is lost, not starting
TASKS_PER_PASS = 500
HOST_FIELD = "outreach_host"  # set by OutreachWorker: where its pid means something

# handler(job_id, args or None, reason) -> the reason as the feature recorded it, or None
LostHandler = Callable[[str, tuple[Any, ...] | None, str], str | None]
_handlers: dict[str, LostHandler] = {}


def when_lost(func: Callable[..., Any]) -> Callable[[LostHandler], LostHandler]:
    """Register a handler closing the feature's own record when a job of ``func`` is lost.

    It runs in an app context and must not commit; it returns the reason as it recorded it
    (e.g. with what was kept), which the Task then shows too.
    """

    def add(handler: LostHandler) -> LostHandler:
        _handlers[f"{func.__module__}.{func.__name__}"] = handler
        return handler

    return add


def _handler_for(func_name: str | None) -> LostHandler | None:
    if not func_name:
        return None
    if func_name in _handlers:
        return _handlers[func_name]
    short = [h for name, h in _handlers.items() if name.rsplit(".", 1)[-1] == func_name]
    return short[0] if len(short) == 1 else None


def close_lost_job(
    job_id: str, func_name: str | None, args: tuple[Any, ...] | None, reason: str
) -> None:
    """Fail the Task and the feature's record of a job that will not finish; commits.

    ``job_id`` is the Task's id (its first RQ job's), also for a later slice of the Task.
    """
    handler = _handler_for(func_name)
    try:
        message = (handler(job_id, args, reason) if handler else None) or reason
        task = db.session.get(Task, job_id)
        if task is not None and task.status in OPEN:
            task.status, task.error, task.finished_at = TaskStatus.FAILED, message, utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("Could not record the loss of job %s", job_id)


def close_in_worker_app(job: Job, reason: str) -> None:
    """:func:`close_lost_job` for an RQ job, in a fresh app context of the worker's app."""
    try:
        func_name, args = job.func_name, tuple(job.args)
    except Exception:  # a job whose payload cannot be read still has a Task to close
        func_name, args = None, None
    with worker_app().app_context():
        try:
            close_lost_job(task_id_of(job), func_name, args, reason)
        finally:
            db.session.remove()


def on_abandoned(job: Job, exc_type: type, exc_value: BaseException, tb: Any) -> bool:
    """RQ exception handler: close the records of a job RQ found abandoned; others pass on."""
    if isinstance(exc_type, type) and issubclass(exc_type, AbandonedJobError):
        close_in_worker_app(job, WORKER_LOST)
    return True


def on_horse_killed(job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
    """RQ work-horse-killed handler: the job's process died outright (SIGKILL, OOM killer)."""
    from outreach.jobs.supervisor import describe_exit

    signum = os.WTERMSIG(ret_val) if os.WIFSIGNALED(ret_val) else 0
    how = describe_exit(-signum) if signum else describe_exit(os.WEXITSTATUS(ret_val))
    close_in_worker_app(job, f"The worker running this job stopped ({how})")


@cache
def host_identity() -> str:
    """This machine and process namespace: a pid recorded under the same identity is ours."""
    boot = Path("/proc/sys/kernel/random/boot_id")
    boot_id = boot.read_text().strip() if boot.exists() else ""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}|{boot_id}|{namespace}"


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:  # a zombie (killed, not yet reaped by its parent) is gone too
        return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def worker_gone(connection: Redis, name: str) -> bool:
    """The worker ran on this machine and its process is gone: certain, and known at once.

    For a worker elsewhere (or one whose key already expired) RQ's own rule decides: its
    job's heartbeat expires in the started-job registry, which the pass hands RQ too.
    """
    host, pid = connection.hmget(f"rq:worker:{name}", HOST_FIELD, "pid")
    return bool(host and as_text(host) == host_identity() and pid and _pid_gone(int(pid)))


def forget_dead_workers(connection: Redis) -> int:
    """Drop RQ's records of workers that ran here and whose process is gone.

    Without this a killed worker stays listed, stale, until its key expires (a minute or
    more after its replacement started), and ``/healthz`` would fail all that time.
    """
    forgotten = 0
    for key in [as_text(k) for k in connection.smembers(REDIS_WORKER_KEYS)]:
        if not worker_gone(connection, key.removeprefix("rq:worker:")):
            continue
        queues = connection.hget(key, "queues")
        with connection.pipeline() as pipe:
            pipe.delete(key)
            pipe.srem(REDIS_WORKER_KEYS, key)
            for name in as_text(queues or b"").split(","):
                if name:
                    pipe.srem(WORKERS_BY_QUEUE_KEY % name, key)
            pipe.execute()
        forgotten += 1
    return forgotten


def abandon_jobs_of_dead_workers(connection: Redis) -> int:
    """Hand RQ's abandoned-job handling every started job whose worker is gone."""
    abandoned = 0
    for queue in Queue.all(connection=connection):
        registry = StartedJobRegistry(queue=queue)
        entries = registry.get_job_and_execution_ids(cleanup=False)
        jobs = Job.fetch_many([job_id for job_id, _ in entries], connection=connection)
        gone: dict[str, bool] = {}
        for (job_id, execution_id), job in zip(entries, jobs, strict=True):
            name = job.worker_name if job is not None else None
            if not name:
                continue
            if name not in gone:
                gone[name] = worker_gone(connection, name)
            if gone[name]:
                connection.zadd(registry.key, {f"{job_id}:{execution_id}": 1}, xx=True)
                abandoned += 1
        registry.cleanup(exception_handlers=[on_abandoned])
    return abandoned


def reason_of(job: Job) -> str:
    """Why RQ failed a job, in words: a lost worker, else the exception's last line."""
    result = job.latest_result()
    text = (result.exc_string or "") if result is not None else ""
    if "AbandonedJobError" in text or "Work-horse terminated unexpectedly" in text:
        return WORKER_LOST
    lines = text.strip().splitlines()
    return lines[-1] if lines else "The job failed"


def close_failed_tasks(connection: Redis) -> int:
    """Close open Tasks whose job RQ has failed or stopped, or that vanished from Redis."""
    tasks = list(
        db.session.scalars(
            select(Task)
            .where(Task.status.in_(OPEN))
            .order_by(Task.created_at)
            .limit(TASKS_PER_PASS)
        )
    )
    db.session.commit()
    jobs = Job.fetch_many([task.current_job_id for task in tasks], connection=connection)
    closed = 0
    for task, job in zip(tasks, jobs, strict=True):
        if job is None:
            if utcnow() - task.created_at > LOST_GRACE:
                close_lost_job(task.id, task.name, None, JOB_LOST)
                closed += 1
            continue
        status = job.get_status(refresh=False)
        if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            reason = reason_of(job) if status is JobStatus.FAILED else "The job was stopped"
            try:
                args: tuple[Any, ...] | None = tuple(job.args)
            except Exception:  # a payload that no longer unpickles: the Task still closes
                args = None
            close_lost_job(task.id, task.name, args, reason)
            closed += 1
    return closed


def recover(app: Flask, connection: Redis) -> dict[str, int]:
    """The recovery pass: abandon the jobs of dead workers, then close what RQ has failed."""
    abandoned = abandon_jobs_of_dead_workers(connection)
    forget_dead_workers(connection)
    with app.app_context():
        try:
            closed = close_failed_tasks(connection)
        finally:
            db.session.remove()
    return {"abandoned": abandoned, "closed": closed}


@recurring(
    "job-recovery",
    schedule="OUTREACH_RECOVERY_SCHEDULE",
    description="Fail the jobs of workers that died",
    timeout=300,
)
def recover_lost_jobs() -> dict[str, int]:
    """Recurring job: the recovery pass, on the app's Redis."""
    from outreach.jobs.connection import get_redis

    app = worker_app()
    return recover(app, get_redis(app))
