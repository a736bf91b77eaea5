"""Cursor pagination: ``?cursor=`` and ``limit``, ``next_cursor`` in the body.

Pages are keyset pages, never offsets: a cursor holds the sort keys of the last row sent,
and the next page is the rows strictly after it in a total order (every order ends with a
unique column). Rows inserted or deleted while a client walks the list shift nothing: no
row is sent twice and none of those present all along is skipped. The cursor is opaque
(base64url JSON) and names the order it belongs to, so it cannot be replayed on another.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from outreach.api.problems import INVALID_FIELDS, Problem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Key:
    """One sort key: a column, its direction, whether it may be NULL (NULLs always last)."""

    column: Any
    descending: bool = False
    nullable: bool = False
    kind: type = int  # how a cursor value is read back: int, float, str, date or datetime

    def order(self) -> Any:
        """The ORDER BY term."""
        term = self.column.desc() if self.descending else self.column.asc()
        return term.nulls_last() if self.nullable else term


def _after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``keys`` (NULLs last in each key)."""
    key, value = keys[0], values[0]
    rest = _after(keys[1:], values[1:]) if len(keys) > 1 else false()
    if value is None:  # past the non-NULL values: only NULLs follow, ordered by the rest
        return and_(key.column.is_(None), rest)
    beyond = key.column < value if key.descending else key.column > value
    parts = [beyond, and_(key.column == value, rest)]
    if key.nullable:
        parts.append(key.column.is_(None))
    return or_(*parts)


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode_value(value: Any, kind: type) -> Any:
    if value is None:
        return None
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is float and isinstance(value, int | float):
        return float(value)
    if not isinstance(value, kind):
        raise ValueError(value)
    return value


def bad_cursor() -> Problem:
    """The problem for a cursor we did not make (or made for another order)."""
    return Problem(
        422,
        "This cursor is not valid here: pass next_cursor back as it came, with the same sort.",
        type=INVALID_FIELDS,
        title="Invalid fields",
        errors=[{"field": "cursor", "location": "query", "message": "Not a valid cursor."}],
    )


@dataclass(frozen=True)
class Keyset:
    """A total order (``name`` tells orders apart) and how to read its keys off a row."""

    name: str
    keys: tuple[Key, ...]
    values_of: Callable[[Any], Sequence[Any]]

    def order_by(self) -> list[Any]:
        """The ORDER BY terms."""
        return [key.order() for key in self.keys]

    def cursor_for(self, row: Any) -> str:
        """The opaque cursor that continues after ``row``."""
        payload = {"o": self.name, "k": [_encode_value(v) for v in self.values_of(row)]}
        text = json.dumps(payload, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def after(self, cursor: str | None) -> ColumnElement[bool] | None:
        """The WHERE condition for the page after ``cursor`` (None for the first page)."""
        if not cursor:
            return None
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if payload["o"] != self.name or len(payload["k"]) != len(self.keys):
                raise ValueError("another order")
            values = [
                _decode_value(v, k.kind) for v, k in zip(payload["k"], self.keys, strict=True)
            ]
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            raise bad_cursor() from None
        return _after(self.keys, values)


def page_of(keyset: Keyset, rows: list[Any], limit: int) -> tuple[list[Any], str | None]:
    """Rows fetched with ``limit + 1`` cut to ``limit``, and the cursor of the next page."""
    if len(rows) <= limit:
        return rows, None
    kept = rows[:limit]
    return kept, keyset.cursor_for(kept[-1])
