"""Sending outbox rows through their mailboxes' SMTP servers (the job is in ``jobs.py``).

Each row is checked (due, previous step sent, sending hours, daily cap, gap), claimed,
checked again at send time (suppression list, bounces, stopped sequence, stage) and sent
over one reused SMTP connection per mailbox. An error the server answered is certain and
read by :mod:`delivery` (a 4xx is retried with a backoff, a 5xx is final); a connection
lost during the conversation is not, so that row goes to ``needs_review`` rather than being
sent again. In production nothing is sent while the base URL is not ``https://``.
"""

from __future__ import annotations

import smtplib
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.context import report_progress
from outreach.net.mail import MailRefused
from outreach.pitches import delivery, events, mime, outbox, sequences
from outreach.pitches.models import (
    Mailbox,
    MessageStatus,
    OutboundMessage,
    SequenceStep,
)
from outreach.pitches.send_checks import blocked, may_use, not_yet
from outreach.pitches.smtp_pool import SmtpPool
from outreach.prospects.models import Contact
from outreach.urls import ascii_email


def deliver(
    message_ids: list[int],
    sleep: Callable[[float], None] = time.sleep,
    budget: float | None = None,
) -> dict[str, int]:
    """Send what can be sent now among these rows; returns a count per outcome.

    With a ``budget`` (seconds), no row is started once it is spent and no gap is waited
    past it: the rest stay queued ("later", "gap") for the next tick, so one workspace's
    batch never holds a mail worker for long.
    """
    outbox.recover_stalled()
    counts: Counter[str] = Counter()
    kept = set(db.session.identity_map.keys())
    pool = SmtpPool()
    deadline = None if budget is None else time.monotonic() + budget
    try:
        for done, message_id in enumerate(message_ids, 1):
            if deadline is not None and time.monotonic() >= deadline:
                counts["later"] += len(message_ids) - done + 1
                break
            counts[_deliver_one(message_id, pool, sleep, deadline)] += 1
            _forget_loaded_since(kept)  # else each commit expires an ever larger identity map
            if done % 100 == 0 or done == len(message_ids):
                report_progress(done=done, total=len(message_ids), **counts)
        if counts["later"]:
            report_progress(total=len(message_ids), **counts)
    finally:
        pool.close()
    return dict(counts)


def _forget_loaded_since(kept: set[Any]) -> None:
    """Detach what the last send loaded, keeping the caller's own objects."""
    for key in list(db.session.identity_map.keys()):
        obj = db.session.identity_map.get(key)
        if key not in kept and obj is not None:
            db.session.expunge(obj)


def _deliver_one(
    message_id: int, pool: SmtpPool, sleep: Callable[[float], None], deadline: float | None
) -> str:
    message = db.session.get(OutboundMessage, message_id, populate_existing=True)
    if message is None or message.status is not MessageStatus.QUEUED:
        return "not_queued"
    mailbox = db.session.get(Mailbox, message.mailbox_id) if message.mailbox_id else None
    if mailbox is None:
        message.status, message.hold_reason = MessageStatus.HELD, "no mailbox to send from"
        db.session.commit()
        return "held"
    wait = not_yet(message, mailbox, sleep, deadline)
    db.session.commit()
    if wait:
        return wait
    if delivery.unsubscribe_link_problem():
        return "unsubscribe_link_not_https"
    if not outbox.claim(message_id):
        return "claimed_elsewhere"
    message = db.session.get(OutboundMessage, message_id, populate_existing=True)
    contact = db.session.get(Contact, message.contact_id) if message else None
    if message is None or contact is None:
        return "not_queued"
    if not may_use(message, mailbox):
        reason = "the mailbox is no longer shared with the person who started this sequence"
        outbox.finish(message_id, MessageStatus.HELD, hold_reason=reason)
        return "held"
    reason = blocked(message, contact)
    if reason:
        outbox.finish(message_id, MessageStatus.CANCELLED, hold_reason=reason)
        events.stop_enrollment(message.enrollment_id, reason)
        return "cancelled"
    return _transmit(message, mailbox, contact, pool)


def _answer_text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _hold(message: OutboundMessage, reason: str) -> str:
    outbox.finish(message.id, MessageStatus.HELD, hold_reason=reason)
    db.session.commit()
    return "held"


def _transmit(message: OutboundMessage, mailbox: Mailbox, contact: Contact, pool: SmtpPool) -> str:
    workspace = db.session.get(Workspace, message.workspace_id)
    to_address = ascii_email(contact.email)
    try:
        mail = mime.build(
            message,
            mailbox,
            to_address,
            Settings.from_config(current_app.config).base_url,
            workspace.postal_address if workspace else "",
        )
    except ValueError as exc:  # a line break in a header value: hold this one, go on
        return _hold(message, str(exc))
    try:
        smtp = pool.get(mailbox)
    except (MailRefused, ValueError) as exc:  # nothing was handed over
        return delivery.defer(message, f"connection failed: {exc}")
    try:
        smtp.send_message(mail, from_addr=ascii_email(mailbox.from_email), to_addrs=[to_address])
    except smtplib.SMTPNotSupportedError:  # checked before anything was sent
        return _hold(message, f"{to_address} needs SMTPUTF8, which {mailbox.smtp_host} lacks")
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (550, b""))
        return delivery.after_answer(message, mailbox, contact, "RCPT", code, _answer_text(text))
    except smtplib.SMTPResponseException as exc:
        stage = {smtplib.SMTPSenderRefused: "MAIL FROM", smtplib.SMTPDataError: "DATA"}
        pool.drop(mailbox.id)
        return delivery.after_answer(
            message,
            mailbox,
            contact,
            stage.get(type(exc), "SMTP"),
            exc.smtp_code,
            _answer_text(exc.smtp_error),
        )
    except (OSError, smtplib.SMTPException):  # lost mid-conversation: maybe delivered
        error = "interrupted: the connection was lost during the send; check before resending"
        outbox.finish(message.id, MessageStatus.NEEDS_REVIEW, error=error)
        db.session.commit()
        pool.drop(mailbox.id)
        return "needs_review"
    _record_sent(message, mailbox, contact)
    return "sent"


def _record_sent(message: OutboundMessage, mailbox: Mailbox, contact: Contact) -> None:
    now = utcnow()
    outbox.finish(message.id, MessageStatus.SENT, sent_at=now, error=None, deferred_since=None)
    mailbox.last_sent_at = now
    contact.last_pitched_at = now
    if message.enrollment_id is not None:
        following = db.session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.enrollment_id == message.enrollment_id,
                OutboundMessage.in_reply_to == message.message_id,
            )
        )
        for nxt in following:
            step = db.session.get(SequenceStep, nxt.step_id) if nxt.step_id else None
            nxt.scheduled_at = sequences.add_business_days(
                now, step.delay_business_days if step else 1, mailbox.timezone
            )
    detail: dict[str, Any] = {"subject": message.subject, "message_id": message.message_id}
    events.after_send(message.workspace_id, message.prospect_id, message.enrollment_id, detail)
