"""Calendar months as reports count them: each month is its first day, boundaries in UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class BadMonth(ValueError):
    """Text that is not a month written YYYY-MM."""


def parse_month(text: str) -> date:
    """The first day of a month written ``YYYY-MM``; raises :class:`BadMonth`."""
    found = _MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        raise BadMonth(f"{text!r} is not a month written YYYY-MM.")
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_label(month: date) -> str:
    """``YYYY-MM``."""
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (or before) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last`` included, oldest first."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def start_of(month: date) -> datetime:
    """Midnight UTC on the first day of ``month``: a link first seen before it was seen by the
    day before; one lost at or after it was still live on the day before."""
    return datetime(month.year, month.month, month.day, tzinfo=UTC)


def current_month(now: datetime) -> date:
    """The month ``now`` falls in."""
    return date(now.year, now.month, 1)
