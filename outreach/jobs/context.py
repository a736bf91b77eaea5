"""What a job body needs: an app context, one transaction, and a way to report progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from rq import get_current_job

from outreach.db import utcnow
from outreach.extensions import db

_worker_app: Flask | None = None


class JobRefused(Exception):
    """A job that cannot go ahead; its message is for the user and is shown as it is."""


def failure_reason(exc: BaseException) -> str:
    """What a Task shows for the exception that ended its job."""
    if isinstance(exc, JobRefused):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def set_worker_app(app: Flask | None) -> None:
    """Give jobs in this process the app a worker built (see :class:`OutreachWorker`)."""
    global _worker_app
    _worker_app = app


def worker_app() -> Flask:
    """The app jobs run in: the worker's, else one built from the environment."""
    global _worker_app
    if _worker_app is None:
        from outreach import create_app

        _worker_app = create_app()
    return _worker_app


@contextmanager
def job_context() -> Iterator[Flask]:
    """Run a job body in its own app context and transaction, keeping its Task row current.

    The Task is marked running at the start, finished in the same commit as the job's
    work, and failed (with the reason) in a fresh transaction when the body raises.
    """
    from outreach.jobs.models import Task, TaskStatus

    app = worker_app()
    job = get_current_job()
    with app.app_context():
        task = db.session.get(Task, job.id) if job else None
        if task is not None:
            task.status, task.started_at, task.error = TaskStatus.RUNNING, utcnow(), None
            db.session.commit()
        try:
            yield app
            if task is not None:
                task.status, task.finished_at = TaskStatus.FINISHED, utcnow()
                if job is not None:
                    task.progress = dict(job.meta.get("progress", {}))
            db.session.commit()
        except BaseException as exc:
            db.session.rollback()
            if task is not None:
                task = db.session.get(Task, task.id)
                if task is not None:
                    task.status, task.finished_at = TaskStatus.FAILED, utcnow()
                    task.error = failure_reason(exc)
                    db.session.commit()
            raise
        finally:
            db.session.remove()


def report_progress(**progress: Any) -> None:
    """Store progress in ``job.meta['progress']`` for the browser to poll (no-op outside a job)."""
    job = get_current_job()
    if job is None:
        return
    job.meta.setdefault("progress", {}).update(progress)
    job.save_meta()
