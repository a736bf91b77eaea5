"""Campaigns and competitors: creation, edits and workspace-scoped lookups. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from outreach.campaigns.models import Campaign, CampaignKind, Competitor
from outreach.extensions import db
from outreach.scoping import get_in_workspace
from outreach.urls import InvalidURL, registrable_domain


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


def split_lines(text: str | None) -> list[str]:
    """Non-empty lines or comma-separated items of a text field."""
    if not text:
        return []
    items = [part.strip() for line in text.splitlines() for part in line.split(",")]
    return [item for item in items if item]


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
        target_pages=[p.strip() for p in target_pages if p.strip()],
        topic_keywords=[k.strip() for k in topic_keywords if k.strip()],
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
