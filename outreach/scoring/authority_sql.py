"""The authority of ``authority.domain_authorities`` as one SQL subquery, for reports that join
it to thousands of domains inside a bigger query.

Same order of sources (domain-level vendor figure, page-level figure, ranked list, Outreach
PageRank) and the same vendor and list preference, for the domains of the ``domain`` table
(every domain an import or a crawl brought). Each source is one grouped read whose columns
hold one figure per vendor (or list), and ``COALESCE`` takes the first known in order: plain
joins the planner hashes, where a window over all figures cost reports half a second on a
million links. ``tests/scoring/test_authority_sql.py`` checks both give the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select

from outreach.backlinks.models import Backlink, Domain, DomainMetric
from outreach.scoring.authority import DOMAIN_LABELS, LIST_ORDER, PAGE_LABELS
from outreach.scoring.models import OutreachRank, RankedDomain


def _per(column: Any, value: Any, options: Sequence[Any]) -> list[Any]:
    """One ``max(value)`` column per option, in order (None where that option gives none)."""
    return [func.max(case((column == option.value, value))) for option in options]


def authority_table(workspace_id: int) -> Any:
    """A subquery of (domain_id, domain, authority) for every domain with an authority."""
    domain_level = (
        select(
            DomainMetric.domain_id,
            func.coalesce(
                *_per(DomainMetric.source, DomainMetric.value, list(DOMAIN_LABELS))
            ).label("value"),
        )
        .where(DomainMetric.workspace_id == workspace_id, DomainMetric.metric == "authority")
        .group_by(DomainMetric.domain_id)
        .subquery("domain_level")
    )
    page_level = (
        select(
            Backlink.source_domain.label("domain"),
            func.coalesce(
                *_per(Backlink.data_source, Backlink.page_authority, list(PAGE_LABELS))
            ).label("value"),
        )
        .where(
            Backlink.workspace_id == workspace_id,
            Backlink.page_authority.is_not(None),
            Backlink.data_source.in_([source.value for source in PAGE_LABELS]),
        )
        .group_by(Backlink.source_domain)
        .subquery("page_level")
    )
    listed = (
        select(
            RankedDomain.domain,
            func.coalesce(
                *_per(RankedDomain.list_name, RankedDomain.authority, list(LIST_ORDER))
            ).label("value"),
        )
        .where(RankedDomain.workspace_id == workspace_id)
        .group_by(RankedDomain.domain)
        .subquery("listed")
    )
    own = (
        select(OutreachRank.domain, OutreachRank.value)
        .where(OutreachRank.workspace_id == workspace_id)
        .subquery("own")
    )
    authority = func.coalesce(domain_level.c.value, page_level.c.value, listed.c.value, own.c.value)
    return (
        select(
            Domain.id.label("domain_id"), Domain.name.label("domain"), authority.label("authority")
        )
        .outerjoin(domain_level, domain_level.c.domain_id == Domain.id)
        .outerjoin(page_level, page_level.c.domain == Domain.name)
        .outerjoin(listed, listed.c.domain == Domain.name)
        .outerjoin(own, own.c.domain == Domain.name)
        .where(authority.is_not(None))
        .subquery("authority_table")
    )
