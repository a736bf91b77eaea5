"""The link intersect's filters and the rows it yields: a prospect domain and its links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PAGE_SIZE = 50
BREAKDOWN_KEYS = ("signal", "value", "weight", "contribution", "source")
# The entries of a stored breakdown that ``--json`` prints: the signals and the risk cap.
BREAKDOWN_SIGNALS = frozenset(
    {"authority", "relevance", "link_quality", "overlap", "contact", "risk"}
)


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
    hide_added: bool = False  # leave out domains already in the campaign's pipeline


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
    traffic: float | None = None  # the best organic traffic figure an export gave

    @classmethod
    def of(cls, found: Any) -> IntersectRow:
        """A row from a grouped result (see ``intersect_sql.grouped_by_domain``), with its score
        when it has one: then authority is the scoring one (``outreach.scoring.authority``)
        with its source."""
        level = None
        if found.authority is not None:
            level = "domain" if found.domain_authority is not None else "page"
        row = cls(
            found.domain, found.competitor_count, found.authority, found.link_count,
            authority_level=level, traffic=found.traffic,
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


def _level_of(source: str) -> str:
    """How sure an authority is, from its source's label: "page" for page-level figures."""
    if "page-level" in source:
        return "page"
    return "domain"
