"""Each job kind left behind by a dead worker: the recovery pass closes its own record too.

The dead worker is RQ's own record of one (registered, started the job, then its process
ended), so RQ's abandoned-job handling runs for real; the process tests are in
``test_recovery.py``.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

from flask import Flask
from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from outreach.crawl import services as crawl_services
from outreach.crawl.jobs import launch_crawl, run_crawl
from outreach.crawl.models import CrawlRun, CrawlStatus
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.recovery import HOST_FIELD, JOB_LOST, WORKER_LOST, host_identity, recover
from outreach.pitches import jobs as pitch_jobs
from outreach.pitches import outbox, sequences
from outreach.pitches.models import Mailbox, MessageStatus, OutboundMessage
from outreach.scoring.jobs import launch_rescore
from tests.factories import Factory
from tests.pitches import builders


def _dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def _started_by_a_dead_worker(app: Flask, redis_url: str, job_id: str) -> Job:
    """Have a worker (on this machine, whose process is gone) take ``job_id`` and stop."""
    connection = Redis.from_url(redis_url)
    job = Job.fetch(job_id, connection=connection)
    queue = Queue(job.origin, connection=connection)  # whichever queue the job went to
    worker = Worker([queue], connection=connection, name=f"dead-{job_id[:8]}")
    worker.register_birth()
    connection.hset(worker.key, mapping={HOST_FIELD: host_identity(), "pid": _dead_pid()})
    queue.remove(job)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    assert job.get_status(refresh=True) == "started"
    return job


def _recover(app: Flask, redis_url: str) -> dict[str, int]:
    found = recover(app, Redis.from_url(redis_url))
    db.session.expire_all()
    return found


def test_a_crawl_keeps_the_pages_it_fetched_and_says_so(
    app: Flask, factory: Factory, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    run = crawl_services.create_run(factory.campaign(workspace), sites="blog.example")
    launch_crawl(run, None)
    db.session.commit()
    run.status, run.pages_fetched = CrawlStatus.RUNNING, 42  # as its checkpoints left it
    db.session.commit()
    _started_by_a_dead_worker(app, redis_url, str(run.task_id))

    assert _recover(app, redis_url)["abandoned"] == 1

    crawl = db.session.get(CrawlRun, run.id)
    task = db.session.get(Task, run.task_id)
    assert crawl is not None and task is not None
    assert crawl.status is CrawlStatus.FAILED and crawl.finished_at is not None
    assert crawl.error == f"{WORKER_LOST}; the 42 pages fetched before were kept"
    assert task.status is TaskStatus.FAILED and task.error == crawl.error


def test_a_send_batch_sets_the_message_in_flight_aside_and_leaves_the_rest_queued(
    app: Flask, factory: Factory, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace)
    for n in range(3):
        prospect, contact = builders.prospect(workspace, campaign, domain=f"site{n}.example")
        sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    ids = outbox.due_ids(workspace.id)
    assert pitch_jobs.dispatch(workspace.id) == 3
    db.session.commit()
    task = db.session.scalar(select(Task))
    assert task is not None
    first = db.session.get(OutboundMessage, ids[0])
    assert first is not None
    first.status, first.claimed_at = MessageStatus.SENDING, utcnow()  # the worker died here
    db.session.commit()
    _started_by_a_dead_worker(app, redis_url, task.id)

    _recover(app, redis_url)

    statuses = [db.session.get(OutboundMessage, i).status for i in ids]  # type: ignore[union-attr]
    assert statuses == [MessageStatus.NEEDS_REVIEW, MessageStatus.QUEUED, MessageStatus.QUEUED]
    task = db.session.get(Task, task.id)
    assert task is not None and task.status is TaskStatus.FAILED
    assert task.error == (
        f"{WORKER_LOST}; 1 message(s) being sent set aside for review, the rest stay queued"
    )


def test_a_mailbox_poll_leaves_the_reason_on_the_mailbox(
    app: Flask, factory: Factory, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    box = builders.mailbox(workspace, imap_host="127.0.0.1")
    db.session.commit()
    pitch_jobs.poll_mailboxes()
    connection = Redis.from_url(redis_url)
    (job_id,) = [job_id for queue in Queue.all(connection) for job_id in queue.job_ids]
    job = _started_by_a_dead_worker(app, redis_url, job_id)

    _recover(app, redis_url)

    mailbox = db.session.get(Mailbox, box.id)
    assert mailbox is not None and mailbox.poll_error == WORKER_LOST
    assert job.get_status(refresh=True) == "failed"


def test_a_job_without_a_record_of_its_own_fails_its_task(
    app: Flask, factory: Factory, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    task = launch_rescore(factory.campaign(workspace), "a test")
    db.session.commit()
    _started_by_a_dead_worker(app, redis_url, task.id)

    _recover(app, redis_url)

    closed = db.session.get(Task, task.id)
    assert closed is not None and closed.status is TaskStatus.FAILED
    assert closed.error == WORKER_LOST


def test_a_task_whose_job_vanished_from_redis_is_closed_after_a_grace_period(
    app: Flask, factory: Factory, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    run = crawl_services.create_run(factory.campaign(workspace), sites="blog.example")
    launch_crawl(run, None)
    db.session.commit()
    Redis.from_url(redis_url).flushdb()  # a Redis emptied or replaced
    assert _recover(app, redis_url) == {"abandoned": 0, "closed": 0}, "it may be starting"
    task = db.session.get(Task, run.task_id)
    assert task is not None
    task.created_at = utcnow() - timedelta(minutes=11)
    db.session.commit()

    assert _recover(app, redis_url)["closed"] == 1

    crawl = db.session.get(CrawlRun, run.id)
    assert crawl is not None and crawl.status is CrawlStatus.FAILED
    assert crawl.error is not None and crawl.error.startswith(JOB_LOST)


def test_a_job_rq_failed_without_telling_its_task_is_closed_with_the_reason(
    app: Flask, factory: Factory, redis_url: str
) -> None:
    """A plain ``rq worker`` (not OutreachWorker) whose work horse was killed: RQ marks the
    job failed, nothing else hears of it, and the page already says failed."""
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    run = crawl_services.create_run(factory.campaign(workspace), sites="blog.example")
    launch_crawl(run, None)
    db.session.commit()
    connection = Redis.from_url(redis_url)
    job = Job.fetch(str(run.task_id), connection=connection)
    queue = Queue(job.origin, connection=connection)
    queue.remove(job)
    worker: Any = Worker([queue], connection=connection)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    exc = "Work-horse terminated unexpectedly; waitpid returned 9 (signal 9); "
    worker.handle_job_failure(job, queue=queue, exc_string=exc)
    assert job.get_status(refresh=True) == "failed"

    assert _recover(app, redis_url)["closed"] == 1

    task = db.session.get(Task, run.task_id)
    crawl = db.session.get(CrawlRun, run.id)
    assert task is not None and crawl is not None
    assert crawl.status is CrawlStatus.FAILED and task.status is TaskStatus.FAILED
    assert task.error == crawl.error and WORKER_LOST in str(task.error)
    assert run_crawl.__name__ == task.name


def test_a_worker_elsewhere_keeps_its_job_until_its_heartbeat_expires(
    app: Flask, factory: Factory, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    task = launch_rescore(factory.campaign(workspace), "a test")
    db.session.commit()
    job = _started_by_a_dead_worker(app, redis_url, task.id)
    connection = Redis.from_url(redis_url)
    key = f"rq:worker:{job.worker_name}"
    connection.hset(key, HOST_FIELD, "another-machine|boot|1")  # its pid means nothing here
    assert _recover(app, redis_url)["abandoned"] == 0
    still = db.session.get(Task, task.id)
    assert still is not None and still.status is TaskStatus.QUEUED
    assert connection.exists(key), "a worker elsewhere is not forgotten"

    registry = StartedJobRegistry(job.origin, connection=connection)
    for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        connection.zadd(registry.key, {f"{job_id}:{execution_id}": 1})  # expired long ago
    _recover(app, redis_url)

    closed = db.session.get(Task, task.id)
    assert closed is not None and closed.status is TaskStatus.FAILED
    assert closed.error == WORKER_LOST
