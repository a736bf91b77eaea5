"""The contacts CSV import job, and launching it.

The upload page stores the file and launches this job; the job imports every row in one
transaction, reports progress in ``job.meta``, keeps the result (counts and the first row
errors) on its Task for the result page, and deletes the file whatever happened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from rq import get_current_job
from sqlalchemy import update

from outreach.crawl.contact_import import ContactError, CsvResult, import_csv
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.context import JobRefused, job_context, report_progress
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.recovery import when_lost
from outreach.jobs.uploads import discard, stored_upload
from outreach.web import shorten

IMPORT_JOB = "import_contacts"


def _report(rows: int, result: CsvResult) -> None:
    report_progress(
        rows_read=rows,
        rows_imported=result.created + result.existing,
        rows_rejected=result.rejected,
    )


def _open_transaction() -> None:
    """Start the job's transaction with a write, so all rows or none are imported on SQLite.

    pysqlite begins a transaction only before a write, and a savepoint (one per new
    contact) released outside a transaction commits at once.
    """
    job = get_current_job()
    if job is not None:
        db.session.execute(update(Task).where(Task.id == job.id).values(status=TaskStatus.RUNNING))


def import_contacts(
    workspace_id: int, campaign_id: int, upload: str, filename: str
) -> dict[str, Any]:
    """Import a stored contacts CSV into the workspace, linking contacts to the campaign.

    Running it again after it finished finds the file gone and changes nothing; the
    contacts it made are kept (one per address, so a rerun would not duplicate them).
    """
    with job_context() as app:
        path = stored_upload(app.instance_path, workspace_id, upload)
        try:
            if path is None or not path.exists():
                raise JobRefused("The uploaded file is gone from the server; upload it again.")
            report_progress(
                campaign_id=campaign_id,
                filename=filename,
                rows_read=0,
                rows_imported=0,
                rows_rejected=0,
            )
            _open_transaction()
            try:
                with path.open("rb") as stream:
                    result = import_csv(workspace_id, stream, campaign_id, progress=_report)
            except ContactError as exc:
                raise JobRefused(str(exc)) from exc
            summary = {
                "created": result.created,
                "existing": result.existing,
                "errors": result.errors,
            }
            report_progress(
                rows_read=result.created + result.existing + result.rejected,
                rows_imported=result.created + result.existing,
                rows_rejected=result.rejected,
                **summary,
            )
            return summary
        finally:
            if path is not None:
                discard(path, app.instance_path)


@when_lost(import_contacts)
def _contacts_lost(job_id: str, args: tuple[Any, ...] | None, reason: str) -> str:
    """The worker died mid-import: its one transaction rolled back, so nothing was kept."""
    if args and len(args) >= 3:
        path = stored_upload(current_app.instance_path, args[0], args[2])
        if path is not None:
            discard(path, current_app.instance_path)
    return f"{reason}; nothing was kept. Upload the file again to retry."


def launch_contact_import(
    workspace_id: int, campaign_id: int, path: Path, filename: str, user_id: int | None
) -> Task:
    """Queue the import of a stored upload (it starts once the caller commits)."""
    name = shorten(filename, 200)
    task = tasks.launch(
        import_contacts,
        workspace_id,
        campaign_id,
        path.name,
        name,
        workspace_id=workspace_id,
        user_id=user_id,
        description=f"Import contacts from {name}",
    )
    task.progress = {"campaign_id": campaign_id, "filename": name}
    return task


def import_task(workspace_id: int, campaign_id: int, task_id: str) -> tasks.TaskView | None:
    """A contacts import of this workspace and campaign, with its live state; None if not."""
    task = tasks.get_task(workspace_id, task_id)
    if task is None or task.name != IMPORT_JOB:
        return None
    if (task.progress or {}).get("campaign_id") != campaign_id:
        return None
    return tasks.describe(task)
