"""The checks a queued row passes before it is sent: when it may go, and whether it ever may."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.mailboxes import in_sending_hours, may_send_from, sent_today
from outreach.pitches.models import (
    EnrollmentStatus,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    SequenceEnrollment,
)
from outreach.pitches.suppression import suppressed_by
from outreach.prospects.models import Contact, Prospect

MAX_GAP_WAIT = 120.0  # a job waits this long at most for a mailbox's gap, else leaves the row


def not_yet(
    message: OutboundMessage,
    mailbox: Mailbox,
    sleep: Callable[[float], None],
    deadline: float | None = None,
) -> str:
    """Why the row must wait (empty when it may go now), sleeping out a short gap (one that
    ends before ``deadline``, a ``time.monotonic()`` value, when there is one)."""
    now = utcnow()
    if message.scheduled_at is not None and message.scheduled_at > now:
        return "not_due"
    if message.in_reply_to:
        previous = db.session.scalar(
            select(OutboundMessage.status).where(
                OutboundMessage.workspace_id == message.workspace_id,
                OutboundMessage.message_id == message.in_reply_to,
            )
        )
        if previous is not None and previous is not MessageStatus.SENT:  # None: not ours
            return "waiting_for_previous"
    if not in_sending_hours(mailbox, now):
        return "outside_hours"
    if mailbox.daily_cap and sent_today(mailbox, now) >= mailbox.daily_cap:
        return "daily_cap"
    if mailbox.min_gap_seconds and mailbox.last_sent_at is not None:
        jitter = random.uniform(0, mailbox.jitter_seconds) if mailbox.jitter_seconds else 0.0
        elapsed = (now - mailbox.last_sent_at).total_seconds()
        wait = mailbox.min_gap_seconds + jitter - elapsed
        if wait > MAX_GAP_WAIT or (deadline is not None and time.monotonic() + wait > deadline):
            return "gap"
        if wait > 0:
            db.session.commit()  # hold no transaction open while waiting
            sleep(wait)
    return ""


def may_use(message: OutboundMessage, mailbox: Mailbox) -> bool:
    """Whether whoever started the row's sequence may still send from its mailbox."""
    if message.enrollment_id is None:
        return True
    enrollment = db.session.get(SequenceEnrollment, message.enrollment_id)
    started_by = enrollment.enrolled_by_id if enrollment is not None else None
    return started_by is None or may_send_from(mailbox, started_by)


def blocked(message: OutboundMessage, contact: Contact) -> str:
    """Why the row must never go (checked after the claim, at send time)."""
    hit = suppressed_by(message.workspace_id, contact.email)
    if hit:
        return f"suppressed ({hit})"
    if contact.bouncing:
        return "the address bounces"
    if message.enrollment_id is not None:
        enrollment = db.session.get(SequenceEnrollment, message.enrollment_id)
        if enrollment is not None and enrollment.status is EnrollmentStatus.STOPPED:
            return f"sequence stopped: {enrollment.stop_reason}"
    prospect = db.session.get(Prospect, message.prospect_id)
    in_sequence = message.enrollment_id is not None  # a person's own answer goes whatever the stage
    if in_sequence and prospect is not None and prospect.stage in sequences.STOP_STAGES:
        return f"the prospect is {prospect.stage.label}"
    return ""
