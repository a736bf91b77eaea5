"""Reading an export as a stream of record blocks (RowBlock) and RowError.

Text arrives in blocks of about 128 KB of whole lines. A block whose quoting is regular
(every field quoted, as Ahrefs writes, or none at all) is split in one pass and read
column by column (see ``blocks``); that is what makes a million-row file quick. Any
other block goes line by line, through the csv module for records with embedded
quotes, delimiters or line breaks (which may run on into the next block). Both paths
give the same fields.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain

from outreach.backlinks.formats.blocks import block_columns
from outreach.backlinks.formats.columns import resolve
from outreach.backlinks.formats.decoding import (
    TOO_LONG,
    Readable,
    bom_length,
    read_head,
    sniff,
    text_blocks,
)
from outreach.backlinks.formats.model import (
    ExportFormat,
    ImportFileError,
    RowBlock,
    RowError,
    Sniffed,
)
from outreach.backlinks.formats.rows import NOTHING, Plan, convert
from outreach.backlinks.formats.urlcells import url_info

_BATCH = 2048
# A record whose quoted field runs over more lines than this is a quote that never
# closed, not a real field (real exports hold a few line breaks in a title at most).
MAX_RECORD_LINES = 50


def _plan(sniffed: Sniffed, mapping: dict[str, str] | None, target: str | None) -> Plan:
    chosen = {} if sniffed.format is ExportFormat.GENERIC else dict(sniffed.mapping)
    chosen.update(mapping or {})
    index = resolve(sniffed.headers, {k: v for k, v in chosen.items() if v})
    source = next((f for f in ("source_url", "source_domain") if f in index), None)
    if source is None:
        if sniffed.missing:
            raise ImportFileError(f"missing column {sniffed.missing[0]!r}")
        raise ImportFileError(
            "the columns of this file were not recognised: map at least the column "
            "that holds the linking page's URL (source_url)"
        )
    default: tuple[str, str] | tuple[None, None] = NOTHING
    if target:
        info = url_info(target.strip())
        if info is None:
            raise ValueError(f"malformed target URL {target!r}")
        default = info
    metric = sniffed.format.authority_metric if "authority" in index else None
    return Plan(
        sniffed.headers, sniffed.delimiter, index, source, metric, default, sniffed.has_header
    )


def read_link_blocks(
    stream: Readable, mapping: dict[str, str] | None = None, *, target: str | None = None
) -> tuple[Sniffed, Iterator[RowBlock | RowError]]:
    """Sniff an export and stream its records in blocks; raises ImportFileError for whole-file
    problems.

    ``mapping`` (field -> header name) is required for GENERIC files and overrides the
    columns of a known format field by field (an empty header name unsets a field).
    ``target`` is the URL the links point to, for files without a target column (Search
    Console, referring domains) and for rows whose target cell is empty. Bad bytes after
    the first 64 KB raise ImportFileError while iterating.
    """
    head = read_head(stream)
    sniffed = sniff(head)
    plan = _plan(sniffed, mapping, target)
    codec, bom = bom_length(head)
    return sniffed, _records(plan, text_blocks(stream, head, codec, bom))


class _Overlong(Exception):
    """A record ran into a line too long to keep."""


class _LineFeed:
    """Lines of the current block; a record still open at its end pulls the next block."""

    def __init__(self, blocks: Iterator[str]) -> None:
        self._blocks = blocks
        self._lines: list[str] = []
        self._next = 0

    def load(self, block: str) -> None:
        """Start on the lines of a new block."""
        self._lines = block.split("\n")
        self._lines.pop()  # blocks end with "\n"
        self._next = 0

    def buffered(self) -> bool:
        """Whether lines of the current block are left."""
        return self._next < len(self._lines)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._next >= len(self._lines):
            block = next(self._blocks)
            if block is TOO_LONG:
                raise _Overlong
            self.load(block)
        line = self._lines[self._next]
        self._next += 1
        return line


class _Unclosed(Exception):
    """A quoted field never closes, or runs over too many lines to be a real field."""


class _RecordLines:
    """The lines of one record for the csv module: counts them, and notes their quotes and
    whether the file ran out under them."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.count = 0
        self.quotes = 0
        self.exhausted = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.count >= MAX_RECORD_LINES:
            raise _Unclosed(f"runs over more than {MAX_RECORD_LINES} lines")
        try:
            line = next(self.lines)
        except StopIteration:
            self.exhausted = True
            raise
        self.count += 1
        self.quotes += line.count('"')
        return line + "\n"


