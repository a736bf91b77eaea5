"""The crawl itself: sites crawled breadth-first through the safe fetcher, pages analysed.

Knows nothing of the database: every page's outcome goes to a ``sink`` callable, and a
``should_stop`` callable ends the crawl early. The job and the benchmark both drive it.
With a ``deadline`` (the job's slice) it pauses once that has passed and a page came back:
the visits in flight are cancelled and go back to the front of their site's queue, and the
:class:`Frontier` holds everything the next slice needs.
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from outreach.crawl import opportunities as opp
from outreach.crawl.broken import BrokenLinks
from outreach.crawl.contacts import CONTACT_PATH, extract_contacts, is_contact_page
from outreach.crawl.frontier import Frontier, Item, Site
from outreach.crawl.outcome import CrawlSpec, PageOutcome
from outreach.crawl.sitemaps import SitemapError, parse_sitemap
from outreach.links.html import ParsedPage, parse_page
from outreach.net import FetchResult, SafeFetcher
from outreach.urls import InvalidURL, registrable_domain

SKIP_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|pdf|zip|gz|tgz|rar|7z|exe|dmg|mp[34]|avi|mov|webm|woff2?"
    r"|ttf|css|js|json|xml|rss|docx?|xlsx?|pptx?)$",
    re.I,
)
MAX_SITEMAPS = 50


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
        frontier: Frontier | None = None,
        deadline: float | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.spec = spec
        self.sink = sink
        self.should_stop = should_stop
        self.frontier = frontier or Frontier(spec.max_pages_per_site)
        self.deadline = deadline
        self.sites = self.frontier.sites
        self.stopped = False
        self.paused = False
        self._reported_before = self.reported
        self._brands = opp.brand_pattern(spec.brand_names)
        self._links = BrokenLinks(fetcher, spec.link_checks_per_page)
        self._site_slots = asyncio.Semaphore(spec.max_sites_at_once)
        self._in_flight: dict[asyncio.Task[None], tuple[Site, Item]] = {}

    @property
    def queued(self) -> int:
        """URLs waiting to be fetched."""
        return self.frontier.queued

    @property
    def fetched(self) -> int:
        """Pages fetched, by this crawl's earlier slices too."""
        return self.frontier.fetched

    @property
    def failed(self) -> int:
        """URLs that gave no usable page, by this crawl's earlier slices too."""
        return self.frontier.failed

    @property
    def reported(self) -> int:
        """Outcomes reported so far."""
        return self.frontier.fetched + self.frontier.failed

    @property
    def unfinished(self) -> bool:
        """True when the crawl paused with work left for a next slice."""
        sitemaps = bool(self.frontier.sitemaps) and self.frontier.sitemaps_read < MAX_SITEMAPS
        return self.paused and not self.stopped and (self.queued > 0 or sitemaps)

    async def run(self) -> None:
        """Crawl until every site is done, its budget spent, ``should_stop`` says so, or the
        deadline passed (then :attr:`paused`, with the rest in :attr:`frontier`)."""
        if not self.frontier.seeded:
            self.frontier.seeded = True
            self.frontier.sitemaps = list(self.spec.sitemap_seeds)
            for url in self.spec.site_seeds:
                self._seed(url, follow=True)
            for url in self.spec.page_seeds:
                self._seed(url, follow=False)
        await self._read_sitemaps()
        if not self._halted():
            await asyncio.gather(*(self._crawl_site(site) for site in list(self.sites.values())))

    def _seed(self, url: str, follow: bool) -> None:
        domain = _domain(url)
        if domain is None or not self.frontier.add(url, 0, follow, domain):
            if domain is None:
                self._report(
                    PageOutcome(
                        url, "", 0, error_kind="invalid_url", error=f"malformed URL {url!r}"
                    )
                )
            return
        if self.spec.find_contacts and not follow:
            home = urlsplit(url.strip())
            self.frontier.add(f"{home.scheme}://{home.netloc}/", 0, False, domain, probe=True)

    def pause(self) -> None:
        """End the slice: take no new URL, cancel the visits in flight and put their URLs
        back at the front of their site's queue, in the order they were taken."""
        self.paused = True
        back: dict[str, list[Item]] = {}
        for visit, (site, item) in self._in_flight.items():
            if not visit.done() and visit is not asyncio.current_task():
                back.setdefault(site.domain, []).append(item)
                visit.cancel()
        for domain, items in back.items():
            self.sites[domain].pending.extendleft(reversed(items))
        for site in self.sites.values():
            site.wake.set()

    def _halted(self) -> bool:
        late = self.deadline is not None and time.monotonic() >= self.deadline
        if late and not self.paused and self.reported > self._reported_before:
            self.pause()  # only once this slice reported something: every slice gets on
        return self._stopping() or self.paused

    async def _read_sitemaps(self) -> None:
        """Read the sitemaps left, a batch at a time (a slice ends between two batches)."""
        left = self.frontier.sitemaps
        while left and self.frontier.sitemaps_read < MAX_SITEMAPS and not self._halted():
            batch = left[: MAX_SITEMAPS - self.frontier.sitemaps_read]
            results = await asyncio.gather(*(self._one_sitemap(url) for url in batch))
            del left[: len(batch)]
            self.frontier.sitemaps_read += len(batch)
            for children in results:
                left.extend(children)

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
                    self.frontier.add(page_url, 0, False, domain)
        self._report(outcome)
        return sitemap.sitemaps if sitemap else []

    def _stopping(self) -> bool:
        if not self.stopped and self.should_stop():
            self.stopped = True
        return self.stopped

    async def _crawl_site(self, site: Site) -> None:
        async with self._site_slots:
            await asyncio.gather(self._site_worker(site), self._site_worker(site))

    async def _site_worker(self, site: Site) -> None:
        while not self._halted():
            if site.pending:
                item = site.pending.popleft()
                site.active += 1
                visit = asyncio.ensure_future(self._visit(site, item))
                self._in_flight[visit] = (site, item)
                try:
                    await visit
                except asyncio.CancelledError:
                    if not (self.paused and visit.cancelled()):
                        raise  # cancelled by pause(): its URL is back in the queue
                finally:
                    del self._in_flight[visit]
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
            self.frontier.failed += 1
        else:
            self.frontier.fetched += 1
        self.sink(outcome)

    async def _visit(self, site: Site, item: Item) -> None:
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
        self, site: Site, item: Item, result: FetchResult, outcome: PageOutcome
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
                broken = await self._links.find(external)
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

    def _follow(self, site: Site, item: Item, href: str, page: ParsedPage) -> None:
        href = href.split("#", 1)[0]
        if SKIP_EXTENSIONS.search(href.split("?", 1)[0]):
            return
        path = href.split("/", 3)[3] if href.count("/") >= 3 else ""
        probe = self.spec.find_contacts and CONTACT_PATH.search("/" + path.split("?", 1)[0])
        if probe and self.frontier.add(href, item.depth + 1, False, site.domain, probe=True):
            return
        if item.follow and not page.nofollow and item.depth < self.spec.max_depth:
            self.frontier.add(href, item.depth + 1, True, site.domain)
