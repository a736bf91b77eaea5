"""``GET /api/v1/jobs/{id}``: a background job's status and progress (as the jobs page)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.problems import Problem
from outreach.jobs import tasks

blp = api_blueprint("jobs", __name__, "Background jobs: imports, checks, rescoring.")


class JobSchema(ma.Schema):
    """A job of the workspace."""

    id = fields.String()
    name = fields.String()
    description = fields.String()
    status = fields.String(metadata={"description": "queued, running, finished, failed, ..."})
    progress = fields.Dict()
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()


@blp.route("/<task_id>", methods=["GET"])
@blp.response(200, JobSchema)
def read(task_id: str) -> dict[str, Any]:
    """One job's status, progress and failure reason."""
    task = tasks.get_task(caller().workspace.id, task_id)
    if task is None:
        raise Problem(404)
    view = tasks.describe(task)
    return {
        "id": task.id,
        "name": task.name,
        "description": task.description,
        "status": view.status.value,
        "progress": view.progress,
        "error": view.error,
        "created_at": task.created_at,
    }
