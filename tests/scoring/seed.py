"""Test data for relevance: backlinks from prospect pages to a campaign's competitors."""

from __future__ import annotations

from outreach.backlinks.models import Backlink, DataSource
from outreach.backlinks.records import link_key
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.urls import registrable_domain


def link(
    campaign: Campaign, page: str, target: str = "https://rival-one.com/", **fields: object
) -> Backlink:
    """A live backlink from ``page`` to ``target`` in the campaign's workspace (added, flushed)."""
    backlink = Backlink(
        workspace_id=campaign.workspace_id,
        data_source=DataSource.CSV,
        link_key=link_key(page, target),
        source_url=page,
        source_domain=registrable_domain(page),
        target_url=target,
        target_domain=registrable_domain(target),
        **fields,
    )
    db.session.add(backlink)
    db.session.flush()
    return backlink
