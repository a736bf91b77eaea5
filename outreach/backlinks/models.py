"""Domains, their authority, the backlinks we know of, and the imports that brought them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, LabelledEnum, TimestampMixin, utcnow


class DataSource(enum.Enum):
    """Where a backlink or a metric came from."""

    AHREFS = "ahrefs"
    SEMRUSH = "semrush"
    MOZ = "moz"
    MAJESTIC = "majestic"
    SEARCH_CONSOLE = "search_console"
    CSV = "csv"
    CRAWL = "crawl"
    MANUAL = "manual"


class Domain(TimestampMixin, Base):
    """A registrable domain (eTLD+1), shared by every workspace."""

    __tablename__ = "domain"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    tld: Mapped[str] = mapped_column(String(63), default="")
    language: Mapped[str | None] = mapped_column(String(16))


class DomainMetric(Base):
    """One authority figure for a domain from one data source, as a workspace imported it."""

    __tablename__ = "domain_metric"
    __table_args__ = (UniqueConstraint("workspace_id", "domain_id", "source", "metric"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id", ondelete="CASCADE"), index=True)
    source: Mapped[DataSource]
    metric: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Backlink(Base):
    """A link from a source page to a target URL (a competitor's or ours), per workspace."""

    __tablename__ = "backlink"
    __table_args__ = (
        UniqueConstraint("workspace_id", "data_source", "link_key"),
        # Covers the link intersect and the reports' reading of our links, so grouping a
        # million links never visits the table.
        Index(
            "ix_backlink_intersect",
            "workspace_id",
            "target_domain",
            "source_domain",
            "lost_at",
            "authority",
            "nofollow",
            "ugc",
            "sponsored",
            "language",
            "page_authority",
            "first_seen",
        ),
        # The page-level authority of each source domain (scoring's ``authority_table``),
        # read from the index alone and only over links that carry one.
        Index(
            "ix_backlink_page_authority",
            "workspace_id",
            "source_domain",
            "data_source",
            "page_authority",
            postgresql_where=text("page_authority IS NOT NULL"),
            sqlite_where=text("page_authority IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("backlink_import.id", ondelete="SET NULL")
    )
    data_source: Mapped[DataSource]
    # The first 8 bytes of SHA-1 of the normalised (source, target), signed: the key links
    # are matched by (see ``records.link_key``). The URLs are stored as the export gave them.
    link_key: Mapped[int] = mapped_column(BigInteger)
    source_url: Mapped[str] = mapped_column(Text)
    source_domain: Mapped[str] = mapped_column(String(255))
    source_title: Mapped[str | None] = mapped_column(Text)
    target_url: Mapped[str] = mapped_column(Text)
    target_domain: Mapped[str] = mapped_column(String(255))
    anchor: Mapped[str | None] = mapped_column(Text)
    nofollow: Mapped[bool] = mapped_column(default=False)
    ugc: Mapped[bool] = mapped_column(default=False)
    sponsored: Mapped[bool] = mapped_column(default=False)
    authority: Mapped[float | None] = mapped_column(Float)
    page_authority: Mapped[float | None] = mapped_column(Float)
    traffic: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(16))
    placement: Mapped[str | None] = mapped_column(String(16))
    link_type: Mapped[str | None] = mapped_column(String(16))  # text, image, redirect, ...
    is_spam: Mapped[bool | None]  # Ahrefs "Is spam"
    spam_score: Mapped[float | None] = mapped_column(Float)  # Moz Spam Score, 0-100
    topical_trust_flow: Mapped[str | None] = mapped_column(String(255))  # Majestic "Topic:23"
    rows_merged: Mapped[int] = mapped_column(default=1, server_default="1")
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    lost_at: Mapped[datetime | None]


class ImportStatus(LabelledEnum):
    """Where a backlink import stands."""

    QUEUED = "queued", "queued"
    NEEDS_MAPPING = "needs_mapping", "needs mapping"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class BacklinkImport(TimestampMixin, Base):
    """One uploaded export file and what became of it."""

    __tablename__ = "backlink_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(1024))
    format: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[ImportStatus] = mapped_column(default=ImportStatus.QUEUED)
    target_domain: Mapped[str | None] = mapped_column(String(255))
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    rejections: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[str | None] = mapped_column(String(64))
    marked_lost: Mapped[int] = mapped_column(default=0, server_default="0")
    # Links the import would mark lost, waiting for the user's go-ahead (a large drop).
    lost_pending: Mapped[int] = mapped_column(default=0, server_default="0")
    lost_note: Mapped[str | None] = mapped_column(Text)  # why no links were marked lost


class ColumnMapping(TimestampMixin, Base):
    """How the columns of a file of one shape map to backlink fields, remembered per workspace."""

    __tablename__ = "column_mapping"
    __table_args__ = (UniqueConstraint("workspace_id", "header_signature"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    header_signature: Mapped[str] = mapped_column(String(64))
    headers: Mapped[list[str]] = mapped_column(default=list)
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TargetSummary(Base):
    """Counts over a workspace's links to one target domain, kept by every write of backlinks
    (see ``summary.refresh_targets``) so that reports need not count a million links."""

    __tablename__ = "backlink_target_summary"
    __table_args__ = (UniqueConstraint("workspace_id", "target_domain"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    target_domain: Mapped[str] = mapped_column(String(255))
    links: Mapped[int]  # every link to the target, lost or not
    referring_domains: Mapped[int]  # distinct source domains with a link not lost
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
