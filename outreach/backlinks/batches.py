"""Turning an export file into batches of database-ready records.

Records are built a block of rows at a time, column by column, with C-level ``map`` and
``zip`` passes; big files run this in a second process (see ``parallel``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress
from pathlib import Path
from typing import IO

from outreach.backlinks import formats
from outreach.backlinks.formats import RowBlock, RowError
from outreach.backlinks.models import DataSource
from outreach.backlinks.records import (
    Record,
    authority_of,
    key_of,
    link_keys,
    postgres_stamps,
    source_domain_of,
    sqlite_stamps,
    target_domain_of,
)

BATCH_SIZE = 5000


@dataclass
class LoadTarget:
    """Where rows go and how rows without a target URL are attributed."""

    workspace_id: int
    import_id: int | None
    data_source: DataSource
    fixed_target_domain: str | None = None
    accepted_targets: frozenset[str] | None = None
    report_format: str | None = None  # the kind of report (ExportFormat value) being loaded


@dataclass
class Batch:
    """Database-ready records, the rows rejected on the way, and how far the file is read.

    ``records`` are links met for the first time in the file; ``repeats`` may have been
    met before (see :class:`SeenKeys`) and go after them, as upserts.
    """

    records: list[Record] = field(default_factory=list)
    repeats: list[Record] = field(default_factory=list)
    rejected: list[tuple[int, str, str | None]] = field(default_factory=list)
    rows: int = 0
    targets: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0
    authorities: dict[str, float | None] = field(default_factory=dict)
    reader_peak_kb: int | None = None  # a reader process's peak memory, on its last batch


NO_TARGET = "no target URL, and no competitor was chosen for this file"


def _refusals(
    block: RowBlock, targets: Sequence[str | None], accepted: frozenset[str] | None
) -> dict[int, tuple[int, str, str | None]]:
    """Why records of the block are refused, by position: read errors, then unknown targets."""
    refused = {n: (e.row, e.error, e.column) for n, e in block.errors.items()}
    if None in targets or (accepted is not None and not accepted.issuperset(targets)):
        for n, target in enumerate(targets):
            if n in refused:
                continue
            if not target:
                refused[n] = (block.rows[n], NO_TARGET, None)
            elif accepted is not None and target not in accepted:
                why = f"links to {target}, which is not a competitor or our site in this campaign"
                refused[n] = (block.rows[n], why, None)
    return refused


def block_records(
    block: RowBlock, where: LoadTarget, now: datetime, for_sqlite: bool
) -> tuple[list[Record], dict[int, tuple[int, str, str | None]]]:
    """The records (see ``records.ROW_COLUMNS``) of a block's usable rows, and why the others
    are refused, by position; built column by column, with ``zip``."""
    f = block.fields
    targets = f["target_domain"]
    target_urls, target_texts = f["target_url"], f["target_text"]
    if None in targets and where.fixed_target_domain:
        targets = [target or where.fixed_target_domain for target in targets]
    refused = _refusals(block, targets, where.accepted_targets)
    urls, domains = f["source_url"], f["source_domain"]
    # Files that list sites have no page URL: the domain identifies the link, the stored
    # URL stays empty. A refused row may have no target at all; it is dropped below.
    key_sources, stored_sources = urls, f["source_text"]
    if None in urls:
        key_sources = [u or d or "" for u, d in zip(urls, domains, strict=True)]
        stored_sources = [s if u else "" for u, s in zip(urls, stored_sources, strict=True)]
    if None in target_urls:
        target_urls = [u or t or "" for u, t in zip(target_urls, targets, strict=True)]
        target_texts = [s or u for s, u in zip(target_texts, target_urls, strict=True)]
    last_seen = f["last_seen"]
    if None in last_seen:
        last_seen = [seen or now for seen in last_seen]
    lost_at: Sequence[datetime | None] = [None] * len(block)
    if True in f["lost"]:
        lost_at = [
            (at or seen) if lost else None
            for lost, at, seen in zip(f["lost"], f["lost_at"], last_seen, strict=True)
        ]
    stamps = sqlite_stamps if for_sqlite else postgres_stamps
    records = list(
        zip(
            link_keys(key_sources, target_urls), stored_sources, domains, f["source_title"],
            target_texts, targets, f["anchor"], f["nofollow"], f["ugc"], f["sponsored"],
            f["placement"], f["link_type"], f["authority"], f["page_authority"], f["traffic"],
            f["is_spam"], f["spam_score"], f["topical_trust_flow"], f["language"],
            stamps(f["first_seen"]), stamps(last_seen), stamps(lost_at), strict=True,
        )
    )  # fmt: skip
    if refused:
        records = list(compress(records, (n not in refused for n in range(len(records)))))
    return records, refused


def _best_authorities(
    best: dict[str, float | None], domains: Iterable[str], authorities: Iterable[float | None]
) -> None:
    """Fold a column of (domain, authority) into ``best``: each domain's highest figure."""
    known = best.get
    for domain, authority in zip(domains, authorities, strict=True):
        if authority is None:
            if domain not in best:
                best[domain] = None
        else:
            current = known(domain)
            if current is None or authority > current:
                best[domain] = authority


class SeenKeys:
    """Which link keys a file has shown already, in fixed memory: a bitmap of one hash.

    "New" is always right; "seen" is wrong for about 1.5% of keys at a million links (such
    a record only takes the slower upsert path, with the same result).
    """

    BITS = 1 << 26  # 8 MB; link keys are already uniform hashes, so their low bits serve

    def __init__(self) -> None:
        self.bits = bytearray(self.BITS >> 3)

    def split(self, records: list[Record]) -> tuple[list[Record], list[Record]]:
        """The records whose key is new, and those whose key may have been seen."""
        bits, mask = self.bits, self.BITS - 1
        new, repeats = [], []
        for record in records:
            spot = key_of(record) & mask
            byte, bit = spot >> 3, 1 << (spot & 7)
            if bits[byte] & bit:
                repeats.append(record)
            else:
                bits[byte] |= bit
                new.append(record)
        return new, repeats


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
    """Read the file and yield batches of records; raises ``formats.ImportFileError``.

    The last batch carries ``authorities`` for the whole file.
    """
    best: dict[str, float | None] = {}
    seen = SeenKeys()
    with path.open("rb") as raw:
        stream = _Counting(raw)
        _, blocks = formats.read_link_blocks(stream, mapping)
        batch = Batch()
        for block in blocks:
            if isinstance(block, RowError):
                batch.rows += 1
                batch.rejected.append((block.row, block.error, block.column))
                continue
            records, refused = block_records(block, where, now, for_sqlite)
            batch.rows += len(block)
            batch.records.extend(records)
            batch.rejected.extend(refused[n] for n in sorted(refused))
            if len(batch.records) >= BATCH_SIZE:
                yield _finished(batch, stream.count, seen, best)
                batch = Batch()
        batch = _finished(batch, stream.count, seen, best)
        batch.authorities = best
        yield batch


def _finished(
    batch: Batch, bytes_read: int, seen: SeenKeys, best: dict[str, float | None]
) -> Batch:
    """Count the batch's targets and authorities, and set its repeats apart."""
    batch.bytes_read = bytes_read
    batch.targets.update(map(target_domain_of, batch.records))
    _best_authorities(best, map(source_domain_of, batch.records), map(authority_of, batch.records))
    batch.records, batch.repeats = seen.split(batch.records)
    return batch
