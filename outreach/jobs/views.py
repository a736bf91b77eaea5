"""The job status page, and a JSON view of one job for live progress."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace
from outreach.jobs import tasks

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("/")
@login_required
def index() -> str:
    """Queued, running, failed and finished jobs of the workspace."""
    views = tasks.recent_tasks(current_workspace().id)
    return render_template("jobs/index.html", tasks=views)


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
