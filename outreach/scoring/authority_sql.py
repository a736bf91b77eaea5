"""The authority of ``authority.domain_authorities`` as one SQL subquery, for reports that join
it to thousands of domains inside a bigger query.

Same order of sources (domain-level vendor figure, page-level figure, ranked list, Outreach
PageRank), same vendor and list preference; ``tests/scoring/test_authority_sql.py`` checks
that both give the same figure for every domain.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, case, func, literal, select, union_all

from outreach.backlinks.models import Backlink, Domain, DomainMetric
from outreach.scoring.authority import DOMAIN_LABELS, LIST_ORDER, PAGE_LABELS
from outreach.scoring.models import OutreachRank, RankedDomain


def _preference(column: Any, order: list[Any]) -> Any:
    """0 for the first value of ``order``, 1 for the next..., len(order) for any other."""
    return case(
        {value.value: n for n, value in enumerate(order)}, value=column, else_=len(order)
    ).cast(Integer)


def authority_table(workspace_id: int) -> Any:
    """A subquery of (domain, authority): each domain's authority, domains without one absent."""
    vendors = list(DOMAIN_LABELS)
    domain_level = (
        select(
            Domain.name.label("domain"),
            literal(0).label("level"),
            _preference(DomainMetric.source, vendors).label("rank"),
            DomainMetric.value.label("authority"),
        )
        .join(Domain, Domain.id == DomainMetric.domain_id)
        .where(DomainMetric.workspace_id == workspace_id, DomainMetric.metric == "authority")
    )
    page_vendors = list(PAGE_LABELS)
    page_level = (
        select(
            Backlink.source_domain.label("domain"),
            literal(1).label("level"),
            _preference(Backlink.data_source, page_vendors).label("rank"),
            func.max(Backlink.page_authority).label("authority"),
        )
        .where(
            Backlink.workspace_id == workspace_id,
            Backlink.page_authority.is_not(None),
            Backlink.data_source.in_([source.value for source in page_vendors]),
        )
        .group_by(Backlink.source_domain, Backlink.data_source)
    )
    listed = select(
        RankedDomain.domain,
        literal(2).label("level"),
        _preference(RankedDomain.list_name, list(LIST_ORDER)).label("rank"),
        RankedDomain.authority,
    ).where(RankedDomain.workspace_id == workspace_id)
    own = select(
        OutreachRank.domain,
        literal(3).label("level"),
        literal(0).label("rank"),
        OutreachRank.value.label("authority"),
    ).where(OutreachRank.workspace_id == workspace_id)
    every = union_all(domain_level, page_level, listed, own).subquery("every")
    first = func.row_number().over(
        partition_by=every.c.domain,
        order_by=(every.c.level, every.c.rank, every.c.authority.desc()),
    )
    ranked = select(every.c.domain, every.c.authority, first.label("n")).subquery("ranked")
    return (
        select(ranked.c.domain, ranked.c.authority)
        .where(ranked.c.n == 1)
        .subquery("authority_table")
    )
