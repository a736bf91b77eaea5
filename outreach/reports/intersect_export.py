"""The link intersect as a CSV table, with the filters of the intersect page."""

from __future__ import annotations

from outreach.campaigns.models import Campaign
from outreach.prospects.intersect import all_prospects, pipeline_stages
from outreach.prospects.intersect_rows import IntersectQuery
from outreach.reports.exports import Table

MAX_ROWS = 50_000
HEADERS = (
    "domain",
    "score",
    "competitors linked",
    "competitors",
    "authority",
    "authority source",
    "traffic",
    "relevance",
    "links",
    "risk flags",
    "in pipeline",
    "pages",
)


def intersect_table(campaign: Campaign, query: IntersectQuery) -> Table:
    """Every domain the filters match (up to MAX_ROWS), best first, one row each."""
    rows = all_prospects(campaign, query, limit=MAX_ROWS)
    stages = pipeline_stages(campaign, [row.domain for row in rows])
    return Table(
        "intersect",
        f"Link intersect of {campaign.name}",
        HEADERS,
        [
            (
                row.domain,
                None if row.score is None else round(row.score, 1),
                row.competitor_count,
                " ".join(row.competitors),
                None if row.authority is None else round(row.authority),
                row.authority_source,
                None if row.traffic is None else round(row.traffic),
                None if row.relevance is None else round(row.relevance, 3),
                row.link_count,
                " ".join(row.risk_codes),
                stages[row.domain][1] if row.domain in stages else "",
                " ".join(row.pages[:3]),
            )
            for row in rows
        ],
    )
