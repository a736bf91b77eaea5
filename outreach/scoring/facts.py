"""What scoring knows about each domain of a campaign, read set-wise (a few grouped queries,
whatever the number of domains)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, cast, exists, func, not_, select
from sqlalchemy.orm import aliased

from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.crawl.models import CrawlPage
from outreach.extensions import db
from outreach.prospects.models import Contact, Prospect, ProspectContact
from outreach.scoring.models import BlockedEntry, BlockKind
from outreach.scoring.risk import Blocklist


@dataclass
class LinkFacts:
    """A domain's live links to the campaign's competitors, summed up."""

    competitors: int = 0
    links: int = 0
    followed: int = 0
    in_content: int = 0
    placed: int = 0  # links whose placement is known
    traffic: float | None = None
    is_spam: bool = False
    spam_score: float | None = None


def _count(condition: Any) -> Any:
    return func.sum(cast(case((condition, 1), else_=0), Integer))


def link_facts(campaign: Campaign) -> dict[str, LinkFacts]:
    """Every domain of the campaign's link intersect (linking to a competitor, not to us)."""
    competitors = [c.domain for c in campaign.competitors]
    if not competitors:
        return {}
    own = set(competitors) | ({campaign.site_domain} if campaign.site_domain else set())
    conditions = [
        Backlink.workspace_id == campaign.workspace_id,
        Backlink.target_domain.in_(competitors),
        Backlink.lost_at.is_(None),
        Backlink.source_domain.not_in(own),
    ]
    if campaign.site_domain:
        ours = aliased(Backlink)
        conditions.append(
            ~exists().where(
                ours.workspace_id == campaign.workspace_id,
                ours.target_domain == campaign.site_domain,
                ours.source_domain == Backlink.source_domain,
            )
        )
    followed = and_(not_(Backlink.nofollow), not_(Backlink.ugc), not_(Backlink.sponsored))
    statement = (
        select(
            Backlink.source_domain,
            func.count(func.distinct(Backlink.target_domain)),
            func.count(),
            _count(followed),
            _count(Backlink.placement == "content"),
            _count(Backlink.placement.is_not(None)),
            func.max(Backlink.traffic),
            _count(Backlink.is_spam.is_(True)),
            func.max(Backlink.spam_score),
        )
        .where(*conditions)
        .group_by(Backlink.source_domain)
    )
    return {
        row[0]: LinkFacts(
            int(row[1]),
            int(row[2]),
            int(row[3] or 0),
            int(row[4] or 0),
            int(row[5] or 0),
            row[6],
            bool(row[7]),
            row[8],
        )
        for row in db.session.execute(statement)
    }


def pipeline_prospects(campaign_id: int) -> dict[str, int]:
    """Domain -> prospect id of the campaign's pipeline."""
    rows = db.session.execute(
        select(Prospect.domain, Prospect.id).where(Prospect.campaign_id == campaign_id)
    )
    return {domain: prospect_id for domain, prospect_id in rows}


def contact_domains(workspace_id: int, campaign_id: int) -> set[str]:
    """Domains with a usable contact: a known, not bouncing address at the domain, or one
    linked to the domain's prospect in this campaign."""
    by_address = db.session.scalars(
        select(Contact.domain)
        .where(Contact.workspace_id == workspace_id, not_(Contact.bouncing), Contact.domain != "")
        .distinct()
    )
    linked = db.session.scalars(
        select(Prospect.domain)
        .join(ProspectContact, ProspectContact.prospect_id == Prospect.id)
        .join(Contact, Contact.id == ProspectContact.contact_id)
        .where(Prospect.campaign_id == campaign_id, not_(Contact.bouncing))
        .distinct()
    )
    return {d.lower() for d in by_address} | set(linked)


def crawled_outbound(workspace_id: int) -> dict[str, int]:
    """The most outbound links any crawled page of each domain had."""
    rows = db.session.execute(
        select(CrawlPage.domain, func.max(CrawlPage.outbound_links))
        .where(CrawlPage.workspace_id == workspace_id, CrawlPage.outbound_links > 0)
        .group_by(CrawlPage.domain)
    )
    return {domain: int(count) for domain, count in rows}


def blocklist(workspace_id: int) -> Blocklist:
    """The workspace's blocklist."""
    entries = db.session.execute(
        select(BlockedEntry.kind, BlockedEntry.value).where(
            BlockedEntry.workspace_id == workspace_id
        )
    ).all()
    return Blocklist(
        [value for kind, value in entries if kind is BlockKind.DOMAIN],
        [value for kind, value in entries if kind is BlockKind.TLD],
    )
