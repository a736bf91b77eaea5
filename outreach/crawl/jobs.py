"""The crawl job (runs the crawler in an event loop, writing and committing as it goes), and
launching it.

The job works in slices on the fetch queue: each runs for about ``OUTREACH_SLICE_SECONDS``,
saves the frontier (``crawl_run.frontier``) and queues the next slice at the back of the
queue, so one workspace's big crawl never holds a worker while others wait.
"""

from __future__ import annotations

import asyncio
from typing import Any

from flask import Flask
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.config import Settings
from outreach.crawl.engine import Crawler
from outreach.crawl.frontier import Frontier, load_state, save_state
from outreach.crawl.models import CrawlRun, CrawlStatus
from outreach.crawl.outcome import CrawlSpec
from outreach.crawl.store import CrawlStore
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs import continuation, tasks
from outreach.jobs.context import job_context, report_progress
from outreach.jobs.recovery import when_lost
from outreach.net import SafeFetcher
from outreach.net.settings import policy_from_config
from outreach.urls import InvalidURL, registrable_domain

CHECKPOINT_SECONDS = 0.5


def check_mx_enabled(app: Flask) -> bool:
    """``OUTREACH_CHECK_MX``: whether found addresses' domains must have MX records."""
    return Settings.from_config(app.config).check_mx


def _our_domains(campaign: Campaign, workspace: Workspace) -> frozenset[str]:
    domains = set()
    for raw in (campaign.site_domain, workspace.site_domain or ""):
        try:
            if raw:
                domains.add(registrable_domain(raw))
        except InvalidURL:
            continue
    return frozenset(domains)


def spec_for(run: CrawlRun, campaign: Campaign, workspace: Workspace) -> CrawlSpec:
    """The crawler's instructions for a run: seeds, limits, competitors, our site and brands."""
    return CrawlSpec(
        site_seeds=list(run.site_seeds),
        sitemap_seeds=list(run.sitemap_seeds),
        page_seeds=list(run.page_seeds),
        max_depth=run.max_depth,
        max_pages_per_site=run.max_pages_per_site,
        competitor_domains=frozenset(c.domain for c in campaign.competitors),
        our_domains=_our_domains(campaign, workspace),
        brand_names=tuple(workspace.brand_names or ()),
        check_broken_links=run.check_broken_links,
        find_contacts=run.find_contacts,
    )


def _checkpoint(run: CrawlRun, crawler: Crawler, store: CrawlStore, last: bool = False) -> bool:
    """Write what arrived, update the counters, commit; True when a stop was requested.

    The ``last`` checkpoint of a slice saves the frontier in the same commit when the crawl
    paused (the next slice resumes from it), and clears it when the crawl ended.
    """
    store.flush()
    run.pages_fetched, run.pages_failed = crawler.fetched, crawler.failed
    run.pages_queued = crawler.queued
    for name, value in store.counters().items():
        setattr(run, name, value)
    if last:
        run.frontier = save_state(crawler.frontier, store) if crawler.unfinished else None
    db.session.commit()
    report_progress(
        pages_fetched=run.pages_fetched,
        pages_queued=run.pages_queued,
        pages_failed=run.pages_failed,
        opportunities_found=run.opportunities_found,
    )
    status = db.session.scalar(select(CrawlRun.status).where(CrawlRun.id == run.id))
    return status in (CrawlStatus.STOPPING, CrawlStatus.STOPPED)


async def crawl(
    run: CrawlRun,
    spec: CrawlSpec,
    store: CrawlStore,
    app: Flask,
    frontier: Frontier | None = None,
    deadline: float | None = None,
) -> Crawler:
    """Crawl ``spec`` for ``run`` from ``frontier``, checkpointing twice a second, until
    done, stopped, or paused at ``deadline`` (the end of the job's slice)."""
    stop = [False]
    policy = policy_from_config(app.config)
    async with SafeFetcher(policy) as fetcher:
        crawler = Crawler(
            fetcher, spec, store.add, lambda: stop[0], frontier=frontier, deadline=deadline
        )
        task = asyncio.ensure_future(crawler.run())
        while not task.done():
            await asyncio.wait([task], timeout=CHECKPOINT_SECONDS)
            if not task.done():
                stop[0] = _checkpoint(run, crawler, store) or stop[0]
        task.result()
        _checkpoint(run, crawler, store, last=True)
    return crawler


def run_crawl(run_id: int) -> dict[str, Any] | None:
    """Crawl one slice of a run (``OUTREACH_SLICE_SECONDS``), then queue the rest at the back
    of the fetch queue; a finished or stopped run is never redone, a re-delivered slice
    resumes from the frontier the last slice committed."""
    with job_context() as app:
        run = db.session.get(CrawlRun, run_id)
        if run is None or not run.status.active:
            return None
        if run.status is CrawlStatus.STOPPING:
            run.status, run.finished_at, run.frontier = CrawlStatus.STOPPED, utcnow(), None
            return None
        campaign = db.session.get(Campaign, run.campaign_id)
        workspace = db.session.get(Workspace, run.workspace_id)
        assert campaign is not None and workspace is not None  # cascades delete runs with them
        if run.status is CrawlStatus.QUEUED or run.started_at is None:
            run.started_at = utcnow()
        run.status, run.error = CrawlStatus.RUNNING, None
        db.session.commit()
        try:
            spec = spec_for(run, campaign, workspace)
            store = CrawlStore(run, check_mx=check_mx_enabled(app))
            frontier = load_state(run.frontier, store, spec.max_pages_per_site)
            deadline = continuation.deadline(app)
            crawler = asyncio.run(crawl(run, spec, store, app, frontier, deadline))
        except Exception as exc:
            db.session.rollback()
            failed = db.session.get(CrawlRun, run_id)
            if failed is not None:
                failed.status, failed.finished_at = CrawlStatus.FAILED, utcnow()
                failed.error, failed.frontier = f"{type(exc).__name__}: {exc}", None
                db.session.commit()
            raise
        if crawler.unfinished:
            continuation.continue_later()
        else:
            run.status = CrawlStatus.STOPPED if crawler.stopped else CrawlStatus.FINISHED
            run.finished_at = utcnow()
        return {
            "pages_fetched": run.pages_fetched,
            "pages_failed": run.pages_failed,
            "opportunities_found": run.opportunities_found,
            "status": run.status.value,
        }


def launch_crawl(run: CrawlRun, user_id: int | None) -> None:
    """Queue the crawl job of a run (after the caller commits)."""
    seeds = len(run.site_seeds) + len(run.sitemap_seeds) + len(run.page_seeds)
    task = tasks.launch(
        run_crawl,
        run.id,
        workspace_id=run.workspace_id,
        user_id=user_id,
        description=f"Crawl {seeds} seed{'s' if seeds != 1 else ''} (crawl #{run.id})",
        lane=tasks.Lane.FETCH,
    )
    run.task_id = task.id


@when_lost(run_crawl)
def _crawl_lost(job_id: str, args: tuple[Any, ...] | None, reason: str) -> str | None:
    """The worker died mid-crawl: what the checkpoints committed is kept."""
    run = db.session.scalar(select(CrawlRun).where(CrawlRun.task_id == job_id))
    if run is None and args:
        run = db.session.get(CrawlRun, args[0])
    if run is None or not run.status.active:
        return None
    pages = run.pages_fetched
    message = f"{reason}; the {pages:,} page{'s' if pages != 1 else ''} fetched before were kept"
    run.status, run.finished_at, run.error = CrawlStatus.FAILED, utcnow(), message
    run.frontier = None
    return message
