"""Decide what a fetched page shows about one placed backlink; the fetching is done elsewhere.

:func:`analyse` is a pure function of a :class:`~outreach.net.types.FetchResult` and the target
URL. Its verdict is the first of these that applies:

1. ``blocked``: the fetcher refused the request itself (``blocked_address``,
   ``robots_disallowed``). This is tested before ``page_error`` although those refusals also set
   ``error_kind``: the page may be fine, we chose not to look, and the user must be told so.
2. ``page_error``: any other fetch error (DNS, connect, timeout, too large, not HTML...) or an
   HTTP status of 400 or more after redirects.
3. ``missing``: no link on the page points at the target.
4. ``not_indexable``: the page carries an index blocker (see ``INDEX_BLOCKERS``).
5. ``nofollow``: links to the target exist but none passes authority.
6. ``live``.

A link passes authority unless its rel has nofollow, sponsored or ugc, or the page says
nofollow (or none) in a robots/googlebot meta tag or in an X-Robots-Tag header for Googlebot.

When the page could not be read (``blocked``, ``page_error``) ``indexable`` is None (unknown)
unless robots.txt is known to disallow Googlebot, which makes it False.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from outreach.links.html import PageLink, parse_page, resolve_href
from outreach.net.types import FetchResult
from outreach.urls import InvalidURL, ensure_scheme, match_key, same_target

VERDICTS = ("blocked", "page_error", "missing", "not_indexable", "nofollow", "live")
INDEX_BLOCKERS = (
    "meta_robots_noindex",  # <meta name=robots|googlebot content=noindex|none>
    "x_robots_tag_noindex",  # X-Robots-Tag: noindex|none, also "googlebot: noindex"
    "canonical_elsewhere",  # rel=canonical (tag or Link header) names another URL
    "robots_txt_disallow",  # robots.txt disallows Googlebot
)
FETCHER_REFUSALS = frozenset({"blocked_address", "robots_disallowed"})

# X-Robots-Tag directives whose value contains a colon; any other "word:" names a user agent.
_COLON_DIRECTIVES = frozenset(
    {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}
)
_AGENT_PREFIX = re.compile(r"^([a-z0-9_.-]+)\s*:\s*(.*)$")
_LINK_HEADER_ITEM = re.compile(r"<([^>]*)>([^<]*)")
_REL_PARAM = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^;,\s]+))""", re.I)


