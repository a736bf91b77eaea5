"""The outreach funnel: prospects, contacted, replied, won and live, by campaign, template
and sequence step. The pipeline is counted as it stands; ``live`` is taken on a given day.

- contacted: a message to the prospect was sent; replied: a reply (not a bounce) came in;
- won: a link was placed (a placement recorded) or the prospect stands at Link placed / Live;
- live: one of its placements is live on the report's last day (see ``placements``).
For templates and steps, reply, win and live go to the step last sent before the first reply
(or, without a reply, the last step sent): the message that did the work.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.links.models import PlacedLink
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    InboundTriage,
    MessageStatus,
    OutboundMessage,
    PitchTemplate,
    SequenceStep,
)
from outreach.prospects.models import Prospect, Stage
from outreach.reports.placements import Placement
from outreach.reports.scope import Scope

WON_STAGES = (Stage.LINK_PLACED, Stage.LIVE)


@dataclass(frozen=True)
class FunnelRow:
    """One line of the funnel."""

    label: str
    prospects: int
    contacted: int
    replied: int
    won: int
    live: int
    median_days_to_live: float | None

    @property
    def reply_rate(self) -> float:
        """Replied over contacted (0 when nobody was contacted)."""
        return self.replied / self.contacted if self.contacted else 0.0

    @property
    def win_rate(self) -> float:
        """Won over contacted (0 when nobody was contacted)."""
        return self.won / self.contacted if self.contacted else 0.0

    def counts(self) -> dict[str, int]:
        """The ``funnel`` object of ``flask report --json``."""
        return {
            "prospects": self.prospects,
            "contacted": self.contacted,
            "replied": self.replied,
            "won": self.won,
            "live": self.live,
        }


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


def _median_days(pairs: Iterable[tuple[datetime | None, datetime]]) -> float | None:
    days = [(live - sent).total_seconds() / 86400 for sent, live in pairs if sent and live >= sent]
    return round(statistics.median(days), 1) if days else None


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
                _median_days((first_sent.get(p), live[p]) for p in mine),
            )
        )  # fmt: skip
    total = FunnelRow(
        scope.title,
        sum(r.prospects for r in by_campaign),
        sum(r.contacted for r in by_campaign),
        sum(r.replied for r in by_campaign),
        sum(r.won for r in by_campaign),
        len(live),
        _median_days((first_sent.get(p), at) for p, at in live.items()),
    )
    decided = _deciding(scope, facts, live)
    templates = _breakdown(scope, facts, live, first_sent, decided, by_template=True)
    steps = _breakdown(scope, facts, live, first_sent, decided, by_template=False)
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


def _messages(scope: Scope, facts: Any) -> Any:
    """The scope's messages (not cancelled) with their step, joined to the prospect facts."""
    return (
        select(OutboundMessage)
        .join(facts, facts.c.prospect_id == OutboundMessage.prospect_id)
        .outerjoin(SequenceStep, SequenceStep.id == OutboundMessage.step_id)
        .where(
            OutboundMessage.workspace_id == scope.workspace_id,
            OutboundMessage.status != MessageStatus.CANCELLED,
        )
    )


def _is_sent() -> Any:
    return and_(OutboundMessage.status == MessageStatus.SENT, OutboundMessage.sent_at.is_not(None))


Pair = tuple[int | None, int | None]  # (step id, template id)


