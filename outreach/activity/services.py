"""Recording and reading the activity log."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import select

from outreach.activity.models import Activity
from outreach.extensions import db


def record(
    workspace_id: int,
    subject_type: str,
    subject_id: int,
    action: str,
    detail: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> Activity:
    """Add an activity entry; the actor defaults to the signed-in user, if any."""
    if actor_id is None:
        try:
            actor_id = current_user.id if current_user.is_authenticated else None
        except (AttributeError, RuntimeError):  # outside a request (jobs, CLI)
            actor_id = None
    entry = Activity(
        workspace_id=workspace_id,
        actor_id=actor_id,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        detail=detail or {},
    )
    db.session.add(entry)
    return entry


def history(workspace_id: int, subject_type: str, subject_id: int) -> list[Activity]:
    """Entries for one subject, newest first."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(
                Activity.workspace_id == workspace_id,
                Activity.subject_type == subject_type,
                Activity.subject_id == subject_id,
            )
            .order_by(Activity.created_at.desc(), Activity.id.desc())
        )
    )


def recent(workspace_id: int, limit: int = 20) -> list[Activity]:
    """The workspace's latest activity."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.workspace_id == workspace_id)
            .order_by(Activity.created_at.desc(), Activity.id.desc())
            .limit(limit)
        )
    )
