"""Links placed for us, each verification of them, and the alerts they raise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, LabelledEnum, TimestampMixin, utcnow


class LinkStatus(LabelledEnum):
    """The latest verdict on a placed link, or ``pending`` before the first check."""

    PENDING = "pending", "pending"
    LIVE = "live", "live"
    NOFOLLOW = "nofollow", "nofollow"
    NOT_INDEXABLE = "not_indexable", "not indexable"
    MISSING = "missing", "missing"
    BLOCKED = "blocked", "blocked"
    PAGE_ERROR = "page_error", "page error"


class PlacedLink(TimestampMixin, Base):
    """A page that should link to one of our URLs."""

    __tablename__ = "placed_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    prospect_id: Mapped[int | None] = mapped_column(
        ForeignKey("prospect.id", ondelete="SET NULL"), index=True
    )
    page_url: Mapped[str] = mapped_column(Text)
    target_url: Mapped[str] = mapped_column(Text)
    expected_anchor: Mapped[str | None] = mapped_column(Text)
    status: Mapped[LinkStatus] = mapped_column(default=LinkStatus.PENDING)
    last_checked_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)


class LinkCheck(Base):
    """One verification of a placed link, with its evidence."""

    __tablename__ = "link_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    placed_link_id: Mapped[int] = mapped_column(
        ForeignKey("placed_link.id", ondelete="CASCADE"), index=True
    )
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    verdict: Mapped[LinkStatus]
    http_status: Mapped[int | None]
    final_url: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Alert(TimestampMixin, Base):
    """Something a person should know: a link lost, changed or back."""

    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    placed_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("placed_link.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None]
    # None: no e-mail wanted; else queued -> sending -> sent (or failed). A row left in
    # "sending" by a crash is never resent blindly: the server may have accepted it.
    email_state: Mapped[str | None] = mapped_column(String(16), index=True)


class AlertSubscription(Base):
    """A member who wants link alerts of a workspace by e-mail too."""

    __tablename__ = "alert_subscription"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
