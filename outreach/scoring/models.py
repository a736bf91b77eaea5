"""Per-campaign weights, the workspace blocklist, and imported ranked lists of domains."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, LabelledEnum, utcnow

# Signal name -> default weight. The weights need not add up to 100: each signal counts
# in proportion to its weight among the signals known for the domain.
DEFAULT_WEIGHTS: dict[str, int] = {
    "authority": 35,
    "relevance": 30,
    "link_quality": 15,
    "overlap": 10,
    "contact": 10,
}


class ScoringWeights(Base):
    """How much each signal counts in one campaign's score (a row only once edited)."""

    __tablename__ = "scoring_weights"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), unique=True
    )
    authority: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["authority"])
    relevance: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["relevance"])
    link_quality: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["link_quality"])
    overlap: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["overlap"])
    contact: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["contact"])
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def as_dict(self) -> dict[str, int]:
        """Signal name -> weight."""
        return {name: int(getattr(self, name)) for name in DEFAULT_WEIGHTS}


class BlockKind(LabelledEnum):
    """What a blocklist entry matches."""

    DOMAIN = "domain", "Domain"
    TLD = "tld", "Top-level domain"


class BlockedEntry(Base):
    """A domain (and its subdomains) or a TLD the workspace never wants to pitch."""

    __tablename__ = "blocked_entry"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[BlockKind]
    value: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RankedList(LabelledEnum):
    """Public lists of domains ranked by popularity or link authority."""

    TRANCO = "tranco", "Tranco"
    MAJESTIC_MILLION = "majestic_million", "Majestic Million"
    OPEN_PAGERANK = "open_pagerank", "DomCop Open PageRank"


class RankedDomain(Base):
    """A domain's rank in a ranked list the workspace imported (1 is the top)."""

    __tablename__ = "ranked_domain"
    __table_args__ = (
        UniqueConstraint("workspace_id", "list_name", "domain"),
        Index("ix_ranked_domain_lookup", "workspace_id", "domain"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    list_name: Mapped[RankedList]
    domain: Mapped[str] = mapped_column(String(255))
    rank: Mapped[int] = mapped_column(Integer)
    authority: Mapped[float] = mapped_column(Float)  # the rank on the 0-100 scale


class OutreachRank(Base):
    """Outreach's own authority figure for a domain: PageRank over every link the workspace
    knows, log-scaled to 0-100 (see ``pagerank``); refreshed by each rescoring."""

    __tablename__ = "outreach_rank"
    __table_args__ = (UniqueConstraint("workspace_id", "domain"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(255))
    value: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
