"""The home page (the workspace dashboard) and error pages."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, url_for
from flask_login import login_required
from werkzeug.exceptions import HTTPException

from outreach.accounts.context import current_workspace
from outreach.activity.services import recent
from outreach.campaigns.services import campaigns_of, stage_counts
from outreach.extensions import db
from outreach.jobs.tasks import recent_tasks
from outreach.prospects.models import Stage

bp = Blueprint("main", __name__)


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
