"""The funnel by template and by sequence step, credited to the message that did the work."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.pitches.models import MessageStatus, OutboundMessage, PitchTemplate, SequenceStep
from outreach.reports.funnel_rows import FunnelRow, median_days
from outreach.reports.scope import Scope


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


def deciding(scope: Scope, facts: Any, live: dict[int, datetime]) -> tuple[Any, Any]:
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


def breakdown(
    scope: Scope,
    facts: Any,
    live: dict[int, datetime],
    first_sent: dict[int, datetime],
    decided: tuple[dict[Pair, tuple[int, int]], dict[int, Pair]],
    *,
    by_template: bool,
) -> list[FunnelRow]:
    """The funnel rows per template (``by_template``) or per sequence step."""
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
                median_days((first_sent.get(p), live[p]) for p in mine),
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
