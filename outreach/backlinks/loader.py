"""Bulk-loading parsed backlink rows: upsert by link, mark vanished links lost, refresh domains.

Runs inside the caller's transaction (a job or a CLI command), so a failed import leaves
the database exactly as it was. PostgreSQL loads through ``COPY`` into a staging table;
SQLite through ``executemany`` with ``ON CONFLICT`` upserts.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from outreach.backlinks.formats import LinkRow, RowError
from outreach.backlinks.models import DataSource
from outreach.db import utcnow

BATCH_SIZE = 5000
MAX_KEPT_REJECTIONS = 1000

COLUMNS = (
    "workspace_id",
    "import_id",
    "data_source",
    "link_key",
    "source_url",
    "source_domain",
    "source_title",
    "target_url",
    "target_domain",
    "anchor",
    "nofollow",
    "ugc",
    "sponsored",
    "authority",
    "page_authority",
    "traffic",
    "language",
    "first_seen",
    "last_seen",
    "lost_at",
)
UPDATED = (
    "import_id",
    "source_title",
    "anchor",
    "nofollow",
    "ugc",
    "sponsored",
    "authority",
    "page_authority",
    "traffic",
    "language",
    "lost_at",
)


@dataclass
class LoadResult:
    """What a load did; ``rejected`` keeps the first rejections for display."""

    rows: int = 0
    imported: int = 0
    rejected_count: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    target_domains: Counter[str] = field(default_factory=Counter)
    marked_lost: int = 0
    bytes_read: int = 0

    def reject(self, row: int, error: str, column: str | None = None) -> None:
        """Count a rejected row, keeping its message while there is room."""
        self.rejected_count += 1
        if len(self.rejected) < MAX_KEPT_REJECTIONS:
            entry: dict[str, Any] = {"row": row, "error": error}
            if column:
                entry["column"] = column
            self.rejected.append(entry)


def link_key(source: str, target: str) -> str:
    """Stable identity of a link within a workspace and data source."""
    return hashlib.sha1(f"{source}\x00{target}".encode(), usedforsecurity=False).hexdigest()


@dataclass
class LoadTarget:
    """Where rows go and how rows without a target URL are attributed."""

    workspace_id: int
    import_id: int | None
    data_source: DataSource
    fixed_target_domain: str | None = None
    accepted_targets: frozenset[str] | None = None


def _same(value: datetime | None) -> Any:
    return value


@functools.lru_cache(maxsize=65536)
def _sqlite_stamp(value: datetime | None) -> str | None:
    """A timestamp as SQLAlchemy's SQLite DateTime stores it, so the ORM reads it back."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if value is not None else None


def _record(
    row: LinkRow, where: LoadTarget, now: datetime, stamp: Callable[[datetime | None], Any]
) -> tuple[Any, ...] | str:
    target_domain = row.target_domain or where.fixed_target_domain
    if not target_domain:
        return "no target URL, and no competitor was chosen for this file"
    if where.accepted_targets is not None and target_domain not in where.accepted_targets:
        return f"links to {target_domain}, which is not a competitor or our site in this campaign"
    source = row.source_url or ""
    target = row.target_url or target_domain
    lost_at = (row.last_seen or now) if row.lost else None
    return (
        where.workspace_id,
        where.import_id,
        where.data_source.value,
        link_key(source or row.source_domain, target),
        source,
        row.source_domain,
        row.source_title,
        target,
        target_domain,
        row.anchor,
        row.nofollow,
        row.ugc,
        row.sponsored,
        row.authority,
        row.page_authority,
        row.traffic,
        row.language,
        stamp(row.first_seen),
        stamp(row.last_seen or now),
        stamp(lost_at),
    )


def load_rows(
    conn: Connection,
    rows: Iterable[LinkRow | RowError],
    where: LoadTarget,
    progress: Callable[[LoadResult], None] | None = None,
) -> LoadResult:
    """Upsert every good row, reject the bad ones, then mark links this file no longer has lost."""
    result = LoadResult()
    now = utcnow()
    postgres = conn.dialect.name == "postgresql"
    writer = _PostgresWriter(conn) if postgres else _SqliteWriter(conn)
    stamp = _same if postgres else _sqlite_stamp
    batch: list[tuple[Any, ...]] = []
    for item in rows:
        result.rows += 1
        if isinstance(item, RowError):
            result.reject(item.row, item.error, item.column)
            continue
        record = _record(item, where, now, stamp)
        if isinstance(record, str):
            result.reject(item.row, record)
            continue
        batch.append(record)
        result.target_domains[record[8]] += 1
        if len(batch) >= BATCH_SIZE:
            writer.write(batch)
            result.imported += len(batch)
            batch = []
            if progress:
                progress(result)
    if batch:
        writer.write(batch)
        result.imported += len(batch)
    writer.finish()
    if where.import_id is not None and result.target_domains:
        result.marked_lost = _mark_vanished_lost(conn, where, set(result.target_domains), now)
    _refresh_domains(conn, where.workspace_id, where.data_source)
    if progress:
        progress(result)
    return result


