"""Answering a reply from Outreach: through the mailbox it arrived in, in the same thread.

The answer is an outbox row like any other (so the sender, its caps and its checks apply),
without a sequence step or an unsubscribe footer: it is one person writing to another.
Callers commit.
"""

from __future__ import annotations

from sqlalchemy import func, select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.mailboxes import may_send_from
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
)
from outreach.pitches.suppression import suppressed_by
from outreach.prospects.models import Contact, ProspectContact

MAX_BODY = 20_000


class AnswerError(ValueError):
    """An answer that cannot be sent, with a message for the user."""


def _contact_for(row: InboundMessage) -> Contact:
    """The prospect's contact with the sender's address, added when it is new."""
    address = row.from_email.strip()
    contact = db.session.scalar(
        select(Contact).where(
            Contact.workspace_id == row.workspace_id, func.lower(Contact.email) == address.lower()
        )
    )
    if contact is None:
        domain = address.rsplit("@", 1)[-1].lower()
        contact = Contact(
            workspace_id=row.workspace_id, email=address, domain=domain, source="reply"
        )
        db.session.add(contact)
        db.session.flush()
    linked = db.session.get(ProspectContact, (row.prospect_id, contact.id))
    if linked is None and row.prospect_id is not None:
        db.session.add(ProspectContact(prospect_id=row.prospect_id, contact_id=contact.id))
    return contact


def _references(row: InboundMessage) -> str:
    """The thread's Message-IDs, oldest first, ending with the reply being answered."""
    ours = (
        db.session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.workspace_id == row.workspace_id,
                OutboundMessage.message_id == row.in_reply_to,
            )
        )
        if row.in_reply_to
        else None
    )
    chain = (ours.references or "").split() if ours is not None else []
    if ours is not None:
        chain.append(ours.message_id)
    chain.append(row.message_id)
    return " ".join(dict.fromkeys(chain))


def answer(row: InboundMessage, body: str, user_id: int) -> OutboundMessage:
    """Queue an answer to a reply, from the mailbox it arrived in, threaded under it."""
    text = body.strip()
    if not text:
        raise AnswerError("Write your answer first.")
    if len(text) > MAX_BODY:
        raise AnswerError(f"Answers are at most {MAX_BODY:,} characters.")
    if row.kind is not InboundKind.REPLY or row.prospect_id is None:
        raise AnswerError("Only a person's reply tied to a prospect can be answered here.")
    mailbox = db.session.get(Mailbox, row.mailbox_id) if row.mailbox_id else None
    if mailbox is None or mailbox.workspace_id != row.workspace_id:
        raise AnswerError("The mailbox this reply arrived in is gone.")
    if not may_send_from(mailbox, user_id):
        raise AnswerError(f"{mailbox.from_email} is not yours and its user has not shared it.")
    hit = suppressed_by(row.workspace_id, row.from_email)
    if hit:
        raise AnswerError(f"{row.from_email} is on the suppression list ({hit}).")
    message = OutboundMessage(
        workspace_id=row.workspace_id,
        prospect_id=row.prospect_id,
        contact_id=_contact_for(row).id,
        mailbox_id=mailbox.id,
        status=MessageStatus.QUEUED,
        message_id=sequences.new_message_id(mailbox),
        in_reply_to=row.message_id,
        references=_references(row),
        subject=sequences.reply_subject(row.subject),
        body=text,
        scheduled_at=utcnow(),
    )
    db.session.add(message)
    row.read_at = row.read_at or utcnow()
    db.session.flush()
    return message
