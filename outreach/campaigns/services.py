"""Campaigns and competitors: creation, edits and workspace-scoped lookups. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from blinker import Namespace
from sqlalchemy import select

from outreach.campaigns.models import Campaign, CampaignKind, Competitor
from outreach.extensions import db
from outreach.scoping import get_in_workspace
from outreach.urls import InvalidURL, registrable_domain

# Sent with a campaign whose topic keywords or target pages were edited, before the commit
# (``targets_changed`` says whether the pages did): scoring fetches the new target pages or
# rescores.
topic_changed = Namespace().signal("campaign-topic-changed")

MAX_TARGET_PAGES = 20
MAX_URL_LENGTH = 2048
MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 100


class CampaignError(ValueError):
    """Campaign input that cannot be used, with a message for the user."""


def clean_domain(raw: str) -> str:
    """The registrable domain of what a user typed (a domain or a URL)."""
    text = raw.strip()
    if not text:
        raise CampaignError("A domain cannot be empty.")
    try:
        domain = registrable_domain(text)
    except InvalidURL as exc:
        raise CampaignError(f"{raw!r} is not a domain.") from exc
    if "." not in domain or " " in domain:
        raise CampaignError(f"{raw!r} is not a domain.")
    return domain


def _as_text(value: str | list[str] | None) -> str:
    """A field's text; an edit form left out of a post holds the campaign's list instead."""
    return "\n".join(value) if isinstance(value, list) else value or ""


def split_lines(value: str | list[str] | None) -> list[str]:
    """Non-empty lines or comma-separated items of a text field."""
    text = _as_text(value)
    if not text:
        return []
    items = [part.strip() for line in text.splitlines() for part in line.split(",")]
    return [item for item in items if item]


def split_urls(value: str | list[str] | None) -> list[str]:
    """Non-empty lines (or space-separated items) of a URL field; commas stay in URLs."""
    return _as_text(value).split()


def clean_target_pages(urls: Iterable[str]) -> list[str]:
    """Our target pages: absolute http(s) URLs, deduplicated, at most ``MAX_TARGET_PAGES``."""
    cleaned: list[str] = []
    for raw in urls:
        url = raw.strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
            raise CampaignError(f"{url!r} is not an http(s) URL of a page.")
        if len(url) > MAX_URL_LENGTH:
            raise CampaignError(f"A target page URL is longer than {MAX_URL_LENGTH} characters.")
        if url not in cleaned:
            cleaned.append(url)
    if len(cleaned) > MAX_TARGET_PAGES:
        raise CampaignError(f"At most {MAX_TARGET_PAGES} target pages, please.")
    return cleaned


def clean_keywords(keywords: Iterable[str]) -> list[str]:
    """Topic keywords: trimmed, deduplicated (case-insensitively), at most ``MAX_KEYWORDS``."""
    cleaned: list[str] = []
    for raw in keywords:
        keyword = " ".join(raw.split())
        if not keyword or keyword.lower() in (k.lower() for k in cleaned):
            continue
        if len(keyword) > MAX_KEYWORD_LENGTH:
            raise CampaignError(f"A topic keyword is longer than {MAX_KEYWORD_LENGTH} characters.")
        cleaned.append(keyword)
    if len(cleaned) > MAX_KEYWORDS:
        raise CampaignError(f"At most {MAX_KEYWORDS} topic keywords, please.")
    return cleaned


def create_campaign(
    workspace_id: int,
    name: str,
    kind: CampaignKind = CampaignKind.GUEST_POST,
    site_domain: str = "",
    competitors: Iterable[str] = (),
    target_pages: Iterable[str] = (),
    topic_keywords: Iterable[str] = (),
    monthly_link_target: int = 0,
) -> Campaign:
    """A new campaign with its competitors (each reduced to its registrable domain)."""
    if not name.strip():
        raise CampaignError("A campaign needs a name.")
    campaign = Campaign(
        workspace_id=workspace_id,
        name=name.strip(),
        kind=kind,
        site_domain=clean_domain(site_domain) if site_domain.strip() else "",
        target_pages=clean_target_pages(target_pages),
        topic_keywords=clean_keywords(topic_keywords),
        monthly_link_target=monthly_link_target,
    )
    set_competitors(campaign, competitors)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def set_competitors(campaign: Campaign, domains: Iterable[str]) -> None:
    """Replace the campaign's competitors with these domains (deduplicated, ours excluded)."""
    wanted: list[str] = []
    for raw in domains:
        domain = clean_domain(raw)
        if domain == campaign.site_domain:
            raise CampaignError(f"{domain} is the campaign's own site, not a competitor.")
        if domain not in wanted:
            wanted.append(domain)
    keep = {c.domain: c for c in campaign.competitors}
    campaign.competitors = [keep.get(d) or Competitor(domain=d) for d in wanted]


def campaigns_of(workspace_id: int, include_archived: bool = False) -> list[Campaign]:
    """The workspace's campaigns, by name."""
    query = select(Campaign).where(Campaign.workspace_id == workspace_id)
    if not include_archived:
        query = query.where(Campaign.archived.is_(False))
    return list(db.session.scalars(query.order_by(Campaign.name)))


def get_campaign(workspace_id: int, campaign_id: int) -> Campaign:
    """A campaign of this workspace, or 404."""
    return get_in_workspace(Campaign, workspace_id, campaign_id)
