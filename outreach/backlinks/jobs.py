"""The backlink import job, and launching it."""

from __future__ import annotations

from typing import Any

from blinker import Namespace

from outreach.backlinks.imports import ImportRefused, announce_finished, run_import, summary
from outreach.backlinks.loader import LoadResult
from outreach.backlinks.models import BacklinkImport, ImportStatus
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs import context, tasks, uploads
from outreach.jobs.context import job_context, report_progress

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
    app = context.worker_app()
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
