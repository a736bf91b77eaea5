"""Reply and bounce detection: polling a mailbox over IMAP and matching what arrived.

Replies are matched by ``In-Reply-To`` and ``References`` against the Message-IDs of the
workspace's sent messages. Delivery reports and ``mailto:`` unsubscribe requests go to
:func:`delivery.handle_inbound` first (see :mod:`bounces` for how reports are read).
"""

from __future__ import annotations

import email
import re
from collections import Counter
from email.message import Message
from email.policy import default as default_policy
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.net.mail import open_imap
from outreach.net.settings import mail_policy_from_config
from outreach.pitches import delivery, events
from outreach.pitches.mailboxes import decrypt_password
from outreach.pitches.models import InboundMessage, Mailbox, OutboundMessage

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
FETCH_CHUNK = 100


def poll(mailbox: Mailbox, timeout: float | None = None) -> dict[str, int]:
    """Fetch messages with a UID above the last one seen; returns counts of what was found.

    The connection obeys the mail policy (:mod:`outreach.net.mail`): a refused or failed
    one raises :class:`~outreach.net.mail.MailRefused` with a plain reason.
    """
    counts = Counter(replies=0, bounces=0, unmatched=0)
    overrides = {} if timeout is None else {"timeout": timeout}
    policy = mail_policy_from_config(current_app.config, **overrides)
    with open_imap(
        mailbox.imap_host,
        mailbox.imap_port,
        mailbox.imap_tls,
        mailbox.smtp_username or mailbox.from_email,
        lambda: decrypt_password(mailbox),
        policy,
    ) as client:
        client.select_folder("INBOX", readonly=True)
        uids = [
            u
            for u in client.search(["UID", f"{mailbox.last_imap_uid + 1}:*"])
            if u > mailbox.last_imap_uid
        ]
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = sorted(uids[start : start + FETCH_CHUNK])
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if isinstance(raw, bytes):
                    counts[process(mailbox, raw)] += 1
                mailbox.last_imap_uid = max(mailbox.last_imap_uid, uid)
                db.session.commit()
    return dict(counts)


def _ids(value: str | None) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def _text_of(message: Message) -> str:
    part = message.get_body(preferencelist=("plain",)) if hasattr(message, "get_body") else None
    if part is None:
        return ""
    try:
        return str(part.get_content())[:20_000]
    except (LookupError, UnicodeError):
        return ""


def _find_sent(workspace_id: int, ids: list[str]) -> OutboundMessage | None:
    if not ids:
        return None
    return db.session.scalar(
        select(OutboundMessage)
        .where(OutboundMessage.workspace_id == workspace_id, OutboundMessage.message_id.in_(ids))
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )


def process(mailbox: Mailbox, raw: bytes) -> str:
    """Record one fetched message: 'replies', 'bounces' or 'unmatched'."""
    message = email.message_from_bytes(raw, policy=default_policy)
    handled = delivery.handle_inbound(mailbox, message)  # delivery reports, unsubscribe requests
    if handled is not None:
        return handled
    ids = _ids(str(message.get("In-Reply-To", ""))) + _ids(str(message.get("References", "")))
    sent = _find_sent(mailbox.workspace_id, ids)
    if sent is None:
        return "unmatched"
    message_id = (
        str(message.get("Message-ID", "")).strip() or f"<uid-{mailbox.id}-{utcnow().timestamp()}>"
    )
    seen = db.session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.workspace_id == mailbox.workspace_id,
            InboundMessage.message_id == message_id,
        )
    )
    if seen is not None:
        return "unmatched"
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    db.session.add(
        InboundMessage(
            workspace_id=mailbox.workspace_id,
            prospect_id=sent.prospect_id,
            mailbox_id=mailbox.id,
            message_id=message_id[:255],
            in_reply_to=sent.message_id,
            from_email=sender[:320],
            subject=str(message.get("Subject", ""))[:500],
            body=_text_of(message),
            received_at=utcnow(),
        )
    )
    detail = {"subject": str(message.get("Subject", ""))[:200], "from": sender}
    events.after_reply(mailbox.workspace_id, sent.prospect_id, detail)
    return "replies"
