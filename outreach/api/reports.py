"""``GET /api/v1/reports`` and ``/api/v1/reports/{campaign_id}``: what ``flask report`` prints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.problems import INVALID_FIELDS, Problem
from outreach.campaigns.models import Campaign
from outreach.campaigns.services import get_campaign
from outreach.db import utcnow
from outreach.reports.periods import BadMonth, parse_month
from outreach.reports.report import monthly_json
from outreach.reports.scope import scope_for

REPORT = (
    "The object `flask report --json` prints: month, referring domains (live, new, lost, "
    "target), trend, authority, followed links, placements, competitors, gap and funnel."
)
blp = api_blueprint("reports", __name__, "Reports: the object `flask report --json` prints.")


class ReportArgs(ma.Schema):
    """Which month."""

    month = fields.String(
        load_default=None, metadata={"description": "YYYY-MM; the current month by default."}
    )


def _report(args: dict[str, Any], campaign: Campaign | None) -> dict[str, Any]:
    try:
        first_day = parse_month(args["month"] or utcnow().strftime("%Y-%m"))
    except BadMonth as exc:
        raise Problem(
            422,
            str(exc),
            type=INVALID_FIELDS,
            title="Invalid fields",
            errors=[{"field": "month", "location": "query", "message": str(exc)}],
        ) from None
    return monthly_json(scope_for(caller().workspace, campaign), first_day)


@blp.route("", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, description=REPORT)
def workspace_report(args: dict[str, Any]) -> dict[str, Any]:
    """The whole workspace's report for a month (``flask report WORKSPACE --json``)."""
    return _report(args, None)


@blp.route("/<int:campaign_id>", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, description=REPORT)
def campaign_report(args: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    """One campaign's report for a month (``flask report WORKSPACE --campaign ID --json``)."""
    campaign = get_campaign(caller().workspace.id, campaign_id)
    return _report(args, campaign)
