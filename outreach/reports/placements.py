"""Verified placements as links: when each was first found, when it went missing, its rel.

A placement is first seen at the first check that found the link (live, nofollow or not
indexable) and lost at the first check that found it missing (link removed, or page answering
404/410) after the last check that still found it, so a restored link counts as live again.
Placements are few (one per won link), so they are read once and handed to SQL as rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from outreach.extensions import db
from outreach.links.changes import GONE_STATUSES, HAS_LINK
from outreach.links.models import LinkCheck, LinkStatus, PlacedLink
from outreach.prospects.models import Prospect
from outreach.reports.scope import Scope
from outreach.urls import InvalidURL, registrable_domain

FOUND = tuple(LinkStatus(value) for value in sorted(HAS_LINK))


@dataclass(frozen=True)
class Placement:
    """One verified placement, as the reports count it."""

    placed_link_id: int
    prospect_id: int | None
    domain: str
    first_seen: datetime
    lost_at: datetime | None
    followed: bool
    placement: str | None
    created_at: datetime


def _found() -> Any:
    return LinkCheck.verdict.in_(FOUND)


def _missing() -> Any:
    return or_(
        LinkCheck.verdict == LinkStatus.MISSING,
        and_(
            LinkCheck.verdict == LinkStatus.PAGE_ERROR,
            LinkCheck.http_status.in_(sorted(GONE_STATUSES)),
        ),
    )


def _rel_and_place(result: dict[str, Any], verdict: LinkStatus) -> tuple[bool, str | None]:
    links = [link for link in result.get("links", []) if isinstance(link, dict)]
    if not links:
        return verdict is not LinkStatus.NOFOLLOW, None
    following = [link for link in links if link.get("follows")]
    chosen = (following or links)[0]
    return bool(following), str(chosen.get("placement") or "") or None


def placements(scope: Scope) -> list[Placement]:
    """Every placement of the scope that a check has found at least once."""
    spans = (
        select(
            LinkCheck.placed_link_id.label("link_id"),
            func.min(case((_found(), LinkCheck.checked_at))).label("first_found"),
            func.max(case((_found(), LinkCheck.checked_at))).label("last_found"),
        )
        .join(PlacedLink, PlacedLink.id == LinkCheck.placed_link_id)
        .where(PlacedLink.workspace_id == scope.workspace_id)
        .group_by(LinkCheck.placed_link_id)
    )
    if scope.campaign_id is not None:
        spans = spans.join(Prospect, Prospect.id == PlacedLink.prospect_id).where(
            Prospect.campaign_id == scope.campaign_id
        )
    span = spans.subquery()
    links = db.session.execute(
        select(
            PlacedLink.id,
            PlacedLink.prospect_id,
            PlacedLink.page_url,
            PlacedLink.created_at,
            span.c.first_found,
            span.c.last_found,
        )
        .join(span, span.c.link_id == PlacedLink.id)
        .where(span.c.first_found.is_not(None))
    ).all()
    if not links:
        return []
    lost = dict(
        db.session.execute(
            select(LinkCheck.placed_link_id, func.min(LinkCheck.checked_at))
            .join(span, span.c.link_id == LinkCheck.placed_link_id)
            .where(_missing(), LinkCheck.checked_at > span.c.last_found)
            .group_by(LinkCheck.placed_link_id)
        ).all()
    )
    latest = {
        row.placed_link_id: _rel_and_place(row.result or {}, row.verdict)
        for row in db.session.execute(
            select(LinkCheck.placed_link_id, LinkCheck.verdict, LinkCheck.result)
            .join(span, span.c.link_id == LinkCheck.placed_link_id)
            .where(LinkCheck.checked_at == span.c.last_found, _found())
        )
    }
    found = []
    for row in links:
        try:
            domain = registrable_domain(row.page_url)
        except InvalidURL:
            continue
        followed, place = latest.get(row.id, (True, None))
        found.append(
            Placement(
                row.id, row.prospect_id, domain, row.first_found, lost.get(row.id),
                followed, place, row.created_at,
            )
        )  # fmt: skip
    return found
