"""Our links as one SQL source (imported profile plus verified placements), and authority."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, String, and_, cast, column, false, func, not_, select, union_all
from sqlalchemy import values as values_clause
from sqlalchemy.sql.expression import type_coerce

from outreach.backlinks.models import Backlink, DomainMetric
from outreach.db import UTCDateTime
from outreach.extensions import db
from outreach.reports.placements import Placement
from outreach.reports.scope import Scope


def domain_authority(workspace_id: int) -> Any:
    """Each domain's authority as scoring uses it, as a subquery of (domain_id, authority):
    until scoring has its own figure, the best authority any import of the workspace gave."""
    return (
        select(DomainMetric.domain_id, func.max(DomainMetric.value).label("authority"))
        .where(DomainMetric.workspace_id == workspace_id, DomainMetric.metric == "authority")
        .group_by(DomainMetric.domain_id)
        .subquery("authority")
    )


def _typed(value: Any, type_: Any) -> Any:
    """A VALUES column with its type: PostgreSQL needs a cast when a column is all NULL;
    SQLite must not cast (CAST AS DATETIME would turn the stored text into a number)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(value, type_)
    return type_coerce(value, type_)


def our_links(scope: Scope, placed: Sequence[Placement]) -> Any:
    """A CTE of our links: (domain, first_seen, lost_at, followed), one row per link."""
    imported = select(
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
    if not placed:
        return imported.cte("our_links")
    rows = values_clause(
        column("domain", String),
        column("first_seen", UTCDateTime()),
        column("lost_at", UTCDateTime()),
        column("followed", Boolean),
        name="placed",
    ).data([(p.domain, p.first_seen, p.lost_at, p.followed) for p in placed])
    table = rows.cte("placed")
    verified = select(
        table.c.domain,
        _typed(table.c.first_seen, UTCDateTime()).label("first_seen"),
        _typed(table.c.lost_at, UTCDateTime()).label("lost_at"),
        _typed(table.c.followed, Boolean).label("followed"),
    )
    return union_all(imported, verified).cte("our_links")