def _fields(line: str, feed: _LineFeed, plan: Plan, ncols: int) -> list[str]:
    """The fields of the record starting at ``line``: a quick split, or the csv module.

    Raises _Unclosed when a quoted field is still open at the end of the file or runs over
    more lines than any real field holds: the quoting of the file is broken from there on.
    """
    text = line[:-1] if line.endswith("\r") else line
    if '"' not in text:
        return text.split(plan.delimiter)
    if text[0] == '"' and text[-1] == '"' and text.count('"') == 2 * ncols:
        fields = text[1:-1].split(f'"{plan.delimiter}"')
        if len(fields) == ncols:
            return fields
    lines = _RecordLines(chain((line,), feed))
    try:
        fields = next(csv.reader(lines, delimiter=plan.delimiter))
    except (StopIteration, csv.Error) as exc:
        if lines.exhausted:
            raise _Unclosed("is still open at the end of the file") from None
        if isinstance(exc, StopIteration):
            raise csv.Error("no record") from None
        raise
    if lines.exhausted and lines.quotes % 2:
        raise _Unclosed("is still open at the end of the file")
    return fields


def _records(plan: Plan, blocks: Iterator[str]) -> Iterator[RowBlock | RowError]:
    ncols = len(plan.headers)
    needed = set(plan.index.values())
    feed = _LineFeed(blocks)
    batch: list[list[str]] = []
    numbers: list[int] = []
    row = 0
    eol = ""

    def flush() -> list[RowBlock]:
        if not batch:
            return []
        columns = list(zip(*batch, strict=True))
        out = convert(plan, numbers[:], columns.__getitem__)
        batch.clear()
        numbers.clear()
        return [out]

    while True:
        if not feed.buffered():
            yield from flush()
            block = next(blocks, None)
            if block is None:
                return
            if block is TOO_LONG:
                row += 1
                yield RowError(row, None, "the row is longer than a million characters")
                continue
            if not eol:  # the first block starts with the header line
                header_end = block.index("\n") + 1
                eol = "\r\n" if block[header_end - 2 : header_end] == "\r\n" else "\n"
                if plan.has_header:
                    block = block[header_end:]
                if not block:
                    continue
            found = block_columns(block, ncols, plan.delimiter, eol, needed)
            if found is not None:
                count, columns = found
                yield convert(plan, range(row + 1, row + 1 + count), columns.__getitem__)
                row += count
                continue
            feed.load(block)
        line = next(feed)
        row += 1
        try:
            fields = _fields(line, feed, plan, ncols)
        except _Unclosed as exc:
            raise ImportFileError(
                f"the file is broken at row {row}: a quoted field opens there and {exc}, "
                "so the rows after it cannot be told apart (a quote is missing in the file). "
                "Nothing was imported; export the report again or fix that row."
            ) from None
        except (csv.Error, _Overlong) as exc:
            yield from flush()
            reason = "it is longer than a million characters" if isinstance(exc, _Overlong) else exc
            yield RowError(row, None, f"the row cannot be read: {reason}")
            continue
        if len(fields) <= 1 and not "".join(fields).strip():
            continue  # a blank line
        if len(fields) != ncols:
            if len(fields) > ncols and not any(fields[ncols:]):
                fields = fields[:ncols]  # trailing empty cells
            else:
                yield from flush()
                noun = "field" if len(fields) == 1 else "fields"
                yield RowError(row, None, f"row has {len(fields)} {noun}, the header has {ncols}")
                continue
        batch.append(fields)
        numbers.append(row)
        if len(batch) >= _BATCH:
            yield from flush()
