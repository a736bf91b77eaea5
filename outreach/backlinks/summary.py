"""Per-target counts of a workspace's backlinks, recounted whenever links change.

Whatever writes backlinks (an import, lost-marking, the demo) calls :func:`refresh_targets`
for the targets it touched, in its own transaction. The competitor figures of the reports
read these counts instead of counting distinct referring domains over every link.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

from outreach.backlinks.records import sqlite_stamp
from outreach.db import utcnow

_RECOUNT = (
    "UPDATE backlink_target_summary SET "
    "links = (SELECT count(*) FROM backlink WHERE workspace_id = :ws AND target_domain = :t), "
    "referring_domains = (SELECT count(*) FROM (SELECT DISTINCT source_domain FROM backlink "
    "WHERE workspace_id = :ws AND target_domain = :t AND lost_at IS NULL) AS sources), "
    "updated_at = :now WHERE workspace_id = :ws AND target_domain = :t"
)


def refresh_targets(conn: Connection, workspace_id: int, targets: Iterable[str]) -> None:
    """Recount the links and referring domains of these targets of the workspace.

    On PostgreSQL, concurrent imports to one target take turns: each locks the target's
    row first, so the recount that runs second (a new statement, a new snapshot) sees the
    links the first one committed. Rows are locked in name order, so two imports never
    wait for each other in a circle.
    """
    postgres = conn.dialect.name == "postgresql"
    now = utcnow()
    for target in sorted(set(targets)):
        params = {"ws": workspace_id, "t": target, "now": now if postgres else sqlite_stamp(now)}
        conn.execute(
            text(
                "INSERT INTO backlink_target_summary "
                "(workspace_id, target_domain, links, referring_domains, updated_at) "
                "VALUES (:ws, :t, 0, 0, :now) "
                "ON CONFLICT (workspace_id, target_domain) DO NOTHING"
            ),
            params,
        )
        if postgres:
            conn.execute(
                text(
                    "SELECT id FROM backlink_target_summary "
                    "WHERE workspace_id = :ws AND target_domain = :t FOR UPDATE"
                ),
                params,
            )
        conn.execute(text(_RECOUNT), params)
