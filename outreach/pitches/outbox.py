"""The outbox: claiming rows before a send, recovering crashed sends, listing, decisions.

The outbox table is the truth. A row goes ``queued -> sending -> sent``; the move to
``sending`` is a compare-and-set (``UPDATE ... WHERE status = 'queued'`` checked by its
row count, after ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL) committed before the
SMTP conversation starts, so two workers never send one row. A row still ``sending`` long
after its claim belonged to a worker that died mid-send: SMTP has no idempotency key, so it
goes to ``needs_review`` for a person instead of being sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from outreach.activity.models import Activity
from outreach.campaigns.models import Campaign
from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.cache import cache_key, cached
from outreach.pitches.models import Mailbox, MessageStatus, OutboundMessage, SequenceStep
from outreach.pitches.waiting import why_waiting
from outreach.prospects.models import Contact, Prospect
from outreach.scoping import get_in_workspace

BATCH_SIZE = 500
COUNTS_SECONDS = 60  # what the version cannot see (a web server's clock behind) shows by then


def stale_after() -> timedelta:
    """How long a claim may stay in ``sending`` before it is taken for a crashed send."""
    return timedelta(seconds=Settings.from_config(current_app.config).send_stale_seconds)


def claim(message_id: int) -> bool:
    """Move one row from queued to sending and commit; False when another run has it."""
    now = utcnow()
    if db.engine.dialect.name == "postgresql":
        locked = db.session.scalar(
            select(OutboundMessage.id)
            .where(OutboundMessage.id == message_id, OutboundMessage.status == MessageStatus.QUEUED)
            .with_for_update(skip_locked=True)
        )
        if locked is None:
            db.session.rollback()
            return False
    result = db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    claimed = getattr(result, "rowcount", 0) == 1
    db.session.commit()
    return claimed


def finish(message_id: int, status: MessageStatus, **values: object) -> bool:
    """Move a claimed row out of ``sending`` (compare-and-set); the caller commits."""
    result = db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status == MessageStatus.SENDING)
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def recover_stalled() -> int:
    """Send rows stuck in ``sending`` to ``needs_review`` (never resend); returns how many."""
    cutoff = utcnow() - stale_after()
    result = db.session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.status == MessageStatus.SENDING,
            OutboundMessage.claimed_at <= cutoff,
        )
        .values(
            status=MessageStatus.NEEDS_REVIEW,
            error="the send was interrupted; check the Sent folder before sending again",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def get_message(workspace_id: int, message_id: int) -> OutboundMessage:
    """One outbox row of the workspace; 404 otherwise."""
    return get_in_workspace(OutboundMessage, workspace_id, message_id)


@dataclass(frozen=True)
class OutboxRow:
    """One outbox message with what the outbox page shows beside it."""

    message: OutboundMessage
    to: str
    prospect_id: int
    domain: str
    campaign: str
    mailbox: str
    step: int | None
    why: str


def _why(message: OutboundMessage, mailbox: Mailbox | None, now: datetime) -> str:
    """Why the row waits, with the last failed attempt when a retry is pending."""
    if message.status in (MessageStatus.CANCELLED, MessageStatus.FAILED):
        return message.hold_reason or message.error or ""
    reason = why_waiting(message, mailbox, now)
    if message.error and reason:
        return f"{reason}; last attempt: {message.error}"
    return reason or message.error or ""


def listing(
    workspace_id: int,
    status: MessageStatus | None = None,
    limit: int = 200,
    ids: list[int] | None = None,
    before: int | None = None,
) -> list[OutboxRow]:
    """The workspace's outbox rows, newest first, with recipient, prospect, campaign, mailbox,
    step and why each waits (one query, plus the waiting checks of due rows); ``ids``
    keeps only those rows, ``before`` only rows older than that id (the next page)."""
    query = (
        select(
            OutboundMessage,
            Contact.email,
            Prospect.domain,
            Campaign.name,
            Mailbox,
            SequenceStep.position,
        )
        .join(Contact, Contact.id == OutboundMessage.contact_id)
        .join(Prospect, Prospect.id == OutboundMessage.prospect_id)
        .join(Campaign, Campaign.id == Prospect.campaign_id)
        .outerjoin(Mailbox, Mailbox.id == OutboundMessage.mailbox_id)
        .outerjoin(SequenceStep, SequenceStep.id == OutboundMessage.step_id)
        .where(OutboundMessage.workspace_id == workspace_id)
    )
    if status is not None:
        query = query.where(OutboundMessage.status == status)
    if ids is not None:
        query = query.where(OutboundMessage.id.in_(ids))
    if before is not None:
        query = query.where(OutboundMessage.id < before)
    now = utcnow()
    return [
        OutboxRow(
            message,
            email,
            message.prospect_id,
            domain,
            campaign,
            mailbox.from_email if mailbox else "",
            position,
            _why(message, mailbox, now),
        )
        for message, email, domain, campaign, mailbox, position in db.session.execute(
            query.order_by(OutboundMessage.id.desc()).limit(limit)
        )
    ]


def _count_statuses(workspace_id: int) -> dict[MessageStatus, int]:
    rows = db.session.execute(
        select(OutboundMessage.status, func.count())
        .where(OutboundMessage.workspace_id == workspace_id)
        .group_by(OutboundMessage.status)
    )
    found = {status: int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in MessageStatus}


def _outbox_stamp() -> tuple[object, ...]:
    """A version of every outbox, in three index lookups: the newest message, the newest change
    to one (status changes, ORM or bulk, set ``updated_at``) and the newest activity (deleting
    a campaign, a contact or a mailbox, which takes messages with it, records one)."""
    return tuple(
        db.session.execute(
            select(
                select(func.max(OutboundMessage.id)).scalar_subquery(),
                select(func.max(OutboundMessage.updated_at)).scalar_subquery(),
                select(func.max(Activity.id)).scalar_subquery(),
            )
        ).one()
    )


def counts_of(workspace_id: int) -> dict[MessageStatus, int]:
    """How many rows of each status the workspace has: counted once per change of the outbox,
    then shared (``jobs.cache``), since a busy workspace has hundreds of thousands of rows."""
    return cached(
        cache_key("outbox-counts", workspace_id, tuple(MessageStatus)),
        cache_key(_outbox_stamp()),
        lambda: _count_statuses(workspace_id),
        at_most=COUNTS_SECONDS,
    )


def release(message: OutboundMessage) -> None:
    """A person's decision: send a held or reviewed message after all. Callers commit."""
    if message.status not in (MessageStatus.HELD, MessageStatus.NEEDS_REVIEW):
        raise ValueError("Only held or needs-review messages can be released.")
    message.status = MessageStatus.QUEUED
    message.hold_reason = None
    message.error = None


def cancel(message: OutboundMessage) -> None:
    """A person's decision: never send this message. Callers commit."""
    if message.status in (MessageStatus.SENT, MessageStatus.SENDING):
        raise ValueError("A sent or sending message cannot be cancelled.")
    message.status = MessageStatus.CANCELLED


def mark_sent(message: OutboundMessage) -> None:
    """A person checked a needs-review message: it did go out. Callers commit."""
    if message.status is not MessageStatus.NEEDS_REVIEW:
        raise ValueError("Only a needs-review message can be marked as sent.")
    message.status = MessageStatus.SENT
    message.sent_at = message.claimed_at or utcnow()


def due_ids(workspace_id: int | None = None) -> list[int]:
    """Queued rows whose time has come, oldest first."""
    query = select(OutboundMessage.id).where(
        OutboundMessage.status == MessageStatus.QUEUED,
        OutboundMessage.scheduled_at <= utcnow(),
    )
    if workspace_id is not None:
        query = query.where(OutboundMessage.workspace_id == workspace_id)
    return list(db.session.scalars(query.order_by(OutboundMessage.id)))
