"""What a job body needs: an app context, one transaction, and a way to report progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from rq import get_current_job
from rq.job import Job

from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs import continuation
from outreach.jobs.process import worker_app


class JobRefused(Exception):
    """A job that cannot go ahead; its message is for the user and is shown as it is."""


def failure_reason(exc: BaseException) -> str:
    """What a Task shows for the exception that ended its job."""
    if isinstance(exc, JobRefused):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


@contextmanager
def job_context() -> Iterator[Flask]:
    """Run a job body in its own app context and transaction, keeping its Task row current.

    The Task is marked running at the start, finished in the same commit as the job's
    work, and failed (with the reason) in a fresh transaction when the body raises. A body
    that handed over (:func:`outreach.jobs.continuation.continue_later`) leaves its Task
    running with the progress so far, and the next slice is queued after the commit.
    """
    from outreach.jobs.models import OPEN, Task, TaskStatus

    app = worker_app()
    job = get_current_job()
    with app.app_context():
        continuation.begin()
        task = db.session.get(Task, continuation.task_id_of(job)) if job else None
        later = continuation.slice_number(job) > 1
        closed = task is not None and later and task.status not in OPEN
        if closed:  # the recovery pass failed the Task meanwhile: leave it, queue no more
            task = None
        if task is not None and job is not None:
            task.status, task.error, task.job_id = TaskStatus.RUNNING, None, job.id
            task.started_at = (task.started_at or utcnow()) if later else utcnow()
            db.session.commit()
        try:
            yield app
            call = None if closed or job is None else continuation.requested()
            if task is not None and job is not None:
                task.progress = dict(job.meta.get("progress", {}))
                if call is None:
                    task.status, task.finished_at = TaskStatus.FINISHED, utcnow()
            db.session.commit()
            if call is not None and job is not None:
                _hand_over(job, call, task)
        except BaseException as exc:
            db.session.rollback()
            if task is not None:
                task = db.session.get(Task, task.id)
                if task is not None and task.status in OPEN:
                    task.status, task.finished_at = TaskStatus.FAILED, utcnow()
                    task.error = failure_reason(exc)
                    db.session.commit()
            raise
        finally:
            continuation.begin()
            db.session.remove()


def _hand_over(job: Job, call: tuple[tuple[Any, ...], dict[str, Any]], task: Any) -> None:
    """Queue the next slice and point the Task at it; when it cannot be queued, the job
    ends as a lost one would (its feature's record closed with the reason)."""
    try:
        following = continuation.enqueue_next(job, call)
    except Exception as exc:
        from outreach.jobs.recovery import close_lost_job

        reason = f"The rest of the job could not be queued ({failure_reason(exc)})"
        close_lost_job(continuation.task_id_of(job), job.func_name, tuple(call[0]), reason)
        raise
    if task is not None:
        task.job_id = following.id
        db.session.commit()


def report_progress(**progress: Any) -> None:
    """Store progress in ``job.meta['progress']`` for the browser to poll (no-op outside a job)."""
    job = get_current_job()
    if job is None:
        return
    job.meta.setdefault("progress", {}).update(progress)
    job.save_meta()
