"""Recording a check of a placed link and acting on it: status, schedule, alerts, pipeline.

Re-checks are spread over the interval: each link has a stable phase (a hash of its id), so
a thousand links added at once are re-verified over the week, not in one burst. Callers commit.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from outreach.activity import events
from outreach.activity.services import record
from outreach.campaigns.models import CampaignKind
from outreach.extensions import db
from outreach.links.changes import Change, diff
from outreach.links.models import Alert, AlertSubscription, LinkCheck, LinkStatus, PlacedLink
from outreach.pitches.models import PitchTemplate
from outreach.prospects.models import Prospect, Stage
from outreach.prospects.stages import move

RECLAIM_WITHIN = timedelta(days=2)
LEASE = timedelta(hours=6)


def phase(link_id: int, interval: timedelta) -> timedelta:
    """The link's stable offset within one interval."""
    digest = hashlib.blake2b(f"placed-link:{link_id}".encode(), digest_size=8).digest()
    seconds = int(interval.total_seconds())
    return timedelta(seconds=int.from_bytes(digest, "big") % max(seconds, 1))


def next_check_at(link_id: int, now: datetime, interval: timedelta) -> datetime:
    """The link's first phase slot at least half an interval after ``now``.

    Consecutive checks are one interval apart once in phase; the first gap is 0.5 to 1.5
    intervals, which is what spreads links added together.
    """
    origin = datetime(2026, 1, 1, tzinfo=now.tzinfo) + phase(link_id, interval)
    earliest = now + interval / 2
    periods = -(-(earliest - origin) // interval)  # ceiling division of timedeltas
    return origin + periods * interval


def due_link_ids(now: datetime, limit: int = 10_000) -> list[int]:
    """Ids of links whose next check is due, oldest due first."""
    rows = db.session.scalars(
        select(PlacedLink.id)
        .where(PlacedLink.next_check_at.is_not(None), PlacedLink.next_check_at <= now)
        .order_by(PlacedLink.next_check_at)
        .limit(limit)
    )
    return list(rows)


def lease(link_ids: list[int], now: datetime) -> None:
    """Push the links' next check a few hours out while a job checks them (no double queue)."""
    for link in db.session.scalars(select(PlacedLink).where(PlacedLink.id.in_(link_ids))):
        link.next_check_at = now + LEASE


def previous_result(link: PlacedLink) -> dict[str, Any] | None:
    """The stored result of the link's latest check, if any."""
    result = db.session.scalar(
        select(LinkCheck.result)
        .where(LinkCheck.placed_link_id == link.id)
        .order_by(LinkCheck.checked_at.desc(), LinkCheck.id.desc())
        .limit(1)
    )
    return dict(result) if result is not None else None


def record_check(
    link: PlacedLink,
    stored: dict[str, Any],
    *,
    checked_at: datetime,
    interval: timedelta,
    email: bool = False,
) -> list[Alert]:
    """Save one check, update the link, raise alerts and move its prospect; returns the alerts."""
    before = previous_result(link)
    verdict = LinkStatus(stored["verdict"])
    previous_status = link.status
    db.session.add(
        LinkCheck(
            placed_link_id=link.id,
            checked_at=checked_at,
            verdict=verdict,
            http_status=stored.get("http_status"),
            final_url=stored.get("final_url"),
            result=stored,
        )
    )
    link.status = verdict
    link.last_checked_at = checked_at
    link.next_check_at = next_check_at(link.id, checked_at, interval)
    changes = diff(before, stored, link.expected_anchor)
    state = "queued" if email and _has_subscribers(link.workspace_id) else None
    alerts = [
        Alert(
            workspace_id=link.workspace_id,
            placed_link_id=link.id,
            kind=change.kind,
            message=change.message,
            email_state=state,
        )
        for change in changes
    ]
    db.session.add_all(alerts)
    _emit_events(link, previous_status, changes, checked_at)
    _update_prospect(link, verdict, changes, checked_at.date())
    return alerts


def _emit_events(
    link: PlacedLink, previous: LinkStatus, changes: list[Change], checked_at: datetime
) -> None:
    """``link.live`` when the link became live, ``link.lost`` / ``link.changed`` for alerts."""
    data: dict[str, Any] = {
        "placed_link_id": link.id,
        "prospect_id": link.prospect_id,
        "page_url": link.page_url,
        "target_url": link.target_url,
        "status": link.status.value,
        "previous_status": previous.value,
        "checked_at": checked_at.isoformat(),
    }
    if link.status is LinkStatus.LIVE and previous is not LinkStatus.LIVE:
        events.emit(link.workspace_id, events.LINK_LIVE, data)
    lost = [{"kind": c.kind, "message": c.message} for c in changes if c.lost]
    changed = [{"kind": c.kind, "message": c.message} for c in changes if not c.lost]
    if lost:
        events.emit(link.workspace_id, events.LINK_LOST, {**data, "changes": lost})
    if changed:
        events.emit(link.workspace_id, events.LINK_CHANGED, {**data, "changes": changed})


def _has_subscribers(workspace_id: int) -> bool:
    found = db.session.scalar(
        select(AlertSubscription.id).where(AlertSubscription.workspace_id == workspace_id).limit(1)
    )
    return found is not None


def _update_prospect(
    link: PlacedLink, verdict: LinkStatus, changes: list[Change], today: date
) -> None:
    if link.prospect_id is None:
        return
    prospect = db.session.get(Prospect, link.prospect_id)
    if prospect is None or prospect.workspace_id != link.workspace_id:
        return
    lost = [change for change in changes if change.lost]
    if verdict is LinkStatus.LIVE:
        move(prospect, Stage.LIVE, automatic=True, reason=f"link verified on {link.page_url}")
    elif lost:
        reason = lost[0].message
        if move(prospect, Stage.LOST, automatic=True, reason=reason):
            open_reclamation_task(prospect, link, reason, today)


def open_reclamation_task(prospect: Prospect, link: PlacedLink, reason: str, today: date) -> None:
    """A reminder on the prospect to win the lost link back, logged as ``reclamation_task``."""
    template_id = db.session.scalar(
        select(PitchTemplate.id)
        .where(
            PitchTemplate.workspace_id == link.workspace_id,
            PitchTemplate.kind == CampaignKind.LINK_RECLAMATION,
        )
        .order_by(PitchTemplate.id)
        .limit(1)
    )
    prospect.reminder = f"Reclaim the lost link on {link.page_url}"[:500]
    prospect.due_on = today + RECLAIM_WITHIN
    detail: dict[str, Any] = {
        "placed_link_id": link.id,
        "page_url": link.page_url,
        "reason": reason,
        "template_id": template_id,
        "due_on": prospect.due_on.isoformat(),
    }
    record(link.workspace_id, "prospect", prospect.id, "reclamation_task", detail)
