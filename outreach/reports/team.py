"""Links won and messages sent per teammate over a period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from outreach.accounts.models import Membership, User
from outreach.extensions import db
from outreach.pitches.models import Mailbox, MessageStatus, OutboundMessage
from outreach.prospects.models import Prospect
from outreach.reports.placements import Placement
from outreach.reports.scope import Scope

UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class TeammateRow:
    """One teammate's links won (placements first found live, for prospects they own) and
    messages sent (from their mailboxes)."""

    name: str
    links_won: int
    messages_sent: int


def teammates(
    scope: Scope, start: datetime, end: datetime, placed: Sequence[Placement]
) -> list[TeammateRow]:
    """Every member, plus unassigned work, for links first found and sends in [start, end)."""
    won_ids = [p.prospect_id for p in placed if p.prospect_id and start <= p.first_seen < end]
    owners = dict(
        db.session.execute(
            select(Prospect.id, Prospect.owner_id).where(Prospect.id.in_(set(won_ids)))
        ).all()
    )
    won: dict[int | None, int] = dict(Counter(owners.get(p) for p in won_ids))
    sent_query = (
        select(Mailbox.user_id, func.count(OutboundMessage.id))
        .join(Mailbox, Mailbox.id == OutboundMessage.mailbox_id)
        .where(
            OutboundMessage.workspace_id == scope.workspace_id,
            OutboundMessage.status == MessageStatus.SENT,
            OutboundMessage.sent_at >= start,
            OutboundMessage.sent_at < end,
        )
        .group_by(Mailbox.user_id)
    )
    if scope.campaign_id is not None:
        sent_query = sent_query.join(Prospect, Prospect.id == OutboundMessage.prospect_id).where(
            Prospect.campaign_id == scope.campaign_id
        )
    sent = {user: int(n) for user, n in db.session.execute(sent_query)}
    members = db.session.execute(
        select(User.id, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == scope.workspace_id)
        .order_by(User.name, User.email)
    ).all()
    rows = [
        TeammateRow(name or email, won.pop(user_id, 0), sent.pop(user_id, 0))
        for user_id, name, email in members
    ]
    others_won, others_sent = sum(won.values()), sum(sent.values())
    if others_won or others_sent:
        rows.append(TeammateRow(UNASSIGNED, others_won, others_sent))
    return rows
