"""Long jobs in slices: a job body that spent its time hands the rest to a copy of itself.

A body (inside :func:`outreach.jobs.context.job_context`) works until :func:`deadline`, commits
what it did, and calls :func:`continue_later`. Once the slice's transaction commits, the same
function is queued again (same or new arguments) at the BACK of the job's own queue, so jobs
of other workspaces queued meanwhile go first. Every slice works for the same :class:`Task`:
its id travels in ``job.meta['task_id']`` with the progress so far, ``Task.job_id`` follows
the current slice, and the Task stays running until a slice ends without handing over.

Run inline (no RQ job: ``flask crawl --now``, benchmarks) there is no deadline: all at once.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from flask import Flask
from rq import Callback, Queue, get_current_job
from rq.job import Job

from outreach.config import Settings

# The failure callback every Task's job carries (``tasks.record_failure``), named rather than
# imported: tasks imports this module's callers, so an import would close a cycle.
RECORD_FAILURE = "outreach.jobs.tasks.record_failure"
TASK_ID = "task_id"  # job.meta: the Task a slice works for (absent: the job's own id)
SLICE = "slice"  # job.meta: which slice of its Task a job is (absent: the first)

_requested: ContextVar[tuple[tuple[Any, ...], dict[str, Any]] | None] = ContextVar(
    "outreach_continuation", default=None
)


def task_id_of(job: Job) -> str:
    """The id of the Task a job works for: its first slice's job id."""
    return str(job.meta.get(TASK_ID) or job.id)


def slice_number(job: Job | None) -> int:
    """1 for a job's first slice, 2 for the one it handed over to, and so on."""
    return int(job.meta.get(SLICE, 1)) if job is not None else 1


def deadline(app: Flask) -> float | None:
    """When this slice should hand over (``time.monotonic()``), ``OUTREACH_SLICE_SECONDS``
    from now; None outside an RQ job, where the work runs to its end."""
    if get_current_job() is None:
        return None
    return time.monotonic() + Settings.from_config(app.config).slice_seconds


def past(moment: float | None) -> bool:
    """True once the deadline ``moment`` has passed (never for None)."""
    return moment is not None and time.monotonic() >= moment


def carried_progress() -> dict[str, Any]:
    """The progress the earlier slices reported (empty in a first slice or outside a job)."""
    job = get_current_job()
    return dict(job.meta.get("progress", {})) if job is not None else {}


def continue_later(*args: Any, **kwargs: Any) -> bool:
    """Queue the rest of the work once this slice commits: the job's function again, with
    these arguments (none given: the job's own). False outside an RQ job (nothing queued)."""
    job = get_current_job()
    if job is None:
        return False
    if not args and not kwargs:
        args, kwargs = tuple(job.args), dict(job.kwargs)
    _requested.set((args, kwargs))
    return True


def begin() -> None:
    """Forget any earlier request (a job context starts)."""
    _requested.set(None)


def requested() -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """The arguments of the next slice, when the body asked for one."""
    return _requested.get()


def enqueue_next(job: Job, call: tuple[tuple[Any, ...], dict[str, Any]]) -> Job:
    """Queue the next slice of ``job``'s Task at the back of the job's own queue."""
    args, kwargs = call
    assert job.func_name is not None  # a job RQ runs has its function
    meta = {
        TASK_ID: task_id_of(job),
        SLICE: slice_number(job) + 1,
        "progress": dict(job.meta.get("progress", {})),
    }
    return Queue(job.origin, connection=job.connection).enqueue_call(
        job.func_name,
        args=args,
        kwargs=kwargs,
        timeout=int(job.timeout) if job.timeout is not None else None,
        description=job.description,
        meta=meta,
        on_failure=Callback(RECORD_FAILURE),
    )
