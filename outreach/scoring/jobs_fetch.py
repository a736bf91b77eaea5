"""Fetching a campaign's linking and target pages: the job, the inline run, and launching it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs import continuation, tasks
from outreach.jobs.context import job_context, report_progress
from outreach.jobs.models import Task
from outreach.net import SafeFetcher
from outreach.net.settings import policy_from_config
from outreach.scoring.fetching import TRANSIENT, PageReading, fetch_pages
from outreach.scoring.linking import PageToFetch, pages_to_fetch, url_key
from outreach.scoring.page_models import FetchedPage
from outreach.scoring.relevance import refresh_relevance
from outreach.scoring.signals import pages_fetched

FRESH_FOR = timedelta(days=30)
CHECKPOINT_SECONDS = 0.5
CHUNK = 500


@dataclass(frozen=True)
class FetchCounts:
    """Pages fetched in one run: read, failed (404, not HTML, timeout, ...), and left for a
    next slice (the deadline came first)."""

    fetched: int
    failed: int
    left: int = 0


def still_fresh(page: FetchedPage, max_age: timedelta = FRESH_FOR) -> bool:
    """True when a stored page needs no new fetch (read, or failed for good, lately)."""
    return page.reason not in TRANSIENT and page.fetched_at >= utcnow() - max_age


def due(
    workspace_id: int,
    wanted: list[PageToFetch],
    refetch: bool = False,
    since: datetime | None = None,
) -> list[PageToFetch]:
    """The pages of ``wanted`` that have no fresh stored copy, nor one stored ``since`` (an
    earlier slice of the same job: a page that failed there is not tried again)."""
    if refetch and since is None:
        return wanted
    keys = [url_key(page.url) for page in wanted]
    fresh: set[int] = set()
    for start in range(0, len(keys), CHUNK):
        statement = select(FetchedPage).where(
            FetchedPage.workspace_id == workspace_id,
            FetchedPage.url_key.in_(keys[start : start + CHUNK]),
        )
        fresh.update(
            page.url_key
            for page in db.session.scalars(statement)
            if (since is not None and page.fetched_at >= since)
            or (not refetch and still_fresh(page))
        )
    return [page for page, key in zip(wanted, keys, strict=True) if key not in fresh]


def save(workspace_id: int, reading: PageReading) -> FetchedPage:
    """Store a reading over the page's previous one (flushes)."""
    key = url_key(reading.page.url)
    page = db.session.scalar(
        select(FetchedPage).where(
            FetchedPage.workspace_id == workspace_id, FetchedPage.url_key == key
        )
    )
    if page is None:
        page = FetchedPage(workspace_id=workspace_id, url_key=key, url=reading.page.url)
        db.session.add(page)
    page.domain = reading.page.domain
    page.final_url, page.http_status, page.reason = (
        reading.final_url, reading.http_status, reading.reason,
    )  # fmt: skip
    page.title = (reading.title or "")[:2000] or None
    page.language, page.text = reading.language, reading.text
    page.terms, page.length = reading.terms, reading.length
    page.outbound_links, page.outbound_domains = reading.outbound_links, reading.outbound_domains
    page.competitor_links = reading.competitor_links
    page.facts = reading.facts
    page.fetched_at = utcnow()
    db.session.flush()
    return page


def fetch_pages_for_campaign(
    campaign_id: int,
    refetch: bool = False,
    targets_only: bool = False,
    *,
    deadline: float | None = None,
    since: datetime | None = None,
) -> FetchCounts:
    """Fetch the campaign's target pages and intersect domains' linking pages (only the
    target pages with ``targets_only``) that have no fresh copy, then work out relevance
    again. Commits as it goes (like a crawl), so a long run keeps what it fetched; runs
    inline (``flask score --fetch``) or in the job.

    With a ``deadline`` (``time.monotonic()``) it stops once that has passed and a page came
    back, cancels the fetches in flight and leaves relevance to the last slice; ``since``
    (the first slice's start) skips pages an earlier slice stored.
    """
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return FetchCounts(0, 0)
    workspace_id = campaign.workspace_id
    wanted = pages_to_fetch(campaign)
    if targets_only:
        wanted = [page for page in wanted if page.target]
    pending = due(workspace_id, wanted, refetch, since)
    competitors = frozenset(c.domain for c in campaign.competitors)
    arrived: list[PageReading] = []
    before = continuation.carried_progress()
    counts = [int(before.get("fetched", 0)), int(before.get("failed", 0))]
    total = sum(counts) + len(pending)
    done = [0]

    def checkpoint() -> None:
        while arrived:
            reading = arrived.pop(0)
            save(workspace_id, reading)
            counts[0 if reading.ok else 1] += 1
            done[0] += 1
        db.session.commit()
        report_progress(pages_total=total, fetched=counts[0], failed=counts[1])

    async def run() -> None:
        policy = policy_from_config(current_app.config)
        async with SafeFetcher(policy) as fetcher:
            running: list[asyncio.Future[None]] = []

            def sink(reading: PageReading) -> None:
                arrived.append(reading)
                if continuation.past(deadline):  # the slice is spent: drop what is in flight
                    running[0].cancel()

            task = asyncio.ensure_future(fetch_pages(fetcher, pending, sink, competitors))
            running.append(task)
            while not task.done():
                await asyncio.wait([task], timeout=CHECKPOINT_SECONDS)
                checkpoint()
            if not task.cancelled():
                task.result()

    report_progress(pages_total=total, fetched=counts[0], failed=counts[1])
    if pending:
        asyncio.run(run())
    checkpoint()
    left = len(pending) - done[0]
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is not None and not left:
        refresh_relevance(campaign)
        db.session.commit()
    return FetchCounts(counts[0], counts[1], left)


def fetch_campaign_pages(
    campaign_id: int, targets_only: bool = False, since: str | None = None
) -> dict[str, int]:
    """The job: fetch what relevance needs for one campaign (a re-run skips fresh pages), a
    slice at a time (``OUTREACH_SLICE_SECONDS``), the rest queued at the back of the fetch
    queue; relevance and the ``pages_fetched`` signal come after the last slice."""
    with job_context() as app:
        started = datetime.fromisoformat(since) if since else utcnow()
        counts = fetch_pages_for_campaign(
            campaign_id,
            targets_only=targets_only,
            deadline=continuation.deadline(app),
            since=started if since else None,
        )
        if counts.left:
            continuation.continue_later(campaign_id, targets_only, started.isoformat())
        else:
            pages_fetched.send(campaign_id)
        return {"fetched": counts.fetched, "failed": counts.failed, "left": counts.left}


def launch_fetch(campaign: Campaign, user_id: int | None, *, targets_only: bool = False) -> Task:
    """Queue the fetch job of a campaign (after the caller commits)."""
    which = "target pages" if targets_only else "linking and target pages"
    return tasks.launch(
        fetch_campaign_pages,
        campaign.id,
        targets_only,
        workspace_id=campaign.workspace_id,
        user_id=user_id,
        description=f"Fetch the {which} of {campaign.name}",
        lane=tasks.Lane.FETCH,
    )
