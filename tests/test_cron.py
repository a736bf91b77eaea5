"""Recurring work on RQ's cron scheduler, with real ``rq worker`` and ``rq cron`` processes.

The outbox tick runs every second here (``OUTREACH_OUTBOX_SCHEDULE`` with a seconds
field) rather than every minute, so each scenario takes seconds; the processes, Redis and the
database are the real ones, started with the commands the README gives for production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from rq.cron import CronScheduler, get_cron_job_ids
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs import recurring
from outreach.jobs.cli import cron_command
from outreach.jobs.health import recurring_health
from outreach.jobs.queues import queue_name, queue_names
from outreach.jobs.runner import recent_runs
from outreach.pitches import sequences
from outreach.pitches.models import MessageStatus, OutboundMessage
from tests.factories import Factory
from tests.pitches import builders
from tests.support.outage import RedisServer, database_switch
from tests.support.smtp import LOCAL_MAIL, SmtpServer

ROOT = Path(__file__).resolve().parents[1]
EVERY = 1  # seconds between two outbox ticks in these tests
TICK = f"* * * * * */{EVERY}"
YEARLY = "0 0 1 1 *"  # the other recurring jobs stay out of the way
T = TypeVar("T")


class Processes:
    """The worker and scheduler processes of one test, with their output kept for failures."""

    def __init__(self, app: Flask, database_url: str, redis_url: str, folder: Path) -> None:
        self.folder, self.redis_url = folder, redis_url
        self.queue = str(app.config["OUTREACH_QUEUE"])
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
        self.env.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            SECRET_KEY=str(app.config["SECRET_KEY"]),
            OUTREACH_QUEUE=self.queue,
            OUTREACH_INSTANCE_PATH=str(folder / "instance"),
            OUTREACH_BASE_URL="https://localhost",  # production processes: https only (RFC 8058)
            OUTREACH_ALLOWED_NETWORKS="127.0.0.0/8",
            **LOCAL_MAIL,
            OUTREACH_OUTBOX_SCHEDULE=TICK,
            OUTREACH_MAILBOX_POLL_SCHEDULE=YEARLY,
            OUTREACH_LINK_SWEEP_SCHEDULE=YEARLY,
            OUTREACH_UPLOAD_SWEEP_SCHEDULE=YEARLY,
            PYTHONPATH=str(ROOT),
        )
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> subprocess.Popen[bytes]:
        """Start ``rq worker`` (names starting with "worker") or ``rq cron``, as production does."""
        if name.startswith("worker"):
            rq = str(Path(sys.executable).with_name("rq"))
            worker_class = "outreach.jobs.worker.OutreachWorker"
            command = [rq, "worker", "--url", self.redis_url, "--worker-class", worker_class]
            command += queue_names({"OUTREACH_QUEUE": self.queue})
        else:
            command = cron_command(self.redis_url)
        with (self.folder / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, with its work horses
            )
        self.running[name] = process
        return process

    def logs(self) -> str:
        """The tail of every process's output."""
        return "\n".join(
            f"--- {name}:\n{(self.folder / f'{name}.log').read_text(errors='replace')[-3000:]}"
            for name in self.running
        )

    def stop(self) -> None:
        """Stop every process: SIGTERM, then SIGKILL to its whole group (work horses too)."""
        for process in self.running.values():
            process.terminate()
        deadline = time.monotonic() + 3
        for process in self.running.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def launch(app: Flask, tmp_path: Path) -> Iterator[Callable[[str, str], Processes]]:
    """Make a :class:`Processes` for a database and Redis URL; everything stops afterwards."""
    made: list[Processes] = []
    app.config["OUTREACH_OUTBOX_SCHEDULE"] = TICK

    def make(database_url: str, redis_url: str) -> Processes:
        made.append(Processes(app, database_url, redis_url, tmp_path))
        return made[-1]

    yield make
    for processes in made:
        processes.stop()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, which it may restart (never the shared one)."""
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1."""
    server = SmtpServer().start()
    yield server
    server.stop()


def _due_message(factory: Factory, smtp: SmtpServer) -> int:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign)
    sequences.enroll(campaign, prospect, contact, builders.mailbox(workspace, smtp.port))
    db.session.commit()
    message_id: int | None = db.session.scalar(select(OutboundMessage.id))
    assert message_id is not None
    return message_id


def _wait(condition: Callable[[], T], seconds: float, what: str, processes: Processes) -> T:
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, f"no {what} in {seconds} s\n{processes.logs()}"
        time.sleep(0.05)
    return result


def _runs(connection: Redis) -> list[dict[str, Any]]:
    """The outbox tick's finished runs, oldest first."""
    return recent_runs(connection, "outbox-tick")[::-1]


