"""The outreach funnel: prospects, contacted, replied, won and live, by campaign, template
and sequence step. The pipeline is counted as it stands; ``live`` is taken on a given day.

- contacted: a message to the prospect was sent; replied: a reply (not a bounce) came in;
- won: a link was placed (a placement recorded) or the prospect stands at Link placed / Live;
- live: one of its placements is live on the report's last day (see ``placements``).
For templates and steps, reply, win and live go to the step last sent before the first reply
(or, without a reply, the last step sent): the message that did the work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, or_, select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.links.models import PlacedLink
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    InboundTriage,
    MessageStatus,
    OutboundMessage,
)
from outreach.prospects.models import Prospect, Stage
from outreach.reports.funnel_rows import FunnelRow, median_days
from outreach.reports.funnel_steps import breakdown, deciding
from outreach.reports.placements import Placement
from outreach.reports.scope import Scope

WON_STAGES = (Stage.LINK_PLACED, Stage.LIVE)


@dataclass
class Funnels:
    """The whole scope's funnel and its breakdowns."""

    total: FunnelRow
    campaigns: list[FunnelRow]
    templates: list[FunnelRow]
    steps: list[FunnelRow]


def _prospects(scope: Scope) -> Any:
    conditions = [Prospect.workspace_id == scope.workspace_id]
    if scope.campaign_id is not None:
        conditions.append(Prospect.campaign_id == scope.campaign_id)
    return conditions


def _facts(scope: Scope) -> Any:
    """Per prospect: campaign, first send, first reply, won (a subquery)."""
    sent = (
        select(OutboundMessage.prospect_id, func.min(OutboundMessage.sent_at).label("first_sent"))
        .where(
            OutboundMessage.workspace_id == scope.workspace_id,
            OutboundMessage.status == MessageStatus.SENT,
        )
        .group_by(OutboundMessage.prospect_id)
        .subquery("sent")
    )
    replied = (
        select(
            InboundMessage.prospect_id, func.min(InboundMessage.received_at).label("first_reply")
        )
        .where(
            InboundMessage.workspace_id == scope.workspace_id,
            InboundMessage.is_bounce.is_(False),
            InboundMessage.kind == InboundKind.REPLY,  # a person's, not an automatic reply
            InboundMessage.triage == InboundTriage.MATCHED,
        )
        .group_by(InboundMessage.prospect_id)
        .subquery("replied")
    )
    placed = exists().where(PlacedLink.prospect_id == Prospect.id)
    won = or_(placed, Prospect.stage.in_(WON_STAGES))
    return (
        select(
            Prospect.id.label("prospect_id"),
            Prospect.campaign_id,
            sent.c.first_sent,
            replied.c.first_reply,
            case((won, 1), else_=0).label("won"),
        )
        .outerjoin(sent, sent.c.prospect_id == Prospect.id)
        .outerjoin(replied, replied.c.prospect_id == Prospect.id)
        .where(*_prospects(scope))
        .subquery("facts")
    )


def _live_by_prospect(placed: Sequence[Placement], end: datetime) -> dict[int, datetime]:
    """Prospects with a placement live just before ``end``, with their first live date."""
    live: dict[int, datetime] = {}
    for p in placed:
        if p.prospect_id is None or p.first_seen >= end:
            continue
        if p.lost_at is None or p.lost_at >= end:
            live[p.prospect_id] = min(p.first_seen, live.get(p.prospect_id, p.first_seen))
    return live


def funnels(scope: Scope, end: datetime, placed: Sequence[Placement]) -> Funnels:
    """The funnel, whole and broken down, with ``live`` taken just before ``end``."""
    facts = _facts(scope)
    live = _live_by_prospect(placed, end)
    rows = db.session.execute(
        select(
            facts.c.campaign_id,
            func.count(),
            func.count(facts.c.first_sent),
            func.count(facts.c.first_reply),
            func.coalesce(func.sum(facts.c.won), 0),
        ).group_by(facts.c.campaign_id)
    ).all()
    first_sent = _first_sends(scope, list(live))
    campaign_of = dict(
        db.session.execute(
            select(Prospect.id, Prospect.campaign_id).where(Prospect.id.in_(list(live)))
        ).all()
    )
    campaigns = select(Campaign.id, Campaign.name, Campaign.archived).where(
        Campaign.workspace_id == scope.workspace_id
    )
    if scope.campaign_id is not None:
        campaigns = campaigns.where(Campaign.id == scope.campaign_id)
    counts = {row[0]: tuple(int(n) for n in row[1:]) for row in rows}
    by_campaign = []
    for campaign_id, name, archived in db.session.execute(campaigns.order_by(Campaign.name)):
        if archived and campaign_id not in counts:
            continue
        prospects, contacted, replied, won = counts.get(campaign_id, (0, 0, 0, 0))
        mine = [p for p in live if campaign_of.get(p) == campaign_id]
        by_campaign.append(
            FunnelRow(
                name, prospects, contacted, replied, won, len(mine),
                median_days((first_sent.get(p), live[p]) for p in mine),
            )
        )  # fmt: skip
    total = FunnelRow(
        scope.title,
        sum(r.prospects for r in by_campaign),
        sum(r.contacted for r in by_campaign),
        sum(r.replied for r in by_campaign),
        sum(r.won for r in by_campaign),
        len(live),
        median_days((first_sent.get(p), at) for p, at in live.items()),
    )
    decided = deciding(scope, facts, live)
    templates = breakdown(scope, facts, live, first_sent, decided, by_template=True)
    steps = breakdown(scope, facts, live, first_sent, decided, by_template=False)
    return Funnels(total, by_campaign, templates, steps)


def _first_sends(scope: Scope, prospect_ids: list[int]) -> dict[int, datetime]:
    if not prospect_ids:
        return {}
    return {
        prospect_id: sent
        for prospect_id, sent in db.session.execute(
            select(OutboundMessage.prospect_id, func.min(OutboundMessage.sent_at))
            .where(
                OutboundMessage.workspace_id == scope.workspace_id,
                OutboundMessage.status == MessageStatus.SENT,
                OutboundMessage.prospect_id.in_(prospect_ids),
            )
            .group_by(OutboundMessage.prospect_id)
        )
        if sent is not None
    }
