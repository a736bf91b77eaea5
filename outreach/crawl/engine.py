"""The crawl itself: sites crawled breadth-first through the safe fetcher, pages analysed.

Knows nothing of the database: every page's outcome goes to a ``sink`` callable, and a
``should_stop`` callable ends the crawl early. The job and the benchmark both drive it.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from outreach.crawl import opportunities as opp
from outreach.crawl.contacts import CONTACT_PATH, PageContacts, extract_contacts, is_contact_page
from outreach.crawl.sitemaps import SitemapError, parse_sitemap
from outreach.links.html import PageLink, ParsedPage, parse_page
from outreach.net import FetchResult, SafeFetcher
from outreach.urls import InvalidURL, normalize_url, registrable_domain

SKIP_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|pdf|zip|gz|tgz|rar|7z|exe|dmg|mp[34]|avi|mov|webm|woff2?"
    r"|ttf|css|js|json|xml|rss|docx?|xlsx?|pptx?)$",
    re.I,
)
CONTACT_PROBES_PER_SITE = 4
MAX_SITEMAPS = 50


@dataclass
class CrawlSpec:
    """What to crawl and what to look for."""

    site_seeds: list[str] = field(default_factory=list)
    sitemap_seeds: list[str] = field(default_factory=list)
    page_seeds: list[str] = field(default_factory=list)
    max_depth: int = 2
    max_pages_per_site: int = 50
    competitor_domains: frozenset[str] = frozenset()
    our_domains: frozenset[str] = frozenset()
    brand_names: tuple[str, ...] = ()
    check_broken_links: bool = True
    link_checks_per_page: int = 30
    find_contacts: bool = True
    max_sites_at_once: int = 400


@dataclass
class PageOutcome:
    """What one URL gave: the fetch result summary and what the page shows."""

    url: str
    domain: str
    depth: int
    final_url: str | None = None
    status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    title: str | None = None
    lang: str | None = None
    outbound_links: int = 0
    target_links: list[PageLink] = field(default_factory=list)
    findings: list[opp.Finding] = field(default_factory=list)
    contacts: PageContacts | None = None

    @property
    def failed(self) -> bool:
        """True when no usable page came back."""
        return self.error_kind is not None


@dataclass
class _Item:
    url: str
    depth: int
    follow: bool


@dataclass
class _Site:
    domain: str
    pending: deque[_Item] = field(default_factory=deque)
    scheduled: int = 0
    probes: int = 0
    active: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)


@functools.lru_cache(maxsize=65536)
def _domain(url: str) -> str | None:
    """The registrable domain of a URL (cached per host), or None when it has no valid host."""
    try:
        host = urlsplit(url).hostname
        return registrable_domain(host.rstrip(".")) if host else None
    except (InvalidURL, ValueError):
        return None


class Crawler:
    """Crawls the seeds of a :class:`CrawlSpec`; at most two pages per site in flight."""

    def __init__(
        self,
        fetcher: SafeFetcher,
        spec: CrawlSpec,
        sink: Callable[[PageOutcome], None],
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.fetcher = fetcher
        self.spec = spec
        self.sink = sink
        self.should_stop = should_stop
        self.sites: dict[str, _Site] = {}
        self.seen: set[str] = set()
        self.queued = 0
        self.fetched = 0
        self.failed = 0
        self.stopped = False
        self._brands = opp.brand_pattern(spec.brand_names)
        self._checks: dict[str, asyncio.Task[str | None]] = {}
        self._site_slots = asyncio.Semaphore(spec.max_sites_at_once)

    async def run(self) -> None:
        """Crawl until every site is done, its budget spent, or ``should_stop`` says so."""
        for url in self.spec.site_seeds:
            self._seed(url, follow=True)
        for url in self.spec.page_seeds:
            self._seed(url, follow=False)
        await self._read_sitemaps()
        await asyncio.gather(*(self._crawl_site(site) for site in list(self.sites.values())))

    def _seed(self, url: str, follow: bool) -> None:
        domain = _domain(url)
        if domain is None or not self._add(url, 0, follow, domain):
            if domain is None:
                self._report(
                    PageOutcome(
                        url, "", 0, error_kind="invalid_url", error=f"malformed URL {url!r}"
                    )
                )
            return
        if self.spec.find_contacts and not follow:
            home = urlsplit(url.strip())
            self._add(f"{home.scheme}://{home.netloc}/", 0, False, domain, probe=True)

    def _add(self, url: str, depth: int, follow: bool, domain: str, probe: bool = False) -> bool:
        try:
            key = normalize_url(url)
        except InvalidURL:
            return False
        if key in self.seen:
            return False
        site = self.sites.get(domain)
        if site is None:
            site = self.sites[domain] = _Site(domain)
        if probe:
            if site.probes >= CONTACT_PROBES_PER_SITE:
                return False
            site.probes += 1
        elif site.scheduled >= self.spec.max_pages_per_site:
            return False
        else:
            site.scheduled += 1
        self.seen.add(key)
        item = _Item(url, depth, follow)
        site.pending.appendleft(item) if probe else site.pending.append(item)
        self.queued += 1
        site.wake.set()
        return True

    async def _read_sitemaps(self) -> None:
        queue = list(self.spec.sitemap_seeds)
        done = 0
        while queue and done < MAX_SITEMAPS and not self._stopping():
            batch, queue = queue[: MAX_SITEMAPS - done], queue[MAX_SITEMAPS - done :]
            results = await asyncio.gather(*(self._one_sitemap(url) for url in batch))
            done += len(batch)
            for children in results:
                queue.extend(children)

    async def _one_sitemap(self, url: str) -> list[str]:
        result = await self.fetcher.fetch(url, expect_html=False)
        outcome = PageOutcome(
            url,
            _domain(url) or "",
            0,
            final_url=result.final_url,
            status=result.status,
            error_kind=result.error_kind,
            error=result.error,
            title="(sitemap)",
        )
        sitemap = None
        if result.ok and result.status is not None and result.status < 400:
            try:
                sitemap = parse_sitemap(result.body)
            except SitemapError as exc:
                outcome.error_kind, outcome.error = "sitemap", str(exc)
        elif result.ok:
            outcome.error_kind, outcome.error = "http_status", f"sitemap answered {result.status}"
        if sitemap is not None:
            outcome.outbound_links = len(sitemap.pages) + len(sitemap.sitemaps)
            for page_url in sitemap.pages:
                domain = _domain(page_url)
                if domain is not None:
                    self._add(page_url, 0, False, domain)
        self._report(outcome)
        return sitemap.sitemaps if sitemap else []

    def _stopping(self) -> bool:
        if not self.stopped and self.should_stop():
            self.stopped = True
        return self.stopped

    async def _crawl_site(self, site: _Site) -> None:
        async with self._site_slots:
            await asyncio.gather(self._site_worker(site), self._site_worker(site))

    async def _site_worker(self, site: _Site) -> None:
        while not self._stopping():
            if site.pending:
                item = site.pending.popleft()
                self.queued -= 1
                site.active += 1
                try:
                    await self._visit(site, item)
                finally:
                    site.active -= 1
                    site.wake.set()
            elif site.active == 0:
                site.wake.set()
                return
            else:
                site.wake.clear()
                await site.wake.wait()

    def _report(self, outcome: PageOutcome) -> None:
        if outcome.failed:
            self.failed += 1
        else:
            self.fetched += 1
        self.sink(outcome)

    async def _visit(self, site: _Site, item: _Item) -> None:
        result = await self.fetcher.fetch(item.url)
        outcome = PageOutcome(
            item.url,
            site.domain,
            item.depth,
            final_url=result.final_url,
            status=result.status,
            error_kind=result.error_kind,
            error=result.error,
        )
        if result.ok and result.status is not None and result.status >= 400:
            outcome.error_kind, outcome.error = "http_status", f"the page answered {result.status}"
        if not outcome.failed:
            await self._analyse(site, item, result, outcome)
        self._report(outcome)

    async def _analyse(
        self, site: _Site, item: _Item, result: FetchResult, outcome: PageOutcome
    ) -> None:
        text = result.text()
        internal: list[str] = []

        def external_only(href: str) -> bool:
            """Keep outbound links (anchors and placements are worked out for these alone)."""
            if _domain(href) == site.domain:
                internal.append(href)
                return False
            return True

        page = parse_page(text, result.final_url, result.header("content-type"), only=external_only)
        outcome.title, outcome.lang = page.title, page.lang
        spec = self.spec
        for href in internal:
            self._follow(site, item, href, page)
        external = [link for link in page.links if _domain(link.href) is not None]
        outcome.target_links = [
            link
            for link in external
            if _domain(link.href) in spec.competitor_domains
            or _domain(link.href) in spec.our_domains
        ]
        outcome.outbound_links = len(external)
        if site.domain not in spec.our_domains:
            outcome.findings = self._findings(page, site.domain)
            if spec.check_broken_links:
                broken = await self._broken(external)
                finding = opp.broken_links(broken)
                if finding:
                    outcome.findings.append(finding)
        if spec.find_contacts and is_contact_page(result.final_url, item.depth):
            outcome.contacts = extract_contacts(text, page)

    def _findings(self, page: ParsedPage, domain: str) -> list[opp.Finding]:
        found = [
            opp.resource_page(page, domain),
            opp.write_for_us(page),
            opp.unlinked_mention(page, self._brands, self.spec.our_domains),
        ]
        return [f for f in found if f is not None]

    def _follow(self, site: _Site, item: _Item, href: str, page: ParsedPage) -> None:
        href = href.split("#", 1)[0]
        if SKIP_EXTENSIONS.search(href.split("?", 1)[0]):
            return
        path = href.split("/", 3)[3] if href.count("/") >= 3 else ""
        probe = self.spec.find_contacts and CONTACT_PATH.search("/" + path.split("?", 1)[0])
        if probe and self._add(href, item.depth + 1, False, site.domain, probe=True):
            return
        if item.follow and not page.nofollow and item.depth < self.spec.max_depth:
            self._add(href, item.depth + 1, True, site.domain)

    async def _broken(self, links: list[PageLink]) -> list[dict[str, Any]]:
        candidates: dict[str, PageLink] = {}
        for link in sorted(links, key=lambda link: link.placement != "content"):
            href = link.href.split("#", 1)[0]
            if len(candidates) >= self.spec.link_checks_per_page:
                break
            candidates.setdefault(href, link)
        checks = []
        for href in candidates:
            task = self._checks.get(href)
            if task is None:
                task = self._checks[href] = asyncio.ensure_future(self._check(href))
            checks.append(task)
        verdicts = await asyncio.gather(*checks)
        return [
            {"href": href, "anchor": link.anchor, "reason": verdict}
            for (href, link), verdict in zip(candidates.items(), verdicts, strict=True)
            if verdict is not None
        ]

    async def _check(self, href: str) -> str | None:
        """Why ``href`` is broken (404/410, no such host), or None when it is fine or unknown."""
        result = await self.fetcher.fetch(href, expect_html=True)
        if result.status in (404, 410):
            return f"answers {result.status}"
        if result.error_kind == "dns":
            return f"does not resolve: {result.error}"
        return None
