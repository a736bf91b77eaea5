"""The setup checklist a new workspace shows until its first sequence is running.

Each step is ticked from what the workspace holds, so it stays true whichever page (or
command) did the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy import Select, exists, select

from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign, Competitor
from outreach.crawl.models import CrawlRun
from outreach.extensions import db
from outreach.pitches.models import (
    Mailbox,
    PitchTemplate,
    PitchTemplateVersion,
    SequenceEnrollment,
)
from outreach.prospects.models import Prospect


@dataclass(frozen=True)
class Step:
    """One step of the checklist, whether it is done, and where to do it."""

    title: str
    done: bool
    url: str


def _any(query: Select[Any]) -> bool:
    return bool(db.session.scalar(select(exists(query))))


def setup_checklist(workspace_id: int) -> list[Step]:
    """The six steps from an empty workspace to a running sequence."""
    first = db.session.scalar(
        select(Campaign.id).where(Campaign.workspace_id == workspace_id).order_by(Campaign.id)
    )

    def in_campaign(endpoint: str) -> str:
        return url_for(endpoint, campaign_id=first) if first else url_for("campaigns.new")

    competitors = (
        select(Competitor.id)
        .join(Campaign, Campaign.id == Competitor.campaign_id)
        .where(Campaign.workspace_id == workspace_id)
    )
    written = (
        select(PitchTemplateVersion.id)
        .join(PitchTemplate, PitchTemplate.id == PitchTemplateVersion.template_id)
        .where(
            PitchTemplate.workspace_id == workspace_id,
            PitchTemplateVersion.saved_by_id.is_not(None),
        )
    )
    found = _any(select(Backlink.id).where(Backlink.workspace_id == workspace_id)) or _any(
        select(CrawlRun.id).where(CrawlRun.workspace_id == workspace_id)
    )
    return [
        Step(
            "Add a mailbox to send from",
            _any(select(Mailbox.id).where(Mailbox.workspace_id == workspace_id)),
            url_for("pitches.mailbox_form"),
        ),
        Step("Create a campaign with competitors", _any(competitors), url_for("campaigns.new")),
        Step("Import backlinks or crawl", found, in_campaign("backlinks.upload")),
        Step(
            "Review the link intersect and add prospects",
            _any(select(Prospect.id).where(Prospect.workspace_id == workspace_id)),
            in_campaign("prospects.intersect_page"),
        ),
        Step("Write or adapt a template", _any(written), url_for("pitches.templates")),
        Step(
            "Start a sequence",
            _any(
                select(SequenceEnrollment.id).where(SequenceEnrollment.workspace_id == workspace_id)
            ),
            in_campaign("pitches.sequence"),
        ),
    ]
