"""Background jobs: verify placed links in slices, sweep for due re-checks, discover links.

Jobs take ids, are idempotent (a link checked after the job was requested is skipped; a sweep
leases what it queues) and report progress in ``job.meta``. The sweep is recurring work: RQ's
cron scheduler enqueues it every hour (``OUTREACH_LINK_SWEEP_SCHEDULE``).

Everything here runs on the fetch queue (``Lane.FETCH``). A verification job checks one
slice (at most :data:`CHECKS_PER_SLICE` links, for about ``OUTREACH_SLICE_SECONDS``) and puts
the rest at the back of the queue; the sweep starts one such chain per workspace, so the
workspaces' slices take turns instead of one workspace's thousand links going first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.context import job_context, report_progress
from outreach.jobs.queues import Lane, get_queue
from outreach.jobs.recurring import recurring
from outreach.links import monitor, notify
from outreach.links.checker import Checked, CheckRequest, check_stream
from outreach.links.models import PlacedLink
from outreach.links.settings import (
    alert_from,
    alert_smtp_url,
    recheck_interval,
    renderer_for,
)
from outreach.net.settings import mail_policy_from_config, policy_from_config
from outreach.prospects.models import Prospect

CHECK_TIMEOUT = 3600
CHECKS_PER_SLICE = 25  # links one verification job checks before it queues the rest


def _parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


def run_checks(
    app: Flask,
    requests: list[CheckRequest[int]],
    on_result: Callable[[Checked[int]], None],
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Check ``requests`` with the app's fetch policy, calling ``on_result`` as each finishes;
    the checks still running are dropped once ``stop()`` says so after a result."""
    policy = policy_from_config(app.config)

    async def run() -> None:
        renderer = renderer_for(app.config, policy)
        try:
            stream = check_stream(requests, policy, renderer=renderer)
            try:
                async for checked in stream:
                    on_result(checked)
                    if stop():
                        break
            finally:
                close = getattr(stream, "aclose", None)  # cancels the checks in flight
                if close is not None:
                    await close()
        finally:
            if renderer is not None:
                await renderer.aclose()

    asyncio.run(run())


def verify_links(link_ids: list[int], requested_at: str | None = None) -> dict[str, int]:
    """Check one slice of placed links and record each check, then queue the rest at the
    back of the fetch queue; links checked since ``requested_at`` are skipped."""
    since = _parse(requested_at)
    with job_context() as app:
        started, slice_seconds = utcnow(), Settings.from_config(app.config).slice_seconds
        deadline = time.monotonic() + slice_seconds
        links = {
            link.id: link
            for link in db.session.scalars(select(PlacedLink).where(PlacedLink.id.in_(link_ids)))
            if since is None or link.last_checked_at is None or link.last_checked_at < since
        }
        todo = [lid for lid in dict.fromkeys(link_ids) if lid in links]
        requests = [
            CheckRequest(lid, links[lid].page_url, links[lid].target_url)
            for lid in todo[:CHECKS_PER_SLICE]
        ]
        interval = recheck_interval(app.config)
        email = alert_smtp_url(app.config) is not None
        counts = {"total": len(requests), "checked": 0, "alerts": 0}
        report_progress(**counts)
        recorded: set[int] = set()

        def record(checked: Checked[int]) -> None:
            alerts = monitor.record_check(
                links[checked.key],
                checked.stored(),
                checked_at=utcnow(),
                interval=interval,
                email=email,
            )
            recorded.add(checked.key)
            counts["checked"] += 1
            counts["alerts"] += len(alerts)
            if counts["checked"] % 20 == 0 or counts["checked"] == counts["total"]:
                report_progress(**counts)

        run_checks(app, requests, record, stop=lambda: time.monotonic() >= deadline)
        db.session.commit()
        rest = [lid for lid in todo if lid not in recorded]
        if rest:
            _continue(app, rest, requested_at or started.isoformat())
        counts["left"] = len(rest)
        if email:
            notify.send_queued(
                alert_smtp_url(app.config),
                alert_from(app.config),
                Settings.from_config(app.config).base_url,
                mail_policy_from_config(app.config),
            )
    return counts


def _continue(app: Flask, link_ids: list[int], requested_at: str) -> None:
    """Queue the links a slice left at the back of the fetch queue (others go first)."""
    get_queue(app, Lane.FETCH).enqueue(
        verify_links,
        link_ids,
        requested_at,
        job_timeout=CHECK_TIMEOUT,
        description=f"Re-check {len(link_ids)} placed link(s)",
    )


@recurring(
    "link-sweep",
    schedule="OUTREACH_LINK_SWEEP_SCHEDULE",
    description="Queue due re-checks of placed links",
    timeout=1800,
    lane=Lane.FETCH,
)
def enqueue_due_checks(now: str | None = None) -> dict[str, int]:
    """Queue verification of every link due by ``now`` (ISO time; default: the present):
    one chain of slices per workspace, the workspaces in turn."""
    moment = _parse(now) or utcnow()
    with job_context() as app:
        ids = monitor.due_link_ids(moment)
        monitor.lease(ids, max(moment, utcnow()))
        owners = dict(
            db.session.execute(
                select(PlacedLink.id, PlacedLink.workspace_id).where(PlacedLink.id.in_(ids))
            ).all()
        )
        db.session.commit()
        by_workspace: dict[int, list[int]] = {}
        for link_id in ids:
            by_workspace.setdefault(owners[link_id], []).append(link_id)
        requested_at = utcnow().isoformat()
        for batch in by_workspace.values():
            _continue(app, batch, requested_at)
        report_progress(due=len(ids), jobs=len(by_workspace))
    return {"due": len(ids), "jobs": len(by_workspace)}


def discover_links(prospect_id: int) -> dict[str, int]:
    """Find pages of a prospect's site linking to us, add them as placed links and check them."""
    from outreach.links.discovery import discover_for_prospect

    with job_context() as app:
        new_ids = discover_for_prospect(app, prospect_id)
        db.session.commit()
    if new_ids:
        verify_links(new_ids)
    return {"found": len(new_ids)}


def queue_check(link: PlacedLink, user_id: int | None, description: str) -> None:
    """Queue a fresh check of one placed link (it starts once the caller commits)."""
    tasks.launch(
        verify_links,
        [link.id],
        utcnow().isoformat(),
        workspace_id=link.workspace_id,
        user_id=user_id,
        description=description,
        lane=Lane.FETCH,
    )


def launch_discovery(prospect: Prospect, user_id: int | None) -> None:
    """Queue a search of a prospect's site for links to us (once the caller commits)."""
    tasks.launch(
        discover_links,
        prospect.id,
        workspace_id=prospect.workspace_id,
        user_id=user_id,
        description=f"Find links to us on {prospect.domain}",
        lane=Lane.FETCH,
    )
