"""Background jobs: verify placed links in batches, sweep for due re-checks, discover links.

Jobs take ids, are idempotent (a link checked after the job was requested is skipped; a sweep
leases what it queues) and report progress in ``job.meta``. The sweep is recurring work: RQ's
cron scheduler enqueues it every hour (``OUTREACH_LINK_SWEEP_SCHEDULE``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.context import job_context, report_progress
from outreach.jobs.models import Task
from outreach.jobs.recurring import recurring
from outreach.jobs.tasks import get_queue
from outreach.links import monitor, notify
from outreach.links.checker import Checked, CheckRequest, check_stream
from outreach.links.models import PlacedLink
from outreach.links.settings import (
    CHECKS_PER_JOB,
    alert_from,
    alert_smtp_url,
    recheck_interval,
    renderer_for,
)
from outreach.net.settings import mail_policy_from_config, policy_from_config
from outreach.prospects.models import Prospect

CHECK_TIMEOUT = 3600


def _parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


def run_checks(
    app: Flask,
    requests: list[CheckRequest[int]],
    on_result: Callable[[Checked[int]], None],
) -> None:
    """Check ``requests`` with the app's fetch policy, calling ``on_result`` as each finishes."""
    policy = policy_from_config(app.config)

    async def run() -> None:
        renderer = renderer_for(app.config, policy)
        try:
            async for checked in check_stream(requests, policy, renderer=renderer):
                on_result(checked)
        finally:
            if renderer is not None:
                await renderer.aclose()

    asyncio.run(run())


def verify_links(link_ids: list[int], requested_at: str | None = None) -> dict[str, int]:
    """Check placed links and record each check; skip those checked since ``requested_at``."""
    since = _parse(requested_at)
    with job_context() as app:
        links = {
            link.id: link
            for link in db.session.scalars(select(PlacedLink).where(PlacedLink.id.in_(link_ids)))
            if since is None or link.last_checked_at is None or link.last_checked_at < since
        }
        requests = [
            CheckRequest(lid, link.page_url, link.target_url) for lid, link in links.items()
        ]
        interval = recheck_interval(app.config)
        email = alert_smtp_url(app.config) is not None
        counts = {"total": len(requests), "checked": 0, "alerts": 0}
        report_progress(**counts)

        def record(checked: Checked[int]) -> None:
            alerts = monitor.record_check(
                links[checked.key],
                checked.stored(),
                checked_at=utcnow(),
                interval=interval,
                email=email,
            )
            counts["checked"] += 1
            counts["alerts"] += len(alerts)
            if counts["checked"] % 20 == 0 or counts["checked"] == counts["total"]:
                report_progress(**counts)

        run_checks(app, requests, record)
        db.session.commit()
        if email:
            notify.send_queued(
                alert_smtp_url(app.config),
                alert_from(app.config),
                Settings.from_config(app.config).base_url,
                mail_policy_from_config(app.config),
            )
    return counts


@recurring(
    "link-sweep",
    schedule="OUTREACH_LINK_SWEEP_SCHEDULE",
    description="Queue due re-checks of placed links",
    timeout=1800,
)
def enqueue_due_checks(now: str | None = None) -> dict[str, int]:
    """Queue verification of every link due by ``now`` (ISO time; default: the present)."""
    moment = _parse(now) or utcnow()
    with job_context() as app:
        ids = monitor.due_link_ids(moment)
        monitor.lease(ids, max(moment, utcnow()))
        db.session.commit()
        queue = get_queue(app)
        requested_at = utcnow().isoformat()
        batches = [ids[i : i + CHECKS_PER_JOB] for i in range(0, len(ids), CHECKS_PER_JOB)]
        for batch in batches:
            queue.enqueue(
                verify_links,
                batch,
                requested_at,
                job_timeout=CHECK_TIMEOUT,
                description=f"Re-check {len(batch)} placed link(s)",
            )
        report_progress(due=len(ids), jobs=len(batches))
    return {"due": len(ids), "jobs": len(batches)}


def discover_links(prospect_id: int) -> dict[str, int]:
    """Find pages of a prospect's site linking to us, add them as placed links and check them."""
    from outreach.links.discovery import discover_for_prospect

    with job_context() as app:
        new_ids = discover_for_prospect(app, prospect_id)
        db.session.commit()
    if new_ids:
        verify_links(new_ids)
    return {"found": len(new_ids)}


def queue_check(link: PlacedLink, user_id: int | None, description: str) -> Task:
    """Queue a fresh check of one placed link (it starts once the caller commits); its task."""
    return tasks.launch(
        verify_links,
        [link.id],
        utcnow().isoformat(),
        workspace_id=link.workspace_id,
        user_id=user_id,
        description=description,
    )


def launch_discovery(prospect: Prospect, user_id: int | None) -> None:
    """Queue a search of a prospect's site for links to us (once the caller commits)."""
    tasks.launch(
        discover_links,
        prospect.id,
        workspace_id=prospect.workspace_id,
        user_id=user_id,
        description=f"Find links to us on {prospect.domain}",
    )
