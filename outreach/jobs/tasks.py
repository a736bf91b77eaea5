"""Launching background jobs with a :class:`Task` row, and reading their state back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from rq import Callback
from rq.exceptions import AbandonedJobError, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.availability import RedisError, require_queue
from outreach.jobs.connection import get_redis
from outreach.jobs.models import OPEN, Task, TaskStatus
from outreach.jobs.queues import Lane as Lane
from outreach.jobs.queues import get_queue as get_queue

JOB_TIMEOUT = 6 * 3600


def launch(
    func: Callable[..., Any],
    *args: Any,
    workspace_id: int,
    description: str,
    user_id: int | None = None,
    job_timeout: int = JOB_TIMEOUT,
    lane: Lane = Lane.DEFAULT,
) -> Task:
    """Add a Task row and enqueue ``func(*args)`` on ``lane`` once the transaction commits.

    Enqueueing after commit means the worker always finds the rows the job is about.
    Raises ``JobsUnavailable`` before anything is written when Redis does not answer; the
    error page then rolls the caller's transaction back and says so.
    """
    require_queue(current_app._get_current_object())  # type: ignore[attr-defined]
    task = Task(
        id=str(uuid.uuid4()),
        workspace_id=workspace_id,
        user_id=user_id,
        name=func.__name__,
        description=description,
        status=TaskStatus.QUEUED,
    )
    db.session.add(task)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session = db.session()

    def enqueue_after_commit(_session: Session) -> None:
        get_queue(app, lane).enqueue(
            func,
            *args,
            job_id=task.id,
            job_timeout=job_timeout,
            description=description,
            on_failure=Callback(record_failure),
        )

    event.listen(session, "after_commit", enqueue_after_commit, once=True)
    return task


def record_failure(
    job: Job, connection: Any, exc_type: type, value: BaseException, tb: Any
) -> None:
    """RQ failure callback: mark the Task failed with a readable reason (killed workers too)."""
    from outreach.jobs import recovery
    from outreach.jobs.context import failure_reason
    from outreach.jobs.continuation import task_id_of
    from outreach.jobs.process import worker_app

    if isinstance(value, AbandonedJobError):  # its worker died: the feature's record too
        recovery.close_in_worker_app(job, recovery.WORKER_LOST)
        return
    with worker_app().app_context():
        try:
            task = db.session.get(Task, task_id_of(job))
            if task is not None and task.status in OPEN:
                task.status = TaskStatus.FAILED
                task.error = failure_reason(value)
                task.finished_at = utcnow()
                db.session.commit()
        finally:
            db.session.remove()


@dataclass
class TaskView:
    """A Task as the status page shows it, with live progress from RQ when the job runs."""

    task: Task
    status: TaskStatus
    progress: dict[str, Any]
    error: str | None


_RQ_STATUS = {
    JobStatus.QUEUED: TaskStatus.QUEUED,
    JobStatus.DEFERRED: TaskStatus.QUEUED,
    JobStatus.SCHEDULED: TaskStatus.QUEUED,
    JobStatus.STARTED: TaskStatus.RUNNING,
    JobStatus.FINISHED: TaskStatus.FINISHED,
    JobStatus.FAILED: TaskStatus.FAILED,
    JobStatus.STOPPED: TaskStatus.CANCELLED,
    JobStatus.CANCELED: TaskStatus.CANCELLED,
}


def describe(task: Task) -> TaskView:
    """Combine the Task row with what RQ knows now (live progress, failure reason).

    A job done in slices reads its current slice's RQ job, and a running Task whose next
    slice waits in the queue still shows running (with the progress of the slices so far).
    """
    status, progress, error = task.status, dict(task.progress or {}), task.error
    if status in OPEN:
        try:
            job = Job.fetch(task.current_job_id, connection=get_redis())
        except (NoSuchJobError, RedisError):  # Redis down: what the row says, until it is back
            return TaskView(task, status, progress, error)
        rq_status = job.get_status(refresh=False)
        if rq_status is not None:
            status = _RQ_STATUS.get(rq_status, status)
            if status is TaskStatus.QUEUED and task.status is TaskStatus.RUNNING:
                status = TaskStatus.RUNNING  # between two slices
        if status not in (TaskStatus.FAILED, TaskStatus.CANCELLED):  # counts of work undone
            progress.update(job.meta.get("progress", {}))
        if status is TaskStatus.FAILED and not error:
            from outreach.jobs.recovery import reason_of

            error = reason_of(job)  # the recovery pass records the same on the Task soon
    return TaskView(task, status, progress, error)


def recent_tasks(workspace_id: int, limit: int = 50) -> list[TaskView]:
    """The workspace's latest jobs, newest first."""
    tasks = db.session.scalars(
        select(Task)
        .where(Task.workspace_id == workspace_id)
        .order_by(Task.created_at.desc())
        .limit(limit)
    )
    return [describe(t) for t in tasks]


def get_task(workspace_id: int, task_id: str) -> Task | None:
    """One Task of the workspace, or None."""
    return db.session.scalar(
        select(Task).where(Task.workspace_id == workspace_id, Task.id == task_id)
    )
