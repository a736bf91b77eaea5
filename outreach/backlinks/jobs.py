"""The backlink import job, and launching it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from blinker import Namespace
from flask import current_app
from sqlalchemy import select

from outreach.backlinks.imports import ImportRefused, announce_finished, run_import, summary
from outreach.backlinks.loader import LoadResult
from outreach.backlinks.models import BacklinkImport, ImportStatus
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs import tasks, uploads
from outreach.jobs.context import job_context, report_progress
from outreach.jobs.models import TaskStatus
from outreach.jobs.process import worker_app
from outreach.jobs.recovery import when_lost

# Sent with the import once its rows are loaded, inside the job's transaction: features
# that read backlinks (scoring) connect to it, as this core package may not import them.
import_finished = Namespace().signal("import-finished")


def _report(result: LoadResult) -> None:
    report_progress(
        rows_read=result.rows, rows_imported=result.imported, rows_rejected=result.rejected_count
    )


def import_backlinks(import_id: int) -> dict[str, Any] | None:
    """Load one uploaded export; all its rows or none. A finished import is never redone.

    The uploaded file is deleted once the job is done with it, imported or failed.
    """
    try:
        return _load(import_id)
    finally:
        _discard_upload(import_id)


def _discard_upload(import_id: int) -> None:
    app = worker_app()
    with app.app_context():
        record = db.session.get(BacklinkImport, import_id)
        if record is not None:
            uploads.discard(record.stored_path, app.instance_path)
        db.session.remove()


def _load(import_id: int) -> dict[str, Any] | None:
    """The import itself: the record RUNNING, then DONE, or FAILED with the reason."""
    with job_context():
        record = db.session.get(BacklinkImport, import_id)
        if record is None or record.status is ImportStatus.DONE:
            return None
        campaign = db.session.get(Campaign, record.campaign_id)
        record.status = ImportStatus.RUNNING
        record.error = None
        db.session.commit()
        report_progress(rows_read=0, rows_imported=0, rows_rejected=0)
        try:
            if campaign is None:
                raise ImportRefused("The campaign of this import was deleted.")
            run_import(record, campaign, progress=_report)
            import_finished.send(record)
        except Exception as exc:
            db.session.rollback()
            failed = db.session.get(BacklinkImport, import_id)
            if failed is not None:
                failed.status = ImportStatus.FAILED
                failed.error = (
                    str(exc)
                    if isinstance(exc, ImportRefused)
                    else (f"Unexpected error, nothing was imported: {type(exc).__name__}: {exc}")
                )
                failed.rows_read = failed.rows_imported = failed.rows_rejected = 0
                announce_finished(failed)
                db.session.commit()
            raise
        return summary(record)


@dataclass(frozen=True)
class ImportState:
    """An import as its page and its JSON both show it."""

    status: str
    label: str
    error: str | None
    rows_read: int
    rows_imported: int
    rows_rejected: int


def lost_message(reason: str) -> str:
    """What a failed import says when its job died: an import keeps all its rows or none."""
    return f"{reason}; nothing was kept. Upload the file again to retry."


def import_state(item: BacklinkImport) -> ImportState:
    """The record's state, or, while its job runs, the job's live progress; a job that RQ
    already failed (its worker died) shows as failed with nothing kept, as the recovery
    pass will record it."""
    state = ImportState(
        item.status.value,
        item.status.label,
        item.error,
        item.rows_read,
        item.rows_imported,
        item.rows_rejected,
    )
    if not item.task_id or item.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return state
    task = tasks.get_task(item.workspace_id, item.task_id)
    if task is None:
        return state
    view = tasks.describe(task)
    if view.status in (TaskStatus.FAILED, TaskStatus.CANCELLED):
        failed = ImportStatus.FAILED
        return ImportState(failed.value, failed.label, lost_message(view.error or ""), 0, 0, 0)
    live = view.progress
    return replace(
        state,
        rows_read=int(live.get("rows_read", state.rows_read)),
        rows_imported=int(live.get("rows_imported", state.rows_imported)),
        rows_rejected=int(live.get("rows_rejected", state.rows_rejected)),
    )


def launch_import(item: BacklinkImport, user_id: int | None) -> None:
    """Queue the import job of an upload (it starts once the caller commits)."""
    task = tasks.launch(
        import_backlinks,
        item.id,
        workspace_id=item.workspace_id,
        user_id=user_id,
        description=f"Import {item.filename}",
    )
    item.task_id = task.id
    item.status = ImportStatus.QUEUED


@when_lost(import_backlinks)
def _import_lost(job_id: str, args: tuple[Any, ...] | None, reason: str) -> str | None:
    """The worker died mid-import: the transaction rolled back, so nothing was kept."""
    record = db.session.scalar(select(BacklinkImport).where(BacklinkImport.task_id == job_id))
    if record is None and args:
        record = db.session.get(BacklinkImport, args[0])
    if record is None or record.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return None
    message = lost_message(reason)
    record.status, record.error = ImportStatus.FAILED, message
    record.rows_read = record.rows_imported = record.rows_rejected = 0
    uploads.discard(record.stored_path, current_app.instance_path)
    return message
