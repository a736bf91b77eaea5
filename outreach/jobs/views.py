"""The job status page, a JSON view of one job for live progress, and the recurring-work banner."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace
from outreach.extensions import db
from outreach.jobs import tasks, uploads
from outreach.jobs.health import recurring_health
from outreach.web import safe_next

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.app_context_processor
def recurring_banner() -> dict[str, Any]:
    """``recurring_trouble`` for the banner on every signed-in page."""
    if not current_user.is_authenticated:
        return {"recurring_trouble": None}
    health = recurring_health()
    return {"recurring_trouble": None if health.ok else health}


@bp.app_errorhandler(tasks.JobsUnavailable)
@bp.app_errorhandler(uploads.UploadNotSaved)
def action_refused(exc: Exception) -> Response | tuple[Response, int]:
    """A job that cannot start (Redis down), an upload that cannot be saved (disk full):
    nothing is kept, and the user is told why on the page they came from."""
    db.session.rollback()
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(error=str(exc)), 503
    flash(str(exc), "error")
    return redirect(_back(), 303)


def _back() -> str:
    """The page the action was posted from (this site only), else its own page or home."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return safe_next(path, url_for("main.home"))
    rule = request.url_rule
    if request.method != "GET" and rule is not None and "GET" in (rule.methods or ()):
        return request.path
    return url_for("main.home")


@bp.get("/")
@login_required
def index() -> str:
    """Recurring work, then the queued, running, failed and finished jobs of the workspace."""
    views = tasks.recent_tasks(current_workspace().id)
    return render_template("jobs/index.html", tasks=views, recurring=recurring_health())


@bp.get("/<task_id>.json")
@login_required
def status(task_id: str) -> Response:
    """One job's status and progress, polled by progress bars."""
    task = tasks.get_task(current_workspace().id, task_id)
    if task is None:
        abort(404)
    view = tasks.describe(task)
    return jsonify(
        id=task.id,
        name=task.name,
        description=task.description,
        status=view.status.value,
        progress=view.progress,
        error=view.error,
    )
