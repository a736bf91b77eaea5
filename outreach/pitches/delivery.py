"""What follows an SMTP answer or a delivery report: retries, bounces, our sending's problems.

An SMTP answer in 4xx, at any stage, is temporary: the row goes back to the queue with an
exponential backoff (:data:`RETRY_DELAYS`) and fails, with the last answer, once it has been
refused for :data:`RETRY_FOR`. A 4xx means the server did not take the message, so a retry
can never deliver it twice. A hard answer (5.1.x, or a bare 5xx at RCPT) marks the contact as
bouncing; one that points at our sending (5.7.x) holds the message and is shown on the
mailbox page. Delivery reports fetched by the poller are read by :mod:`bounces` and recorded
here, as are ``mailto:`` unsubscribe requests (RFC 2369).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import Message
from email.utils import parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from outreach.activity.services import record
from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import bounces, events, outbox, suppression
from outreach.pitches.bounces import DeliveryReport, Verdict
from outreach.pitches.mime import UNSUBSCRIBE_SUBJECT
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
)
from outreach.prospects.models import Contact
from outreach.urls import ascii_email, unicode_email

RETRY_DELAYS = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
)
RETRY_FOR = timedelta(days=3)
_UNSUBSCRIBE = re.compile(rf"\b{UNSUBSCRIBE_SUBJECT}\s+([A-Za-z0-9_-]{{16,64}})", re.IGNORECASE)
_ACTIVITY = {
    Verdict.TEMPORARY: "email_delivery_delayed",
    Verdict.NOT_A_BOUNCE: "email_delivery_report",
    Verdict.OURS: "email_blocked",
    Verdict.FAILED: "email_failed",
}


def unsubscribe_link_problem() -> str:
    """Why nothing may be sent (in production only): one-click unsubscribe needs HTTPS.

    RFC 8058 requires an ``https`` URI for the one-click POST; with a plain ``http://``
    base URL the link would be ignored or leak the token. Tests and debug runs may use
    ``http://127.0.0.1``.
    """
    if current_app.testing or current_app.debug:
        return ""
    base_url = Settings.from_config(current_app.config).base_url
    if base_url.lower().startswith("https://"):
        return ""
    return (
        f"Sending is paused: OUTREACH_BASE_URL is {base_url}, and one-click unsubscribe links "
        "must be https:// (RFC 8058). Set an https:// base URL."
    )


def next_try(attempts: int, since: datetime, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` temporary answers since ``since``; None: give up."""
    if now - since >= RETRY_FOR:
        return None
    delay = RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]
    return min(now + delay, since + RETRY_FOR)


def note_problem(mailbox: Mailbox, problem: str) -> None:
    """Show a problem of our own sending on the mailbox page. Callers commit."""
    mailbox.sending_problem = problem[:1000]
    mailbox.sending_problem_at = utcnow()


def defer(message: OutboundMessage, answer: str) -> str:
    """A temporary refusal: back to the queue with a backoff, or failed after three days."""
    now = utcnow()
    since = message.deferred_since or now
    attempts = message.attempts + 1
    when = next_try(attempts, since, now)
    if when is None:
        error = f"gave up after {attempts} tries over {RETRY_FOR.days} days; last answer: {answer}"
        outbox.finish(message.id, MessageStatus.FAILED, error=error, attempts=attempts)
        detail = {"subject": message.subject, "summary": error}
        record(message.workspace_id, "prospect", message.prospect_id, "email_failed", detail)
        events.stop_enrollment(message.enrollment_id, "the message could not be delivered")
        return "failed"
    outbox.finish(
        message.id,
        MessageStatus.QUEUED,
        error=answer,  # the outbox shows when the next try is (scheduled_at)
        attempts=attempts,
        deferred_since=since,
        scheduled_at=when,
    )
    db.session.commit()
    return "deferred"


def after_answer(
    message: OutboundMessage, mailbox: Mailbox, contact: Contact, stage: str, code: int, text: str
) -> str:
    """Record an SMTP refusal at ``stage`` (MAIL FROM, RCPT, DATA); returns the outcome.

    What is kept and shown is the reply code, the enhanced status and our own reading of
    the server's words (:func:`bounces.hint`), never the words themselves.
    """
    verdict, _ = bounces.classify_answer(code, text)
    enhanced, said = bounces.enhanced_status(text), bounces.hint(text)
    answer = " ".join(filter(None, [str(code), enhanced, f"({said})" if said else ""]))
    answer += f" at {stage}"
    if not enhanced and verdict is Verdict.HARD and stage != "RCPT":
        verdict = Verdict.OURS if stage == "MAIL FROM" else Verdict.FAILED
    if verdict is Verdict.TEMPORARY:
        return defer(message, answer)
    detail: dict[str, Any] = {"subject": message.subject, "summary": f"{verdict.label}: {answer}"}
    if verdict is Verdict.OURS:
        outbox.finish(message.id, MessageStatus.HELD, hold_reason=f"{verdict.label}: {answer}")
        note_problem(mailbox, answer)
        record(message.workspace_id, "prospect", message.prospect_id, "email_blocked", detail)
        db.session.commit()
        return "held"
    outbox.finish(message.id, MessageStatus.FAILED, error=answer, attempts=message.attempts + 1)
    db.session.commit()
    if verdict is Verdict.HARD:
        events.after_bounce(message.workspace_id, contact.id, message.prospect_id, detail)
        return "failed"
    record(message.workspace_id, "prospect", message.prospect_id, "email_failed", detail)
    events.stop_enrollment(message.enrollment_id, "the message failed")
    return "failed"


