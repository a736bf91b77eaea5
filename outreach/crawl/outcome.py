"""What a crawl is asked to do (:class:`CrawlSpec`), what each URL gave (:class:`PageOutcome`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from outreach.crawl import opportunities as opp
from outreach.crawl.contacts import PageContacts
from outreach.links.html import PageLink


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
