"""Why an outbox row waits, in words: "outside sending hours, next window 08:00 Europe/Berlin".

The same rules the sender applies (its schedule, the previous step, sending hours, the daily
cap, the gap between messages), read without sending, for the outbox page and the report of
"Send due messages".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches.mailboxes import in_sending_hours, sent_today
from outreach.pitches.models import Mailbox, MessageStatus, OutboundMessage


def next_window(mailbox: Mailbox, now: datetime) -> datetime:
    """When the mailbox's sending hours next open, in its own time zone."""
    zone = ZoneInfo(mailbox.timezone or "UTC")
    local = now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    for hours in range(1, 49):
        candidate = local + timedelta(hours=hours)
        if in_sending_hours(mailbox, candidate):
            return candidate
    return local


def why_waiting(message: OutboundMessage, mailbox: Mailbox | None, now: datetime) -> str:
    """Why a queued or held row has not gone yet; empty when it may go now."""
    if message.status is MessageStatus.HELD:
        return f"held: {message.hold_reason or 'waiting for a person'}"
    if message.status is not MessageStatus.QUEUED:
        return ""
    if mailbox is None:
        return "no mailbox to send from"
    if message.scheduled_at is not None and message.scheduled_at > now:
        return "scheduled"
    if message.in_reply_to:
        previous = db.session.scalar(
            select(OutboundMessage.status).where(
                OutboundMessage.workspace_id == message.workspace_id,
                OutboundMessage.message_id == message.in_reply_to,
            )
        )
        if previous is not None and previous is not MessageStatus.SENT:
            return "waiting for the previous step to be sent"
    if not in_sending_hours(mailbox, now):
        opens = next_window(mailbox, now)
        return f"outside sending hours, next window {opens:%H:%M} {mailbox.timezone or 'UTC'}"
    if mailbox.daily_cap and sent_today(mailbox, now) >= mailbox.daily_cap:
        return f"daily cap reached ({mailbox.daily_cap} a day for {mailbox.from_email})"
    return ""


def still_waiting(workspace_id: int, now: datetime, limit: int = 500) -> dict[str, int]:
    """Why the workspace's due rows that cannot go now wait, with how many wait for each."""
    rows = db.session.execute(
        select(OutboundMessage, Mailbox)
        .outerjoin(Mailbox, Mailbox.id == OutboundMessage.mailbox_id)
        .where(
            OutboundMessage.workspace_id == workspace_id,
            OutboundMessage.status.in_((MessageStatus.QUEUED, MessageStatus.HELD)),
            OutboundMessage.scheduled_at <= now,
        )
        .order_by(OutboundMessage.scheduled_at)
        .limit(limit)
    )
    reasons: dict[str, int] = {}
    for message, mailbox in rows:
        reason = why_waiting(message, mailbox, now)
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
    return reasons
