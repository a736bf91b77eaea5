"""Job functions used by the job tests (importable by a separate ``rq worker`` process)."""

from __future__ import annotations

from outreach.activity.services import record
from outreach.jobs.context import job_context, report_progress


def write_note(workspace_id: int, text: str) -> str:
    """Record an activity entry, reporting progress on the way."""
    with job_context():
        report_progress(stage="writing")
        record(workspace_id, "workspace", workspace_id, "note", {"text": text})
        report_progress(stage="done", written=1)
    return text


def fail_loudly(workspace_id: int) -> None:
    """Write something, then fail: the write must be rolled back."""
    with job_context():
        record(workspace_id, "workspace", workspace_id, "note", {"text": "half-done"})
        raise ValueError("the disk is on fire")


def process_id() -> int:
    """The id of the process that ran the job (no database needed)."""
    import os

    return os.getpid()


def note_in_slices(workspace_id: int, slices: int, done: int = 0) -> int:
    """Write one note a slice and hand the rest over, until ``slices`` notes are written."""
    from outreach.jobs.continuation import continue_later

    with job_context():
        record(workspace_id, "workspace", workspace_id, "note", {"text": f"slice {done + 1}"})
        report_progress(written=done + 1, slices=slices)
        if done + 1 < slices:
            continue_later(workspace_id, slices, done + 1)
    return done + 1
