"""Finding the broken outbound links of a crawled page (each URL checked once per crawl job)."""

from __future__ import annotations

import asyncio
from typing import Any

from outreach.links.html import PageLink
from outreach.net import SafeFetcher


class BrokenLinks:
    """Checks up to ``per_page`` outbound links of a page, content links first."""

    def __init__(self, fetcher: SafeFetcher, per_page: int) -> None:
        self.fetcher = fetcher
        self.per_page = per_page
        self._checks: dict[str, asyncio.Task[str | None]] = {}

    async def find(self, links: list[PageLink]) -> list[dict[str, Any]]:
        """The broken ones among ``links``: href, anchor and the reason."""
        candidates: dict[str, PageLink] = {}
        for link in sorted(links, key=lambda link: link.placement != "content"):
            href = link.href.split("#", 1)[0]
            if len(candidates) >= self.per_page:
                break
            candidates.setdefault(href, link)
        checks = []
        for href in candidates:
            task = self._checks.get(href)
            if task is None or task.cancelled():  # a paused slice's check is done again
                task = self._checks[href] = asyncio.ensure_future(self.check(href))
            checks.append(task)
        verdicts = await asyncio.gather(*checks)
        return [
            {"href": href, "anchor": link.anchor, "reason": verdict}
            for (href, link), verdict in zip(candidates.items(), verdicts, strict=True)
            if verdict is not None
        ]

    async def check(self, href: str) -> str | None:
        """Why ``href`` is broken (404/410, no such host), or None when it is fine or unknown."""
        result = await self.fetcher.fetch(href, expect_html=True)
        if result.status in (404, 410):
            return f"answers {result.status}"
        if result.error_kind == "dns":
            return f"does not resolve: {result.error}"
        return None
