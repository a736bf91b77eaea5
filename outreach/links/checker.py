"""Checking placed links over the network: one page, or thousands concurrently.

Every fetch goes through :class:`~outreach.net.SafeFetcher` (SSRF rules, robots.txt, at most
``per_host_concurrency`` requests in flight per host); :func:`analyse` reads each page. The
jobs, the ``verify-link`` command and the benchmark all use :func:`check_stream`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from outreach.links.verification import LinkCheckResult, analyse
from outreach.net import FetchPolicy, FetchResult, Resolver, SafeFetcher

K = TypeVar("K")
GOOGLEBOT = "Googlebot"
UNREAD_ERRORS = frozenset({"blocked_address", "invalid_url", "dns"})


@dataclass(frozen=True)
class CheckRequest(Generic[K]):
    """One page to check for a link to ``target_url``; ``key`` comes back with the result."""

    key: K
    page_url: str
    target_url: str


@dataclass
class Checked(Generic[K]):
    """The outcome of one request; ``rendered`` is True when headless Chromium found the link."""

    key: K
    result: LinkCheckResult
    rendered: bool = False

    def stored(self) -> dict[str, Any]:
        """What a LinkCheck keeps: ``as_json()``, plus ``rendered_js`` when rendering was used."""
        data = self.result.as_json()
        if self.rendered:
            data["rendered_js"] = True
        return data


class PageRenderer(Protocol):
    """Renders a page to HTML after its scripts ran (see :mod:`outreach.links.render`)."""

    async def render(self, fetch: FetchResult) -> str | None:
        """The HTML of the fetched page after its scripts ran, or None when that failed."""
        ...

    async def aclose(self) -> None:
        """Release the browser."""
        ...


async def check_page(
    fetcher: SafeFetcher,
    page_url: str,
    target_url: str,
    renderer: PageRenderer | None = None,
) -> tuple[LinkCheckResult, bool]:
    """Fetch one page and analyse it; render it with scripts when the plain check finds nothing.

    Rendering happens only after the plain fetch got a response, i.e. after its address,
    URL and robots.txt checks passed.
    """
    fetch = await fetcher.fetch(page_url)
    robots: bool | None = None
    if fetch.error_kind not in UNREAD_ERRORS:
        robots = await fetcher.robots_allowed(fetch.final_url or page_url, GOOGLEBOT)
    result = analyse(fetch, target_url, robots_allows_googlebot=robots)
    if renderer is None or result.verdict != "missing" or not fetch.ok:
        return result, False
    html = await renderer.render(fetch)
    if html is None:
        return result, False
    rendered = analyse(_with_body(fetch, html), target_url, robots_allows_googlebot=robots)
    if rendered.links:
        return rendered, True
    return result, False


def _with_body(fetch: FetchResult, html: str) -> FetchResult:
    headers = dict(fetch.headers)
    headers["content-type"] = "text/html; charset=utf-8"
    return replace(fetch, body=html.encode("utf-8"), headers=headers)


def _host(url: str) -> str:
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


async def check_stream(
    requests: Iterable[CheckRequest[K]],
    policy: FetchPolicy,
    *,
    renderer: PageRenderer | None = None,
    resolver: Resolver | None = None,
    fetcher: SafeFetcher | None = None,
) -> AsyncIterator[Checked[K]]:
    """Check every request concurrently and yield each outcome as soon as it is known.

    Requests are grouped by host; each host gets ``per_host_concurrency`` workers, so a slow
    or politely-delayed host never holds up the others. The fetcher's own gate enforces the
    per-host limit and its connection cap bounds the work (and memory) in flight.
    """
    by_host: dict[str, deque[CheckRequest[K]]] = defaultdict(deque)
    for request in requests:
        by_host[_host(request.page_url)].append(request)
    done: asyncio.Queue[Checked[K] | BaseException] = asyncio.Queue()
    owned = fetcher is None
    active = fetcher or SafeFetcher(policy, resolver=resolver)

    async def lane(pending: deque[CheckRequest[K]]) -> None:
        while pending:
            request = pending.popleft()
            try:
                result, rendered = await check_page(
                    active, request.page_url, request.target_url, renderer
                )
            except Exception as exc:  # a bug must surface, not hang the stream
                done.put_nowait(exc)
                return
            done.put_nowait(Checked(request.key, result, rendered))

    width = max(1, policy.per_host_concurrency)
    tasks = [
        asyncio.create_task(lane(pending))
        for pending in by_host.values()
        for _ in range(min(width, len(pending)))
    ]
    remaining = sum(len(pending) for pending in by_host.values())
    try:
        while remaining:
            item = await done.get()
            if isinstance(item, BaseException):
                raise item
            remaining -= 1
            yield item
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*tasks, return_exceptions=True)
        if owned:
            await active.aclose()


async def check_all(
    requests: Iterable[CheckRequest[K]],
    policy: FetchPolicy,
    *,
    renderer: PageRenderer | None = None,
    resolver: Resolver | None = None,
) -> list[Checked[K]]:
    """Every outcome of :func:`check_stream`, in completion order."""
    return [
        item async for item in check_stream(requests, policy, renderer=renderer, resolver=resolver)
    ]
