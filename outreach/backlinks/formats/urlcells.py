"""URL and domain cells, normalised exactly as :func:`outreach.urls.normalize_url` does, fast.

Most URLs in an export are already close to canonical. They take a fast path that the
tests check against ``normalize_url`` over a grid of awkward URLs; everything else goes
through ``normalize_url`` itself. Unusable text gives None; the caller reports it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from outreach.backlinks.formats.values import Memo
from outreach.urls import (
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    InvalidURL,
    normalize_url,
    registrable_domain,
)

# Hosts and queries that normalize_url leaves as they are: lower-case plain labels (no
# port, user or trailing dot; a leading "www." is dropped), plain key=value pairs.
_HOST_FORM = re.compile(r"(www\.)?((?!www\.)[a-z0-9-]+(?:\.[a-z0-9-]+)+)").fullmatch
_QUERY_FORM = re.compile(
    r"[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*(?:&[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*)*"
).fullmatch
_TRACKING = re.compile(
    r"(?:^|&)(?:(?:"
    + "|".join(re.escape(p) for p in TRACKING_PREFIXES)
    + r")[^=&]*|"
    + "|".join(re.escape(p) for p in sorted(TRACKING_PARAMS))
    + r")=",
    re.IGNORECASE,
).search


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
    """What :func:`url_info` gives, through normalize_url."""
    try:
        url = normalize_url(raw)
        host = url.split("://", 1)[1].split("/", 1)[0]
        if not host.startswith("[") and ":" in host:
            host = host.rsplit(":", 1)[0]
        if not _valid_host(host):
            return None
        return url, registrable_domain(host)
    except (InvalidURL, ValueError):
        return None


HOSTS = Memo(registrable_domain, 100_000)


def _host_form(host: str) -> tuple[str, str] | None:
    """(host as normalize_url writes it, registrable domain) of a plain host, else None."""
    match = _HOST_FORM(host)
    return (match[2], HOSTS[match[2]]) if match else None


HOST_FORMS = Memo(_host_form, 100_000)


def url_info(raw: str) -> tuple[str, str] | None:
    """(normalised URL, registrable domain) of a URL cell, or None if it is not a usable URL.

    "htp:/x", "javascript:..." and hosts without a dot ("http://intranet/") are unusable.
    """
    if "#" in raw or "\t" in raw or "\r" in raw or "\n" in raw:
        return _slow_url(raw)
    return _plain_url_info(raw)


def url_infos(cells: Sequence[str]) -> list[tuple[str, str] | None]:
    """:func:`url_info` of a column; one scan of the whole column rules out fragments and
    control characters for every cell at once."""
    joined = " ".join(cells)
    if "#" in joined or "\t" in joined or "\r" in joined or "\n" in joined:
        return list(map(url_info, cells))
    return list(map(_plain_url_info, cells))


def _plain_url_info(raw: str) -> tuple[str, str] | None:
    """:func:`url_info` of a cell without "#", tabs or line breaks."""
    if raw.startswith("https://"):
        cut = 8
    elif raw.startswith("http://"):
        cut = 7
    else:
        return _slow_url(raw)
    slash = raw.find("/", cut)
    if slash < 0 or raw[-1].isspace():
        return _slow_url(raw)
    form = HOST_FORMS[raw[cut:slash]]
    if form is None:
        return _slow_url(raw)
    host, domain = form
    if "?" in raw:
        path, _, query = raw[slash:].partition("?")
        if not _QUERY_FORM(query):
            return _slow_url(raw)
        if _TRACKING(query):
            query = _without_tracking(query)
        if len(path) > 1:
            path = path.rstrip("/") or "/"
        return f"{raw[:cut]}{host}{path}?{query}" if query else f"{raw[:cut]}{host}{path}", domain
    if raw[-1] == "/" and len(raw) > slash + 1:
        return raw[:cut] + host + (raw[slash:].rstrip("/") or "/"), domain
    if cut + len(host) == slash:
        return raw, domain
    return raw[:cut] + host + raw[slash:], domain


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


URLS = Memo(url_info, 16384)
DOMAINS = Memo(domain_info, 16384)
