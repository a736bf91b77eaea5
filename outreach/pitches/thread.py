"""A prospect's conversation: every message sent and received, oldest first, with its status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    InboundTriage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    SequenceStep,
)
from outreach.pitches.waiting import why_waiting
from outreach.prospects.models import Contact, Prospect

LIMIT = 200


@dataclass(frozen=True)
class ThreadMessage:
    """One message of the conversation, as the prospect page shows it."""

    direction: str  # "out" or "in"
    id: int
    at: datetime | None
    status: str  # queued, held, sent, replied, bounced, failed, cancelled... or the inbound kind
    why: str
    party: str  # the other side's address
    subject: str
    body: str
    step: int | None = None
    unread: bool = False
    can_answer: bool = False


def _outbound(prospect: Prospect, replied_to: set[str], bounced: set[str]) -> list[ThreadMessage]:
    rows = db.session.execute(
        select(OutboundMessage, Contact.email, SequenceStep.position, Mailbox)
        .join(Contact, Contact.id == OutboundMessage.contact_id)
        .outerjoin(SequenceStep, SequenceStep.id == OutboundMessage.step_id)
        .outerjoin(Mailbox, Mailbox.id == OutboundMessage.mailbox_id)
        .where(
            OutboundMessage.workspace_id == prospect.workspace_id,
            OutboundMessage.prospect_id == prospect.id,
        )
        .order_by(OutboundMessage.id)
        .limit(LIMIT)
    )
    now, items = utcnow(), []
    for message, email, position, mailbox in rows:
        status = message.status.value
        if message.message_id in bounced:
            status = "bounced"
        elif message.message_id in replied_to:
            status = "replied"
        why = why_waiting(message, mailbox, now)
        if message.status in (MessageStatus.FAILED, MessageStatus.CANCELLED):
            why = message.error or message.hold_reason or ""
        when = message.sent_at or message.scheduled_at or message.created_at
        items.append(
            ThreadMessage(
                "out", message.id, when, status, why, email, message.subject, message.body, position
            )
        )
    return items


def thread(prospect: Prospect) -> list[ThreadMessage]:
    """The prospect's messages both ways, oldest first."""
    received = list(
        db.session.scalars(
            select(InboundMessage)
            .where(
                InboundMessage.workspace_id == prospect.workspace_id,
                InboundMessage.prospect_id == prospect.id,
                InboundMessage.triage == InboundTriage.MATCHED,
            )
            .order_by(InboundMessage.received_at)
            .limit(LIMIT)
        )
    )
    bounce = {m.in_reply_to for m in received if m.in_reply_to and _is_bounce(m)}
    replied = {m.in_reply_to for m in received if m.in_reply_to and m.kind is InboundKind.REPLY}
    items = _outbound(prospect, replied, bounce)
    answerable = [m.id for m in received if m.kind is InboundKind.REPLY and m.mailbox_id]
    for m in received:
        kind = InboundKind.BOUNCE if _is_bounce(m) else m.kind
        items.append(
            ThreadMessage(
                "in",
                m.id,
                m.received_at,
                kind.value,
                kind.label,
                m.from_email,
                m.subject,
                m.body,
                unread=m.read_at is None,
                can_answer=bool(answerable) and m.id == answerable[-1],  # the latest reply
            )
        )
    return sorted(items, key=lambda item: (item.at or utcnow(), item.direction == "in"))


def _is_bounce(message: InboundMessage) -> bool:
    return message.is_bounce or message.kind is InboundKind.BOUNCE
