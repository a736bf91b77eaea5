"""The crawl job in slices: a slow crawl hands over every ``OUTREACH_SLICE_SECONDS``, resumes
from its saved frontier, lets other workspaces' jobs in between and ends exactly as an
unsliced crawl does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.crawl import services
from outreach.crawl.jobs import launch_crawl, run_crawl
from outreach.crawl.models import CrawlPage, CrawlRun, CrawlSite, CrawlStatus, Opportunity
from outreach.extensions import db
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.queues import queue_names
from outreach.jobs.recovery import WORKER_LOST, recover
from outreach.jobs.tasks import describe
from outreach.jobs.worker import OutreachWorker
from tests.crawl.web import handler
from tests.factories import Factory
from tests.support.deadworker import started_by_a_dead_worker
from tests.support.simweb import Reply, SimWeb, app_behind_simweb

TINY, HUGE = 0.3, 600.0
LATENCY = 0.1  # every answer of the simulated web takes this long
XML = {"Content-Type": "application/xml"}
SEEDS: dict[str, Any] = {
    "sites": "strangemachines.example",
    "pages": "http://mentions.test/tmux",
    "sitemaps": "http://maps.test/sitemap.xml",
}


def _sitemap(*locs: str, index: bool = False) -> bytes:
    kind, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = "".join(f"<{item}><loc>{loc}</loc></{item}>" for loc in locs)
    return f'<{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{kind}>'.encode()


def sliced_handler(host: str, path: str) -> Reply:
    """The crawl tests' web, plus a sitemap index leading to a sitemap of three pages."""
    if host == "maps.test" and path == "/sitemap.xml":
        return 200, XML, _sitemap("http://maps.test/pages.xml", index=True)
    if host == "maps.test" and path == "/pages.xml":
        return 200, XML, _sitemap(*(f"http://maps.test/{n}" for n in ("a", "b", "c")))
    return handler(host, path)


@pytest.fixture
def web(app: Flask) -> Iterator[SimWeb]:
    """The slow simulated web, reached through the app's fetch proxy."""
    with app_behind_simweb(
        app, sliced_handler, latency=LATENCY, OUTREACH_FETCH_TIMEOUT=2.0, OUTREACH_MAX_PAGE_MB=0.5
    ) as server:
        yield server


def _campaign(factory: Factory, name: str) -> Campaign:
    _, workspace = factory.user_with_workspace(f"{name.lower()}@example.com", name)
    workspace.brand_names = ["Acme Widgets"]
    workspace.site_domain = "acme-widgets.test"
    db.session.commit()
    return factory.campaign(
        workspace, competitors=["rival-one.com"], site_domain="acme-widgets.test"
    )


def _launch(campaign: Campaign, **seeds: Any) -> CrawlRun:
    run = services.create_run(campaign, **seeds)
    launch_crawl(run, None)
    db.session.commit()
    return run


def _work(app: Flask, redis_url: str, slice_seconds: float, max_jobs: int | None = None) -> None:
    app.config["OUTREACH_SLICE_SECONDS"] = slice_seconds  # the forked work horses inherit it
    worker = OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app)
    worker.work(burst=True, max_jobs=max_jobs)
    db.session.expire_all()


def _run(run_id: int) -> CrawlRun:
    run = db.session.get(CrawlRun, run_id)
    assert run is not None
    return run


def _slices(redis_url: str, run: CrawlRun) -> int:
    task = db.session.get(Task, run.task_id)
    assert task is not None and task.job_id is not None
    return int(Job.fetch(task.job_id, connection=Redis.from_url(redis_url)).meta.get("slice", 1))


def results(run_id: int) -> dict[str, Any]:
    """Everything a run found, in a form two runs can be compared by."""
    run = _run(run_id)
    pages = db.session.scalars(select(CrawlPage).where(CrawlPage.run_id == run_id))
    found = db.session.scalars(select(Opportunity).where(Opportunity.run_id == run_id))
    sites = db.session.scalars(select(CrawlSite).where(CrawlSite.run_id == run_id))
    counters = ("pages_fetched", "pages_failed", "pages_queued", "opportunities_found")
    return {
        "status": run.status,
        "counters": {name: getattr(run, name) for name in counters}
        | {"backlinks": run.backlinks_found, "contacts": run.contacts_found},
        "pages": sorted(
            (
                p.url,
                p.depth,
                p.http_status,
                p.error_kind,
                p.title,
                p.outbound_links,
                p.competitor_links,
                tuple(p.opportunity_types),
            )
            for p in pages
        ),
        "opportunities": sorted(
            (o.kind.value, o.page_url, json.dumps(o.detail, sort_keys=True)) for o in found
        ),
        "sites": sorted(
            (
                s.domain,
                s.pages,
                tuple(s.opportunity_types),
                tuple(s.emails),
                tuple(s.authors),
                tuple(s.social_profiles),
            )
            for s in sites
        ),
    }


