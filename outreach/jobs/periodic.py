"""Recurring jobs, scheduled when a worker starts and re-scheduled by each run."""

from __future__ import annotations

from rq import Queue


def ensure_periodic_jobs(queue: Queue) -> list[str]:
    """Make sure the outbox tick (every minute) and the link re-check sweep (hourly) are due."""
    from outreach.links.jobs import ensure_sweep_scheduled
    from outreach.pitches.jobs import ensure_tick_scheduled

    return [ensure_tick_scheduled(queue), ensure_sweep_scheduled(queue)]
