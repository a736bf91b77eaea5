"""Prospects: adding intersect results to a campaign's pipeline. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from outreach.activity.services import record
from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import Prospect, Stage


def add_to_pipeline(campaign: Campaign, domains: Iterable[str], owner_id: int | None) -> int:
    """Create Prospect rows for domains not yet in the campaign; returns how many."""
    wanted = sorted({d.strip().lower() for d in domains if d.strip()})
    if not wanted:
        return 0
    existing = set(
        db.session.scalars(
            select(Prospect.domain).where(
                Prospect.campaign_id == campaign.id, Prospect.domain.in_(wanted)
            )
        )
    )
    competitors = [c.domain for c in campaign.competitors]
    added = 0
    for domain in wanted:
        if domain in existing:
            continue
        best = db.session.execute(
            select(Backlink.source_url, Backlink.source_title, Backlink.authority)
            .where(
                Backlink.workspace_id == campaign.workspace_id,
                Backlink.source_domain == domain,
                Backlink.target_domain.in_(competitors),
            )
            .order_by(Backlink.authority.desc().nulls_last(), Backlink.id)
            .limit(1)
        ).first()
        prospect = Prospect(
            workspace_id=campaign.workspace_id,
            campaign_id=campaign.id,
            domain=domain,
            stage=Stage.PROSPECT,
            owner_id=owner_id,
            page_url=best.source_url if best else None,
            page_title=best.source_title if best else None,
        )
        db.session.add(prospect)
        db.session.flush()
        record(campaign.workspace_id, "prospect", prospect.id, "created", {"domain": domain})
        added += 1
    return added
