"""Reading and writing placed links, their checks, alerts and alert e-mail preferences.

Every read takes the workspace id and answers 404 for a row of another workspace.
Callers commit.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from outreach.db import utcnow
from outreach.extensions import db
from outreach.links.models import Alert, AlertSubscription, LinkCheck, LinkStatus, PlacedLink
from outreach.prospects.services import get_prospect
from outreach.scoping import get_in_workspace
from outreach.urls import InvalidURL, ensure_scheme, normalize_url

ALERTS_SHOWN = 200


def clean_url(raw: str) -> str:
    """An absolute http(s) URL from what a person typed (scheme added); ValueError if none."""
    try:
        url = normalize_url(raw.strip())
    except (InvalidURL, ValueError) as exc:
        raise ValueError(f"not a valid URL: {raw!r}") from exc
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {raw!r}")
    return ensure_scheme(raw.strip())


def get_link(workspace_id: int, link_id: int) -> PlacedLink:
    """A placed link of this workspace, or 404."""
    return get_in_workspace(PlacedLink, workspace_id, link_id)


def list_links(
    workspace_id: int, status: LinkStatus | None = None, prospect_id: int | None = None
) -> list[PlacedLink]:
    """The workspace's placed links, newest first, optionally of one status or prospect."""
    query = select(PlacedLink).where(PlacedLink.workspace_id == workspace_id)
    if status is not None:
        query = query.where(PlacedLink.status == status)
    if prospect_id is not None:
        query = query.where(PlacedLink.prospect_id == prospect_id)
    return list(db.session.scalars(query.order_by(PlacedLink.id.desc())))


def status_counts(workspace_id: int) -> dict[LinkStatus, int]:
    """How many placed links have each status."""
    rows = db.session.execute(
        select(PlacedLink.status, func.count())
        .where(PlacedLink.workspace_id == workspace_id)
        .group_by(PlacedLink.status)
    )
    return {status: count for status, count in rows}


def find_link(workspace_id: int, page_url: str, target_url: str) -> PlacedLink | None:
    """The workspace's placed link for exactly this page and target, if any."""
    return db.session.scalar(
        select(PlacedLink).where(
            PlacedLink.workspace_id == workspace_id,
            PlacedLink.page_url == page_url,
            PlacedLink.target_url == target_url,
        )
    )


def create_link(
    workspace_id: int,
    page_url: str,
    target_url: str,
    *,
    expected_anchor: str | None = None,
    prospect_id: int | None = None,
) -> PlacedLink:
    """A new placed link, pending its first check (an existing identical one is returned)."""
    page, target = clean_url(page_url), clean_url(target_url)
    if prospect_id is not None:
        get_prospect(workspace_id, prospect_id)
    existing = find_link(workspace_id, page, target)
    if existing is not None:
        return existing
    link = PlacedLink(
        workspace_id=workspace_id,
        prospect_id=prospect_id,
        page_url=page,
        target_url=target,
        expected_anchor=(expected_anchor or "").strip() or None,
        status=LinkStatus.PENDING,
    )
    db.session.add(link)
    db.session.flush()
    return link


def delete_link(link: PlacedLink) -> None:
    """Remove a placed link with its checks and alerts."""
    db.session.execute(delete(Alert).where(Alert.placed_link_id == link.id))
    db.session.execute(delete(LinkCheck).where(LinkCheck.placed_link_id == link.id))
    db.session.delete(link)


def checks_of(link: PlacedLink, limit: int = 100) -> list[LinkCheck]:
    """The link's checks, newest first."""
    return list(
        db.session.scalars(
            select(LinkCheck)
            .where(LinkCheck.placed_link_id == link.id)
            .order_by(LinkCheck.checked_at.desc(), LinkCheck.id.desc())
            .limit(limit)
        )
    )


def list_alerts(workspace_id: int, unread_only: bool = False) -> list[Alert]:
    """The workspace's latest alerts, newest first."""
    query = select(Alert).where(Alert.workspace_id == workspace_id)
    if unread_only:
        query = query.where(Alert.read_at.is_(None))
    return list(db.session.scalars(query.order_by(Alert.id.desc()).limit(ALERTS_SHOWN)))


def unread_count(workspace_id: int) -> int:
    """How many alerts of the workspace are unread."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Alert)
        .where(Alert.workspace_id == workspace_id, Alert.read_at.is_(None))
    )
    return int(count or 0)


def mark_read(workspace_id: int, alert_id: int) -> Alert:
    """Mark one alert of the workspace read (404 for another workspace's)."""
    alert = get_in_workspace(Alert, workspace_id, alert_id)
    if alert.read_at is None:
        alert.read_at = utcnow()
    return alert


def mark_all_read(workspace_id: int) -> int:
    """Mark every unread alert of the workspace read; returns how many."""
    result = db.session.execute(
        update(Alert)
        .where(Alert.workspace_id == workspace_id, Alert.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def is_subscribed(workspace_id: int, user_id: int) -> bool:
    """Whether the user wants this workspace's alerts by e-mail."""
    found = db.session.scalar(
        select(AlertSubscription.id).where(
            AlertSubscription.workspace_id == workspace_id, AlertSubscription.user_id == user_id
        )
    )
    return found is not None


def set_subscription(workspace_id: int, user_id: int, wanted: bool) -> None:
    """Turn the user's alert e-mails for this workspace on or off."""
    if wanted and not is_subscribed(workspace_id, user_id):
        db.session.add(AlertSubscription(workspace_id=workspace_id, user_id=user_id))
    elif not wanted:
        db.session.execute(
            delete(AlertSubscription).where(
                AlertSubscription.workspace_id == workspace_id,
                AlertSubscription.user_id == user_id,
            )
        )
