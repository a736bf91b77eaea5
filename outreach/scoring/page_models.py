"""Fetched pages (linking pages and target pages) and the relevance worked out from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, utcnow


class FetchedPage(Base):
    """One URL as the relevance fetcher last saw it, per workspace.

    ``reason`` says why a page gave nothing usable ("404", "not HTML", "timeout",
    "blocked by robots.txt", ...) and is None when it did. ``text`` is the page's main text
    (trafilatura), ``terms`` its stems with their counts (the most frequent ones), ``length``
    how many stems it has in all: relevance reads these without parsing the page again.
    """

    __tablename__ = "fetched_page"
    __table_args__ = (
        UniqueConstraint("workspace_id", "url_key"),
        Index("ix_fetched_page_workspace_fetched", "workspace_id", "fetched_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    url_key: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(Text)
    domain: Mapped[str] = mapped_column(String(255))
    final_url: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    length: Mapped[int] = mapped_column(default=0)
    outbound_links: Mapped[int | None]
    outbound_domains: Mapped[int | None]
    # Links from this page to the fetching campaign's competitors, as the page shows them:
    # [{"href", "anchor", "placement", "follows"}] (placement as link verification reads it).
    competitor_links: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # What scoring's risk checks read from the page, worked out when it was fetched.
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def ok(self) -> bool:
        """True when the page was fetched and has text to compare."""
        return self.reason is None


class DomainRelevance(Base):
    """A prospect domain's relevance to a campaign, as last worked out.

    ``signature`` is what the figures were computed from (the campaign's topic and target
    pages, the latest fetch in the workspace); a different one means they are stale.
    """

    __tablename__ = "domain_relevance"
    __table_args__ = (UniqueConstraint("campaign_id", "domain"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(255))
    value: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(255), default="")
    top_terms: Mapped[list[str]] = mapped_column(default=list)
    pages: Mapped[int] = mapped_column(default=0)
    # The stored facts of the domain's readable linking pages, gathered for scoring.
    facts: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    signature: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
