"""A row per launched background job, so the app can list and explain them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, utcnow


class TaskStatus(enum.Enum):
    """Where a background job stands, as the job itself last recorded it."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


OPEN = (TaskStatus.QUEUED, TaskStatus.RUNNING)


class Task(Base):
    """A background job launched for a workspace; ``id`` is the id of its (first) RQ job.

    A job done in slices (``outreach.jobs.continuation``) runs as several RQ jobs one after
    the other: ``job_id`` is the current one (None: ``id`` itself).
    """

    __tablename__ = "task"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[TaskStatus] = mapped_column(default=TaskStatus.QUEUED)
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def current_job_id(self) -> str:
        """The RQ job doing the work now (a later slice's, for a job done in slices)."""
        return self.job_id or self.id
