"""Finding links to our site on a prospect's site: homepage, recent pages and sitemaps.

Everything is fetched through the safe fetcher. Sitemaps may be indexes and may be gzipped;
they are parsed without entities or network access, and every size is bounded.
"""

from __future__ import annotations

import asyncio
import gzip
import io
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from flask import Flask
from lxml import etree

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.links import services
from outreach.links.html import parse_page
from outreach.net import FetchPolicy, SafeFetcher
from outreach.net.settings import policy_from_config
from outreach.prospects.models import Prospect
from outreach.urls import InvalidURL, host_of, registrable_domain

MAX_SITEMAPS = 5
MAX_PAGES = 60
MAX_SITEMAP_BYTES = 20 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class FoundLink:
    """A page of the prospect's site with a link to one of our URLs."""

    page_url: str
    target_url: str
    anchor: str


class OurSite:
    """Tells whether a link points at our site: one of our domains or any subdomain of it."""

    domains: set[str]

    def __init__(self, domains: set[str]) -> None:
        """Keep the domains, lower-case, without ``www.``."""
        self.domains = {d.strip().lower().removeprefix("www.") for d in domains if d.strip()}

    def __call__(self, href: str) -> bool:
        """True when ``href``'s host is one of our domains or under one."""
        try:
            host = host_of(href)
        except (InvalidURL, ValueError):
            return False
        return any(host == d or host.endswith("." + d) for d in self.domains)


def _locs(body: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    """``(url, lastmod)`` pairs of a urlset, and child sitemap URLs of an index."""
    if body[:2] == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as unzipped:
            body = unzipped.read(MAX_SITEMAP_BYTES)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return [], []
    pages: list[tuple[str, str]] = []
    children: list[str] = []
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        values = {
            etree.QName(c).localname: (c.text or "").strip()
            for c in entry
            if isinstance(c.tag, str)
        }
        loc = values.get("loc", "")
        if not loc:
            continue
        if etree.QName(entry).localname == "sitemap":
            children.append(loc)
        else:
            pages.append((loc, values.get("lastmod", "")))
    return pages, children


async def _sitemap_pages(fetcher: SafeFetcher, origin: str) -> list[str]:
    pending, seen = [urljoin(origin, "/sitemap.xml")], set[str]()
    pages: list[tuple[str, str]] = []
    while pending and len(seen) < MAX_SITEMAPS:
        url = pending.pop(0)
        seen.add(url)
        fetched = await fetcher.fetch(url, expect_html=False)
        if not fetched.ok or fetched.status != 200:
            continue
        found, children = _locs(fetched.body)
        pages.extend(found)
        pending.extend(c for c in children if c not in seen)
    pages.sort(key=lambda pair: pair[1], reverse=True)  # newest lastmod first
    return [url for url, _ in pages]


async def discover(
    domain: str, ours: OurSite, policy: FetchPolicy, max_pages: int = MAX_PAGES
) -> list[FoundLink]:
    """Links to ``ours`` on ``domain``'s homepage, its recent pages and sitemap pages."""
    found: dict[tuple[str, str], FoundLink] = {}
    async with SafeFetcher(policy) as fetcher:
        home = None
        for scheme in ("https", "http"):
            home = await fetcher.fetch(f"{scheme}://{domain}/")
            if home.ok:
                break
        if home is None or not home.ok:
            return []
        origin = home.final_url
        site = registrable_domain(host_of(origin))
        internal: list[str] = []
        page = parse_page(home.body, origin, home.header("content-type"))
        for link in page.links:
            if ours(link.href):
                found[(origin, link.href)] = FoundLink(origin, link.href, link.anchor)
            elif _on_site(link.href, site) and link.href not in internal:
                internal.append(link.href.split("#", 1)[0])
        candidates = list(dict.fromkeys(await _sitemap_pages(fetcher, origin) + internal))
        candidates = [url for url in candidates if url != origin][:max_pages]
        results = await asyncio.gather(*(fetcher.fetch(url) for url in candidates))
        for fetched in results:
            if not fetched.ok or fetched.status != 200:
                continue
            parsed = parse_page(
                fetched.body, fetched.final_url, fetched.header("content-type"), only=ours
            )
            for link in parsed.links:
                key = (fetched.final_url, link.href)
                found.setdefault(key, FoundLink(fetched.final_url, link.href, link.anchor))
    return list(found.values())


def _on_site(href: str, site: str) -> bool:
    try:
        return (
            urlsplit(href).scheme in ("http", "https") and registrable_domain(host_of(href)) == site
        )
    except (InvalidURL, ValueError):
        return False


def discover_for_prospect(app: Flask, prospect_id: int) -> list[int]:
    """Run discovery for one prospect and add new placed links; returns their ids."""
    prospect = db.session.get(Prospect, prospect_id)
    if prospect is None:
        return []
    campaign = db.session.get(Campaign, prospect.campaign_id)
    workspace = db.session.get(Workspace, prospect.workspace_id)
    domains = {campaign.site_domain if campaign else "", workspace.site_domain if workspace else ""}
    for url in campaign.target_pages if campaign else []:
        try:
            domains.add(registrable_domain(host_of(url)))
        except (InvalidURL, ValueError):
            continue
    ours = OurSite({d for d in domains if d})
    if not ours.domains:
        return []
    found = asyncio.run(discover(prospect.domain, ours, policy_from_config(app.config)))
    new_ids = []
    for item in found:
        if services.find_link(prospect.workspace_id, item.page_url, item.target_url) is None:
            link = services.create_link(
                prospect.workspace_id, item.page_url, item.target_url, prospect_id=prospect.id
            )
            new_ids.append(link.id)
    return new_ids
