"""What a report covers: a workspace, or one of its campaigns."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign, Competitor
from outreach.extensions import db


@dataclass(frozen=True)
class Scope:
    """Our sites, the competitors, and whose prospects and placements count."""

    workspace_id: int
    campaign_id: int | None
    our_sites: tuple[str, ...]
    competitors: tuple[str, ...]
    title: str


def scope_for(workspace: Workspace, campaign: Campaign | None = None) -> Scope:
    """A campaign's scope (its site and competitors), or the whole workspace's.

    The workspace's site is its own site plus every campaign's; its competitors are those
    of its campaigns that are not archived.
    """
    if campaign is not None:
        site = campaign.site_domain or workspace.site_domain
        return Scope(
            workspace.id,
            campaign.id,
            (site,) if site else (),
            tuple(sorted({c.domain for c in campaign.competitors})),
            campaign.name,
        )
    campaigns = db.session.execute(
        select(Campaign.site_domain, Campaign.archived).where(Campaign.workspace_id == workspace.id)
    ).all()
    sites = {workspace.site_domain} | {row.site_domain for row in campaigns}
    competitors = db.session.scalars(
        select(Competitor.domain)
        .join(Campaign, Campaign.id == Competitor.campaign_id)
        .where(Campaign.workspace_id == workspace.id, Campaign.archived.is_(False))
        .distinct()
    )
    return Scope(
        workspace.id,
        None,
        tuple(sorted(site for site in sites if site)),
        tuple(sorted(set(competitors) - sites)),
        workspace.name,
    )
