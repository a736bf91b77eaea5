"""Fetching the pages relevance reads, through the safe fetcher, and reading what they say.

Knows nothing of the database: :func:`fetch_pages` hands each page's :class:`PageReading` to
a sink. Pages are fetched as the crawler fetches them (the same :class:`SafeFetcher`, so the
same proxy, robots.txt, address checks and per-host politeness); main text comes from
trafilatura, run in a worker thread so fetching goes on meanwhile.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import trafilatura

from outreach.links.html import parse_page
from outreach.net import FetchResult, SafeFetcher
from outreach.scoring import terms
from outreach.scoring.linking import PageToFetch, domain_of
from outreach.scoring.page_facts import analyse_page

MAX_TEXT_CHARS = 20_000
MAX_TERMS = 500
MAX_COMPETITOR_LINKS = 20
DEFAULT_CONCURRENCY = 32
REASONS = {
    "robots_disallowed": "blocked by robots.txt",
    "not_html": "not HTML",
    "timeout": "timeout",
    "dns": "no such host",
    "connect": "connection failed",
    "blocked_address": "blocked address",
    "too_large": "too large",
    "too_many_redirects": "too many redirects",
    "invalid_url": "invalid URL",
    "protocol": "bad HTTP response",
}
# Failures that may pass: the next fetch run tries these pages again.
TRANSIENT = frozenset({"timeout", "connection failed", "no such host", "bad HTTP response"})


@dataclass
class PageReading:
    """What one fetch gave: the failure reason, or the page's text, language and stems."""

    page: PageToFetch
    final_url: str | None = None
    http_status: int | None = None
    reason: str | None = None
    title: str | None = None
    language: str | None = None
    text: str = ""
    terms: dict[str, int] = field(default_factory=dict)
    length: int = 0
    outbound_links: int | None = None
    outbound_domains: int | None = None
    competitor_links: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # ``page_facts.analyse_page``, for scoring

    @property
    def ok(self) -> bool:
        """True when the page gave text to compare."""
        return self.reason is None


def failure_reason(result: FetchResult) -> str | None:
    """Why a fetch gave no page to read ("404", "not HTML", ...), or None when it did."""
    if result.error_kind is not None:
        return REASONS.get(result.error_kind, result.error_kind.replace("_", " "))
    if result.status is None:
        return "no response"
    if result.status >= 400:
        return str(result.status)
    if result.status >= 300:
        return f"{result.status} without a location"
    return None


def read_page(
    page: PageToFetch, result: FetchResult, competitors: frozenset[str] = frozenset()
) -> PageReading:
    """Read a fetch result: main text, language, stems, outbound and competitor links."""
    reading = PageReading(page, result.final_url, result.status, failure_reason(result))
    if reading.reason is not None:
        return reading
    html = result.text()
    return read_html(reading, html, result.header("content-type"), competitors)


def read_html(
    reading: PageReading,
    html: str,
    content_type: str | None = "text/html",
    competitors: frozenset[str] = frozenset(),
) -> PageReading:
    """Fill ``reading`` from a page's HTML (``reading.final_url`` is the page's address)."""
    url = reading.final_url or reading.page.url
    own = reading.page.domain
    outbound: list[str] = []

    def competitor_only(href: str) -> bool:
        domain = domain_of(href)
        if domain and domain != own:
            outbound.append(domain)
        return domain in competitors

    parsed = parse_page(html, url, content_type, only=competitor_only)
    reading.title = parsed.title
    reading.outbound_links, reading.outbound_domains = len(outbound), len(set(outbound))
    reading.competitor_links = [
        link.as_json() for link in parsed.links[:MAX_COMPETITOR_LINKS] if link.href
    ]
    text = trafilatura.extract(html, url=url, include_comments=False) or ""
    if not text.strip():
        reading.reason = "no text"
        return reading
    reading.text = text[:MAX_TEXT_CHARS]
    reading.facts = analyse_page(html, url, competitors, main_text=text).as_json()
    language, stems = terms.analyse(text, parsed.lang)
    reading.language = language
    reading.length = len(stems)
    reading.terms = dict(Counter(stems).most_common(MAX_TERMS))
    return reading


def _read_safely(
    page: PageToFetch, result: FetchResult, competitors: frozenset[str]
) -> PageReading:
    """:func:`read_page`, with a page that breaks the readers recorded as unreadable
    instead of ending the whole fetch."""
    try:
        return read_page(page, result, competitors)
    except Exception as exc:  # a parser's bug on one page must not stop the others
        return PageReading(
            page, result.final_url, result.status, f"unreadable: {type(exc).__name__}"
        )


def interleaved(pages: Sequence[PageToFetch]) -> list[PageToFetch]:
    """The pages with their hosts taken in turn (each host's first page, then each second
    page...), so parallel fetches go to different hosts instead of queueing at one."""
    seen: dict[str, int] = {}
    turns = []
    for position, page in enumerate(pages):
        host = urlsplit(page.url).hostname or ""
        turns.append((seen.get(host, 0), position, page))
        seen[host] = seen.get(host, 0) + 1
    return [page for _, _, page in sorted(turns, key=lambda turn: turn[:2])]


async def fetch_pages(
    fetcher: SafeFetcher,
    pages: Sequence[PageToFetch],
    sink: Callable[[PageReading], None],
    competitors: frozenset[str] = frozenset(),
    concurrency: int = DEFAULT_CONCURRENCY,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Fetch and read ``pages``, ``concurrency`` at a time (the fetcher's per-host gate
    keeps each host to its own pace), handing each reading to ``sink`` as it is done."""
    queue: asyncio.Queue[PageToFetch] = asyncio.Queue()
    for page in interleaved(pages):
        queue.put_nowait(page)

    async def worker() -> None:
        while not queue.empty() and not should_stop():
            page = queue.get_nowait()
            result = await fetcher.fetch(page.url)
            reading = await asyncio.to_thread(_read_safely, page, result, competitors)
            sink(reading)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(pages))))))
