"""Reading an export one record at a time, for assertions on single rows.

The app reads exports in column blocks (:func:`outreach.backlinks.formats.read_link_blocks`);
tests compare rows, so this turns each block back into :class:`LinkRow` values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from outreach.backlinks.formats import LinkRow, RowBlock, RowError, Sniffed, read_link_blocks
from outreach.backlinks.formats.decoding import Readable
from outreach.backlinks.formats.model import ROW_FIELDS


def link_rows(block: RowBlock) -> list[LinkRow | RowError]:
    """A block's records as LinkRow values, with each error in its record's place."""
    out: list[LinkRow | RowError] = list(
        map(LinkRow, block.rows, *(block.fields[name] for name in ROW_FIELDS))
    )
    for n, error in block.errors.items():
        out[n] = error
    return out


def only_links(rows: Iterable[LinkRow | RowError]) -> list[LinkRow]:
    """The rows, every one a LinkRow; AssertionError naming the first RowError otherwise."""
    found = list(rows)
    errors = [row for row in found if isinstance(row, RowError)]
    assert not errors, errors[0]
    return [row for row in found if isinstance(row, LinkRow)]


def read_links(
    stream: Readable, mapping: dict[str, str] | None = None, *, target: str | None = None
) -> tuple[Sniffed, Iterator[LinkRow | RowError]]:
    """Like :func:`read_link_blocks`, one LinkRow (or RowError) at a time."""
    sniffed, blocks = read_link_blocks(stream, mapping, target=target)
    return sniffed, _one_by_one(blocks)


def _one_by_one(blocks: Iterator[RowBlock | RowError]) -> Iterator[LinkRow | RowError]:
    for item in blocks:
        if isinstance(item, RowError):
            yield item
        else:
            yield from link_rows(item)
