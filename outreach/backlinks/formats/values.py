"""Cell values: dates, numbers and flags as the SEO tools write them, a column at a time.

The converters never raise: unusable text gives None (False for flags). Columns go
through :class:`Memo` look-ups, so the many repeated cells of an export ("true",
"false", DR values, languages) cost one C-level dictionary look-up each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import repeat
from typing import Any, TypeVar

_T = TypeVar("_T")


class Memo(dict[str, _T]):
    """A bounded memo of a one-argument converter; ``column`` maps it over cells at C speed."""

    def __init__(self, convert: Callable[[str], _T], limit: int) -> None:
        super().__init__()
        self.convert = convert
        self.limit = limit

    def __missing__(self, key: str) -> _T:
        value = self.convert(key)
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    def column(self, cells: Iterable[str]) -> list[_T]:
        """The converted value of every cell."""
        return list(map(self.__getitem__, cells))


_DATE_FORMATS = ("%b %d, %Y", "%d %b %Y", "%B %d, %Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d")


def to_datetime(raw: str) -> datetime | None:
    """An aware UTC datetime from ISO text ("2024-03-05 12:34:56", "2024-03-05", "...Z").

    Also reads "Mar 5, 2024", "5 Mar 2024", US "03/05/2024" and "05.03.2024"; naive
    times are taken as UTC. Anything else gives None.
    """
    text = raw.strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        for pattern in _DATE_FORMATS:
            try:
                value = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_float(raw: str) -> float | None:
    """A number from "45", "45.5", "1,234", "12%"; None for "", "-", "n/a" or junk."""
    try:
        value = float(raw)
    except ValueError:
        text = raw.strip().replace(",", "").replace("\u00a0", "").rstrip("%")
        try:
            value = float(text)
        except ValueError:
            return None
    return value if math.isfinite(value) else None


_TRUE = frozenset({"true", "1", "yes", "y", "+", "t", "x"})
_NOT_LOST = frozenset(
    {"false", "0", "no", "n", "-", "f", "", "none", "null", "live", "active", "not lost", "ok"}
)


def to_bool(raw: str) -> bool:
    """True for "true"/"TRUE"/"1"/"yes"/"+"; False for anything else."""
    return raw.strip().lower() in _TRUE


def to_lost(raw: str) -> bool:
    """Whether a lost flag or status text ("true", "Link removed", "404") says the link is gone."""
    return raw.strip().lower() not in _NOT_LOST


_REL_TOKEN = re.compile(r"[\s,;|/]+")


def to_rel(raw: str) -> tuple[bool, bool, bool]:
    """(nofollow, ugc, sponsored) from a rel-like text such as "nofollow, ugc"."""
    tokens = set(_REL_TOKEN.split(raw.strip().lower()))
    return "nofollow" in tokens, "ugc" in tokens, "sponsored" in tokens


_LANGUAGE = re.compile(r"[\s,;|]+")


def to_language(raw: str) -> str | None:
    """The first language code of a cell ("en", "en, de" -> "en"), at most 16 characters."""
    first = _LANGUAGE.split(raw.strip(), 1)[0]
    return first[:16].lower() or None


_NO_DATE = frozenset({"", "-", "--", "\u2014", "n/a", "na", "none", "null", "never", "0"})


def is_no_date(raw: str) -> bool:
    """True for the cells tools write when there is no date ("", "-", "n/a", "never")."""
    return raw.strip().lower() in _NO_DATE


def to_spam(raw: str) -> bool | None:
    """An "Is spam" flag: True, False, or None for an empty cell."""
    text = raw.strip().lower()
    if not text:
        return None
    return text in _TRUE


def to_placement(raw: str) -> str | None:
    """Ahrefs' "Content" flag as a placement: "content" (main text) or "boilerplate"."""
    text = raw.strip().lower()
    if not text:
        return None
    return "content" if text in _TRUE else "boilerplate"


_LINK_TYPES = {
    "href": "text", "text": "text", "link": "text", "a": "text", "image": "image",
    "img": "image", "redirect": "redirect", "301": "redirect", "302": "redirect",
    "frame": "frame", "iframe": "frame", "form": "form",
}  # fmt: skip


def to_link_type(raw: str) -> str | None:
    """A link type text ("href", "image", "redirect 301") as text, image, redirect, frame or
    form; None for anything else (canonical, alternate, empty)."""
    words = raw.strip().lower().replace("-", " ").split()
    for word in words:
        if word in _LINK_TYPES:
            return _LINK_TYPES[word]
    return None


DATES = Memo(to_datetime, 8192)
SPAM = Memo(to_spam, 64)
PLACEMENTS = Memo(to_placement, 64)
LINK_TYPES = Memo(to_link_type, 256)
FLOATS = Memo(to_float, 8192)
BOOLS = Memo(to_bool, 1024)
LOST = Memo(to_lost, 1024)
RELS = Memo(to_rel, 1024)
LANGUAGES = Memo(to_language, 1024)
_EMPTY = {"": None}


_PLAIN_DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
_PLAIN_DATES = re.compile(rf"(?:{_PLAIN_DATE}\n)*{_PLAIN_DATE}", re.ASCII).fullmatch


class DateColumn(list[datetime | None]):
    """A column of dates read from plain UTC "YYYY-MM-DD hh:mm:ss" cells, which it keeps as
    ``iso_text``: a loader can store that text as it is instead of formatting each date."""

    __slots__ = ("iso_text",)

    def __init__(self, dates: Iterable[datetime], iso_text: Sequence[str]) -> None:
        super().__init__(dates)
        self.iso_text = iso_text


def datetimes(cells: Sequence[str]) -> list[datetime | None]:
    """A column of dates; "YYYY-MM-DD hh:mm:ss" columns are read in one C-level pass."""
    lengths = set(map(len, cells))
    if lengths == {19} and _PLAIN_DATES("\n".join(cells)):
        try:
            dates = map(datetime.fromisoformat, map(str.__add__, cells, repeat("+00:00")))
            return DateColumn(dates, cells)
        except ValueError:  # "2024-02-30 ..." has the shape, not the date
            pass
    elif lengths == {0}:
        return [None] * len(cells)
    return DATES.column(cells)


_NUMBERS: dict[str, float] = {}  # plain numbers seen so far (DR and UR values repeat a lot)
_ABSENT = object()


def floats(cells: Sequence[str]) -> list[float | None]:
    """A column of numbers: known ones looked up, plain new ones read in one C-level pass."""
    known: list[Any] = list(map(_NUMBERS.get, cells, repeat(_ABSENT)))
    if _ABSENT not in known:
        return known
    try:
        values = list(map(float, cells))
    except ValueError:
        return FLOATS.column(cells)
    if not math.isfinite(sum(values)):
        return FLOATS.column(cells)
    if len(_NUMBERS) < 8192:
        _NUMBERS.update(zip(cells, values, strict=True))
    return values  # type: ignore[return-value]  # a list[float] is a list[float | None]


def texts(cells: Sequence[str]) -> list[str | None]:
    """A text column with empty cells as None."""
    return list(map(_EMPTY.get, cells, cells))
