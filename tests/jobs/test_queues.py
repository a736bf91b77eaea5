"""Queues per lane: a workspace whose mailboxes hang never holds up another's import.

The starvation test runs the workers ``flask serve`` starts (``worker_commands``), as real
processes on the test database and Redis, against a server that accepts IMAP connections
and never greets.
"""

from __future__ import annotations

import io
import os
import shlex
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from redis import Redis
from rq import Worker
from sqlalchemy import select

from outreach.backlinks.models import BacklinkImport, ImportStatus
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.cli import worker_commands
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.queues import (
    Lane,
    get_queue,
    parse_lanes,
    queue_name,
    queue_names,
    round_robin,
)
from outreach.pitches.jobs import poll_mailboxes
from outreach.pitches.models import Mailbox
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory
from tests.jobs.sample_jobs import write_note
from tests.pitches import builders
from tests.support.processes import Processes
from tests.support.silent import SilentServer, silent_server
from tests.support.smtp import LOCAL_MAIL

ROOT = Path(__file__).resolve().parents[2]
MAIL_TIMEOUT = 3.0  # seconds a poll waits for the greeting here (10 by default)
# Seconds the other workspace's one-row import may take, end to end: less than one mail
# timeout, so it cannot have waited for even one hanging poll (it took about 1 s here).
IMPORT_BOUND = 2.5
HANGING_MAILBOXES = 6


def test_round_robin_takes_one_item_of_each_group_in_turn() -> None:
    assert round_robin({"a": [1, 2, 3], "b": [4], "c": [5, 6]}) == [1, 4, 5, 2, 6, 3]
    assert round_robin({}) == []


def test_queue_names_follow_the_default_queue_unless_set() -> None:
    config = {"OUTREACH_QUEUE": "acme"}
    assert queue_names(config) == ["acme", "acme-mail", "acme-fetch"]
    assert queue_name({**config, "OUTREACH_MAIL_QUEUE": "letters"}, Lane.MAIL) == "letters"
    assert queue_names(config, [Lane.FETCH, Lane.DEFAULT]) == ["acme", "acme-fetch"]


def test_lanes_on_the_command_line() -> None:
    assert parse_lanes(()) == list(Lane)
    assert parse_lanes(("fetch,mail",)) == [Lane.MAIL, Lane.FETCH]
    with pytest.raises(ValueError, match="unknown lane 'email'"):
        parse_lanes(("email",))


def test_serve_runs_a_worker_of_its_own_for_each_lane() -> None:
    commands = worker_commands(2)
    lanes = [command[command.index("--lane") + 1] for command in commands]
    assert sorted(lanes) == sorted([lane.value for lane in Lane] * 2)
    assert worker_commands(0) == []


