"""What a campaign needs next, from competitors to a running sequence, for its overview page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import exists, select

from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.pitches.models import SequenceEnrollment, SequenceStep
from outreach.prospects.models import Prospect


@dataclass(frozen=True)
class NextStep:
    """The suggestion and the page where it is done."""

    text: str
    action: str
    url: str


def next_step(campaign: Campaign) -> NextStep | None:
    """The first thing the campaign lacks, or None once its sequence is running."""
    competitors = [c.domain for c in campaign.competitors]
    if not competitors:
        return NextStep(
            "Add the competitors whose backlinks you want: Outreach finds who links to them.",
            "Add competitors",
            url_for("campaigns.edit", campaign_id=campaign.id),
        )
    links = select(Backlink.id).where(
        Backlink.workspace_id == campaign.workspace_id, Backlink.target_domain.in_(competitors)
    )
    if not db.session.scalar(select(exists(links))):
        return NextStep(
            "Import a backlink export of your competitors (Ahrefs, Semrush, Moz, Majestic...).",
            "Import backlinks",
            url_for("backlinks.upload", campaign_id=campaign.id),
        )
    prospects = select(Prospect.id).where(Prospect.campaign_id == campaign.id)
    if not db.session.scalar(select(exists(prospects))):
        return NextStep(
            "Review the link intersect and add the best sites to the pipeline.",
            "Open the link intersect",
            url_for("prospects.intersect_page", campaign_id=campaign.id),
        )
    steps = select(SequenceStep.id).where(SequenceStep.campaign_id == campaign.id)
    enrolled = select(SequenceEnrollment.id).where(SequenceEnrollment.campaign_id == campaign.id)
    if not db.session.scalar(select(exists(steps))):
        text, action = "Write the sequence: a first pitch and its follow-ups.", "Write the sequence"
    elif not db.session.scalar(select(exists(enrolled))):
        text, action = "Start the sequence for your best prospects.", "Start the sequence"
    else:
        return None
    return NextStep(text, action, url_for("pitches.sequence", campaign_id=campaign.id))