@dataclass
class LinkCheckResult:
    """The outcome of checking one placed backlink; deterministic for a given fetch."""

    page_url: str
    final_url: str
    http_status: int | None
    redirects: list[dict[str, Any]] = field(default_factory=list)
    verdict: str = "missing"
    indexable: bool | None = None
    index_blockers: list[str] = field(default_factory=list)
    links: list[PageLink] = field(default_factory=list)
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form with exactly the documented keys."""
        return {
            "page_url": self.page_url,
            "final_url": self.final_url,
            "http_status": self.http_status,
            "redirects": [dict(hop) for hop in self.redirects],
            "verdict": self.verdict,
            "indexable": self.indexable,
            "index_blockers": list(self.index_blockers),
            "links": [link.as_json() for link in self.links],
            "error": self.error,
        }


def analyse(
    fetch: FetchResult, target_url: str, *, robots_allows_googlebot: bool | None = None
) -> LinkCheckResult:
    """Verdict, index blockers and links to ``target_url`` for one fetched page; never raises."""
    final_url = fetch.final_url or fetch.url
    result = LinkCheckResult(
        page_url=fetch.url,
        final_url=final_url,
        http_status=fetch.status,
        redirects=[{"url": hop.url, "status": hop.status} for hop in fetch.redirects],
    )
    robots_blocker = ["robots_txt_disallow"] if robots_allows_googlebot is False else []
    if fetch.error_kind in FETCHER_REFUSALS:
        return _unread(result, "blocked", fetch.error or fetch.error_kind, robots_blocker)
    if fetch.error_kind is not None or fetch.status is None:
        reason = fetch.error or fetch.error_kind or "no response"
        return _unread(result, "page_error", reason, robots_blocker)
    if fetch.status >= 400:
        return _unread(result, "page_error", f"HTTP {fetch.status}", robots_blocker)

    page = parse_page(
        fetch.body, final_url, fetch.header("content-type"), only=TargetMatcher(target_url)
    )
    links = page.links
    header_directives = x_robots_directives(fetch.header("x-robots-tag"))
    if header_directives & {"nofollow", "none"}:
        links = [replace(link, follows=False) for link in links]

    blockers: list[str] = []
    if page.noindex:
        blockers.append("meta_robots_noindex")
    if header_directives & {"noindex", "none"}:
        blockers.append("x_robots_tag_noindex")
    canonicals = [page.canonical, link_header_canonical(fetch.header("link"), final_url)]
    if any(url is not None and not same_target(url, final_url) for url in canonicals):
        blockers.append("canonical_elsewhere")
    blockers.extend(robots_blocker)

    result.links = links
    result.index_blockers = blockers
    result.indexable = not blockers
    if not links:
        result.verdict = "missing"
    elif blockers:
        result.verdict = "not_indexable"
    elif not any(link.follows for link in links):
        result.verdict = "nofollow"
    else:
        result.verdict = "live"
    return result


class TargetMatcher:
    """Tells whether a link's absolute URL is the target page (see :func:`same_target`)."""

    def __init__(self, target_url: str) -> None:
        """Normalise the target once."""
        try:
            self._key: str | None = match_key(target_url)
            self._host = _host_key(urlsplit(ensure_scheme(target_url.strip())).hostname)
        except (InvalidURL, ValueError):
            self._key, self._host = None, ""
        self._needles = {self._host}  # a link to the target names its host, perhaps in Unicode
        with contextlib.suppress(UnicodeError):
            self._needles.add(self._host.encode("ascii").decode("idna"))

    def __call__(self, href: str) -> bool:
        """True when ``href`` points at the target once normalised."""
        if self._key is None:
            return False
        lowered = href.lower()
        if not any(needle in lowered for needle in self._needles):
            return False
        try:
            if _host_key(urlsplit(href).hostname) != self._host:  # cheap pre-check
                return False
            return match_key(href) == self._key
        except (InvalidURL, ValueError):
            return False


def x_robots_directives(value: str | None) -> set[str]:
    """Directives of X-Robots-Tag header(s) that apply to Googlebot, lower-case.

    Several headers arrive joined by commas. A ``name:`` prefix (``googlebot: noindex``) scopes
    what follows to that user agent until the next prefix; unprefixed directives apply to all.
    """
    directives: set[str] = set()
    agent: str | None = None
    for part in (value or "").lower().split(","):
        part = part.strip()
        prefixed = _AGENT_PREFIX.match(part)
        if prefixed and prefixed.group(1) not in _COLON_DIRECTIVES:
            agent, part = prefixed.group(1), prefixed.group(2)
        if agent in (None, "googlebot"):
            directives.update(part.split())
    return directives


def link_header_canonical(value: str | None, base_url: str) -> str | None:
    """The absolute URL of a ``Link: <...>; rel="canonical"`` HTTP header, if any."""
    for item in _LINK_HEADER_ITEM.finditer(value or ""):
        rel = _REL_PARAM.search(item.group(2))
        if rel and "canonical" in "".join(g or "" for g in rel.groups()).lower().split():
            return resolve_href(item.group(1), base_url)
    return None


def _host_key(hostname: str | None) -> str:
    """A hostname as :func:`outreach.urls.normalize_url` writes it (lower, no www., IDNA)."""
    host = (hostname or "").rstrip(".").lower()
    if host.startswith("www."):
        host = host[4:]
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return host


def _unread(
    result: LinkCheckResult, verdict: str, error: str, blockers: list[str]
) -> LinkCheckResult:
    result.verdict = verdict
    result.error = error
    result.index_blockers = list(blockers)
    result.indexable = False if blockers else None
    return result
