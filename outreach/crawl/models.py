"""Crawl runs and what they found: pages, sites (prospect domains) and opportunities."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, TimestampMixin, utcnow
from outreach.prospects.models import OpportunityKind


class CrawlStatus(enum.Enum):
    """Where a crawl run stands."""

    QUEUED = "queued"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FINISHED = "finished"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        """True while the run may still fetch pages."""
        return self in (CrawlStatus.QUEUED, CrawlStatus.RUNNING, CrawlStatus.STOPPING)


class CrawlRun(TimestampMixin, Base):
    """One crawl of a campaign from the seeds a user gave, with its live counters."""

    __tablename__ = "crawl_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[CrawlStatus] = mapped_column(default=CrawlStatus.QUEUED)
    site_seeds: Mapped[list[str]] = mapped_column(default=list)
    sitemap_seeds: Mapped[list[str]] = mapped_column(default=list)
    page_seeds: Mapped[list[str]] = mapped_column(default=list)
    max_depth: Mapped[int] = mapped_column(default=2)
    max_pages_per_site: Mapped[int] = mapped_column(default=50)
    check_broken_links: Mapped[bool] = mapped_column(default=True)
    find_contacts: Mapped[bool] = mapped_column(default=True)
    pages_fetched: Mapped[int] = mapped_column(default=0)
    pages_queued: Mapped[int] = mapped_column(default=0)
    pages_failed: Mapped[int] = mapped_column(default=0)
    opportunities_found: Mapped[int] = mapped_column(default=0)
    backlinks_found: Mapped[int] = mapped_column(default=0)
    contacts_found: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # What is left between two slices of the crawl job (``outreach.crawl.frontier``).
    frontier: Mapped[dict[str, Any] | None]


class CrawlPage(Base):
    """One URL a run tried, with the HTTP outcome or the readable reason it failed."""

    __tablename__ = "crawl_page"
    __table_args__ = (UniqueConstraint("run_id", "url_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_run.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(40))
    final_url: Mapped[str | None] = mapped_column(Text)
    domain: Mapped[str] = mapped_column(String(255))
    depth: Mapped[int] = mapped_column(default=0)
    http_status: Mapped[int | None]
    error_kind: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    outbound_links: Mapped[int] = mapped_column(default=0)
    competitor_links: Mapped[int] = mapped_column(default=0)
    opportunity_types: Mapped[list[str]] = mapped_column(default=list)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlSite(Base):
    """A registrable domain a run visited: a prospect domain, with what was found on it."""

    __tablename__ = "crawl_site"
    __table_args__ = (UniqueConstraint("run_id", "domain"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_run.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(255))
    pages: Mapped[int] = mapped_column(default=0)
    opportunity_types: Mapped[list[str]] = mapped_column(default=list)
    emails: Mapped[list[str]] = mapped_column(default=list)
    authors: Mapped[list[str]] = mapped_column(default=list)
    social_profiles: Mapped[list[str]] = mapped_column(default=list)


class Opportunity(Base):
    """A page offering a kind of link opportunity, found by a crawl run."""

    __tablename__ = "crawl_opportunity"
    __table_args__ = (
        UniqueConstraint("run_id", "page_id", "kind"),
        Index("ix_crawl_opportunity_run_kind", "run_id", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_run.id", ondelete="CASCADE"))
    page_id: Mapped[int] = mapped_column(ForeignKey("crawl_page.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(255))
    page_url: Mapped[str] = mapped_column(Text)
    kind: Mapped[OpportunityKind]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
