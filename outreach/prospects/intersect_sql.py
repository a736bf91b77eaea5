"""The link intersect's statements: grouping, scores, order and each prospect's links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, exists, func, not_, select
from sqlalchemy.orm import aliased

from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.intersect_rows import IntersectQuery, IntersectRow, ProspectLink
from outreach.prospects.models import Prospect, ProspectScore

if TYPE_CHECKING:
    from sqlalchemy.sql import Select

    GroupedSelect = Select[str, int, float | None, int, float | None, float | None]

LINKS_SHOWN_PER_PROSPECT = 20


def _links_to_us(campaign: Campaign) -> Any:
    """EXISTS a link from the same source domain to our site (an anti-join, not NOT IN,
    which PostgreSQL runs once per row when our links outgrow its hash memory)."""
    ours = aliased(Backlink)
    return exists().where(
        ours.workspace_id == campaign.workspace_id,
        ours.target_domain == campaign.site_domain,
        ours.source_domain == Backlink.source_domain,
    )


def _in_pipeline(campaign: Campaign) -> Any:
    """EXISTS a prospect of the campaign for the link's source domain."""
    return exists().where(
        Prospect.campaign_id == campaign.id, Prospect.domain == Backlink.source_domain
    )


def grouped_by_domain(campaign: Campaign, query: IntersectQuery) -> GroupedSelect:
    """The competitor backlinks the filters keep, grouped by source domain."""
    competitors = [c.domain for c in campaign.competitors]
    own = set(competitors) | ({campaign.site_domain} if campaign.site_domain else set())
    follows = and_(not_(Backlink.nofollow), not_(Backlink.ugc), not_(Backlink.sponsored))
    conditions = [
        Backlink.workspace_id == campaign.workspace_id,
        Backlink.target_domain.in_(competitors),
        Backlink.lost_at.is_(None),
        Backlink.source_domain.not_in(own),
    ]
    if campaign.site_domain:
        conditions.append(~_links_to_us(campaign))
    if query.follow_only:
        conditions.append(follows)
    if query.language:
        conditions.append(Backlink.language == query.language)
    if query.tld:
        conditions.append(Backlink.source_domain.like(f"%.{query.tld.strip('.').lower()}"))
    if query.search:
        conditions.append(Backlink.source_domain.contains(query.search.strip().lower()))
    if query.hide_added:
        conditions.append(~_in_pipeline(campaign))
    competitor_count = func.count(func.distinct(Backlink.target_domain)).label("competitor_count")
    domain_authority = func.max(Backlink.authority)
    authority = func.coalesce(domain_authority, func.max(Backlink.page_authority)).label(
        "authority"
    )
    statement: GroupedSelect = (
        select(
            Backlink.source_domain.label("domain"),
            competitor_count,
            authority,
            func.count().label("link_count"),
            domain_authority.label("domain_authority"),
            func.max(Backlink.traffic).label("traffic"),
        )
        .where(*conditions)
        .group_by(Backlink.source_domain)
        .having(competitor_count >= max(query.min_competitors, 1))
    )
    if query.min_authority is not None:
        statement = statement.having(authority >= query.min_authority)
    return statement


def with_scores(campaign: Campaign, grouped: GroupedSelect) -> Any:
    """The grouped rows with each domain's stored score (outer join: unscored rows stay)."""
    found = grouped.subquery("grouped")
    return select(
        found,
        ProspectScore.score,
        ProspectScore.authority.label("score_authority"),
        ProspectScore.authority_source,
        ProspectScore.relevance,
        ProspectScore.risk_flags,
        ProspectScore.breakdown,
        ProspectScore.scored_at,
    ).outerjoin(
        ProspectScore,
        and_(ProspectScore.campaign_id == campaign.id, ProspectScore.domain == found.c.domain),
    )


def ordered_by(statement: Any, sort: str) -> Any:
    """The scored statement in the order of ``sort`` (by score when unknown), then by domain."""
    columns = statement.selected_columns
    authority_last = case((columns.authority.is_(None), 1), else_=0)
    score_last = case((columns.score.is_(None), 1), else_=0)
    orders = {
        # Unscored rows come last, in the order the intersect had before scoring.
        "score": (
            score_last,
            columns.score.desc(),
            columns.competitor_count.desc(),
            authority_last,
            columns.authority.desc(),
        ),
        "competitors": (columns.competitor_count.desc(), authority_last, columns.authority.desc()),
        "authority": (authority_last, columns.authority.desc(), columns.competitor_count.desc()),
        "links": (columns.link_count.desc(), columns.competitor_count.desc()),
        "domain": (),
    }
    return statement.order_by(*orders.get(sort, orders["score"]), columns.domain)


def attach_links(campaign: Campaign, rows: list[IntersectRow], query: IntersectQuery) -> None:
    """Fill each row's competitors and its first links to them (two queries for all rows)."""
    if not rows:
        return
    by_domain = {row.domain: row for row in rows}
    competitors = [c.domain for c in campaign.competitors]
    conditions = [
        Backlink.workspace_id == campaign.workspace_id,
        Backlink.source_domain.in_(list(by_domain)),
        Backlink.target_domain.in_(competitors),
        Backlink.lost_at.is_(None),
    ]
    if query.follow_only:
        conditions.append(
            and_(not_(Backlink.nofollow), not_(Backlink.ugc), not_(Backlink.sponsored))
        )
    pairs = select(Backlink.source_domain, Backlink.target_domain).where(*conditions).distinct()
    for source_domain, target_domain in db.session.execute(pairs):
        by_domain[source_domain].competitors.append(target_domain)
    rank = func.row_number().over(
        partition_by=Backlink.source_domain, order_by=(Backlink.target_domain, Backlink.id)
    )
    ranked = (
        select(
            Backlink.source_domain,
            Backlink.target_domain,
            Backlink.source_url,
            Backlink.target_url,
            Backlink.anchor,
            Backlink.nofollow,
            Backlink.ugc,
            Backlink.sponsored,
            rank.label("rank"),
        )
        .where(*conditions)
        .subquery()
    )
    statement = (
        select(ranked)
        .where(ranked.c.rank <= LINKS_SHOWN_PER_PROSPECT)
        .order_by(ranked.c.source_domain, ranked.c.rank)
    )
    for link in db.session.execute(statement):
        rel = [
            name
            for name, on in (
                ("nofollow", link.nofollow),
                ("ugc", link.ugc),
                ("sponsored", link.sponsored),
            )
            if on
        ]
        by_domain[link.source_domain].links.append(
            ProspectLink(link.target_domain, link.source_url, link.target_url, link.anchor, rel)
        )
    for row in rows:
        row.competitors.sort()
