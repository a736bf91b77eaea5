"""The dashboard's report, shared by the team while its data stays the same (``jobs.cache``).

Building a report over a million links takes seconds; the team's members opening the
dashboard share one build until the data changes. The key carries a version of the data read
in a few index lookups: the workspace's last recount of links (every import and
lost-marking), its targets, and the newest row of the tables the report counts (activity
records every stage move, send, reply, bounce and deletion; placed links and their checks;
messages and replies). What those cannot see (a teammate renamed) shows within
``REPORT_SECONDS``. While one request rebuilds an outdated report, the others show the one
it replaces.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from outreach.activity.models import Activity
from outreach.backlinks.models import TargetSummary
from outreach.extensions import db
from outreach.jobs.cache import cache_key, cached
from outreach.links.models import LinkCheck, PlacedLink
from outreach.pitches.models import InboundMessage, OutboundMessage
from outreach.reports import report
from outreach.reports.models import ReferringDomainTarget
from outreach.reports.report import Report
from outreach.reports.scope import Scope

REPORT_SECONDS = 300


def version(scope: Scope) -> tuple[object, ...]:
    """What the scope's report is computed from, in a few index lookups."""
    workspace = scope.workspace_id
    recounted = db.session.execute(
        select(func.max(TargetSummary.updated_at), func.sum(TargetSummary.links)).where(
            TargetSummary.workspace_id == workspace
        )
    ).one()
    targets = db.session.execute(
        select(func.max(ReferringDomainTarget.updated_at), func.count()).where(
            ReferringDomainTarget.workspace_id == workspace
        )
    ).one()
    newest = db.session.execute(
        select(
            *(
                select(func.max(table.id)).scalar_subquery()
                for table in (Activity, PlacedLink, LinkCheck, OutboundMessage, InboundMessage)
            )
        )
    ).one()
    return (scope, tuple(recounted), tuple(targets), tuple(newest))


def cached_report(scope: Scope, first: date, last: date) -> Report:
    """``report.build``'s report, shared while the data's version stays the same."""
    key = cache_key("report", scope, first, last)
    stamp = cache_key(version(scope))
    return cached(key, stamp, lambda: report.build(scope, first, last), at_most=REPORT_SECONDS)
