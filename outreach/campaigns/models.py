"""Campaigns and the competitors each one measures itself against."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.db import Base, LabelledEnum, TimestampMixin


class CampaignKind(LabelledEnum):
    """The kind of link-building a campaign does; it picks default templates and filters."""

    DIGITAL_PR = "digital_pr", "Digital PR"
    GUEST_POST = "guest_post", "Guest post"
    RESOURCE_PAGE = "resource_page", "Resource page"
    BROKEN_LINK = "broken_link", "Broken link"
    LINK_RECLAMATION = "link_reclamation", "Link reclamation"
    UNLINKED_MENTION = "unlinked_mention", "Unlinked mention"


class Campaign(TimestampMixin, Base):
    """A push for links to some of our pages, against a set of competitors."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CampaignKind] = mapped_column(default=CampaignKind.GUEST_POST)
    site_domain: Mapped[str] = mapped_column(String(255), default="")
    target_pages: Mapped[list[str]] = mapped_column(default=list)
    topic_keywords: Mapped[list[str]] = mapped_column(default=list)
    monthly_link_target: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)
    competitors: Mapped[list[Competitor]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="Competitor.domain"
    )


class Competitor(TimestampMixin, Base):
    """A competing site whose backlinks are prospects for us."""

    __tablename__ = "competitor"
    __table_args__ = (UniqueConstraint("campaign_id", "domain"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(255))
    campaign: Mapped[Campaign] = relationship(back_populates="competitors")
