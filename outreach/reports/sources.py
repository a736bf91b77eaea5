"""Our links as one SQL source (imported profile plus verified placements), and authority."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, String, and_, column, false, not_, select, text, union_all

from outreach.backlinks.models import Backlink
from outreach.db import UTCDateTime
from outreach.extensions import db
from outreach.reports.placements import Placement
from outreach.reports.scope import Scope
from outreach.scoring.authority_sql import authority_table


def domain_authority(workspace_id: int) -> Any:
    """Each domain's authority as scoring uses it (``scoring.authority``: the preferred
    vendor's domain-level figure, else page-level, a ranked list, Outreach's PageRank), as a
    subquery of (domain_id, authority)."""
    figures = authority_table(workspace_id)
    return select(figures.c.domain_id, figures.c.authority).subquery("authority")


# Placements reach SQL as one JSON parameter, read as rows by the database itself: the
# statement stays the same whatever their number (so SQLAlchemy compiles it once), where a
# VALUES list of a few thousand rows took most of a second to compile on every request.
_PLACED_ROWS = {
    "postgresql": (
        "SELECT domain, first_seen, lost_at, followed FROM json_to_recordset(CAST(:placed AS json))"
        " AS placed(domain varchar, first_seen timestamptz, lost_at timestamptz, followed boolean)"
    ),
    "sqlite": (
        "SELECT json_extract(value, '$.domain') AS domain,"
        " json_extract(value, '$.first_seen') AS first_seen,"
        " json_extract(value, '$.lost_at') AS lost_at,"
        " json_extract(value, '$.followed') AS followed FROM json_each(:placed)"
    ),
}


def _stamp(moment: datetime | None, dialect: str) -> str | None:
    """A UTC moment as each database compares it (SQLite: as SQLAlchemy stores it, text)."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    if dialect == "sqlite":
        return utc.replace(tzinfo=None).isoformat(" ", "microseconds")
    return utc.isoformat()


def placed_links(placed: Sequence[Placement]) -> Any:
    """Verified placements as links: (domain, first_seen, lost_at, followed), a select."""
    dialect = db.session.get_bind().dialect.name
    rows = [
        {
            "domain": p.domain,
            "first_seen": _stamp(p.first_seen, dialect),
            "lost_at": _stamp(p.lost_at, dialect),
            "followed": p.followed,
        }
        for p in placed
    ]
    table = (
        text(_PLACED_ROWS.get(dialect, _PLACED_ROWS["postgresql"]))
        .bindparams(placed=json.dumps(rows))
        .columns(
            column("domain", String),
            column("first_seen", UTCDateTime()),
            column("lost_at", UTCDateTime()),
            column("followed", Boolean),
        )
        .subquery("placed")
    )
    return select(table.c.domain, table.c.first_seen, table.c.lost_at, table.c.followed)


def imported_links(scope: Scope) -> Any:
    """Our links from imported profiles: (domain, first_seen, lost_at, followed), a select
    that the intersect index covers (so reading it never visits the table)."""
    return select(
        Backlink.source_domain.label("domain"),
        Backlink.first_seen.label("first_seen"),
        Backlink.lost_at.label("lost_at"),
        and_(not_(Backlink.nofollow), not_(Backlink.ugc), not_(Backlink.sponsored)).label(
            "followed"
        ),
    ).where(
        Backlink.workspace_id == scope.workspace_id,
        Backlink.target_domain.in_(scope.our_sites) if scope.our_sites else false(),
    )


def our_links(scope: Scope, placed: Sequence[Placement]) -> Any:
    """A CTE of our links: (domain, first_seen, lost_at, followed), one row per link."""
    imported = imported_links(scope)
    if not placed:
        return imported.cte("our_links")
    return union_all(imported, placed_links(placed)).cte("our_links")
