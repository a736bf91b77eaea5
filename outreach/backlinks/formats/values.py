"""Cell values: URLs, domains, dates, numbers and flags as the SEO tools write them.

Every converter takes the raw cell text and never raises: unusable text gives None
(for URLs and domains the caller turns that into a RowError). The converters are
memoised with bounded caches, so the many repeated cells of an export (targets, DR
values, "true"/"false", dates) cost one dictionary look-up each.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from outreach.urls import (
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    InvalidURL,
    normalize_url,
    registrable_domain,
)

# An http(s) URL that normalize_url would change only by dropping "www.", a trailing
# slash or tracking parameters: lower-case host of plain labels (no port, user or
# trailing dot), no fragment, no tab or line break, a query of plain key=value pairs.
_CANONICAL = re.compile(
    r"(https?://)(www\.)?([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+)(/[^?#\t\r\n]*)?"
    r"(?:\?([A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*(?:&[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*)*))?"
).fullmatch
_TRACKING = re.compile(
    r"(?:^|&)(?:(?:"
    + "|".join(re.escape(p) for p in TRACKING_PREFIXES)
    + r")[^=&]*|"
    + "|".join(re.escape(p) for p in sorted(TRACKING_PARAMS))
    + r")=",
    re.IGNORECASE,
).search
_HOSTS: dict[str, str] = {}  # host -> registrable domain, for hosts of canonical URLs
_HOSTS_MAX = 100_000


def _host_domain(host: str) -> str:
    if len(_HOSTS) >= _HOSTS_MAX:
        _HOSTS.clear()
    domain = _HOSTS[host] = registrable_domain(host)
    return domain


def _without_tracking(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        key = pair.split("=", 1)[0].lower()
        if not key.startswith(TRACKING_PREFIXES) and key not in TRACKING_PARAMS:
            kept.append(pair)
    return "&".join(kept)


def _valid_host(host: str) -> bool:
    """A host a link can live on: dotted names with no empty label, or an IP address."""
    if host.startswith("["):
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    return len(labels) > 1 and all(labels) and " " not in host


def _slow_url(raw: str) -> tuple[str, str] | None:
    try:
        url = normalize_url(raw)
        rest = url.split("://", 1)[1]
        host = rest.split("/", 1)[0]
        if not host.startswith("["):
            host = host.rsplit(":", 1)[0] if ":" in host else host
        if not _valid_host(host):
            return None
        return url, registrable_domain(host)
    except (InvalidURL, ValueError):
        return None


@functools.lru_cache(maxsize=16384)
def url_info(raw: str) -> tuple[str, str] | None:
    """(normalised URL, registrable domain) of a URL cell, or None if it is not a usable URL.

    URLs already close to canonical take a fast path that gives exactly what
    :func:`normalize_url` gives; anything else goes through it.
    """
    match = _CANONICAL(raw)
    if match is None or raw[-1].isspace():
        return _slow_url(raw)
    scheme, www, host, path, query = match.groups()
    if www is None and host.startswith("www."):
        return _slow_url(raw)  # "www.com": normalize_url strips the "www." of the name
    domain = _HOSTS.get(host) or _host_domain(host)
    if path is None:
        path = "/"
    elif path[-1] == "/" and len(path) > 1:
        path = path.rstrip("/") or "/"
    elif www is None and query is None:
        return raw, domain
    if query is not None and _TRACKING(query):
        query = _without_tracking(query)
    return f"{scheme}{host}{path}?{query}" if query else f"{scheme}{host}{path}", domain


@functools.lru_cache(maxsize=16384)
def domain_info(raw: str) -> str | None:
    """Registrable domain of a domain (or URL) cell, or None if it is not a usable host."""
    text = raw.strip()
    if "/" in text or ":" in text:
        info = url_info(text)
        return info[1] if info else None
    host = text.lower().rstrip(".")
    if not host or not _valid_host(host):
        return None
    try:
        return registrable_domain(host)
    except (InvalidURL, ValueError):
        return None


_DATE_FORMATS = ("%b %d, %Y", "%d %b %Y", "%B %d, %Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d")


@functools.lru_cache(maxsize=8192)
def to_datetime(raw: str) -> datetime | None:
    """An aware UTC datetime from ISO text ("2024-03-05 12:34:56", "2024-03-05", "...Z").

    Also reads "Mar 5, 2024", "5 Mar 2024", US "03/05/2024", "05.03.2024"; naive times
    are taken as UTC. Anything else gives None.
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


def to_datetimes(cells: Sequence[str]) -> list[datetime | None]:
    """A column of dates; "YYYY-MM-DD hh:mm:ss" columns are read in one C-level pass."""
    lengths = set(map(len, cells))
    if lengths == {19}:
        try:
            return list(map(datetime.fromisoformat, [c + "+00:00" for c in cells]))
        except ValueError:
            pass
    return list(map(to_datetime, cells))


@functools.lru_cache(maxsize=8192)
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
_FALSE = frozenset({"false", "0", "no", "n", "-", "f", "", "none", "null"})
_NOT_LOST = _FALSE | {"live", "active", "not lost", "found", "ok"}


@functools.lru_cache(maxsize=1024)
def to_bool(raw: str) -> bool:
    """True for "true"/"TRUE"/"1"/"yes"/"+"; False for anything else."""
    return raw.strip().lower() in _TRUE


@functools.lru_cache(maxsize=4096)
def to_lost(raw: str) -> bool:
    """Whether a lost flag or status text ("true", "Link removed", "404") says the link is gone."""
    return raw.strip().lower() not in _NOT_LOST


_REL_TOKEN = re.compile(r"[\s,;|/]+")


@functools.lru_cache(maxsize=1024)
def to_rel(raw: str) -> tuple[bool, bool, bool]:
    """(nofollow, ugc, sponsored) from a rel-like text such as "nofollow, ugc"."""
    tokens = set(_REL_TOKEN.split(raw.strip().lower()))
    return "nofollow" in tokens, "ugc" in tokens, "sponsored" in tokens


_LANGUAGE = re.compile(r"[\s,;|]+")


@functools.lru_cache(maxsize=1024)
def to_language(raw: str) -> str | None:
    """The first language code of a cell ("en", "en, de" -> "en"), at most 16 characters."""
    first = _LANGUAGE.split(raw.strip(), 1)[0]
    return first[:16].lower() or None


_EMPTY = {"": None}


def to_text(cells: Sequence[str]) -> list[str | None]:
    """A text column with empty cells as None."""
    return list(map(_EMPTY.get, cells, cells))
