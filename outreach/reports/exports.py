"""Tables of the dashboard, and their CSV form that is safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return (or NUL) could run
as a formula: it gets a leading apostrophe (OWASP's advice). Every cell is checked, numbers
too (a negative velocity then reads as text, which is the price of one simple rule).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

Cell = str | int | float | None
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


@dataclass(frozen=True)
class Table:
    """A titled table: the one under a chart, and the CSV download."""

    key: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def neutralise(value: Cell) -> str:
    """A cell as CSV text; text that a spreadsheet would run as a formula starts with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = repr(value) if isinstance(value, float) else str(value)
    return "'" + text if text.startswith(DANGEROUS_STARTS) else text


def to_csv(table: Table) -> str:
    """RFC 4180 CSV (CRLF, quoted where needed) of a table, header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
