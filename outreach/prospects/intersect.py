"""The link intersect: domains that link to enough competitors but not to us."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from outreach.backlinks.models import Backlink, TargetSummary
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs.cache import cache_key, cached
from outreach.prospects.intersect_rows import IntersectQuery, IntersectRow
from outreach.prospects.intersect_sql import (
    attach_links,
    grouped_by_domain,
    ordered_by,
    with_scores,
)
from outreach.prospects.models import Prospect, ProspectScore

SORTS = {
    "score": "Score",
    "competitors": "Competitors linked",
    "authority": "Authority",
    "links": "Links",
    "domain": "Domain",
}


@dataclass
class IntersectPage:
    """One page of results and the total count."""

    rows: list[IntersectRow]
    total: int
    query: IntersectQuery

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, -(-self.total // self.query.page_size))


def pipeline_stages(campaign: Campaign, domains: list[str]) -> dict[str, tuple[int, str]]:
    """Which of these domains are already prospects of the campaign: (prospect id, stage)."""
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(domains), 500):  # bounded IN lists, whatever the export's size
        rows = db.session.execute(
            select(Prospect.domain, Prospect.id, Prospect.stage).where(
                Prospect.campaign_id == campaign.id,
                Prospect.domain.in_(domains[start : start + 500]),
            )
        )
        found.update({domain: (pid, stage.label) for domain, pid, stage in rows})
    return found


def intersect(campaign: Campaign, query: IntersectQuery) -> IntersectPage:
    """One page of the campaign's link intersect, best first, with each prospect's links."""
    grouped = grouped_by_domain(campaign, query)
    page = max(query.page, 1)
    # The total rides along as a window count, so the grouping runs once per page view.
    statement = (
        ordered_by(with_scores(campaign, grouped), query.sort)
        .add_columns(func.count().over().label("total"))
        .limit(query.page_size)
        .offset((page - 1) * query.page_size)
    )
    found = db.session.execute(statement).all()
    rows = [IntersectRow.of(r) for r in found]
    total = found[0].total if found else 0
    if not found and page > 1:  # past the last page: count separately
        total = db.session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    attach_links(campaign, rows, query)
    return IntersectPage(rows, total, query)


def all_prospects(
    campaign: Campaign, query: IntersectQuery, limit: int | None = None
) -> list[IntersectRow]:
    """Every prospect of the intersect (or the first ``limit``), best first (CLI, exports)."""
    grouped = ordered_by(with_scores(campaign, grouped_by_domain(campaign, query)), query.sort)
    if limit is not None:
        grouped = grouped.limit(limit)
    rows = [IntersectRow.of(r) for r in db.session.execute(grouped)]
    for start in range(0, len(rows), 500):
        attach_links(campaign, rows[start : start + 500], query)
    return rows


def scored_intersect(campaign: Campaign, query: IntersectQuery) -> Any:
    """The filtered intersect with each domain's stored score, unordered, as a subquery
    (for readers that page it themselves, such as the API's keyset cursor)."""
    return with_scores(campaign, grouped_by_domain(campaign, query)).subquery("intersect")


def rows_with_links(campaign: Campaign, found: Any, query: IntersectQuery) -> list[IntersectRow]:
    """Rows of :func:`scored_intersect` as :class:`IntersectRow` with their links attached."""
    rows = [IntersectRow.of(r) for r in found]
    attach_links(campaign, rows, query)
    return rows


def matching_domains(campaign: Campaign, query: IntersectQuery, limit: int) -> list[str]:
    """The first ``limit`` domains the filters match, in the query's order (for bulk actions)."""
    ordered = ordered_by(
        with_scores(campaign, grouped_by_domain(campaign, query)), query.sort
    ).limit(limit)
    return [row.domain for row in db.session.execute(ordered)]


def languages(campaign: Campaign) -> list[str]:
    """Languages seen among the campaign's competitor backlinks, for the filter."""
    competitors = [c.domain for c in campaign.competitors]
    return [
        value
        for value in db.session.scalars(
            select(Backlink.language)
            .where(
                Backlink.workspace_id == campaign.workspace_id,
                Backlink.target_domain.in_(competitors),
                Backlink.language.is_not(None),
            )
            .distinct()
            .order_by(Backlink.language)
            .limit(50)
        )
        if value
    ]


def version(campaign: Campaign) -> tuple[object, ...]:
    """What the intersect of the campaign is computed from, in a few index lookups: the
    campaign's sites, the last recount of the workspace's links (every import and lost-marking
    ends with one), the campaign's last scoring (which rewrites its score rows) and its
    pipeline's size."""
    recounted = db.session.execute(
        select(func.max(TargetSummary.updated_at), func.sum(TargetSummary.links)).where(
            TargetSummary.workspace_id == campaign.workspace_id
        )
    ).one()
    scored = db.session.scalar(
        select(func.max(ProspectScore.id)).where(ProspectScore.campaign_id == campaign.id)
    )
    sites = (campaign.site_domain, tuple(sorted(c.domain for c in campaign.competitors)))
    pipeline = db.session.execute(  # the hide-added filter changes with the pipeline
        select(func.count(Prospect.id), func.max(Prospect.id)).where(
            Prospect.campaign_id == campaign.id
        )
    ).one()
    return (campaign.id, sites, tuple(recounted), scored, tuple(pipeline))


def cached_page(campaign: Campaign, query: IntersectQuery) -> tuple[IntersectPage, list[str]]:
    """One page of the intersect and the languages of its filter, shared by every member who
    asks while the data stays the same (``jobs.cache``)."""
    key = cache_key("intersect", campaign.id, query)
    return cached(
        key, cache_key(version(campaign)), lambda: (intersect(campaign, query), languages(campaign))
    )
