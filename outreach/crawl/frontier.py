"""A crawl's frontier: what is left to fetch per site, what was seen, the sitemaps still to read.

The crawl job runs in slices (``outreach.jobs.continuation``): at the end of each one the
frontier and the store's per-site tallies go to ``crawl_run.frontier`` (JSON) in the same
commit as the slice's last pages, and the next slice carries on from there, so a sliced
crawl fetches exactly the pages, and finds exactly what, an unsliced one would.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from outreach.urls import InvalidURL, normalize_url

if TYPE_CHECKING:
    from outreach.crawl.store import CrawlStore

CONTACT_PROBES_PER_SITE = 4
VERSION = 1


@dataclass
class Item:
    """A URL waiting to be fetched: its depth, and whether its links are followed."""

    url: str
    depth: int
    follow: bool


@dataclass
class Site:
    """One registrable domain: its queue, what its budgets used, and its crawl's live state."""

    domain: str
    pending: deque[Item] = field(default_factory=deque)
    scheduled: int = 0
    probes: int = 0
    active: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class Frontier:
    """Every site's queue and budget use, the URLs seen, and the sitemaps left to read."""

    def __init__(self, max_pages_per_site: int) -> None:
        self.max_pages_per_site = max_pages_per_site
        self.sites: dict[str, Site] = {}
        self.seen: set[str] = set()
        self.seeded = False
        self.sitemaps: list[str] = []
        self.sitemaps_read = 0
        self.fetched = 0
        self.failed = 0

    @property
    def queued(self) -> int:
        """URLs waiting (not those in flight)."""
        return sum(len(site.pending) for site in self.sites.values())

    def add(self, url: str, depth: int, follow: bool, domain: str, probe: bool = False) -> bool:
        """Queue a URL not seen before, within its site's budget (contact probes go first)."""
        try:
            key = normalize_url(url)
        except InvalidURL:
            return False
        if key in self.seen:
            return False
        site = self.sites.get(domain)
        if site is None:
            site = self.sites[domain] = Site(domain)
        if probe:
            if site.probes >= CONTACT_PROBES_PER_SITE:
                return False
            site.probes += 1
        elif site.scheduled >= self.max_pages_per_site:
            return False
        else:
            site.scheduled += 1
        self.seen.add(key)
        item = Item(url, depth, follow)
        site.pending.appendleft(item) if probe else site.pending.append(item)
        site.wake.set()
        return True

    def to_json(self) -> dict[str, Any]:
        """The frontier as JSON-ready data."""
        return {
            "version": VERSION,
            "sites": {
                domain: {
                    "pending": [[i.url, i.depth, i.follow] for i in site.pending],
                    "scheduled": site.scheduled,
                    "probes": site.probes,
                }
                for domain, site in self.sites.items()
            },
            "seen": sorted(self.seen),
            "sitemaps": list(self.sitemaps),
            "sitemaps_read": self.sitemaps_read,
            "fetched": self.fetched,
            "failed": self.failed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, max_pages_per_site: int) -> Frontier:
        """A frontier as :meth:`to_json` left it; a fresh one (to be seeded) for None."""
        frontier = cls(max_pages_per_site)
        if not data:
            return frontier
        frontier.seeded = True
        for domain, saved in data["sites"].items():
            site = frontier.sites[domain] = Site(domain)
            site.pending.extend(Item(u, int(depth), bool(f)) for u, depth, f in saved["pending"])
            site.scheduled, site.probes = int(saved["scheduled"]), int(saved["probes"])
        frontier.seen = set(data["seen"])
        frontier.sitemaps = list(data["sitemaps"])
        frontier.sitemaps_read = int(data["sitemaps_read"])
        frontier.fetched, frontier.failed = int(data["fetched"]), int(data["failed"])
        return frontier


def save_state(frontier: Frontier, store: CrawlStore) -> dict[str, Any]:
    """What the next slice needs: the frontier and the store's per-site tallies."""
    tallies = {
        domain: {
            "pages": tally.pages,
            "kinds": sorted(tally.kinds),
            "emails": [
                [e.email, e.domain, e.role, e.source_url, e.name] for e in tally.emails.values()
            ],
            "authors": tally.authors,
            "social": tally.social,
        }
        for domain, tally in store.sites.items()
    }
    return {
        "frontier": frontier.to_json(),
        "sites": tallies,
        "link_keys": sorted(store.link_keys),
    }


def load_state(data: dict[str, Any] | None, store: CrawlStore, max_pages: int) -> Frontier:
    """The frontier saved by :func:`save_state`, with the store's tallies put back."""
    from outreach.crawl.contacts import FoundEmail
    from outreach.crawl.store import SiteTally

    if not data:
        return Frontier(max_pages)
    for domain, saved in data["sites"].items():
        emails = [FoundEmail(e, d, bool(r), src, n) for e, d, r, src, n in saved["emails"]]
        store.sites[domain] = SiteTally(
            pages=int(saved["pages"]),
            kinds=set(saved["kinds"]),
            emails={found.email: found for found in emails},
            authors=list(saved["authors"]),
            social=list(saved["social"]),
        )
    store.link_keys = {int(key) for key in data["link_keys"]}
    return Frontier.from_json(data["frontier"], max_pages)
