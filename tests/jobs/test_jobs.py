"""Background jobs: a real round trip through RQ workers on a real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from redis import Redis
from sqlalchemy import select

from outreach.activity.models import Activity
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from tests.factories import Factory, SignIn
from tests.jobs.sample_jobs import fail_loudly, write_note

ROOT = Path(__file__).resolve().parents[2]


def _work(app: Flask, redis_url: str) -> None:
    worker = OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app)
    worker.work(burst=True)


def test_job_is_enqueued_only_after_commit(app: Flask, factory: Factory) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    tasks.launch(write_note, workspace.id, "hi", workspace_id=workspace.id, description="note")
    assert tasks.get_queue().count == 0
    db.session.commit()
    assert tasks.get_queue().count == 1


def test_job_round_trip_through_a_forking_worker(
    app: Flask, factory: Factory, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    task = tasks.launch(
        write_note, workspace.id, "hello", workspace_id=workspace.id, description="Write a note"
    )
    db.session.commit()
    _work(app, redis_url)
    db.session.expire_all()
    note = db.session.scalar(select(Activity).where(Activity.action == "note"))
    assert note is not None and note.detail == {"text": "hello"}
    done = db.session.get(Task, task.id)
    assert done is not None and done.status is TaskStatus.FINISHED
    assert done.progress == {"stage": "done", "written": 1}


def test_failed_job_rolls_back_and_records_its_reason(
    app: Flask, client: FlaskClient, auth: SignIn, redis_url: str
) -> None:
    _, workspace = auth()
    task = tasks.launch(
        fail_loudly, workspace.id, workspace_id=workspace.id, description="Doomed job"
    )
    db.session.commit()
    _work(app, redis_url)
    db.session.expire_all()
    failed = db.session.get(Task, task.id)
    assert failed is not None and failed.status is TaskStatus.FAILED
    assert failed.error == "ValueError: the disk is on fire"
    assert db.session.scalar(select(Activity).where(Activity.action == "note")) is None
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Doomed job" in page and "the disk is on fire" in page and "failed" in page
    status = client.get(f"/jobs/{task.id}.json").get_json()
    assert status["status"] == "failed" and "disk is on fire" in status["error"]


def test_jobs_page_shows_queued_jobs_with_live_status(client: FlaskClient, auth: SignIn) -> None:
    _, workspace = auth()
    task = tasks.launch(
        write_note, workspace.id, "x", workspace_id=workspace.id, description="Waiting job"
    )
    db.session.commit()
    assert "queued" in client.get("/jobs/").get_data(as_text=True)
    assert client.get(f"/jobs/{task.id}.json").get_json()["status"] == "queued"


def test_standard_rq_worker_command_runs_outreach_jobs(
    app: Flask, factory: Factory, database: str, redis_url: str, tmp_path: Path
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    task = tasks.launch(
        write_note, workspace.id, "from rq", workspace_id=workspace.id, description="note"
    )
    db.session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "OUTREACH_INSTANCE_PATH": str(tmp_path),
        "OUTREACH_QUEUE": app.config["OUTREACH_QUEUE"],
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": "a-worker-secret-key-long-enough-to-run",
    }
    rq = Path(sys.executable).with_name("rq")
    result = subprocess.run(
        [
            str(rq),
            "worker",
            "--url",
            redis_url,
            "--burst",
            "--worker-class",
            "outreach.jobs.worker.OutreachWorker",
            app.config["OUTREACH_QUEUE"],
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    db.session.expire_all()
    assert db.session.get_one(Task, task.id).status is TaskStatus.FINISHED


def test_flask_worker_command_drains_the_queue(
    app: Flask, runner: FlaskCliRunner, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    task = tasks.launch(
        write_note, workspace.id, "cli", workspace_id=workspace.id, description="note"
    )
    db.session.commit()
    result = runner.invoke(args=["worker", "--burst", "--without-scheduler"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get_one(Task, task.id).status is TaskStatus.FINISHED
