"""Uploaded files on their way to a job.

A page stores the upload under ``<instance>/uploads/<workspace id>/`` and launches a job;
the job deletes the file when it is done with it, whether it succeeded or failed. Files
nobody came back for (a mapping never chosen, a worker lost) are deleted by the recurring
sweep once they are a day old. Only files inside the uploads folder are ever deleted, so
a command-line import of the user's own file never loses it.
"""

from __future__ import annotations

import errno
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import IO

from flask import current_app

from outreach.jobs.context import job_context
from outreach.jobs.recurring import recurring

MAX_AGE_SECONDS = 24 * 3600  # an upload no job took in a day is abandoned
_NAME = re.compile(r"[0-9a-f]{32}\.upload")


def uploads_root(instance_path: str) -> Path:
    """The folder every workspace's uploads live under."""
    return Path(instance_path) / "uploads"


def upload_dir(instance_path: str, workspace_id: int) -> Path:
    """Where a workspace's uploaded files are kept."""
    folder = uploads_root(instance_path) / str(workspace_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class UploadNotSaved(Exception):
    """An upload the server could not write to disk (full, or failing); nothing of it is kept."""


def store_upload(
    stream: IO[bytes], instance_path: str, workspace_id: int, suffix: str = ".upload"
) -> Path:
    """Copy an uploaded file to disk in chunks (never all in memory), whole or not at all.

    A disk that fills up (or fails) mid-way leaves no partial file: the copy is deleted and
    :class:`UploadNotSaved` says why, for the page to show.
    """
    path = upload_dir(instance_path, workspace_id) / f"{uuid.uuid4().hex}{suffix}"
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out, length=1024 * 1024)
    except OSError as exc:
        path.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadNotSaved(
                "The server ran out of disk space while saving this file, so nothing was "
                "kept. Try again once space is freed, or upload a smaller file."
            ) from exc
        raise UploadNotSaved(
            f"The server could not save this file ({exc.strerror or type(exc).__name__}), "
            "so nothing was kept."
        ) from exc
    return path


def stored_upload(instance_path: str, workspace_id: int, name: str) -> Path | None:
    """The stored upload called ``name`` of a workspace, or None for any other name."""
    if not _NAME.fullmatch(name):
        return None
    return uploads_root(instance_path) / str(workspace_id) / name


def discard(path: str | Path, instance_path: str) -> bool:
    """Delete an upload once its job is done with it; False for files outside the uploads."""
    target = Path(path).resolve()
    if not target.is_relative_to(uploads_root(instance_path).resolve()):
        return False
    target.unlink(missing_ok=True)
    return True


def sweep(instance_path: str, max_age: float = MAX_AGE_SECONDS, now: float | None = None) -> int:
    """Delete uploads older than ``max_age`` seconds; returns how many went."""
    cutoff = (time.time() if now is None else now) - max_age
    removed = 0
    root = uploads_root(instance_path)
    for path in root.glob("*/*.upload") if root.is_dir() else ():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # a job finished with it meanwhile
            continue
    return removed


@recurring(
    "upload-sweep",
    schedule="OUTREACH_UPLOAD_SWEEP_SCHEDULE",
    description="Delete uploaded files abandoned for a day",
)
def sweep_abandoned_uploads() -> dict[str, int]:
    """Delete the uploads no job took within a day."""
    with job_context():
        return {"removed": sweep(current_app.instance_path)}
