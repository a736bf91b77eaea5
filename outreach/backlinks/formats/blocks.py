"""Splitting a block of whole records in one pass, when its quoting allows it.

Exports come either with every field quoted (Ahrefs) or with no quote at all. For such a
block, splitting on quote-delimiter-quote and quote-newline-quote gives the fields the
csv module would give, under checks that cost a few C-level passes over the block:

* every newline ends a record, and every record has exactly ``ncols`` fields;
* the fields that are read, and the fields next to record boundaries, hold only pairs
  of quotes (escaped quotes), never an odd run.

A separator or boundary matched inside a field always leaves an odd run of quotes in
the field before or after it. A boundary matched inside a field is therefore seen in
the fields next to boundaries; then every record is a true record, and a separator
matched inside a field leaves its odd run right beside it, so it either spoils a field
that is read (and is seen) or touches only fields that are not read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import repeat

Column = Sequence[str]


def _even_runs(text: str) -> bool:
    """True when every run of quotes in ``text`` has an even length."""
    return text.count('"') == 2 * text.count('""')


def block_columns(
    block: str, ncols: int, delimiter: str, eol: str, needed: Collection[int]
) -> tuple[int, dict[int, Column]] | None:
    """The record count and the ``needed`` columns of a block, or None for the csv path."""
    lines = block.count("\n")
    if ncols < 2 or not block.endswith(eol):
        return None
    own_quotes = 0
    if block[0] == '"':
        own_quotes = block.count('"') - 2 * ncols * lines  # quotes inside fields
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
    firsts, lasts = [flat[0]], [flat[-1]]
    if lines > 1:
        joins = flat[k:-1:k]  # last field of a record + boundary + first field of the next
        if list(map(str.count, joins, repeat(boundary))).count(1) != lines - 1:
            return None
        ends = boundary.join(joins).split(boundary)
        if own_quotes and not _even_runs("\n".join(ends)):
            return None
        firsts.extend(ends[1::2])
        lasts = [*ends[0::2], flat[-1]]
    columns: dict[int, Column] = {}
    for i in needed:
        cells = firsts if i == 0 else lasts if i == k else flat[i::k]
        if own_quotes:  # no field holds a line break, so "\n" can join them
            joined = "\n".join(cells)
            if '"' in joined:
                if not _even_runs(joined):
                    return None
                cells = joined.replace('""', '"').split("\n")
        columns[i] = cells
    return lines, columns
