"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, g
from flask_login import current_user

from outreach.db import utcnow


def ago(moment: datetime | None) -> str:
    """'3 minutes ago', 'in 2 days', or an em dash for nothing."""
    if moment is None:
        return "—"
    seconds = (utcnow() - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


def when(moment: datetime | None) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM UTC'."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def init_templates(app: Flask) -> None:
    """Register filters and the navigation context."""
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["when"] = when

    @app.context_processor
    def navigation() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"workspaces": [], "workspace": None}
        from outreach.accounts.services import workspaces_of
        from outreach.campaigns.services import campaigns_of

        workspace = g.get("workspace")
        return {
            "workspaces": workspaces_of(current_user),
            "workspace": workspace,
            "nav_campaigns": campaigns_of(workspace.id) if workspace else [],
        }
