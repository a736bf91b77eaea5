"""Referring-domain targets: how many referring domains a workspace or campaign aims for."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, TimestampMixin


class ReferringDomainTarget(TimestampMixin, Base):
    """From ``starts_on`` (a month's first day) on, aim for ``domains`` live referring domains.

    ``campaign_id`` None is the workspace's own target. A target holds until a later one.
    """

    __tablename__ = "referring_domain_target"
    __table_args__ = (
        Index("ix_referring_domain_target_scope", "workspace_id", "campaign_id", "starts_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    starts_on: Mapped[date]
    domains: Mapped[int]
