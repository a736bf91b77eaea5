"""Template globals and filters shared by every page."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask

from outreach.db import MAX_ID, utcnow
from outreach.urls import unicode_email


def ago(moment: datetime | None) -> str:
    """'3 minutes ago', 'in 2 days', or an em dash for nothing."""
    if moment is None:
        return "—"
    seconds = (utcnow() - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "within a minute" if future else "just now"


def when(moment: datetime | None) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM UTC'."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def init_templates(app: Flask) -> None:
    """Register the template filters."""
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["unicode_email"] = unicode_email


def parse_id(value: str | None) -> int | None:
    """A positive database id from text, or None for anything else (signs, Unicode digits, huge)."""
    if not value or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def safe_next(value: str | None, default: str) -> str:
    """A path on this site to go back to, or ``default`` for anything that could leave it."""
    if not value or not value.startswith("/") or _UNSAFE_NEXT.search(value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith(("//", "/\\")):
        return default
    return value


_ID = re.compile(r"[0-9]{1,10}")
_UNSAFE_NEXT = re.compile(r"[\x00-\x20\x7f\\]")
