"""The scoring fetch job in slices: it fetches for ``OUTREACH_SLICE_SECONDS``, commits, queues
the rest at the back of the fetch queue, and works out relevance after the last slice only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from redis import Redis
from rq.job import Job
from sqlalchemy import func, select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.queues import queue_names
from outreach.jobs.tasks import describe
from outreach.jobs.worker import OutreachWorker
from outreach.scoring.jobs_fetch import launch_fetch
from outreach.scoring.page_models import DomainRelevance, FetchedPage
from tests.factories import Factory
from tests.scoring.seed import link
from tests.support.simweb import Reply, Response, SimWeb, app_behind_simweb

TINY = 0.15
PAGES = 8  # http://page-N.test/post answers after N * STEP seconds
STEP = 0.05
HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = (
    "<html lang='en'><head><title>Wind {n}</title></head><body><main><article><h1>Wind</h1>"
    "<p>Wind turbines and solar panels supply renewable energy to the grid, part {n}.</p>"
    "</article></main></body></html>"
)


def handler(host: str, path: str) -> Reply:
    """Pages that answer ever more slowly, and one whose answer breaks off (a transient fault)."""
    if path == "/robots.txt":
        return 404, HTML, b""
    if host == "broken.test":  # promises 1000 bytes, sends 6 and closes: "bad HTTP response"
        return Response(200, {**HTML, "Content-Length": "1000"}, b"<html>", chunks=[])
    if host.startswith("page-") and path == "/post":
        n = int(host.split(".")[0].removeprefix("page-"))
        return Response(200, HTML, ARTICLE.format(n=n).encode(), delay=n * STEP)
    return 404, HTML, b"<h1>not found</h1>"


@pytest.fixture
def web(app: Flask) -> Iterator[SimWeb]:
    """The simulated web, reached only through OUTREACH_HTTP_PROXY."""
    with app_behind_simweb(app, handler, OUTREACH_FETCH_TIMEOUT=3.0) as server:
        yield server


@pytest.fixture
def campaign(factory: Factory) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(
        workspace, competitors=["rival-one.com"], topic_keywords=["renewable energy"]
    )
    for n in range(1, PAGES + 1):
        link(campaign, f"http://page-{n}.test/post")
    link(campaign, "http://broken.test/post")
    db.session.commit()
    return campaign


def _work(app: Flask, redis_url: str, max_jobs: int | None = None) -> None:
    app.config["OUTREACH_SLICE_SECONDS"] = TINY  # the forked work horses inherit it
    worker = OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app)
    worker.work(burst=True, max_jobs=max_jobs)
    db.session.expire_all()


def _relevance_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(DomainRelevance)) or 0


def test_fetching_in_slices_keeps_the_task_running_and_scores_after_the_last(
    app: Flask, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    task = launch_fetch(campaign, None)
    db.session.commit()

    _work(app, redis_url, max_jobs=1)

    between = db.session.get(Task, task.id)
    assert between is not None and between.status is TaskStatus.RUNNING
    view = describe(between)
    assert view.status is TaskStatus.RUNNING and view.progress["pages_total"] == PAGES + 1
    stored = db.session.scalar(select(func.count()).select_from(FetchedPage)) or 0
    assert 0 < stored < PAGES + 1, "the first slice fetched some pages, not all"
    assert view.progress["fetched"] + view.progress["failed"] == stored
    assert _relevance_rows() == 0, "relevance waits for the last slice"

    _work(app, redis_url)

    done = db.session.get(Task, task.id)
    assert done is not None and done.status is TaskStatus.FINISHED, done and done.error
    assert done.progress == {"pages_total": PAGES + 1, "fetched": PAGES, "failed": 1}
    slices = Job.fetch(str(done.job_id), connection=Redis.from_url(redis_url)).meta["slice"]
    assert slices >= 3
    reasons = {p.url: p.reason for p in db.session.scalars(select(FetchedPage))}
    assert reasons.pop("http://broken.test/post") == "bad HTTP response"
    assert reasons == {f"http://page-{n}.test/post": None for n in range(1, PAGES + 1)}
    broken = [r for r in web.log if r.host == "broken.test" and r.path == "/post"]
    assert len(broken) == 1, "a page that failed in an earlier slice is not tried again"
    assert _relevance_rows() > 0
