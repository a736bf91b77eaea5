"""The home page (the workspace dashboard), the navigation every page shows, and error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from outreach.accounts.context import current_workspace
from outreach.accounts.services import workspaces_of
from outreach.activity.services import recent
from outreach.campaigns.services import campaigns_of
from outreach.extensions import db
from outreach.jobs.tasks import recent_tasks
from outreach.prospects.models import Stage
from outreach.prospects.stages import stage_counts

bp = Blueprint("main", __name__)


@bp.app_context_processor
def navigation() -> dict[str, Any]:
    """The workspace switcher and the campaign list of the navigation bar."""
    if not current_user.is_authenticated:
        return {"workspaces": [], "workspace": None}
    workspace = g.get("workspace")
    return {
        "workspaces": workspaces_of(current_user),
        "workspace": workspace,
        "nav_campaigns": campaigns_of(workspace.id) if workspace else [],
    }


@bp.get("/")
@login_required
def home() -> str:
    """The current workspace at a glance: campaigns, pipeline, activity, jobs."""
    workspace = current_workspace()
    return render_template(
        "main/home.html",
        workspace=workspace,
        campaigns=campaigns_of(workspace.id),
        counts=stage_counts(workspace.id),
        stages=list(Stage),
        activity=recent(workspace.id, 10),
        tasks=recent_tasks(workspace.id, 5),
    )


@bp.get("/healthz")
def health() -> dict[str, str]:
    """Liveness for load balancers."""
    return {"status": "ok"}


def register_error_pages(app: Flask) -> None:
    """Friendly pages for 4xx and 500 errors."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int] | HTTPException:
        if exc.code is None or exc.code < 400:  # routing redirects are HTTPExceptions too
            return exc
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(500)
    def server_error(exc: Exception) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/500.html", home=url_for("main.home")), 500
