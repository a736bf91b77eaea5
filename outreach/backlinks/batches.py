"""Turning an export file into batches of database-ready records, in this process or a second one.

Parsing and normalising cost about as much CPU as the inserts, so big files are read in a
child process while the importing process writes: the two overlap on two cores. The child
never touches the database; it only sends record batches (and rejections) through a bounded
pipe, so memory stays flat.
"""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from outreach.backlinks import formats
from outreach.backlinks.formats import LinkRow, RowError
from outreach.backlinks.models import DataSource

BATCH_SIZE = 5000
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


@dataclass
class LoadTarget:
    """Where rows go and how rows without a target URL are attributed."""

    workspace_id: int
    import_id: int | None
    data_source: DataSource
    fixed_target_domain: str | None = None
    accepted_targets: frozenset[str] | None = None


@dataclass
class Batch:
    """Database-ready records, the rows rejected on the way, and how far the file is read."""

    records: list[tuple[Any, ...]] = field(default_factory=list)
    rejected: list[tuple[int, str, str | None]] = field(default_factory=list)
    rows: int = 0
    targets: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0
    authorities: dict[str, float | None] = field(default_factory=dict)


def link_key(source: str, target: str) -> str:
    """Stable identity of a link within a workspace and data source."""
    return hashlib.sha1(f"{source}\x00{target}".encode(), usedforsecurity=False).hexdigest()


def sqlite_stamp(value: datetime | None) -> str | None:
    """A UTC timestamp as SQLAlchemy's SQLite DateTime stores it, so the ORM reads it back."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def _same(value: datetime | None) -> Any:
    return value


def to_record(
    row: LinkRow, where: LoadTarget, now: datetime, for_sqlite: bool
) -> tuple[Any, ...] | str:
    """The backlink columns of one row (see ``loader.COLUMNS``), or why the row is refused."""
    target_domain = row.target_domain or where.fixed_target_domain
    if not target_domain:
        return "no target URL, and no competitor was chosen for this file"
    if where.accepted_targets is not None and target_domain not in where.accepted_targets:
        return f"links to {target_domain}, which is not a competitor or our site in this campaign"
    stamp = sqlite_stamp if for_sqlite else _same
    source = row.source_url or ""
    target = row.target_url or target_domain
    lost_at = (row.lost_at or row.last_seen or now) if row.lost else None
    return (
        where.workspace_id, where.import_id, where.data_source.value,
        link_key(source or row.source_domain, target), source, row.source_domain,
        row.source_title, target, target_domain, row.anchor, row.nofollow, row.ugc,
        row.sponsored, row.authority, row.page_authority, row.traffic, row.language,
        stamp(row.first_seen), stamp(row.last_seen or now), stamp(lost_at),
    )  # fmt: skip


class _Counting:
    """A binary stream that counts the bytes read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        """Read and count."""
        data = self.raw.read(size)
        self.count += len(data)
        return data


def record_batches(
    path: Path, mapping: dict[str, str] | None, where: LoadTarget, now: datetime, for_sqlite: bool
) -> Iterator[Batch]:
    """Read the file and yield batches of records; raises ``formats.ImportFileError``."""
    with path.open("rb") as raw:
        stream = _Counting(raw)
        _, rows = formats.read_links(stream, mapping)
        batch = Batch()
        for item in rows:
            batch.rows += 1
            if isinstance(item, RowError):
                batch.rejected.append((item.row, item.error, item.column))
            else:
                record = to_record(item, where, now, for_sqlite)
                if isinstance(record, str):
                    batch.rejected.append((item.row, record, None))
                else:
                    batch.records.append(record)
                    batch.targets[record[8]] += 1
                    best = batch.authorities.get(item.source_domain)
                    if item.authority is not None and (best is None or item.authority > best):
                        batch.authorities[item.source_domain] = item.authority
                    elif item.source_domain not in batch.authorities:
                        batch.authorities[item.source_domain] = None
            if len(batch.records) >= BATCH_SIZE:
                batch.bytes_read = stream.count
                yield batch
                batch = Batch()
        batch.bytes_read = stream.count
        yield batch


def parallel_batches(
    path: Path, mapping: dict[str, str] | None, where: LoadTarget, now: datetime, for_sqlite: bool
) -> Iterator[Batch]:
    """Like :func:`record_batches`, with the reading done in a child Python process.

    The child (:func:`child_main`) gets its arguments pickled on stdin
    and streams pickled batches back on stdout; the pipe's small buffer holds it back when
    the database is slower, so memory stays flat.
    """
    child = subprocess.Popen(
        [sys.executable, "-c", "from outreach.backlinks.batches import child_main; child_main()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    try:
        pickle.dump((path, mapping, where, now, for_sqlite), child.stdin)
        child.stdin.close()
        while True:
            try:
                kind, payload = pickle.load(child.stdout)
            except EOFError:
                error = (child.stderr.read() if child.stderr else b"").decode(errors="replace")
                raise RuntimeError(f"the file reader process died: {error[-500:]}") from None
            if kind == "batch":
                yield payload
            elif kind == "done":
                return
            elif kind == "error":
                raise formats.ImportFileError(payload)
            else:
                raise RuntimeError(payload)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
        child.stdout.close()
        if child.stderr:
            child.stderr.close()


def child_main() -> None:
    """Entry point of the reader process: arguments in on stdin, batches out on stdout."""
    out = sys.stdout.buffer
    path, mapping, where, now, for_sqlite = pickle.load(sys.stdin.buffer)
    try:
        for batch in record_batches(path, mapping, where, now, for_sqlite):
            pickle.dump(("batch", batch), out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(("done", None), out)
    except formats.ImportFileError as exc:
        pickle.dump(("error", str(exc)), out)
    except Exception as exc:  # reported to the importing process, which fails the import
        pickle.dump(("crash", f"{type(exc).__name__}: {exc}"), out)
    out.flush()


def batches_for(
    path: Path, mapping: dict[str, str] | None, where: LoadTarget, now: datetime, for_sqlite: bool
) -> Iterator[Batch]:
    """Batches of a file, read in a second process when the file is big enough to gain from it."""
    if path.stat().st_size >= PARALLEL_MIN_BYTES:
        return parallel_batches(path, mapping, where, now, for_sqlite)
    return record_batches(path, mapping, where, now, for_sqlite)
