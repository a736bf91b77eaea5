"""The job status page, a JSON view of one job for live progress, and the recurring-work banner."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace
from outreach.jobs import tasks
from outreach.jobs.health import banner_health, quick_redis, recurring_health
from outreach.jobs.liveness import liveness, workers_missing

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.app_context_processor
def recurring_banner() -> dict[str, Any]:
    """``recurring_trouble`` and ``workers_missing`` for the banners on every signed-in page."""
    if not current_user.is_authenticated:
        return {"recurring_trouble": None, "workers_missing": False}
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    health = banner_health(app)
    missing = health.error is None and workers_missing(app, quick_redis(app))
    return {"recurring_trouble": None if health.ok else health, "workers_missing": missing}


@bp.get("/")
@login_required
def index() -> str:
    """Recurring work, then the queued, running, failed and finished jobs of the workspace."""
    views = tasks.recent_tasks(current_workspace().id)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    processes = liveness(app, quick_redis(app))
    return render_template(
        "jobs/index.html",
        tasks=views,
        recurring=recurring_health(),
        live_workers=[w for w in processes.workers if not w.stale],
        processes=processes,
    )


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
