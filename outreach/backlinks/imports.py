"""Backlink imports: store an upload, work out what it is, and load it. Callers commit."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from outreach.backlinks import formats
from outreach.backlinks.batches import LoadTarget
from outreach.backlinks.loader import LoadResult, load_batches
from outreach.backlinks.models import BacklinkImport, ColumnMapping, ImportStatus
from outreach.backlinks.parallel import batches_for
from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.scoping import get_in_workspace

SNIFF_BYTES = 64 * 1024


class ImportRefused(ValueError):
    """An import that cannot go ahead, with a message for the user."""


def upload_dir(instance_path: str, workspace_id: int) -> Path:
    """Where a workspace's uploaded files are kept."""
    folder = Path(instance_path) / "uploads" / str(workspace_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(stream: IO[bytes], instance_path: str, workspace_id: int) -> Path:
    """Copy an uploaded file to disk in chunks (never all in memory)."""
    path = upload_dir(instance_path, workspace_id) / f"{uuid.uuid4().hex}.upload"
    with path.open("wb") as out:
        shutil.copyfileobj(stream, out, length=1024 * 1024)
    return path


def sniff_file(path: Path) -> formats.Sniffed:
    """Detect the format of a stored file from its first bytes."""
    with path.open("rb") as handle:
        return formats.sniff(handle.read(SNIFF_BYTES))


def sniff_stored(item: BacklinkImport) -> formats.Sniffed:
    """The detected format of an import's stored file, or a readable refusal."""
    path = Path(item.stored_path)
    if not path.exists():
        raise ImportRefused("The uploaded file is gone from the server; upload it again.")
    try:
        return sniff_file(path)
    except formats.ImportFileError as exc:
        raise ImportRefused(str(exc)) from exc


def remembered_mapping(workspace_id: int, signature: str) -> dict[str, str] | None:
    """The column mapping the workspace saved for files of this shape, if any."""
    saved = db.session.scalar(
        select(ColumnMapping).where(
            ColumnMapping.workspace_id == workspace_id,
            ColumnMapping.header_signature == signature,
        )
    )
    return dict(saved.mapping) if saved else None


def remember_mapping(
    workspace_id: int, sniffed: formats.Sniffed, mapping: dict[str, str]
) -> ColumnMapping:
    """Save a column mapping for the next file with the same header."""
    saved = db.session.scalar(
        select(ColumnMapping).where(
            ColumnMapping.workspace_id == workspace_id,
            ColumnMapping.header_signature == sniffed.header_signature,
        )
    )
    if saved is None:
        saved = ColumnMapping(workspace_id=workspace_id, header_signature=sniffed.header_signature)
        db.session.add(saved)
    saved.headers = list(sniffed.headers)
    saved.mapping = dict(mapping)
    return saved


def create_import(
    campaign: Campaign, path: Path, filename: str, target_domain: str | None = None
) -> BacklinkImport:
    """A BacklinkImport for a stored file; it needs a mapping when the format is unknown."""
    try:
        sniffed = sniff_file(path)
    except formats.ImportFileError as exc:
        path.unlink(missing_ok=True)
        raise ImportRefused(str(exc)) from exc
    record = BacklinkImport(
        workspace_id=campaign.workspace_id,
        campaign_id=campaign.id,
        filename=filename[:255] or "upload",
        stored_path=str(path),
        format=sniffed.format.value,
        target_domain=target_domain or None,
        status=ImportStatus.QUEUED,
    )
    if sniffed.format is formats.ExportFormat.GENERIC and not remembered_mapping(
        campaign.workspace_id, sniffed.header_signature
    ):
        record.status = ImportStatus.NEEDS_MAPPING
    db.session.add(record)
    db.session.flush()
    return record


def get_import(workspace_id: int, import_id: int) -> BacklinkImport:
    """An import of this workspace, or 404."""
    return get_in_workspace(BacklinkImport, workspace_id, import_id)


def imports_of(campaign_id: int, workspace_id: int, limit: int = 20) -> list[BacklinkImport]:
    """A campaign's latest imports."""
    return list(
        db.session.scalars(
            select(BacklinkImport)
            .where(
                BacklinkImport.campaign_id == campaign_id,
                BacklinkImport.workspace_id == workspace_id,
            )
            .order_by(BacklinkImport.id.desc())
            .limit(limit)
        )
    )


def accepted_targets(campaign: Campaign) -> frozenset[str]:
    """The target domains a campaign's files may link to: its competitors and our site."""
    domains = {c.domain for c in campaign.competitors}
    if campaign.site_domain:
        domains.add(campaign.site_domain)
    return frozenset(domains)


def run_import(
    record: BacklinkImport,
    campaign: Campaign,
    progress: Callable[[LoadResult], None] | None = None,
) -> LoadResult:
    """Read the stored file and load its rows in the current transaction.

    Raises :class:`ImportRefused` for whole-file problems; the caller rolls back.
    """
    path = Path(record.stored_path)
    sniffed = sniff_stored(record)
    mapping = remembered_mapping(record.workspace_id, sniffed.header_signature)
    if sniffed.format is formats.ExportFormat.GENERIC and not mapping:
        raise ImportRefused("This file's columns are not mapped yet.")
    if not sniffed.format.has_target and not record.target_domain:
        raise ImportRefused(
            f"A {sniffed.format.label} file names no target: choose the competitor "
            "(or our site) it belongs to."
        )
    where = LoadTarget(
        workspace_id=record.workspace_id,
        import_id=record.id,
        data_source=sniffed.format.source,
        fixed_target_domain=record.target_domain,
        accepted_targets=accepted_targets(campaign),
    )
    connection = db.session.connection()
    now = utcnow()
    try:
        batches = batches_for(path, mapping, where, now, connection.dialect.name == "sqlite")
        result = load_batches(
            connection, batches, where, now, progress, file_bytes=path.stat().st_size
        )
    except formats.ImportFileError as exc:
        raise ImportRefused(str(exc)) from exc
    record.format = sniffed.format.value
    record.rows_read = result.rows
    record.rows_imported = result.imported
    record.rows_rejected = result.rejected_count
    record.rejections = result.rejected
    record.status = ImportStatus.DONE
    if not record.target_domain and result.target_domains:
        record.target_domain = result.target_domains.most_common(1)[0][0]
    return result


def summary(record: BacklinkImport) -> dict[str, Any]:
    """The JSON summary of a finished import (also printed by the CLI)."""
    return {
        "format": record.format,
        "rows": record.rows_read,
        "imported": record.rows_imported,
        "rejected": [{"row": r["row"], "error": r["error"]} for r in record.rejections],
    }
