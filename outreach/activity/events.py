"""The event outbox: features record what happened; subscribers (webhooks) act on it.

A feature calls :func:`emit` in the transaction that makes the change, so the event row
commits or rolls back with it. This module knows no subscriber: a higher package that
wants events (``outreach.webhooks``) registers a function with :func:`subscribe`, which is
called with each new event inside the same transaction. Callers commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete

from outreach.activity.models import OutboxEvent
from outreach.db import utcnow
from outreach.extensions import db

LINK_LIVE = "link.live"
LINK_LOST = "link.lost"
LINK_CHANGED = "link.changed"
REPLY_RECEIVED = "reply.received"
IMPORT_FINISHED = "import.finished"
STAGE_CHANGED = "prospect.stage_changed"

# Every event type a feature emits, with what it means (the webhook settings page lists them).
EVENT_TYPES: dict[str, str] = {
    LINK_LIVE: "A placed link was verified live",
    LINK_LOST: "A placed link was lost (removed, or its page gone)",
    LINK_CHANGED: "A placed link changed (nofollow, noindex, anchor, redirect...)",
    REPLY_RECEIVED: "A prospect replied",
    IMPORT_FINISHED: "A backlink import finished (done or failed)",
    STAGE_CHANGED: "A prospect moved to another pipeline stage",
}

Subscriber = Callable[[OutboxEvent], None]
_subscribers: list[Subscriber] = []


def subscribe(func: Subscriber) -> Subscriber:
    """Call ``func`` with every event emitted from now on (in the emitter's transaction)."""
    if func not in _subscribers:
        _subscribers.append(func)
    return func


def new_uid() -> str:
    """A public, unguessable event id (``evt_`` and 32 hex digits)."""
    return f"evt_{uuid.uuid4().hex}"


def emit(workspace_id: int, type: str, data: dict[str, Any]) -> OutboxEvent:
    """Record an event in the current transaction and hand it to the subscribers."""
    event = OutboxEvent(
        uid=new_uid(), workspace_id=workspace_id, type=type, data=data, created_at=utcnow()
    )
    db.session.add(event)
    for func in _subscribers:
        func(event)
    return event


def prune(before: datetime) -> int:
    """Delete events older than ``before`` (their deliveries go with them); how many."""
    result = db.session.execute(delete(OutboxEvent).where(OutboxEvent.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