class _SqliteWriter:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        names = ", ".join(COLUMNS)
        marks = ", ".join("?" for _ in COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in UPDATED)
        self.sql = (
            f"INSERT INTO backlink ({names}) VALUES ({marks}) "
            "ON CONFLICT (workspace_id, data_source, link_key) DO UPDATE SET "
            f"{updates}, last_seen = max(coalesce(backlink.last_seen, excluded.last_seen), "
            "excluded.last_seen), first_seen = coalesce(min(backlink.first_seen, "
            "excluded.first_seen), backlink.first_seen, excluded.first_seen)"
        )

    def write(self, batch: list[tuple[Any, ...]]) -> None:
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(self.sql, batch)

    def finish(self) -> None:
        pass


class _PostgresWriter:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.staged = 0
        conn.execute(
            text(
                "CREATE TEMP TABLE backlink_stage (LIKE backlink INCLUDING DEFAULTS) ON COMMIT DROP"
            )
        )
        conn.execute(text("ALTER TABLE backlink_stage DROP COLUMN id"))

    def write(self, batch: list[tuple[Any, ...]]) -> None:
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY backlink_stage ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for record in batch:
                copy.write_row(record)
        self.staged += len(batch)

    def finish(self) -> None:
        names = ", ".join(COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in UPDATED)
        self.conn.execute(
            text(
                f"INSERT INTO backlink ({names}) "
                "SELECT DISTINCT ON (workspace_id, data_source, link_key) "
                f"{names} FROM backlink_stage "
                "ORDER BY workspace_id, data_source, link_key, last_seen DESC "
                "ON CONFLICT (workspace_id, data_source, link_key) DO UPDATE SET "
                f"{updates}, last_seen = greatest(backlink.last_seen, excluded.last_seen), "
                "first_seen = least(backlink.first_seen, excluded.first_seen)"
            )
        )
        self.conn.execute(text("DROP TABLE backlink_stage"))


def _mark_vanished_lost(
    conn: Connection, where: LoadTarget, targets: set[str], now: datetime
) -> int:
    """Links of the same source and targets that this import did not see are lost now."""
    params: dict[str, Any] = {
        "ws": where.workspace_id,
        "src": where.data_source.value,
        "imp": where.import_id,
        "now": _sqlite_stamp(now) if conn.dialect.name == "sqlite" else now,
    }
    names = []
    for index, domain in enumerate(sorted(targets)):
        params[f"t{index}"] = domain
        names.append(f":t{index}")
    result = conn.execute(
        text(
            "UPDATE backlink SET lost_at = :now WHERE workspace_id = :ws AND data_source = :src "
            f"AND target_domain IN ({', '.join(names)}) AND lost_at IS NULL "
            "AND (import_id IS NULL OR import_id <> :imp)"
        ),
        params,
    )
    return int(result.rowcount or 0)


def _refresh_domains(conn: Connection, workspace_id: int, source: DataSource) -> None:
    """Add new source domains to the domain table and keep each one's best authority figure."""
    on_conflict = "ON CONFLICT (name) DO NOTHING"
    now = utcnow()
    stamp: Any = _sqlite_stamp(now) if conn.dialect.name == "sqlite" else now
    conn.execute(
        text(
            "INSERT INTO domain (name, tld, created_at, updated_at) "
            "SELECT DISTINCT source_domain, '', :now, :now FROM backlink "
            f"WHERE workspace_id = :ws AND data_source = :src {on_conflict}"
        ),
        {"ws": workspace_id, "src": source.value, "now": stamp},
    )
    conn.execute(
        text(
            "INSERT INTO domain_metric "
            "(workspace_id, domain_id, source, metric, value, updated_at) "
            "SELECT :ws, d.id, CAST(:src AS VARCHAR(32)), 'authority', MAX(b.authority), :now "
            "FROM backlink b "
            "JOIN domain d ON d.name = b.source_domain "
            "WHERE b.workspace_id = :ws AND b.data_source = :src AND b.authority IS NOT NULL "
            "GROUP BY d.id "
            "ON CONFLICT (workspace_id, domain_id, source, metric) "
            "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        ),
        {"ws": workspace_id, "src": source.value, "now": stamp},
    )
