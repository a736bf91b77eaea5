"""A job whose worker dies ends failed, with a reason, on its Task, its record, page and JSON.

The worker here is a real ``flask worker`` process, killed with SIGKILL in the middle of an
import: either the whole worker (found by the recovery pass, as the scheduler runs it every
minute) or only its work horse (found at once by the worker that survives it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from outreach.backlinks.models import Backlink, BacklinkImport, ImportStatus
from outreach.extensions import db
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.recovery import WORKER_LOST, recover
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[2]
ROWS = 100_000  # a second or more of import: time to kill it half way
COLUMNS = "Referring page URL,Target URL,Anchor,Domain rating,First seen,Last seen\n"


def _big_export(path: Path) -> Path:
    rows = (
        f"https://site{i % 5000}.example/page-{i},https://rival-one.com/,guide {i},40,"
        "2024-01-10 08:00:00,2024-06-01 09:30:00\n"
        for i in range(ROWS)
    )
    path.write_text(COLUMNS + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture
def started_import(
    app: Flask, factory: Factory, client: FlaskClient, tmp_path: Path
) -> Iterator[tuple[BacklinkImport, subprocess.Popen[bytes]]]:
    """An uploaded import that a real worker process is running right now."""
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace)
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "OUTREACH_QUEUE": app.config["OUTREACH_QUEUE"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "OUTREACH_INSTANCE_PATH": str(app.instance_path),
        "OUTREACH_WORKER_HEARTBEAT": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "outreach", "worker", "--without-scheduler"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # the worker boots while the file uploads
        path = _big_export(tmp_path / "big.csv")
        with path.open("rb") as stream:
            response = client.post(
                f"/campaigns/{campaign.id}/imports",
                data={"file": (stream, "big.csv"), "target": ""},
                content_type="multipart/form-data",
            )
        assert response.status_code == 302
        item = db.session.scalar(select(BacklinkImport))
        assert item is not None
        deadline = time.monotonic() + 60
        while _status(item.id) is not ImportStatus.RUNNING:
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker did not start the import in 60 s"
            time.sleep(0.05)
        yield item, worker
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def _status(import_id: int) -> ImportStatus | None:
    db.session.expire_all()
    return db.session.scalar(select(BacklinkImport.status).where(BacklinkImport.id == import_id))


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def _gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _assert_failed_everywhere(client: FlaskClient, item: BacklinkImport, how: str) -> None:
    db.session.expire_all()
    record = db.session.get(BacklinkImport, item.id)
    task = db.session.get(Task, item.task_id)
    assert record is not None and task is not None
    assert record.status is ImportStatus.FAILED
    assert record.error is not None and how in record.error and "nothing was kept" in record.error
    assert (record.rows_read, record.rows_imported, record.rows_rejected) == (0, 0, 0)
    assert task.status is TaskStatus.FAILED and task.error == record.error
    assert db.session.scalar(select(func.count()).select_from(Backlink)) == 0
    status = client.get(f"/imports/{item.id}.json").get_json()
    assert status == {
        "status": "failed",
        "error": record.error,
        "rows_read": 0,
        "rows_imported": 0,
        "rows_rejected": 0,
    }
    page = client.get(f"/imports/{item.id}").get_data(as_text=True)
    assert 'data-initial-status="failed"' in page and "nothing was kept" in page
    assert not Path(record.stored_path).exists(), "the upload is deleted"


def test_a_worker_killed_mid_import_is_found_by_the_recovery_pass(
    app: Flask,
    client: FlaskClient,
    redis_url: str,
    started_import: tuple[BacklinkImport, subprocess.Popen[bytes]],
) -> None:
    item, worker = started_import
    horses = _children(worker.pid)
    worker.send_signal(signal.SIGKILL)  # the worker itself, not its process group
    worker.wait(timeout=10)
    assert horses and all(_gone(pid) for pid in horses), "its work horse dies with it"
    assert _status(item.id) is ImportStatus.RUNNING, "nobody has noticed yet"

    found = recover(app, Redis.from_url(redis_url))

    assert found["abandoned"] == 1
    _assert_failed_everywhere(client, item, WORKER_LOST)
    connection = Redis.from_url(redis_url)
    assert item.task_id in FailedJobRegistry(app.config["OUTREACH_QUEUE"], connection=connection)
    assert recover(app, connection) == {"abandoned": 0, "closed": 0}, "a second pass: nothing"


def test_a_killed_work_horse_fails_its_job_at_once(
    client: FlaskClient,
    redis_url: str,
    started_import: tuple[BacklinkImport, subprocess.Popen[bytes]],
) -> None:
    item, worker = started_import
    (horse,) = _children(worker.pid)
    os.kill(horse, signal.SIGKILL)  # as the out-of-memory killer would
    deadline = time.monotonic() + 30
    while _status(item.id) is not ImportStatus.FAILED:
        assert time.monotonic() < deadline, "the surviving worker did not record the failure"
        time.sleep(0.1)
    _assert_failed_everywhere(
        client, item, "The worker running this job stopped (killed by SIGKILL)"
    )
    job = Job.fetch(str(item.task_id), connection=Redis.from_url(redis_url))
    assert job.get_status() == "failed"
    assert worker.poll() is None, "the worker itself carries on"
