"""Backlink imports: store an upload, work out what it is, and load it. Callers commit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from outreach.activity import events
from outreach.backlinks import formats
from outreach.backlinks.batches import LoadTarget
from outreach.backlinks.loader import LoadResult, load_batches, mark_pending_lost
from outreach.backlinks.models import BacklinkImport, ColumnMapping, ImportStatus
from outreach.backlinks.parallel import batches_for
from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.scoping import get_in_workspace
from outreach.urls import InvalidURL, registrable_domain

SNIFF_BYTES = 64 * 1024
_SEARCH_CONSOLE = (
    formats.ExportFormat.SEARCH_CONSOLE_LINKS,
    formats.ExportFormat.SEARCH_CONSOLE_SITES,
)
# Search Console names the property in its file names: "https___www.example.com_-Latest
# links-2026-05-10.csv", or "sc-domain_example.com-Top linking sites-....csv".
_PROPERTY = re.compile(
    r"^(?:https?___|sc-domain_)([A-Za-z0-9.-]+?)(?:_.*?)?-(?:latest|more|top|sample|links)",
    re.IGNORECASE,
)


class ImportRefused(ValueError):
    """An import that cannot go ahead, with a message for the user."""


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


def search_console_property(filename: str) -> str | None:
    """The registrable domain of the property a Search Console file name names, if any."""
    found = _PROPERTY.match(Path(filename).name)
    if not found:
        return None
    try:
        return registrable_domain(found[1])
    except InvalidURL:
        return None


def default_target(campaign: Campaign, sniffed: formats.Sniffed, filename: str) -> str | None:
    """Whose links a file without target URLs holds, when the user did not say.

    Search Console only covers sites the user owns: the property its file name names, else
    the campaign's own site. Any other list of sites belongs to the campaign's competitor
    when it has just one.
    """
    if sniffed.format.has_target:
        return None
    if sniffed.format in _SEARCH_CONSOLE:
        named = search_console_property(filename)
        if named and named not in accepted_targets(campaign):
            raise ImportRefused(
                f"This Search Console file is for {named}, which is not this campaign's site "
                "or one of its competitors."
            )
        return named or campaign.site_domain or None
    competitors = [c.domain for c in campaign.competitors]
    return competitors[0] if len(competitors) == 1 else None


def create_import(
    campaign: Campaign, path: Path, filename: str, target_domain: str | None = None
) -> BacklinkImport:
    """A BacklinkImport for a stored file; it needs a mapping when the format is unknown.

    The file is the caller's to delete when this refuses it (the upload page deletes its
    copy; the command line leaves the user's own file alone).
    """
    try:
        sniffed = sniff_file(path)
        target_domain = target_domain or default_target(campaign, sniffed, filename)
    except (formats.ImportFileError, ImportRefused) as exc:
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
    mark_lost: bool = False,
) -> LoadResult:
    """Read the stored file and load its rows in the current transaction.

    Raises :class:`ImportRefused` for whole-file problems; the caller rolls back. A load
    that would mark more than half of a target's links lost marks none unless
    ``mark_lost``; the import keeps the count (see :func:`confirm_lost`).
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
        report_format=sniffed.format.value,
    )
    connection = db.session.connection()
    now = utcnow()
    try:
        batches = batches_for(path, mapping, where, now, connection.dialect.name == "sqlite")
        result = load_batches(
            connection,
            batches,
            where,
            now,
            progress,
            file_bytes=path.stat().st_size,
            mark_lost=mark_lost,
        )
    except formats.ImportFileError as exc:
        raise ImportRefused(str(exc)) from exc
    record.format = sniffed.format.value
    record.rows_read = result.rows
    record.rows_imported = result.imported
    record.rows_rejected = result.rejected_count
    record.rejections = result.rejected
    record.marked_lost = result.marked_lost
    record.lost_pending = result.lost_pending
    record.lost_note = result.lost_note
    record.status = ImportStatus.DONE
    if not record.target_domain and result.target_domains:
        record.target_domain = result.target_domains.most_common(1)[0][0]
    announce_finished(record)
    return result


def announce_finished(record: BacklinkImport) -> None:
    """Emit ``import.finished`` for an import that is done or failed (in the caller's commit)."""
    events.emit(
        record.workspace_id,
        events.IMPORT_FINISHED,
        {
            "import_id": record.id,
            "campaign_id": record.campaign_id,
            "filename": record.filename,
            "status": record.status.value,
            "format": record.format,
            "target_domain": record.target_domain,
            "rows_read": record.rows_read,
            "rows_imported": record.rows_imported,
            "rows_rejected": record.rows_rejected,
            "marked_lost": record.marked_lost,
            "error": record.error,
        },
    )


def confirm_lost(record: BacklinkImport) -> int:
    """Mark lost the links a finished import held back (a large drop), after the user's
    go-ahead; refused once a later import of the same kind has run for the campaign."""
    if record.status is not ImportStatus.DONE or not record.lost_pending:
        raise ImportRefused("This import has no links waiting to be marked lost.")
    later = db.session.scalar(
        select(BacklinkImport.id).where(
            BacklinkImport.workspace_id == record.workspace_id,
            BacklinkImport.format == record.format,
            BacklinkImport.status == ImportStatus.DONE,
            BacklinkImport.id > record.id,
        )
    )
    if later is not None:
        raise ImportRefused(
            "A later import of the same kind of report has run since: its result stands."
        )
    where = LoadTarget(
        workspace_id=record.workspace_id,
        import_id=record.id,
        data_source=formats.ExportFormat(record.format).source,
        report_format=record.format,
    )
    marked = mark_pending_lost(db.session.connection(), where, utcnow())
    record.marked_lost = marked
    record.lost_pending = 0
    record.lost_note = None
    return marked


def summary(record: BacklinkImport) -> dict[str, Any]:
    """The JSON summary of a finished import (also printed by the CLI)."""
    return {
        "format": record.format,
        "rows": record.rows_read,
        "imported": record.rows_imported,
        "rejected": [{"row": r["row"], "error": r["error"]} for r in record.rejections],
        "marked_lost": record.marked_lost,
        "would_mark_lost": record.lost_pending,
    }
