"""Webhook endpoints of a workspace, the deliveries of events to them, and each attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.activity.models import OutboxEvent
from outreach.db import Base, LabelledEnum, TimestampMixin, utcnow
from outreach.encryption import encrypted_column


class DeliveryStatus(LabelledEnum):
    """Where one delivery stands: waiting (maybe for a retry), being sent, or settled."""

    PENDING = "pending", "pending"
    SENDING = "sending", "sending"
    SUCCEEDED = "succeeded", "delivered"
    FAILED = "failed", "failed"
    CANCELLED = "cancelled", "cancelled"


class WebhookEndpoint(TimestampMixin, Base):
    """A URL of the workspace's that receives the events it asked for, signed with its secret."""

    __tablename__ = "webhook_endpoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(default=list)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)


class WebhookDelivery(Base):
    """One event owed to one endpoint; tried until it succeeds, runs out of tries or stops."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("endpoint_id", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_event.id", ondelete="CASCADE"))
    status: Mapped[DeliveryStatus] = mapped_column(default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    claimed_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[OutboxEvent] = relationship(lazy="joined")
    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(Base):
    """One HTTP request of a delivery: what came back (or why nothing did), and how fast."""

    __tablename__ = "webhook_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)


encrypted_column(WebhookEndpoint.secret_encrypted)  # `flask rotate-keys` re-encrypts it
