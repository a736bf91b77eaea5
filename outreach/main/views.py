"""The home page (the workspace dashboard), the navigation every page shows, and error pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, open_other_workspace
from outreach.accounts.services import workspaces_of
from outreach.activity.services import recent
from outreach.campaigns.services import campaigns_of
from outreach.extensions import db
from outreach.jobs.health import quick_redis, recurring_health
from outreach.jobs.liveness import Heartbeat, liveness
from outreach.jobs.tasks import recent_tasks
from outreach.main.checklist import setup_checklist
from outreach.main.feed import describe
from outreach.prospects.models import Stage
from outreach.prospects.stages import stage_counts
from outreach.scoping import InOtherWorkspace

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
        activity=describe(recent(workspace.id, 10)),
        checklist=setup_checklist(workspace.id),
        tasks=recent_tasks(workspace.id, 5),
    )


@bp.get("/healthz")
def health() -> tuple[dict[str, Any], int]:
    """Health for monitors: 503 when the database or Redis is unreachable, no job worker or
    cron scheduler is alive (or one is stale), or recurring work is overdue."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    report = recurring_health()
    processes = liveness(app, quick_redis(app))
    database = _database_error()
    ok = report.ok and processes.ok and database is None
    body: dict[str, Any] = {
        "status": "ok" if ok else "failing",
        "database": {"ok": database is None, "error": database},
        "redis": {"ok": report.error is None and processes.error is None},
        "workers": [_heartbeat(worker) for worker in processes.workers],
        "schedulers": [_heartbeat(scheduler) for scheduler in processes.schedulers],
        "problems": ([database] if database else []) + processes.problems,
        "cron_schedulers": report.schedulers,
        "recurring": [
            {
                "name": job.name,
                "schedule": job.schedule,
                "last_start": _iso(job.last_start),
                "last_success": _iso(job.last_success),
                "last_failure": _iso(job.last_failure),
                "next_run": _iso(job.next_run),
                "overdue": job.overdue,
            }
            for job in report.jobs
        ],
    }
    if report.error:
        body["error"] = report.error
    return body, 200 if ok else 503


def _heartbeat(beat: Heartbeat) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": beat.name,
        "last_heartbeat": _iso(beat.last_heartbeat),
        "age_seconds": round(beat.age, 1) if beat.age is not None else None,
        "stale": beat.stale,
    }
    if beat.queues or beat.state:
        row.update(queues=list(beat.queues), state=beat.state)
    return row


def _database_error() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return f"the database is unreachable ({type(exc).__name__})"
    return None


@bp.get("/livez")
def live() -> dict[str, str]:
    """Liveness for load balancers: this web process answers (background work aside)."""
    return {"status": "ok"}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def register_error_pages(app: Flask) -> None:
    """Friendly pages for 4xx and 500 errors."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int] | HTTPException | Response:
        if exc.code is None or exc.code < 400:  # routing redirects are HTTPExceptions too
            return exc
        if isinstance(exc, InOtherWorkspace) and request.method in ("GET", "HEAD"):
            db.session.rollback()  # nothing the failed request did is kept
            workspace = open_other_workspace(exc.workspace_id)
            if workspace is not None:
                db.session.commit()
                flash(f"Switched to the workspace {workspace.name}.", "info")
                return redirect(request.full_path.rstrip("?"))
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(500)
    def server_error(exc: Exception) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/500.html", home=url_for("main.home")), 500
