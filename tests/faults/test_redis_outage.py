"""Redis stopped and started while the app serves, with a real worker on a Redis of the test's own.

Pages keep loading, an action that needs a job says so instead of failing, and the work that
was queued when Redis went away runs once it is back, without restarting the worker.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from outreach.backlinks.models import Backlink, BacklinkImport, ImportStatus
from outreach.campaigns.models import Campaign
from outreach.crawl.models import CrawlRun
from outreach.extensions import db
from outreach.jobs.models import Task, TaskStatus
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory
from tests.faults.conftest import LaunchWorkers
from tests.faults.jobs import hold
from tests.support.outage import RedisServer

pytestmark = pytest.mark.faults
UNAVAILABLE = "Background jobs are unavailable"


def _upload(client: FlaskClient, campaign: Campaign, path: Path) -> TestResponse:
    """Post an export to the campaign's import page; returns the response (not followed)."""
    return client.post(
        f"/campaigns/{campaign.id}/imports",
        data={"file": (io.BytesIO(path.read_bytes()), path.name), "target": ""},
        content_type="multipart/form-data",
    )


def _pages(app: Flask, values: dict[str, object]) -> list[str]:
    """Every GET page of the app whose URL arguments we can fill, from its URL map."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if set(rule.arguments) <= set(values):
            urls.append(rule.build({k: values[k] for k in rule.arguments})[1])  # type: ignore[index]
    return sorted(urls)


def _statuses(client: FlaskClient, urls: list[str]) -> dict[str, int]:
    return {url: client.get(url).status_code for url in urls}


@pytest.mark.one_backend
def test_pages_load_actions_say_so_and_queued_work_resumes_across_a_redis_restart(
    app: Flask,
    factory: Factory,
    client: FlaskClient,
    private_redis: RedisServer,
    launch_workers: LaunchWorkers,
    tmp_path: Path,
) -> None:
    """Run once (PostgreSQL in CI): the outage is Redis's; the backend changes nothing here."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failing page answers 500, as in production
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace)
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    target = "https://rival-one.com/"
    links = [Link(f"https://s{i}.com/", target) for i in range(30)]
    export = write_ahrefs(tmp_path / "before.csv", links)
    workers = launch_workers()
    worker = workers.start()
    queue = Queue(app.config["OUTREACH_QUEUE"], connection=Redis.from_url(private_redis.url))
    release = tmp_path / "release"
    busy = queue.enqueue(hold, str(release))  # the import waits behind it, in the queue
    workers.wait(lambda: busy.get_status(refresh=True) == "started", 30, "busy worker")
    assert _upload(client, campaign, export).status_code == 302
    waiting = db.session.scalar(select(BacklinkImport))
    assert waiting is not None and waiting.task_id is not None
    values = {"campaign_id": campaign.id, "import_id": waiting.id, "task_id": waiting.task_id}
    pages = _pages(app, values)
    before = _statuses(client, pages)
    assert before["/healthz"] in (200, 503)

    private_redis.stop()
    release.touch()  # the worker finishes its job with Redis down
    during = _statuses(client, pages)
    assert during["/healthz"] == 503 and "Redis" in client.get("/healthz").get_data(as_text=True)
    during.pop("/healthz")
    before.pop("/healthz")
    assert during == before, "every page answers as it did with Redis up"
    status = client.get(f"/imports/{waiting.id}.json").get_json()
    assert status["status"] == "queued" and status["error"] is None

    one_more = write_ahrefs(tmp_path / "during.csv", [Link("https://x.com/", target)])
    refused = _upload(client, campaign, one_more)
    assert refused.status_code in (302, 303)
    assert UNAVAILABLE in client.get(refused.location).get_data(as_text=True)
    crawl = client.post(f"/campaigns/{campaign.id}/crawls", data={"sites": "x.example"})
    assert crawl.status_code in (302, 303)
    assert UNAVAILABLE in client.get(crawl.location).get_data(as_text=True)
    db.session.expire_all()
    imports = db.session.scalars(select(BacklinkImport).order_by(BacklinkImport.id)).all()
    assert [i.id for i in imports] == [waiting.id], "nothing was started that cannot run"
    assert db.session.scalar(select(func.count()).select_from(CrawlRun)) == 0
    stuck = db.session.scalars(select(Task).where(Task.id != waiting.task_id)).all()
    assert [(t.name, t.status, t.error) for t in stuck] == [], "no task left queued without a job"

    private_redis.start()
    workers.wait(lambda: _import_status(waiting.id) is ImportStatus.DONE, 60, "queued import done")
    assert db.session.scalar(select(func.count()).select_from(Backlink)) == 30
    task = db.session.get(Task, waiting.task_id)
    assert task is not None and task.status is TaskStatus.FINISHED
    assert worker.poll() is None, "the worker rode out the outage"
    assert _upload(client, campaign, export).status_code == 302, "jobs start again"


def _import_status(import_id: int) -> ImportStatus | None:
    db.session.rollback()
    record = db.session.get(BacklinkImport, import_id)
    return record.status if record else None
