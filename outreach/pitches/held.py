"""Held messages: a release renders the message again with the data as it is now, or a person
edits that one message by hand. Callers commit.

A message held for an empty merge field keeps its template's text until it is released;
releasing it renders its step's template again (the contact filled in meanwhile, say). If a
field is still empty it stays held and says which. A message edited by hand is sent as
written. When a first message is rendered again, its unsent follow-ups take the new subject.
"""

from __future__ import annotations

from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import merge, mime, outbox, sequences
from outreach.pitches.models import (
    Mailbox,
    MessageStatus,
    OutboundMessage,
    PitchTemplate,
    SequenceStep,
)
from outreach.prospects.models import Contact, Prospect

_TEMPLATE_SYNTAX = ("{{", "{%", "}}", "%}")


class EditRefused(ValueError):
    """A hand edit that cannot be sent, with a message for the user."""


def _first_of(message: OutboundMessage) -> OutboundMessage | None:
    return db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.enrollment_id == message.enrollment_id)
        .order_by(OutboundMessage.id)
        .limit(1)
    ).first()


def render_again(message: OutboundMessage) -> str | None:
    """Render the message's step with today's data; returns why it must stay held, if it must."""
    step = db.session.get(SequenceStep, message.step_id) if message.step_id else None
    if step is None or message.edited_at is not None:
        return None  # written by hand, or not from a sequence: sent as it is
    template = db.session.get(PitchTemplate, step.template_id)
    contact = db.session.get(Contact, message.contact_id)
    prospect = db.session.get(Prospect, message.prospect_id)
    campaign = db.session.get(Campaign, step.campaign_id)
    mailbox = db.session.get(Mailbox, message.mailbox_id) if message.mailbox_id else None
    if template is None or contact is None or prospect is None or campaign is None:
        return "its template, contact or prospect is gone"
    context = merge.build_context(contact, prospect, campaign, mailbox)
    rendered = merge.render_pitch(template.subject, template.body, context)
    if rendered.hold_reason:
        return rendered.hold_reason
    first = _first_of(message) if step.position else None
    if first is not None and first.id != message.id:
        message.subject = sequences.reply_subject(first.subject)
    else:
        message.subject = rendered.subject
        _retitle_follow_ups(message)
    message.body = rendered.body
    return None


def _retitle_follow_ups(first: OutboundMessage) -> None:
    if first.enrollment_id is None:
        return
    for later in db.session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.enrollment_id == first.enrollment_id,
            OutboundMessage.id != first.id,
            OutboundMessage.status.in_(sequences.UNSENT),
            OutboundMessage.edited_at.is_(None),
        )
    ):
        later.subject = sequences.reply_subject(first.subject)


def release(message: OutboundMessage) -> str | None:
    """Queue a held or needs-review message; returns why it stays held, if it does."""
    if message.status is MessageStatus.HELD:
        reason = render_again(message)
        if reason:
            message.hold_reason = reason
            return reason
    outbox.release(message)
    return None


def edit(message: OutboundMessage, subject: str, body: str) -> None:
    """A person's own text for one held message; it stays held until released."""
    if message.status is not MessageStatus.HELD:
        raise EditRefused("Only a held message can be edited.")
    subject, body = subject.strip(), body.replace("\r\n", "\n")
    try:
        mime.check_header("subject", subject)
    except mime.HeaderError as exc:
        raise EditRefused("The subject must be a single line.") from exc
    if not subject or not body.strip():
        raise EditRefused("Write a subject and a body.")
    if any(mark in subject + body for mark in _TEMPLATE_SYNTAX):
        raise EditRefused("Replace the merge fields ({{ … }}) with their text.")
    message.subject, message.body = subject[:500], body
    message.edited_at = utcnow()
    if not message.in_reply_to:  # the first of its thread: the follow-ups answer this subject
        _retitle_follow_ups(message)
    message.hold_reason = "edited by hand: release to send"