def _slot(run: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(run["slot"])


def _sent(message_id: int) -> bool:
    """The message is recorded as sent (the SMTP server may have it a moment earlier)."""
    db.session.rollback()  # a fresh snapshot (and nothing of ours is left unsaved)
    message = db.session.get(OutboundMessage, message_id)
    assert message is not None
    return message.status is MessageStatus.SENT


def test_a_tick_failing_on_an_unreachable_database_does_not_stop_the_next_which_sends(
    app: Flask,
    factory: Factory,
    smtp: SmtpServer,
    redis_url: str,
    tmp_path: Path,
    launch: Callable[[str, str], Processes],
) -> None:
    connection = Redis.from_url(redis_url)
    with database_switch(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as database:
        database.cut()
        message_id = _due_message(factory, smtp)  # the test itself still reaches the database
        processes = launch(database.url, redis_url)
        worker, cron = processes.start("worker"), processes.start("cron")
        _wait(lambda: any(r["error"] for r in _runs(connection)), 60, "failed tick", processes)
        database.restore()
        _wait(lambda: _sent(message_id), 30, "message sent after the failure", processes)

    runs = _runs(connection)
    last_failed = max(i for i, run in enumerate(runs) if run["error"])
    failed, following = runs[last_failed], runs[last_failed + 1]
    assert failed["error"] == "OperationalError"
    assert following["error"] is None, "the run after the failed one works"
    assert _slot(following) - _slot(failed) == timedelta(seconds=EVERY), "and it ran on time"
    assert worker.poll() is None and cron.poll() is None, "nothing had to be restarted"

    tick_queue = queue_name(app.config, recurring.get("outbox-tick").lane)
    queue = Queue(tick_queue, connection=connection)
    assert failed["job"] in FailedJobRegistry(queue=queue).get_job_ids()
    result = Job.fetch(failed["job"], connection=connection).latest_result()
    assert result is not None and result.exc_string is not None
    assert "Traceback" in result.exc_string and "OperationalError" in result.exc_string

    assert len(smtp.recorder.message_ids()) == 1
    tick = next(job for job in recurring_health(app).jobs if job.name == "outbox-tick")
    assert tick.last_success and tick.last_failure and tick.last_success > tick.last_failure
    assert not tick.overdue and not tick.failing and tick.next_run is not None


@pytest.mark.one_backend
def test_recurring_runs_resume_after_a_redis_restart_without_restarting_any_process(
    app: Flask,
    factory: Factory,
    smtp: SmtpServer,
    private_redis: RedisServer,
    launch: Callable[[str, str], Processes],
) -> None:
    """Run once (PostgreSQL in CI): Redis is restarted; the database only holds the one message."""
    connection = Redis.from_url(private_redis.url)
    processes = launch(app.config["SQLALCHEMY_DATABASE_URI"], private_redis.url)
    worker, cron = processes.start("worker"), processes.start("cron")
    _wait(lambda: any(not r["error"] for r in _runs(connection)), 60, "tick", processes)

    private_redis.restart(down_for=2 * EVERY)  # ticks fall in the outage
    restarted = utcnow()
    assert _runs(connection) == [], "the restarted Redis starts empty"
    message_id = _due_message(factory, smtp)
    _wait(
        lambda: _sent(message_id) and any(_slot(r) > restarted for r in _runs(connection)),
        45,
        "message sent and a tick scheduled after the restart",
        processes,
    )
    runs = _runs(connection)  # a run held up by the outage may come first: it runs late
    assert all(run["error"] is None for run in runs)
    assert worker.poll() is None and cron.poll() is None, "nothing had to be restarted"
    assert len(CronScheduler.all(connection)) == 1, "the scheduler registered itself again"


@pytest.mark.one_backend
def test_two_cron_schedulers_run_each_tick_once(
    app: Flask,
    factory: Factory,
    smtp: SmtpServer,
    redis_url: str,
    launch: Callable[[str, str], Processes],
) -> None:
    """Run once (PostgreSQL in CI): a tick is claimed in Redis (jobs/runner.py), not in SQL."""
    connection = Redis.from_url(redis_url)
    message_id = _due_message(factory, smtp)
    processes = launch(app.config["SQLALCHEMY_DATABASE_URI"], redis_url)
    for name in ("worker-1", "worker-2", "cron-1", "cron-2"):
        processes.start(name)
    _wait(lambda: len(CronScheduler.all(connection)) == 2, 60, "two schedulers", processes)
    both_up = utcnow()
    _wait(
        lambda: sum(_slot(run) > both_up for run in _runs(connection)) >= 3,
        30,
        "three ticks with both schedulers up",
        processes,
    )
    _wait(lambda: _sent(message_id), 30, "message sent", processes)

    slots = [run["slot"] for run in _runs(connection)]
    assert len(slots) == len(set(slots)), "no tick ran twice"
    enqueued = get_cron_job_ids("outbox-tick", connection)
    assert len(enqueued) > len(slots), "both schedulers enqueued the ticks"
    assert len(smtp.recorder.message_ids()) == 1
