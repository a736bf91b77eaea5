"""Sending one delivery: claim it, POST the signed event, log the attempt, settle or retry.

A delivery is claimed with one conditional UPDATE (``pending`` and due -> ``sending``)
committed before the request, so two copies of the job never both send it, and a
delivery that succeeded is never sent again. A failed attempt schedules the next one on
the :data:`BACKOFF` ladder; after the last step the delivery is ``failed``. Receivers
should still drop duplicate ``Outreach-Event-Id`` values: a worker that dies between the
request and the commit leaves the delivery to be tried again (see :func:`recover_stale`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from outreach.activity.models import OutboxEvent
from outreach.db import utcnow
from outreach.encryption import decrypt
from outreach.extensions import db
from outreach.net import FetchResult, post_one
from outreach.net.settings import policy_from_config
from outreach.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from outreach.webhooks.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    signature_header,
)

# The wait before each retry: 1 min, 5 min, 30 min, 2 h, 8 h; six attempts in all.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_CLAIM = timedelta(minutes=10)  # a "sending" row older than this lost its worker
RESPONSE_LIMIT = 64 * 1024  # bytes of a receiver's answer read (the rest is not wanted)
EXCERPT = 500  # characters of the answer kept for the settings page
TIMEOUT = 15.0  # seconds a receiver gets to answer


@dataclass(frozen=True)
class Outcome:
    """What one run of the delivery job did, and when to try again (if it should)."""

    status: str
    retry_in: timedelta | None = None


def payload(event: OutboxEvent) -> dict[str, Any]:
    """The JSON document a receiver gets: ``{id, type, created_at, workspace_id, data}``."""
    return {
        "id": event.uid,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "workspace_id": event.workspace_id,
        "data": event.data,
    }


def body_of(event: OutboxEvent) -> bytes:
    """The exact bytes sent (and signed) for an event."""
    return json.dumps(payload(event), separators=(",", ":"), sort_keys=True).encode()


def claim(delivery_id: int, now: datetime) -> bool:
    """Take a due, pending delivery for this run (committed); False when it isn't ours."""
    result = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            or_(
                WebhookDelivery.next_attempt_at.is_(None),
                WebhookDelivery.next_attempt_at <= now,
            ),
        )
        .values(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            attempts=WebhookDelivery.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def send(delivery: WebhookDelivery, config: Mapping[str, Any]) -> FetchResult:
    """POST the delivery's event to its endpoint, signed now, through the address policy."""
    body = body_of(delivery.event)
    timestamp = int(time.time())
    secret = decrypt(delivery.endpoint.secret_encrypted)
    headers = {
        "Content-Type": "application/json",
        "Accept": "*/*",
        SIGNATURE_HEADER: signature_header(secret, timestamp, body),
        EVENT_ID_HEADER: delivery.event.uid,
        EVENT_TYPE_HEADER: delivery.event.type,
    }
    timeout = min(TIMEOUT, float(config.get("OUTREACH_FETCH_TIMEOUT") or TIMEOUT))
    policy = policy_from_config(
        config,
        obey_robots=False,
        per_host_delay=0.0,
        max_body_bytes=RESPONSE_LIMIT,
        connect_timeout=min(5.0, timeout),
        read_timeout=timeout,
        total_deadline=timeout,
    )
    return post_one(delivery.endpoint.url, body, headers, policy)


def _error_of(result: FetchResult) -> str | None:
    if result.error_kind is not None:
        return f"{result.error_kind}: {result.error}"
    if result.status is None or not 200 <= result.status < 300:
        return f"HTTP {result.status}"
    return None


def record(delivery: WebhookDelivery, result: FetchResult, now: datetime) -> Outcome:
    """Log the attempt and settle the delivery: delivered, retry later, or failed."""
    error = _error_of(result)
    excerpt = result.body[: EXCERPT * 4].decode("utf-8", "replace")[:EXCERPT] or None
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            number=delivery.attempts,
            started_at=now,
            duration_ms=round(result.elapsed * 1000),
            status_code=result.status,
            error=error if result.error_kind is not None else None,
            response_excerpt=excerpt,
        )
    )
    delivery.last_status_code = result.status
    delivery.last_error = error
    delivery.claimed_at = None
    if error is None:
        delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, utcnow()
        delivery.next_attempt_at = None
        return Outcome("succeeded")
    return _retry_or_fail(delivery, now)


def _retry_or_fail(delivery: WebhookDelivery, now: datetime) -> Outcome:
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        return Outcome("failed")
    wait = BACKOFF[max(delivery.attempts, 1) - 1]
    delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now + wait
    return Outcome("retrying", wait)


def attempt(delivery_id: int, config: Mapping[str, Any], now: datetime | None = None) -> Outcome:
    """Run one attempt of a delivery if it is due and unclaimed; commits its steps."""
    now = now or utcnow()
    if not claim(delivery_id, now):
        return Outcome("skipped")
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return Outcome("skipped")
    if not delivery.endpoint.enabled:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.CANCELLED, None
        delivery.last_error = "endpoint disabled"
        db.session.commit()
        return Outcome("cancelled")
    result = send(delivery, config)
    outcome = record(delivery, result, now)
    db.session.commit()
    return outcome


def due_ids(now: datetime, grace: timedelta, limit: int = 1000) -> list[int]:
    """Pending deliveries due for longer than ``grace`` (their queued job was lost)."""
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now - grace,
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
    )


def recover_stale(now: datetime) -> int:
    """Put back deliveries whose worker died mid-send: the try counts, retried on the ladder."""
    stale = db.session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.status == DeliveryStatus.SENDING,
            WebhookDelivery.claimed_at <= now - STALE_CLAIM,
        )
    )
    count = 0
    for delivery in stale:
        delivery.last_error, delivery.claimed_at = "interrupted: the worker stopped", None
        _retry_or_fail(delivery, now)
        count += 1
    return count
