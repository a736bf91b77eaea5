"""Which pages relevance reads: each prospect domain's best linking pages, and our targets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, not_, select
from sqlalchemy.orm import aliased

from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.urls import InvalidURL, normalize_url, registrable_domain

PAGES_PER_DOMAIN = 3


@dataclass(frozen=True)
class PageToFetch:
    """A URL relevance needs, the domain it speaks for, and whether it is one of ours."""

    url: str
    domain: str
    target: bool = False


def url_key(url: str) -> int:
    """The key a page is stored under: the first 8 bytes of SHA-1 of its normalised URL."""
    try:
        text = normalize_url(url)
    except InvalidURL:
        text = url.strip()
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big", signed=True)


def domain_of(url: str) -> str:
    """The registrable domain of a URL, or "" when it has none."""
    try:
        return registrable_domain(url)
    except InvalidURL:
        return ""


def _links_to_us(campaign: Campaign) -> Any:
    ours = aliased(Backlink)
    return exists().where(
        ours.workspace_id == campaign.workspace_id,
        ours.target_domain == campaign.site_domain,
        ours.source_domain == Backlink.source_domain,
    )


def linking_pages(
    campaign: Campaign, domains: set[str] | None = None, per_domain: int = PAGES_PER_DOMAIN
) -> dict[str, list[str]]:
    """Each intersect domain's best pages linking to a competitor (the same domains as the
    link intersect: live links, not our site's own linkers), at most ``per_domain`` each.

    Best: followed links first, then the highest page authority, then the most traffic.
    """
    competitors = [c.domain for c in campaign.competitors]
    if not competitors:
        return {}
    own = set(competitors) | ({campaign.site_domain} if campaign.site_domain else set())
    follows = and_(not_(Backlink.nofollow), not_(Backlink.ugc), not_(Backlink.sponsored))
    conditions = [
        Backlink.workspace_id == campaign.workspace_id,
        Backlink.target_domain.in_(competitors),
        Backlink.lost_at.is_(None),
        Backlink.source_domain.not_in(own),
    ]
    if campaign.site_domain:
        conditions.append(~_links_to_us(campaign))
    if domains is not None:
        conditions.append(Backlink.source_domain.in_(sorted(domains)))
    statement = (
        select(Backlink.source_domain, Backlink.source_url)
        .where(*conditions)
        .order_by(
            Backlink.source_domain,
            follows.desc(),
            Backlink.page_authority.desc().nulls_last(),
            Backlink.traffic.desc().nulls_last(),
            Backlink.id,
        )
    )
    chosen: dict[str, list[str]] = {}
    for domain, url in db.session.execute(statement.execution_options(yield_per=5000)):
        pages = chosen.setdefault(domain, [])
        if len(pages) < per_domain and url not in pages:
            pages.append(url)
    return chosen


def pages_to_fetch(campaign: Campaign) -> list[PageToFetch]:
    """The campaign's target pages, then every intersect domain's linking pages."""
    wanted = [PageToFetch(url, domain_of(url), target=True) for url in campaign.target_pages]
    for domain, urls in linking_pages(campaign).items():
        wanted.extend(PageToFetch(url, domain) for url in urls)
    seen: set[int] = set()
    unique = []
    for page in wanted:
        key = url_key(page.url)
        if key not in seen:
            seen.add(key)
            unique.append(page)
    return unique
