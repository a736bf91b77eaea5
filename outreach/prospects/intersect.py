"""The link intersect: domains that link to enough competitors but not to us."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, exists, func, not_, select
from sqlalchemy.orm import aliased

from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import ProspectScore

if TYPE_CHECKING:
    from sqlalchemy.sql import Select

    GroupedSelect = Select[str, int, float | None, int, float | None]

SORTS = {
    "score": "Score",
    "competitors": "Competitors linked",
    "authority": "Authority",
    "links": "Links",
    "domain": "Domain",
}
PAGE_SIZE = 50
BREAKDOWN_KEYS = ("signal", "value", "weight", "contribution", "source")
# The entries of a stored breakdown that ``--json`` prints: the signals and the risk cap.
BREAKDOWN_SIGNALS = frozenset(
    {"authority", "relevance", "link_quality", "overlap", "contact", "risk"}
)
LINKS_SHOWN_PER_PROSPECT = 20


@dataclass(frozen=True)
class IntersectQuery:
    """The filters of the intersect page (all optional but the campaign)."""

    min_competitors: int = 1
    min_authority: float | None = None
    follow_only: bool = False
    language: str | None = None
    tld: str | None = None
    search: str | None = None
    sort: str = "score"
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass
class ProspectLink:
    """One link of a prospect to a competitor."""

    competitor: str
    page: str
    target: str
    anchor: str | None
    rel: list[str]

    @property
    def follows(self) -> bool:
        """True when no rel value withholds authority."""
        return not self.rel


@dataclass
class IntersectRow:
    """A prospect domain with the competitors it links to and its best authority.

    ``authority`` is the best domain-level figure of its links; with none known (Semrush
    backlinks exports carry only Page ascore), the best page-level one, and
    ``authority_level`` says which ("domain" or "page").
    """

    domain: str
    competitor_count: int
    authority: float | None
    link_count: int
    competitors: list[str] = field(default_factory=list)
    links: list[ProspectLink] = field(default_factory=list)
    authority_level: str | None = None
    score: float | None = None
    authority_source: str = ""
    relevance: float | None = None
    risk_flags: list[dict[str, Any]] = field(default_factory=list)
    breakdown: list[dict[str, Any]] = field(default_factory=list)
    scored: bool = False

    @classmethod
    def of(cls, found: Any) -> IntersectRow:
        """A row from a grouped result (see ``_grouped``), with its score when it has one:
        then authority is the scoring one (``outreach.scoring.authority``) with its source."""
        level = None
        if found.authority is not None:
            level = "domain" if found.domain_authority is not None else "page"
        row = cls(
            found.domain, found.competitor_count, found.authority, found.link_count,
            authority_level=level,
        )  # fmt: skip
        if found.scored_at is not None:
            row.scored = True
            row.score = found.score
            row.authority = found.score_authority
            row.authority_source = found.authority_source or ""
            row.authority_level = (
                _level_of(row.authority_source) if row.authority is not None else None
            )
            row.relevance = found.relevance
            row.risk_flags = list(found.risk_flags or [])
            row.breakdown = list(found.breakdown or [])
        return row

    @property
    def risk_codes(self) -> list[str]:
        """The codes of the risk flags."""
        return [flag["code"] for flag in self.risk_flags]

    @property
    def pages(self) -> list[str]:
        """Distinct linking pages, in order of appearance."""
        return list(dict.fromkeys(link.page for link in self.links if link.page))

    def as_json(self) -> dict[str, Any]:
        """The shape ``flask prospects --json`` prints."""
        return {
            "domain": self.domain,
            "competitors": self.competitors,
            "competitor_count": self.competitor_count,
            "score": self.score,
            "authority": self.authority,
            "authority_source": self.authority_source,
            "authority_level": self.authority_level,
            "relevance": self.relevance,
            "risk_flags": self.risk_codes,
            "breakdown": [
                {key: entry.get(key) for key in BREAKDOWN_KEYS}
                for entry in self.breakdown
                if entry.get("signal") in BREAKDOWN_SIGNALS
            ],
            "links": self.link_count,
            "pages": self.pages,
            "anchors": sorted({link.anchor for link in self.links if link.anchor}),
            "backlinks": [
                {
                    "competitor": link.competitor,
                    "page": link.page,
                    "target": link.target,
                    "anchor": link.anchor,
                    "rel": link.rel,
                }
                for link in self.links
            ],
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


def _level_of(source: str) -> str:
    """How sure an authority is, from its source's label: "page" for page-level figures."""
    if "page-level" in source:
        return "page"
    return "domain"


