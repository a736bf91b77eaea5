"""Reading an export as a stream of LinkRow and RowError, in flat memory.

Text arrives in blocks of about 1 MB of whole lines. A block whose quoting is regular
(every field quoted, as Ahrefs writes, or none at all) is split in one pass and read
column by column; that is what makes a million-row file quick. Any other block goes
line by line, through the csv module for records with embedded quotes, delimiters or
line breaks (which may run on into the next block). Both paths give the same fields.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain, repeat
from operator import methodcaller

from outreach.backlinks.formats import values
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
    LinkRow,
    RowError,
    Sniffed,
)
from outreach.backlinks.formats.rows import NOTHING, Column, ColumnOf, Plan, convert

_BATCH = 2048


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
        info = values.url_info(target.strip())
        if info is None:
            raise ValueError(f"malformed target URL {target!r}")
        default = info
    metric = sniffed.format.authority_metric if "authority" in index else None
    return Plan(sniffed.headers, sniffed.delimiter, index, source, metric, default)


def read_links(
    stream: Readable, mapping: dict[str, str] | None = None, *, target: str | None = None
) -> tuple[Sniffed, Iterator[LinkRow | RowError]]:
    """Sniff an export and stream its rows; raises ImportFileError for whole-file problems.

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


_unescape = methodcaller("replace", '""', '"')


def _even_runs(parts: list[str]) -> bool:
    """True when every run of quotes in every part has an even length (escaped quotes)."""
    text = "\t".join(parts)
    return text.count('"') == 2 * text.count('""')


def _block_columns(block: str, ncols: int, delimiter: str, eol: str) -> tuple[int, ColumnOf] | None:
    """Record count and column getter of a block of regularly quoted records, else None.

    Either no quote at all, or every field quoted. Splitting on quote-delimiter-quote
    and quote-newline-quote is the true parse when: there is one newline per record,
    every record boundary falls after exactly ``ncols`` fields, and no field holds an
    odd run of quotes. A separator or boundary found inside a field always leaves such
    an odd run next to it, so when no field holds the delimiter, only the fields next
    to record boundaries need checking.
    """
    lines = block.count("\n")
    if ncols < 2 or not block.endswith(eol):
        return None
    own_quotes = 0
    if block[0] == '"':
        own_quotes = block.count('"') - 2 * ncols * lines
        if own_quotes < 0 or own_quotes % 2 or block[-len(eol) - 1] != '"':
            return None
        body, sep, boundary = block[1 : -len(eol) - 1], f'"{delimiter}"', f'"{eol}"'
    else:
        if '"' in block or block.count("\r") != (lines if eol == "\r\n" else 0):
            return None
        body, sep, boundary = block[: -len(eol)], delimiter, eol
    k = ncols - 1
    flat = body.split(sep)
    if len(flat) != k * lines + 1:
        return None
    firsts, lasts, ends = [flat[0]], [flat[-1]], []
    joins = flat[k:-1:k]  # last field of a record + boundary + first field of the next
    if lines > 1:
        if list(map(str.count, joins, repeat(boundary))).count(1) != lines - 1:
            return None
        ends = boundary.join(joins).split(boundary)
        firsts.extend(ends[1::2])
        lasts = [*ends[0::2], flat[-1]]
    if own_quotes:
        if block.count(delimiter) == k * lines:
            if not _even_runs(ends):
                return None
        else:
            text = "\t".join(flat)
            pairs = text.count('""') - "\t".join(joins).count('""')
            if own_quotes != 2 * (pairs + "\t".join(ends).count('""')):
                return None

    def column(i: int) -> Column:
        cells = firsts if i == 0 else lasts if i == k else flat[i::k]
        if own_quotes and '"' in "\t".join(cells):
            return list(map(_unescape, cells))
        return cells

    return lines, column


class _Overlong(Exception):
    """A record ran into a line too long to keep."""


class _LineFeed:
    """Lines of the current block; a record still open at its end pulls the next block."""

    def __init__(self, blocks: Iterator[str]) -> None:
        self._blocks = blocks
        self._lines: list[str] = []
        self._next = 0

    def load(self, block: str) -> None:
        self._lines = block.split("\n")
        self._lines.pop()  # blocks end with "\n"
        self._next = 0

    def buffered(self) -> bool:
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


def _with_newlines(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        yield line + "\n"


def _fields(line: str, feed: _LineFeed, plan: Plan, ncols: int) -> list[str]:
    """The fields of the record starting at ``line``: a quick split, or the csv module."""
    text = line[:-1] if line.endswith("\r") else line
    if '"' not in text:
        return text.split(plan.delimiter)
    if text[0] == '"' and text[-1] == '"' and text.count('"') == 2 * ncols:
        fields = text[1:-1].split(f'"{plan.delimiter}"')
        if len(fields) == ncols:
            return fields
    reader = csv.reader(_with_newlines(chain((line,), feed)), delimiter=plan.delimiter)
    return next(reader)


def _records(plan: Plan, blocks: Iterator[str]) -> Iterator[LinkRow | RowError]:
    ncols = len(plan.headers)
    feed = _LineFeed(blocks)
    batch: list[list[str]] = []
    numbers: list[int] = []
    row = 0
    eol = ""

    def flush() -> list[LinkRow | RowError]:
        if not batch:
            return []
        columns = list(zip(*batch, strict=True))
        out = convert(plan, numbers[:], columns.__getitem__)
        batch.clear()
        numbers.clear()
        return out

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
                block = block[header_end:]
                if not block:
                    continue
            found = _block_columns(block, ncols, plan.delimiter, eol)
            if found is not None:
                yield from convert(plan, range(row + 1, row + 1 + found[0]), found[1])
                row += found[0]
                continue
            feed.load(block)
        line = next(feed)
        row += 1
        try:
            fields = _fields(line, feed, plan, ncols)
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