def _deciding(scope: Scope, facts: Any, live: dict[int, datetime]) -> tuple[Any, Any]:
    """Replies and wins per deciding (step, template), and the deciding pair of each live
    prospect. The deciding message is the last one sent before the first reply (or the last
    one sent): one per contacted prospect, so template figures are sums over their steps."""

    ranked = (
        _messages(scope, facts)
        .with_only_columns(
            OutboundMessage.step_id,
            SequenceStep.template_id,
            OutboundMessage.prospect_id,
            facts.c.first_reply,
            facts.c.won,
            func.row_number()
            .over(
                partition_by=OutboundMessage.prospect_id,
                order_by=(OutboundMessage.sent_at.desc(), OutboundMessage.id.desc()),
            )
            .label("rank"),
        )
        .where(
            _is_sent(),
            or_(facts.c.first_reply.is_(None), OutboundMessage.sent_at <= facts.c.first_reply),
        )
        .subquery("ranked")
    )
    every = select(ranked).where(ranked.c.rank == 1).subquery("deciding")
    # One pass: live prospects get a group each (to learn their pair), the others one per pair.
    keys: list[Any] = [every.c.step_id, every.c.template_id]
    if live:
        keys.append(case((every.c.prospect_id.in_(list(live)), every.c.prospect_id)))
    outcomes: dict[Pair, tuple[int, int]] = {}
    live_pairs: dict[int, Pair] = {}
    rows = db.session.execute(
        select(
            *keys,
            func.count(every.c.first_reply),
            func.coalesce(func.sum(every.c.won), 0),
        ).group_by(*keys)
    )
    for step, template, *rest in rows:
        prospect_id, replied, won = rest if live else (None, *rest)
        before = outcomes.get((step, template), (0, 0))
        outcomes[(step, template)] = (before[0] + int(replied), before[1] + int(won))
        if prospect_id is not None:
            live_pairs[prospect_id] = (step, template)
    return outcomes, live_pairs


def _breakdown(
    scope: Scope,
    facts: Any,
    live: dict[int, datetime],
    first_sent: dict[int, datetime],
    decided: tuple[dict[Pair, tuple[int, int]], dict[int, Pair]],
    *,
    by_template: bool,
) -> list[FunnelRow]:
    key = SequenceStep.template_id if by_template else OutboundMessage.step_id
    reach = {
        k: (int(p), int(c))
        for k, p, c in db.session.execute(
            _messages(scope, facts)
            .with_only_columns(
                key,
                func.count(func.distinct(OutboundMessage.prospect_id)),
                func.count(func.distinct(case((_is_sent(), OutboundMessage.prospect_id)))),
            )
            .group_by(key)
        )
    }
    pick = 1 if by_template else 0
    outcomes: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for pair, (replied, won) in decided[0].items():
        outcomes[pair[pick]][0] += replied
        outcomes[pair[pick]][1] += won
    live_keys: dict[int | None, list[int]] = defaultdict(list)
    for prospect_id, pair in decided[1].items():
        live_keys[pair[pick]].append(prospect_id)
    labels = _labels(scope, by_template)
    rows = []
    for k in sorted(reach, key=lambda k: (k is None, labels.get(k, ""))):
        prospects, contacted = reach[k]
        replied, won = outcomes.get(k, [0, 0])
        mine = live_keys.get(k, [])
        rows.append(
            FunnelRow(
                labels.get(k, "No sequence step" if not by_template else "No template"),
                prospects, contacted, replied, won, len(mine),
                _median_days((first_sent.get(p), live[p]) for p in mine),
            )
        )  # fmt: skip
    return rows


def _labels(scope: Scope, by_template: bool) -> dict[int | None, str]:
    if by_template:
        return dict(
            db.session.execute(
                select(PitchTemplate.id, PitchTemplate.name).where(
                    PitchTemplate.workspace_id == scope.workspace_id
                )
            ).all()
        )
    steps = select(SequenceStep.id, Campaign.name, SequenceStep.position).join(
        Campaign, Campaign.id == SequenceStep.campaign_id
    )
    steps = steps.where(Campaign.workspace_id == scope.workspace_id)
    if scope.campaign_id is not None:
        steps = steps.where(Campaign.id == scope.campaign_id)
    return {
        step_id: f"{name} · step {position + 1}"
        if scope.campaign_id is None
        else f"Step {position + 1}"
        for step_id, name, position in db.session.execute(steps)
    }