def test_a_sliced_crawl_ends_exactly_as_an_unsliced_one(
    app: Flask, redis_url: str, web: SimWeb, factory: Factory
) -> None:
    whole = _launch(_campaign(factory, "Whole"), **SEEDS)
    _work(app, redis_url, HUGE)
    expected = results(whole.id)
    assert _slices(redis_url, whole) == 1
    assert expected["status"] is CrawlStatus.FINISHED and expected["counters"]["pages_queued"] == 0
    assert len(expected["pages"]) > 10 and expected["opportunities"] and expected["sites"]

    sliced = _launch(_campaign(factory, "Sliced"), **SEEDS)
    _work(app, redis_url, TINY, max_jobs=1)

    between = _run(sliced.id)
    task = db.session.get(Task, sliced.task_id)
    assert task is not None and between.frontier is not None
    assert between.status is CrawlStatus.RUNNING and between.pages_fetched > 0
    assert services.status_of(between)["status"] == "running"
    view = describe(task)
    assert view.status is TaskStatus.RUNNING
    assert view.progress["pages_fetched"] == between.pages_fetched
    first = between.pages_fetched + between.pages_failed
    assert first < len(expected["pages"]), "the first slice did not do it all"

    _work(app, redis_url, TINY)

    assert results(sliced.id) == expected
    done = _run(sliced.id)
    assert done.frontier is None and _slices(redis_url, done) >= 3
    task = db.session.get(Task, sliced.task_id)
    assert task is not None and task.status is TaskStatus.FINISHED, task and task.error
    assert task.progress["pages_fetched"] == done.pages_fetched


def test_only_the_pages_in_flight_at_a_slice_end_are_fetched_again(
    app: Flask, redis_url: str, web: SimWeb, factory: Factory
) -> None:
    run = _launch(_campaign(factory, "Acme"), sites="strangemachines.example")
    _work(app, redis_url, TINY)
    done = _run(run.id)
    slices = _slices(redis_url, done)
    assert done.status is CrawlStatus.FINISHED and slices >= 2
    paths = [r.path for r in web.log if r.host == "strangemachines.example"]
    pages = [path for path in paths if path != "/robots.txt"]
    assert len(set(pages)) == done.pages_fetched + done.pages_failed
    again = len(pages) - len(set(pages))
    assert again <= 2 * (slices - 1), "at most the two visits of the site in flight per slice"


def test_another_workspace_gets_in_between_two_slices(
    app: Flask, redis_url: str, web: SimWeb, factory: Factory
) -> None:
    long = _launch(_campaign(factory, "Big"), **SEEDS)
    short = _launch(_campaign(factory, "Small"), pages="http://mentions.test/tmux")
    _work(app, redis_url, TINY)
    big, small = _run(long.id), _run(short.id)
    assert big.status is CrawlStatus.FINISHED and small.status is CrawlStatus.FINISHED
    assert small.finished_at is not None and big.finished_at is not None
    assert small.finished_at < big.finished_at, "the one-page crawl did not wait for the big one"


def test_a_stop_requested_between_slices_ends_the_run_stopped(
    app: Flask, redis_url: str, web: SimWeb, factory: Factory
) -> None:
    run = _launch(_campaign(factory, "Acme"), **SEEDS)
    _work(app, redis_url, TINY, max_jobs=1)
    fetched = _run(run.id).pages_fetched
    assert services.request_stop(_run(run.id))
    db.session.commit()
    _work(app, redis_url, TINY)
    stopped = _run(run.id)
    assert stopped.status is CrawlStatus.STOPPED and stopped.pages_fetched == fetched
    assert stopped.frontier is None
    task = db.session.get(Task, run.task_id)
    assert task is not None and task.status is TaskStatus.FINISHED


def test_a_redelivered_slice_resumes_from_the_saved_frontier(
    app: Flask, redis_url: str, web: SimWeb, factory: Factory
) -> None:
    whole = _launch(_campaign(factory, "Whole"), **SEEDS)
    _work(app, redis_url, HUGE)
    run = _launch(_campaign(factory, "Twice"), **SEEDS)
    _work(app, redis_url, TINY, max_jobs=1)
    task = db.session.get(Task, run.task_id)
    assert task is not None and task.job_id is not None
    connection = Redis.from_url(redis_url)
    second = Job.fetch(task.job_id, connection=connection)
    queue = Queue(second.origin, connection=connection)
    queue.enqueue_call(run_crawl, args=(run.id,), meta=dict(second.meta))  # delivered twice
    _work(app, redis_url, TINY)
    assert results(run.id) == results(whole.id)


def test_a_slice_lost_with_its_worker_ends_the_run_failed_with_the_reason(
    app: Flask, redis_url: str, web: SimWeb, factory: Factory
) -> None:
    run = _launch(_campaign(factory, "Acme"), **SEEDS)
    _work(app, redis_url, TINY, max_jobs=1)
    task = db.session.get(Task, run.task_id)
    assert task is not None and task.job_id not in (None, task.id)
    fetched = _run(run.id).pages_fetched
    started_by_a_dead_worker(redis_url, str(task.job_id))

    assert recover(app, Redis.from_url(redis_url))["abandoned"] == 1

    db.session.expire_all()
    lost, task = _run(run.id), db.session.get(Task, run.task_id)
    assert task is not None and lost.status is CrawlStatus.FAILED
    pages = f"{fetched:,} page{'s' if fetched != 1 else ''}"
    assert lost.error == f"{WORKER_LOST}; the {pages} fetched before were kept"
    assert task.status is TaskStatus.FAILED and task.error == lost.error
    assert lost.frontier is None
