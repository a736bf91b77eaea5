"""One fetched message: a duplicate, a delivery report, or a reply of some kind.

:func:`process` is the one entry point the IMAP poller calls. It parses the message, skips
one already stored (by Message-ID; a message without one gets a digest of its bytes), sends
delivery reports to :func:`handle_delivery`, and otherwise classifies the message
(:mod:`classify`), keeps its new text apart from the quoted history (:mod:`quoting`),
matches it to what we sent (:mod:`matching`) and acts on it (:mod:`replies`). A message
that is probably ours but not certainly is stored without a prospect, as "needs a look"
in the inbox; one that matches nothing is left alone.

The seam with the sending side: :func:`handle_delivery` takes what is not a reply at all
(delivery reports) and returns what it counted, or None to let the message be read as a
reply; it may grow without touching the reply path.
"""

from __future__ import annotations

import email
import hashlib
from datetime import datetime
from email.message import Message
from email.policy import default as default_policy
from email.utils import parseaddr, parsedate_to_datetime

import lxml.html
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import delivery, replies
from outreach.pitches.classify import classify
from outreach.pitches.matching import match, message_ids
from outreach.pitches.models import InboundKind, InboundMessage, InboundTriage, Mailbox
from outreach.pitches.quoting import split_reply

MAX_TEXT = 20_000


def message_id_of(message: Message, raw: bytes) -> str:
    """The message's Message-ID, or a stable stand-in made from its bytes."""
    found = message_ids(str(message.get("Message-ID", "")))
    if found:
        return found[0][:255]
    return f"<sha256-{hashlib.sha256(raw).hexdigest()[:40]}@outreach.invalid>"


def seen(workspace_id: int, message_id: str) -> bool:
    """Whether this workspace already stored a message with that Message-ID."""
    return (
        db.session.scalar(
            select(InboundMessage.id)
            .where(
                InboundMessage.workspace_id == workspace_id,
                InboundMessage.message_id == message_id,
            )
            .limit(1)
        )
        is not None
    )


def text_of(message: Message) -> str:
    """The plain text of a message (its HTML as text when it has no plain part)."""
    body = (
        message.get_body(preferencelist=("plain", "html")) if hasattr(message, "get_body") else None
    )
    if body is None:
        return ""
    try:
        content = str(body.get_content())
    except (LookupError, UnicodeError):
        return ""
    if body.get_content_type() == "text/html" and content.strip():
        try:
            content = lxml.html.fromstring(content).text_content()
        except (ValueError, lxml.etree.ParserError):
            return ""
    return content[:MAX_TEXT]


def _received(message: Message) -> datetime:
    try:
        sent = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return utcnow()
    return sent if sent.tzinfo is not None else utcnow()


def handle_delivery(mailbox: Mailbox, message: Message, message_id: str) -> str | None:
    """The sending side's seam: delivery reports and ``mailto:`` unsubscribe requests are
    recorded by :func:`delivery.handle_inbound` ('bounces', 'delivery_reports',
    'unsubscribes' or 'unmatched'); None for any other message, which is then read as a reply."""
    return delivery.handle_inbound(mailbox, message, message_id)


def process(mailbox: Mailbox, raw: bytes) -> str:
    """Record one fetched message; returns what it was counted as: 'replies',
    'auto_replies', 'needs_look', 'bounces', 'unmatched' or 'duplicates'."""
    message = email.message_from_bytes(raw, policy=default_policy)
    message_id = message_id_of(message, raw)
    if seen(mailbox.workspace_id, message_id):
        return "duplicates"
    handled = handle_delivery(mailbox, message, message_id)
    if handled is not None:
        return handled
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    found = match(mailbox.workspace_id, message, sender)
    if found is None:
        return "unmatched"
    text = text_of(message)
    verdict = classify(message, text, _received(message).date())
    new, quoted = split_reply(text)
    row = InboundMessage(
        workspace_id=mailbox.workspace_id,
        prospect_id=found.sent.prospect_id if found.sent else None,
        mailbox_id=mailbox.id,
        message_id=message_id,
        in_reply_to=found.sent.message_id if found.sent else None,
        from_email=sender[:320],
        subject=str(message.get("Subject", ""))[:500],
        body=new,
        quoted=quoted,
        kind=verdict.kind,
        triage=InboundTriage.MATCHED if found.certain else InboundTriage.NEEDS_LOOK,
        matched_by=found.method,
        return_on=verdict.return_on,
        received_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    if not found.certain:
        db.session.commit()
        return "needs_look"
    replies.settle(row, found.sent.contact_id if found.sent else None)
    return "replies" if verdict.kind is InboundKind.REPLY else "auto_replies"
