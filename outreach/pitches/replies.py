"""What follows an inbound message once it belongs to a prospect.

A person's reply stops the prospect's sequences and moves it to Replied. Automatic replies,
read receipts and challenge-responses only stand on the timeline (the stored message is the
record). An out-of-office that names its return date moves the next unsent step of the
sender's sequence to that day, at the start of the mailbox's sending hours, a weekend day
moved to Monday; a step already due later keeps its time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from outreach.activity import events as outbox
from outreach.activity.services import record
from outreach.extensions import db
from outreach.pitches import events, sequences
from outreach.pitches.models import (
    EnrollmentStatus,
    InboundKind,
    InboundMessage,
    Mailbox,
    OutboundMessage,
    SequenceEnrollment,
)


def _start_of_day(day: date, mailbox: Mailbox | None) -> datetime:
    zone: tzinfo = UTC
    hour = 0
    if mailbox is not None:
        hour = mailbox.sending_start_hour if 0 <= mailbox.sending_start_hour < 24 else 0
        try:
            zone = ZoneInfo(mailbox.timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
    local = datetime.combine(day, time(hour), tzinfo=zone)
    return sequences.weekday_from(local).astimezone(UTC)


def delay_next_step(
    workspace_id: int, prospect_id: int, contact_id: int | None, until: date
) -> datetime | None:
    """Move the next unsent step of the prospect's active sequences (of that contact, when
    known) to ``until``; returns the new time when a step moved. Callers commit."""
    query = select(SequenceEnrollment).where(
        SequenceEnrollment.workspace_id == workspace_id,
        SequenceEnrollment.prospect_id == prospect_id,
        SequenceEnrollment.status == EnrollmentStatus.ACTIVE,
    )
    if contact_id is not None:
        query = query.where(SequenceEnrollment.contact_id == contact_id)
    moved: datetime | None = None
    for enrollment in db.session.scalars(query).all():
        step = db.session.scalar(
            select(OutboundMessage)
            .where(
                OutboundMessage.enrollment_id == enrollment.id,
                OutboundMessage.status.in_(sequences.UNSENT),
            )
            .order_by(OutboundMessage.id)
            .limit(1)
        )
        if step is None:
            continue
        mailbox = db.session.get(Mailbox, step.mailbox_id) if step.mailbox_id else None
        when = _start_of_day(until, mailbox)
        if step.scheduled_at is None or step.scheduled_at < when:
            step.scheduled_at = when
            moved = when
    return moved


def settle(row: InboundMessage, contact_id: int | None, actor_id: int | None = None) -> None:
    """Act on a stored inbound message that belongs to a prospect, and commit."""
    if row.prospect_id is None:
        db.session.commit()
        return
    detail = {"subject": row.subject[:200], "from": row.from_email, "kind": row.kind.value}
    if row.kind is InboundKind.REPLY:
        outbox.emit(
            row.workspace_id,
            outbox.REPLY_RECEIVED,
            {
                "inbound_message_id": row.id,
                "prospect_id": row.prospect_id,
                "from_domain": row.from_email.rpartition("@")[2],
                "subject": row.subject,
                "received_at": row.received_at.isoformat() if row.received_at else None,
                "matched_by": row.matched_by,
            },
        )
        events.after_reply(row.workspace_id, row.prospect_id, detail, actor_id=actor_id)
        return
    if row.kind is InboundKind.OUT_OF_OFFICE and row.return_on is not None:
        moved = delay_next_step(row.workspace_id, row.prospect_id, contact_id, row.return_on)
        if moved is not None:
            record(
                row.workspace_id,
                "prospect",
                row.prospect_id,
                "follow_up_delayed",
                {**detail, "until": moved.isoformat(), "return_on": row.return_on.isoformat()},
                actor_id=actor_id,
            )
    db.session.commit()