def test_a_worker_on_one_lane_leaves_the_other_queues_alone(
    app: Flask, runner: FlaskCliRunner, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    kept = tasks.launch(
        write_note, workspace.id, "later", workspace_id=workspace.id, description="n"
    )
    mail = tasks.launch(
        write_note, workspace.id, "now", workspace_id=workspace.id, description="n", lane=Lane.MAIL
    )
    db.session.commit()
    bad = runner.invoke(args=["worker", "--burst", "--lane", "email"])
    assert bad.exit_code != 0 and "unknown lane 'email'" in bad.output
    result = runner.invoke(args=["worker", "--burst", "--without-scheduler", "--lane", "mail"])
    assert result.exit_code == 0, result.output
    assert queue_name(app.config, Lane.MAIL) in result.output
    db.session.expire_all()
    assert db.session.get_one(Task, mail.id).status is TaskStatus.FINISHED
    assert db.session.get_one(Task, kept.id).status is TaskStatus.QUEUED
    assert get_queue(app, Lane.DEFAULT).count == 1


@pytest.fixture
def hanging() -> Iterator[SilentServer]:
    """An IMAP server that accepts connections and never greets."""
    with silent_server() as server:
        yield server


def _wait(check: Callable[[], bool], seconds: float, what: str, processes: Processes) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{processes.logs()}")
        time.sleep(0.05)


def _status(import_id: int) -> ImportStatus:
    db.session.expire_all()
    return db.session.get_one(BacklinkImport, import_id).status


@pytest.mark.one_backend
def test_hanging_mailboxes_of_one_workspace_do_not_hold_up_another_workspaces_import(
    app: Flask,
    client: FlaskClient,
    factory: Factory,
    redis_url: str,
    hanging: SilentServer,
    tmp_path: Path,
) -> None:
    """Run once (PostgreSQL in CI): lanes are Redis queues and processes, not the database."""
    _, noisy = factory.user_with_workspace("noisy@example.com", "Noisy")
    for n in range(HANGING_MAILBOXES):
        builders.mailbox(
            noisy,
            from_email=f"box{n}@noisy.example",
            imap_host="127.0.0.1",
            imap_port=hanging.port,
            imap_tls=False,
            password="secret",
        )
    _, quiet = factory.user_with_workspace("quiet@example.com", "Quiet")
    campaign = factory.campaign(quiet)
    export = write_ahrefs(
        tmp_path / "one.csv", [Link("https://one.example/", "https://rival-one.com/")]
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env.update(
        DATABASE_URL=str(app.config["SQLALCHEMY_DATABASE_URI"]),
        REDIS_URL=redis_url,
        SECRET_KEY=str(app.config["SECRET_KEY"]),
        OUTREACH_QUEUE=str(app.config["OUTREACH_QUEUE"]),
        OUTREACH_INSTANCE_PATH=app.instance_path,
        OUTREACH_BASE_URL="https://localhost",
        OUTREACH_MAIL_TIMEOUT=str(MAIL_TIMEOUT),
        PYTHONPATH=str(ROOT),
        **LOCAL_MAIL,
    )
    processes = Processes(tmp_path / "run", env)
    (tmp_path / "run").mkdir()
    connection = Redis.from_url(redis_url)
    try:
        for n, command in enumerate(worker_commands(1)):
            processes.start(shlex.join(command), f"worker-{n}")
        expected = set(queue_names(app.config))
        _wait(
            lambda: (
                {q for w in Worker.all(connection=connection) for q in w.queue_names()} == expected
            ),
            90,
            "a worker on every queue",
            processes,
        )

        assert poll_mailboxes()["poll_jobs"] == HANGING_MAILBOXES
        _wait(lambda: hanging.connections >= 1, 30, "the first poll to hang", processes)

        client.post("/login", data={"email": "quiet@example.com", "password": Factory.PASSWORD})
        started = time.monotonic()
        response = client.post(
            f"/campaigns/{campaign.id}/imports",
            data={"file": (io.BytesIO(export.read_bytes()), "one.csv"), "target": ""},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        item = db.session.scalar(select(BacklinkImport))
        assert item is not None
        _wait(lambda: _status(item.id) is ImportStatus.DONE, 60, "the import", processes)
        took = time.monotonic() - started
        still_hanging = hanging.connections
        assert took < IMPORT_BOUND, f"the one-row import took {took:.1f} s"
        assert still_hanging < HANGING_MAILBOXES, "the polls were still going on meanwhile"

        def all_failed() -> bool:
            db.session.expire_all()
            return all(box.poll_error for box in db.session.scalars(select(Mailbox)))

        _wait(all_failed, HANGING_MAILBOXES * MAIL_TIMEOUT + 60, "every poll to fail", processes)
    finally:
        processes.stop_all()
    errors = [box.poll_error or "" for box in db.session.scalars(select(Mailbox))]
    assert len(errors) == HANGING_MAILBOXES
    assert all("timed out" in error for error in errors), errors
    assert hanging.connections == HANGING_MAILBOXES
    again = poll_mailboxes()
    assert again["poll_jobs"] == 0 and again["backing_off"] == HANGING_MAILBOXES
    print(f"one-row import with {HANGING_MAILBOXES} hanging mailboxes: {took:.2f} s")
