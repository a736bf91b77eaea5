"""Messages, read-only: a prospect's conversation, the outbox, and the received mail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import select

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.pagination import Key, Keyset, page_of
from outreach.api.schemas import PageArgsSchema, page_schema
from outreach.extensions import db
from outreach.pitches import outbox, thread
from outreach.pitches.models import InboundMessage, MessageStatus, OutboundMessage
from outreach.prospects.services import get_prospect

blp = api_blueprint("messages", __name__, "E-mail: conversations, the outbox, received mail.")


class ThreadMessageSchema(ma.Schema):
    """One message of a prospect's conversation."""

    direction = fields.String(metadata={"description": "out (we sent) or in (we received)."})
    id = fields.Integer(metadata={"description": "The outbox or received message's id."})
    at = fields.DateTime(allow_none=True)
    status = fields.String(metadata={"description": "sent, queued, held… or reply, bounce…"})
    why = fields.String()
    party = fields.String(metadata={"description": "The other side's address."})
    subject = fields.String()
    body = fields.String()
    step = fields.Integer(allow_none=True)
    unread = fields.Boolean()


class ThreadSchema(ma.Schema):
    """A prospect's messages both ways, oldest first."""

    items = fields.List(fields.Nested(ThreadMessageSchema))


class OutboxArgsSchema(PageArgsSchema):
    """The outbox's filter."""

    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in MessageStatus])
    )


class OutboxSchema(ma.Schema):
    """An outbox message with its recipient, prospect, campaign, mailbox, step and why."""

    id = fields.Integer()
    status = fields.String()
    to = fields.String()
    prospect_id = fields.Integer()
    domain = fields.String()
    campaign = fields.String()
    mailbox = fields.String(metadata={"description": "The mailbox's From address."})
    step = fields.Integer(allow_none=True)
    why = fields.String(metadata={"description": "Why it waits or failed, if it does."})
    subject = fields.String()
    scheduled_at = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)


class InboxSchema(ma.Schema):
    """A received message: a reply, automatic reply or bounce."""

    id = fields.Integer()
    prospect_id = fields.Integer(allow_none=True)
    mailbox_id = fields.Integer(allow_none=True)
    from_email = fields.String()
    subject = fields.String()
    body = fields.String()
    kind = fields.String()
    triage = fields.String(metadata={"description": "matched, needs_look or dismissed."})
    received_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


OutboxPage = page_schema("OutboxPage", OutboxSchema)
InboxPage = page_schema("InboxPage", InboxSchema)
OUTBOX_ORDER = Keyset(
    "outbox-newest", (Key(OutboundMessage.id, descending=True),), lambda row: [row.id]
)
INBOX_ORDER = Keyset(
    "inbox-newest",
    (
        Key(InboundMessage.received_at, descending=True, kind=datetime),
        Key(InboundMessage.id, descending=True),
    ),
    lambda row: [row.received_at, row.id],
)


@blp.route("/prospects/<int:prospect_id>/messages", methods=["GET"])
@blp.response(200, ThreadSchema)
def conversation(prospect_id: int) -> dict[str, Any]:
    """The prospect's messages both ways, oldest first (as on the prospect's page)."""
    prospect = get_prospect(caller().workspace.id, prospect_id)
    return {"items": [vars(item) for item in thread.thread(prospect)]}


def _outbox_json(row: outbox.OutboxRow) -> dict[str, Any]:
    message = row.message
    return {
        "id": message.id,
        "status": message.status.value,
        "to": row.to,
        "prospect_id": row.prospect_id,
        "domain": row.domain,
        "campaign": row.campaign,
        "mailbox": row.mailbox,
        "step": row.step,
        "why": row.why,
        "subject": message.subject,
        "scheduled_at": message.scheduled_at,
        "sent_at": message.sent_at,
    }


@blp.route("/outbox", methods=["GET"])
@blp.arguments(OutboxArgsSchema, location="query")
@blp.response(200, OutboxPage)
def list_outbox(args: dict[str, Any]) -> dict[str, Any]:
    """The workspace's outbox, newest first, optionally of one status."""
    workspace_id = caller().workspace.id
    status = MessageStatus(args["status"]) if args["status"] else None
    query = select(OutboundMessage.id).where(OutboundMessage.workspace_id == workspace_id)
    if status is not None:
        query = query.where(OutboundMessage.status == status)
    after = OUTBOX_ORDER.after(args["cursor"])
    if after is not None:
        query = query.where(after)
    ids = list(
        db.session.scalars(query.order_by(*OUTBOX_ORDER.order_by()).limit(args["limit"] + 1))
    )
    page, cursor = page_of(OUTBOX_ORDER, [_Id(i) for i in ids], args["limit"])
    rows = outbox.listing(workspace_id, ids=[item.id for item in page]) if page else []
    return {"items": [_outbox_json(row) for row in rows], "next_cursor": cursor}


class _Id:
    """A bare id, for the keyset's cursor."""

    def __init__(self, value: int) -> None:
        self.id = value


@blp.route("/inbox", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, InboxPage)
def list_inbox(args: dict[str, Any]) -> dict[str, Any]:
    """The workspace's received messages, newest first."""
    query = select(InboundMessage).where(InboundMessage.workspace_id == caller().workspace.id)
    after = INBOX_ORDER.after(args["cursor"])
    if after is not None:
        query = query.where(after)
    rows = list(
        db.session.scalars(query.order_by(*INBOX_ORDER.order_by()).limit(args["limit"] + 1))
    )
    items, cursor = page_of(INBOX_ORDER, rows, args["limit"])
    return {
        "items": [
            {
                "id": m.id,
                "prospect_id": m.prospect_id,
                "mailbox_id": m.mailbox_id,
                "from_email": m.from_email,
                "subject": m.subject,
                "body": m.body,
                "kind": m.kind.value,
                "triage": m.triage.value,
                "received_at": m.received_at,
                "read_at": m.read_at,
            }
            for m in items
        ],
        "next_cursor": cursor,
    }
