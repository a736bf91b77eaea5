"""Webhook endpoints of a workspace, and turning emitted events into deliveries. Callers commit.

Plain arguments in, models out, so the settings pages and a JSON API share one logic.
Every lookup is scoped to the workspace: an endpoint of another workspace is a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from outreach.activity import events
from outreach.activity.models import OutboxEvent
from outreach.db import utcnow
from outreach.encryption import decrypt, encrypt
from outreach.extensions import db
from outreach.scoping import get_in_workspace
from outreach.webhooks.jobs import queue_after_commit
from outreach.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from outreach.webhooks.signing import new_secret

PING = "webhook.ping"  # the test event: sent to one endpoint, on request only
MAX_ENDPOINTS = 20
ENDPOINTS_KEY = "outreach_webhook_endpoints"  # Session.info: endpoints per workspace, cached


class WebhookError(ValueError):
    """A request the service refuses; the message is for the user."""


def check_url(url: str) -> str:
    """The URL stripped, if it is an absolute http(s) URL without credentials."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("Enter a full http(s) address, e.g. https://hooks.example/outreach")
    if parts.username or parts.password:
        raise WebhookError("Leave user names and passwords out of the address.")
    if len(url) > 2048:
        raise WebhookError("That address is too long.")
    return url


def check_events(wanted: list[str]) -> list[str]:
    """The known event types of ``wanted``, in catalogue order; at least one."""
    chosen = [name for name in events.EVENT_TYPES if name in set(wanted)]
    if not chosen:
        raise WebhookError("Choose at least one event.")
    return chosen


def list_endpoints(workspace_id: int) -> list[WebhookEndpoint]:
    """The workspace's endpoints, oldest first."""
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.workspace_id == workspace_id)
            .order_by(WebhookEndpoint.id)
        )
    )


def get_endpoint(workspace_id: int, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint of the workspace; 404 otherwise."""
    return get_in_workspace(WebhookEndpoint, workspace_id, endpoint_id)


def create_endpoint(
    workspace_id: int, url: str, wanted: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its new signing secret (stored encrypted)."""
    if len(list_endpoints(workspace_id)) >= MAX_ENDPOINTS:
        raise WebhookError(f"A workspace can have at most {MAX_ENDPOINTS} webhooks.")
    secret = new_secret()
    endpoint = WebhookEndpoint(
        workspace_id=workspace_id,
        url=check_url(url),
        events=check_events(wanted),
        description=description.strip()[:200],
        secret_encrypted=encrypt(secret),
        enabled=True,
    )
    db.session.add(endpoint)
    db.session.flush()
    _forget_endpoints(db.session())
    return endpoint, secret


def secret_of(endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret in clear, for its owner to copy."""
    return decrypt(endpoint.secret_encrypted)


def rotate_secret(endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret (the old one stops at once); returns the new one."""
    secret = new_secret()
    endpoint.secret_encrypted = encrypt(secret)
    return secret


def set_enabled(endpoint: WebhookEndpoint, enabled: bool) -> None:
    """Turn deliveries to an endpoint on or off; turning off cancels what is still owed."""
    endpoint.enabled = enabled
    _forget_endpoints(db.session())
    if not enabled:
        db.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.endpoint_id == endpoint.id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
            .values(status=DeliveryStatus.CANCELLED, next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its delivery log."""
    db.session.delete(endpoint)
    db.session.flush()
    _forget_endpoints(db.session())


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``webhook.ping`` event to this one endpoint (turned on: else WebhookError)."""
    if not endpoint.enabled:
        raise WebhookError("Turn the webhook on to send it a test event.")
    event = events.emit(endpoint.workspace_id, PING, {"endpoint_id": endpoint.id})
    item = WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint_id=endpoint.id,
        event=event,
        next_attempt_at=utcnow(),
    )
    db.session.add(item)
    queue_after_commit(item)
    return item


def recent_deliveries(
    workspace_id: int, endpoint_id: int | None = None, limit: int = 25
) -> list[WebhookDelivery]:
    """The latest deliveries of the workspace (or of one endpoint), newest first."""
    query = select(WebhookDelivery).where(WebhookDelivery.workspace_id == workspace_id)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    return list(db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


def attempts_of(delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """The attempts of some deliveries, by delivery id, in order."""
    found: dict[int, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    rows = db.session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.number)
    )
    for row in rows:
        found[row.delivery_id].append(row)
    return found


def _subscribed(workspace_id: int, event_type: str) -> list[int]:
    """Ids of the workspace's enabled endpoints wanting ``event_type`` (cached per transaction)."""
    cache: dict[int, list[tuple[int, list[str]]]] = db.session().info.setdefault(ENDPOINTS_KEY, {})
    if workspace_id not in cache:
        with db.session.no_autoflush:  # a caller mid-change must not be flushed by a read
            rows = db.session.execute(
                select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                    WebhookEndpoint.workspace_id == workspace_id,
                    WebhookEndpoint.enabled.is_(True),
                )
            )
            cache[workspace_id] = [(row.id, list(row.events or [])) for row in rows]
    return [endpoint_id for endpoint_id, wanted in cache[workspace_id] if event_type in wanted]


@events.subscribe
def fan_out(event: OutboxEvent) -> None:
    """One delivery per enabled endpoint wanting the event, queued once the change commits."""
    if event.type == PING:
        return
    for endpoint_id in _subscribed(event.workspace_id, event.type):
        item = WebhookDelivery(
            workspace_id=event.workspace_id,
            endpoint_id=endpoint_id,
            event=event,
            next_attempt_at=event.created_at,
        )
        db.session.add(item)
        queue_after_commit(item)


@sa_event.listens_for(Session, "after_commit")
def _forget_endpoints(session: Session) -> None:
    session.info.pop(ENDPOINTS_KEY, None)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_endpoints_on_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(ENDPOINTS_KEY, None)
