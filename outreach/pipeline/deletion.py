"""Deleting a campaign, with everything of it. Callers commit.

A campaign gathers the work of several features (prospects, outbox, imports, crawls), so its
deletion lives at the pages layer: it must wait for a running crawl or import and for any
message being sent. The database's ``ON DELETE`` rules remove the rest.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, func, select

from outreach.activity.services import record
from outreach.backlinks.models import BacklinkImport, ImportStatus
from outreach.campaigns.models import Campaign
from outreach.crawl.models import CrawlRun, CrawlStatus
from outreach.extensions import db
from outreach.pitches.deletion import DeletionRefused, Impact, count, messages, refuse_while_sending
from outreach.pitches.models import OutboundMessage
from outreach.prospects.models import Prospect

BUSY_CRAWL = (CrawlStatus.QUEUED, CrawlStatus.RUNNING, CrawlStatus.STOPPING)
BUSY_IMPORT = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def _in_campaign(campaign: Campaign) -> ColumnElement[bool]:
    return OutboundMessage.prospect_id.in_(
        select(Prospect.id).where(Prospect.campaign_id == campaign.id)
    )


def campaign_impact(campaign: Campaign) -> Impact:
    """The prospects, messages, imports and crawls a campaign deletion removes."""
    prospects = count(
        select(func.count()).select_from(Prospect).where(Prospect.campaign_id == campaign.id)
    )
    imports = count(
        select(func.count())
        .select_from(BacklinkImport)
        .where(BacklinkImport.campaign_id == campaign.id)
    )
    crawls = count(
        select(func.count()).select_from(CrawlRun).where(CrawlRun.campaign_id == campaign.id)
    )
    return Impact(
        (
            ("prospects, with their notes and stage history", prospects),
            ("outbox messages, queued and sent", count(messages(_in_campaign(campaign)))),
            ("backlink imports (the backlinks themselves stay)", imports),
            ("crawls and what they found", crawls),
        )
    )


def delete_campaign(campaign: Campaign, actor_id: int) -> None:
    """Delete a campaign and everything of it; refused while its work is still running."""
    refuse_while_sending(_in_campaign(campaign))
    busy_crawl = count(
        select(func.count())
        .select_from(CrawlRun)
        .where(CrawlRun.campaign_id == campaign.id, CrawlRun.status.in_(BUSY_CRAWL))
    )
    busy_import = count(
        select(func.count())
        .select_from(BacklinkImport)
        .where(BacklinkImport.campaign_id == campaign.id, BacklinkImport.status.in_(BUSY_IMPORT))
    )
    if busy_crawl or busy_import:
        raise DeletionRefused(
            "A crawl or an import of this campaign is still running: stop it or let it end first."
        )
    record(campaign.workspace_id, "campaign", campaign.id, "deleted", {"by": actor_id})
    db.session.execute(delete(Campaign).where(Campaign.id == campaign.id))
