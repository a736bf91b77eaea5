"""Prospects in a campaign's pipeline, and the people we write to."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.db import Base, LabelledEnum, TimestampMixin


class Stage(LabelledEnum):
    """Pipeline stages, in board order; the last three are off the main path."""

    PROSPECT = "prospect", "Prospect"
    QUALIFIED = "qualified", "Qualified"
    CONTACT_FOUND = "contact_found", "Contact found"
    QUEUED = "queued", "Queued"
    CONTACTED = "contacted", "Contacted"
    REPLIED = "replied", "Replied"
    NEGOTIATING = "negotiating", "Negotiating"
    LINK_PLACED = "link_placed", "Link placed"
    LIVE = "live", "Live (verified)"
    LOST = "lost", "Lost"
    REJECTED = "rejected", "Rejected"
    NO_RESPONSE = "no_response", "No response"
    DO_NOT_CONTACT = "do_not_contact", "Do not contact"


class OpportunityKind(LabelledEnum):
    """What kind of link opportunity a site offers: the values of ``Prospect.opportunity_types``.

    The crawler finds them (and stores them on its pages and sites too); the pipeline filters
    prospects by them.
    """

    RESOURCE_PAGE = "resource_page", "Resource page"
    WRITE_FOR_US = "write_for_us", "Write for us"
    BROKEN_LINK = "broken_link", "Broken link"
    UNLINKED_MENTION = "unlinked_mention", "Unlinked mention"
    COMPETITOR_LINK = "competitor_link", "Links to a competitor"


class Prospect(TimestampMixin, Base):
    """A registrable domain we might earn a link from, within one campaign."""

    __tablename__ = "prospect"
    __table_args__ = (
        UniqueConstraint("campaign_id", "domain"),
        # The board's columns: one campaign, one stage, best score first.
        Index("ix_prospect_board", "campaign_id", "stage", "score", "id"),
        # The table's pages, best score first, read in index order (``pipeline.queries._part``).
        Index("ix_prospect_best", "campaign_id", "score", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domain.id", ondelete="SET NULL"))
    domain: Mapped[str] = mapped_column(String(255))
    page_url: Mapped[str | None] = mapped_column(Text)
    page_title: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[Stage] = mapped_column(default=Stage.PROSPECT, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    score: Mapped[float | None] = mapped_column(Float)
    score_breakdown: Mapped[dict[str, Any]] = mapped_column(default=dict)
    opportunity_types: Mapped[list[str]] = mapped_column(default=list)  # OpportunityKind values
    due_on: Mapped[date | None]
    reminder: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)
    contacts: Mapped[list[Contact]] = relationship(secondary="prospect_contact", viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class Contact(TimestampMixin, Base):
    """A person (an e-mail address) at a prospect's site; one per address per workspace."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    domain: Mapped[str] = mapped_column(String(255), default="")
    role_address: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    source_url: Mapped[str | None] = mapped_column(Text)
    social_profiles: Mapped[list[str]] = mapped_column(default=list)
    bouncing: Mapped[bool] = mapped_column(default=False)
    last_pitched_at: Mapped[datetime | None]


class ProspectContact(Base):
    """Which contacts belong to which prospect."""

    __tablename__ = "prospect_contact"
    prospect_id: Mapped[int] = mapped_column(
        ForeignKey("prospect.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True
    )
    is_primary: Mapped[bool] = mapped_column(default=False)


class ProspectScore(Base):
    """The score of one domain within one campaign, with its signals and the breakdown.

    Every domain of the campaign's link intersect has a row (the choice of whom to pitch is
    made there, before a prospect exists), and so does every pipeline prospect. The scoring
    feature writes these rows in bulk; the intersect, the board and the table read them.
    ``breakdown`` is a list of signal entries (see ``outreach.scoring.combine``).
    """

    __tablename__ = "prospect_score"
    __table_args__ = (
        UniqueConstraint("campaign_id", "domain"),
        Index("ix_prospect_score_rank", "campaign_id", "score"),
        # The newest row of a campaign: its last scoring, the intersect cache's version.
        Index("ix_prospect_score_latest", "campaign_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(255))
    score: Mapped[float | None] = mapped_column(Float)
    authority: Mapped[float | None] = mapped_column(Float)
    authority_source: Mapped[str] = mapped_column(String(64), default="")
    relevance: Mapped[float | None] = mapped_column(Float)
    risk_flags: Mapped[list[dict[str, Any]]] = mapped_column(default=list)  # code, message
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    scored_at: Mapped[datetime]