def _find_sent(workspace_id: int, ids: list[str], recipient: str) -> OutboundMessage | None:
    query = select(OutboundMessage).where(OutboundMessage.workspace_id == workspace_id)
    if ids:
        found = db.session.scalars(
            query.where(OutboundMessage.message_id.in_(ids)).order_by(OutboundMessage.id.desc())
        ).first()
        if found is not None:
            return found
    if not recipient:
        return None
    candidates = {recipient.lower(), ascii_email(recipient).lower()}
    candidates.add(unicode_email(ascii_email(recipient)).lower())
    return db.session.scalars(
        query.join(Contact, Contact.id == OutboundMessage.contact_id)
        .where(
            func.lower(Contact.email).in_(candidates),
            OutboundMessage.status == MessageStatus.SENT,
        )
        .order_by(OutboundMessage.sent_at.desc(), OutboundMessage.id.desc())
    ).first()


def record_report(
    mailbox: Mailbox, message: Message, message_id: str, report: DeliveryReport
) -> str:
    """Record a delivery report the poller found: 'bounces', 'delivery_reports' or 'unmatched'.

    The poller has already skipped a message whose Message-ID was stored.
    """
    if report.verdict is Verdict.OURS:
        note_problem(mailbox, report.summary)
    sent = _find_sent(mailbox.workspace_id, report.original_ids, report.recipient)
    if sent is None:
        db.session.commit()
        return "unmatched"
    subject = str(message.get("Subject", ""))
    db.session.add(
        InboundMessage(
            workspace_id=mailbox.workspace_id,
            prospect_id=sent.prospect_id,
            mailbox_id=mailbox.id,
            message_id=message_id[:255],
            in_reply_to=sent.message_id,
            from_email=(report.recipient or parseaddr(str(message.get("From", "")))[1])[:320],
            subject=subject[:500],
            body=report.summary[:20_000],
            is_bounce=True,
            kind=InboundKind.BOUNCE,
            matched_by="headers" if sent.message_id in report.original_ids else "recipient",
            received_at=utcnow(),
        )
    )
    detail: dict[str, Any] = {
        "subject": subject[:200],
        "status": report.status,
        "action": report.action,
        "verdict": report.verdict.value,
        "summary": report.summary[:500],
    }
    if report.verdict is Verdict.HARD:
        events.after_bounce(mailbox.workspace_id, sent.contact_id, sent.prospect_id, detail)
        return "bounces"
    record(mailbox.workspace_id, "prospect", sent.prospect_id, _ACTIVITY[report.verdict], detail)
    db.session.commit()
    return "delivery_reports"


def unsubscribe_request(mailbox: Mailbox, message: Message) -> bool:
    """Honour a ``mailto:`` unsubscribe (RFC 2369): its subject carries the message's token."""
    found = _UNSUBSCRIBE.search(str(message.get("Subject", "")))
    if found is None:
        return False
    sent = db.session.scalar(
        select(OutboundMessage).where(
            OutboundMessage.workspace_id == mailbox.workspace_id,
            OutboundMessage.unsubscribe_token == found.group(1),
        )
    )
    contact = db.session.get(Contact, sent.contact_id) if sent is not None else None
    if sent is None or contact is None:
        return False
    try:
        suppression.suppress(mailbox.workspace_id, contact.email, "unsubscribed by e-mail")
    except suppression.SuppressionError:
        db.session.rollback()
    events.after_unsubscribe(mailbox.workspace_id, contact.id, sent.prospect_id, contact.email)
    return True


def handle_inbound(mailbox: Mailbox, message: Message, message_id: str) -> str | None:
    """The poller's seam: record a delivery report or an unsubscribe request; None otherwise."""
    if unsubscribe_request(mailbox, message):
        return "unsubscribes"
    report = bounces.read_report(message)
    if report is None:
        return None
    return record_report(mailbox, message, message_id, report)
