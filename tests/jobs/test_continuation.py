"""Jobs in slices: each slice hands the rest of its Task to a job at the back of the queue."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.job import Job
from sqlalchemy import select

from outreach.activity.models import Activity
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from tests.factories import SignIn
from tests.jobs.sample_jobs import note_in_slices, write_note


def _work(app: Flask, redis_url: str, max_jobs: int | None = None) -> None:
    worker = OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app)
    worker.work(burst=True, max_jobs=max_jobs)
    db.session.expire_all()


def _notes() -> list[str]:
    notes = select(Activity).where(Activity.action == "note").order_by(Activity.id)
    rows = db.session.scalars(notes)
    return [row.detail["text"] for row in rows]


def test_a_task_runs_on_across_slices_and_finishes_at_the_last(
    app: Flask, client: FlaskClient, auth: SignIn, redis_url: str
) -> None:
    _, workspace = auth()
    task = tasks.launch(
        note_in_slices, workspace.id, 3, workspace_id=workspace.id, description="Three notes"
    )
    db.session.commit()

    _work(app, redis_url, max_jobs=1)  # the first slice only

    between = db.session.get(Task, task.id)
    assert between is not None and between.status is TaskStatus.RUNNING
    assert between.job_id is not None and between.job_id != task.id, "points at the next slice"
    assert Job.fetch(between.job_id, connection=Redis.from_url(redis_url)).get_status() == "queued"
    shown = client.get(f"/jobs/{task.id}.json").get_json()
    assert shown["status"] == "running", "a slice waiting in the queue is still running work"
    assert shown["progress"] == {"written": 1, "slices": 3}
    assert _notes() == ["slice 1"]

    _work(app, redis_url)

    done = db.session.get(Task, task.id)
    assert done is not None and done.status is TaskStatus.FINISHED, done and done.error
    assert done.progress == {"written": 3, "slices": 3} and done.error is None
    assert _notes() == ["slice 1", "slice 2", "slice 3"]
    assert client.get(f"/jobs/{task.id}.json").get_json()["status"] == "finished"
    last = Job.fetch(str(done.job_id), connection=Redis.from_url(redis_url))
    assert last.meta["slice"] == 3 and last.meta["task_id"] == task.id
    assert db.session.scalar(select(Task.id).where(Task.id != task.id)) is None, "one Task"


def test_a_job_queued_meanwhile_runs_between_two_slices(
    app: Flask, auth: SignIn, redis_url: str
) -> None:
    _, workspace = auth()
    tasks.launch(note_in_slices, workspace.id, 3, workspace_id=workspace.id, description="long")
    tasks.launch(write_note, workspace.id, "short", workspace_id=workspace.id, description="short")
    db.session.commit()

    _work(app, redis_url)

    assert _notes() == ["slice 1", "short", "slice 2", "slice 3"]
    assert {t.status for t in db.session.scalars(select(Task))} == {TaskStatus.FINISHED}


def test_the_next_slice_fails_into_the_same_recorder_as_the_first() -> None:
    from rq.utils import import_attribute

    from outreach.jobs import continuation, tasks

    assert import_attribute(continuation.RECORD_FAILURE) is tasks.record_failure