def _links_to_us(campaign: Campaign) -> Any:
    """EXISTS a link from the same source domain to our site (an anti-join, not NOT IN,
    which PostgreSQL runs once per row when our links outgrow its hash memory)."""
    ours = aliased(Backlink)
    return exists().where(
        ours.workspace_id == campaign.workspace_id,
        ours.target_domain == campaign.site_domain,
        ours.source_domain == Backlink.source_domain,
    )


def _grouped(campaign: Campaign, query: IntersectQuery) -> GroupedSelect:
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
        )
        .where(*conditions)
        .group_by(Backlink.source_domain)
        .having(competitor_count >= max(query.min_competitors, 1))
    )
    if query.min_authority is not None:
        statement = statement.having(authority >= query.min_authority)
    return statement


def _scored(campaign: Campaign, grouped: GroupedSelect) -> Any:
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


def _ordered(statement: Any, sort: str) -> Any:
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


def intersect(campaign: Campaign, query: IntersectQuery) -> IntersectPage:
    """One page of the campaign's link intersect, best first, with each prospect's links."""
    grouped = _grouped(campaign, query)
    page = max(query.page, 1)
    # The total rides along as a window count, so the grouping runs once per page view.
    statement = (
        _ordered(_scored(campaign, grouped), query.sort)
        .add_columns(func.count().over().label("total"))
        .limit(query.page_size)
        .offset((page - 1) * query.page_size)
    )
    found = db.session.execute(statement).all()
    rows = [IntersectRow.of(r) for r in found]
    total = found[0].total if found else 0
    if not found and page > 1:  # past the last page: count separately
        total = db.session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    _attach_links(campaign, rows, query)
    return IntersectPage(rows, total, query)


def all_prospects(campaign: Campaign, query: IntersectQuery) -> list[IntersectRow]:
    """Every prospect of the intersect, best first (for the CLI and exports)."""
    grouped = _ordered(_scored(campaign, _grouped(campaign, query)), query.sort)
    rows = [IntersectRow.of(r) for r in db.session.execute(grouped)]
    for start in range(0, len(rows), 500):
        _attach_links(campaign, rows[start : start + 500], query)
    return rows


def scored_intersect(campaign: Campaign, query: IntersectQuery) -> Any:
    """The filtered intersect with each domain's stored score, unordered, as a subquery
    (for readers that page it themselves, such as the API's keyset cursor)."""
    return _scored(campaign, _grouped(campaign, query)).subquery("intersect")


def rows_with_links(campaign: Campaign, found: Any, query: IntersectQuery) -> list[IntersectRow]:
    """Rows of :func:`scored_intersect` as :class:`IntersectRow` with their links attached."""
    rows = [IntersectRow.of(r) for r in found]
    _attach_links(campaign, rows, query)
    return rows


def matching_domains(campaign: Campaign, query: IntersectQuery, limit: int) -> list[str]:
    """The first ``limit`` domains the filters match, in the query's order (for bulk actions)."""
    ordered = _ordered(_scored(campaign, _grouped(campaign, query)), query.sort).limit(limit)
    return [row.domain for row in db.session.execute(ordered)]


def _attach_links(campaign: Campaign, rows: list[IntersectRow], query: IntersectQuery) -> None:
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
