"""Running recurring work: what ``rq cron`` registers, slot claims, and what each run records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq.cron import CronScheduler
from rq.job import Job
from rq.registry import FailedJobRegistry

from outreach import create_app
from outreach.db import utcnow
from outreach.jobs import recurring
from outreach.jobs.queues import Lane, queue_name, queue_names
from outreach.jobs.runner import read_states, recent_runs, run_recurring
from outreach.jobs.tasks import get_queue
from outreach.jobs.worker import OutreachWorker

YEARLY = "0 0 1 1 *"  # every copy enqueued during a test belongs to the same slot


def _work(app: Flask, redis_url: str, worker_app: Flask | None = None) -> None:
    connection = Redis.from_url(redis_url)
    worker = OutreachWorker(queue_names(app.config), connection=connection, app=worker_app or app)
    worker.work(burst=True)


def test_the_rq_cron_config_module_registers_every_recurring_job(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("OUTREACH_QUEUE", "cron-config-test")
    monkeypatch.setenv("OUTREACH_LINK_SWEEP_SCHEDULE", "15 * * * *")
    scheduler = CronScheduler(connection=Redis.from_url(redis_url))
    scheduler.load_config_from_file("outreach.cron")
    jobs = {job.name: job for job in scheduler.get_jobs()}
    assert set(jobs) == {entry.name for entry in recurring.registered()}
    assert {name: jobs[name].cron for name in ("outbox-tick", "link-sweep", "upload-sweep")} == {
        "outbox-tick": "* * * * *",
        "link-sweep": "15 * * * *",  # from the environment
        "upload-sweep": "30 * * * *",
    }
    lanes = {entry.name: entry.lane for entry in recurring.registered()}
    config = {"OUTREACH_QUEUE": "cron-config-test"}
    assert {name: job.queue_name for name, job in jobs.items()} == {
        name: queue_name(config, lane) for name, lane in lanes.items()
    }
    assert lanes["mailbox-poll"] is Lane.MAIL and lanes["link-sweep"] is Lane.FETCH
    assert {job.func_name for job in jobs.values()} == {"outreach.jobs.runner.run_recurring"}
    assert jobs["outbox-tick"].args == ("outbox-tick",)


def test_a_second_copy_of_a_run_finds_its_slot_taken_and_does_nothing(
    app: Flask, redis_url: str
) -> None:
    app.config["OUTREACH_OUTBOX_SCHEDULE"] = YEARLY
    queue = get_queue(app)
    first = queue.enqueue(run_recurring, "outbox-tick")
    second = queue.enqueue(run_recurring, "outbox-tick")  # as a second scheduler would
    _work(app, redis_url)
    done, skipped = first.latest_result(), second.latest_result()
    assert done is not None and skipped is not None
    ran: dict[str, Any] = done.return_value or {}
    passed: dict[str, Any] = skipped.return_value or {}
    assert ran["result"] == {"due": 0, "send_jobs": 0}
    assert passed["skipped"] == "another copy of this run took the slot"
    assert ran["slot"] == passed["slot"]
    connection = Redis.from_url(redis_url)
    assert [run["job"] for run in recent_runs(connection, "outbox-tick")] == [first.id]
    state = read_states(connection, ["outbox-tick"], utcnow())["outbox-tick"]
    assert state.last_start and state.last_success and state.last_failure is None


def test_a_failing_run_is_recorded_and_kept_with_its_traceback_in_rqs_failed_registry(
    app: Flask, redis_url: str, tmp_path: Path
) -> None:
    app.config["OUTREACH_OUTBOX_SCHEDULE"] = YEARLY
    unreachable = create_app(
        {
            **app.config,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'outreach.db'}",
        }
    )
    job = get_queue(app).enqueue(run_recurring, "outbox-tick")
    _work(app, redis_url, worker_app=unreachable)
    connection = Redis.from_url(redis_url)
    assert job.id in FailedJobRegistry(queue=get_queue(app)).get_job_ids()
    result = Job.fetch(job.id, connection=connection).latest_result()
    assert result is not None and result.exc_string is not None
    assert "Traceback" in result.exc_string and "unable to open database file" in result.exc_string
    [run] = recent_runs(connection, "outbox-tick")
    assert run["job"] == job.id and run["error"] == "OperationalError"
    state = read_states(connection, ["outbox-tick"], utcnow())["outbox-tick"]
    assert state.last_failure and state.last_error == "OperationalError"
    assert state.last_success is None
