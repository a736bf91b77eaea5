"""The SQL statements the app's engine runs while a block runs, for tests that count them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from outreach.extensions import db


@contextmanager
def statements(app: Flask | None = None) -> Iterator[list[str]]:
    """Collect the SQL of each statement run on the engine meanwhile (``app``'s, or the one of
    the current app context)."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(args[2])

    if app is None:
        engine = db.engine
    else:
        with app.app_context():
            engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
