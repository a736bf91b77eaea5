"""The crawl job (runs the crawler in an event loop, writing and committing as it goes), and
launching it."""

from __future__ import annotations

import asyncio
from typing import Any

from flask import Flask
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.config import Settings
from outreach.crawl.engine import Crawler, CrawlSpec
from outreach.crawl.models import CrawlRun, CrawlStatus
from outreach.crawl.store import CrawlStore
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.context import job_context, report_progress
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


def _checkpoint(run: CrawlRun, crawler: Crawler, store: CrawlStore) -> bool:
    """Write what arrived, update the counters, commit; True when a stop was requested."""
    store.flush()
    run.pages_fetched, run.pages_failed = crawler.fetched, crawler.failed
    run.pages_queued = crawler.queued
    for name, value in store.counters().items():
        setattr(run, name, value)
    db.session.commit()
    report_progress(
        pages_fetched=run.pages_fetched,
        pages_queued=run.pages_queued,
        pages_failed=run.pages_failed,
        opportunities_found=run.opportunities_found,
    )
    status = db.session.scalar(select(CrawlRun.status).where(CrawlRun.id == run.id))
    return status in (CrawlStatus.STOPPING, CrawlStatus.STOPPED)


async def crawl(run: CrawlRun, spec: CrawlSpec, store: CrawlStore, app: Flask) -> Crawler:
    """Crawl ``spec`` for ``run``, checkpointing twice a second, until done or stopped."""
    stop = [False]
    policy = policy_from_config(app.config)
    async with SafeFetcher(policy) as fetcher:
        crawler = Crawler(fetcher, spec, store.add, should_stop=lambda: stop[0])
        task = asyncio.ensure_future(crawler.run())
        while not task.done():
            await asyncio.wait([task], timeout=CHECKPOINT_SECONDS)
            stop[0] = _checkpoint(run, crawler, store) or stop[0]
        task.result()
        crawler.queued = 0 if not crawler.stopped else crawler.queued
        _checkpoint(run, crawler, store)
    return crawler


def run_crawl(run_id: int) -> dict[str, Any] | None:
    """Crawl one run; a finished or stopped run is never redone, a re-delivered one resumes."""
    with job_context() as app:
        run = db.session.get(CrawlRun, run_id)
        if run is None or not run.status.active:
            return None
        if run.status is CrawlStatus.STOPPING:
            run.status, run.finished_at = CrawlStatus.STOPPED, utcnow()
            return None
        campaign = db.session.get(Campaign, run.campaign_id)
        workspace = db.session.get(Workspace, run.workspace_id)
        assert campaign is not None and workspace is not None  # cascades delete runs with them
        run.status, run.started_at, run.error = CrawlStatus.RUNNING, utcnow(), None
        db.session.commit()
        try:
            spec = spec_for(run, campaign, workspace)
            store = CrawlStore(run, check_mx=check_mx_enabled(app))
            crawler = asyncio.run(crawl(run, spec, store, app))
        except Exception as exc:
            db.session.rollback()
            failed = db.session.get(CrawlRun, run_id)
            if failed is not None:
                failed.status, failed.finished_at = CrawlStatus.FAILED, utcnow()
                failed.error = f"{type(exc).__name__}: {exc}"
                db.session.commit()
            raise
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
