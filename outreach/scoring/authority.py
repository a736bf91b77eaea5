"""One authority scale (0-100) for every domain, with the source of each figure.

A domain's authority is the first of these that is known, in this order:

1. a domain-level figure an import gave: Ahrefs DR, Moz DA, Majestic Trust Flow (with its
   Citation Flow beside it), Semrush Authority Score, or a mapped "authority" column;
2. a page-level figure of its linking pages (Ahrefs UR, Moz PA, Semrush Page AS), the best
   one, labelled page-level;
3. its rank in an imported ranked list (Majestic Million, Open PageRank, Tranco), mapped by
   :func:`rank_to_authority`;
4. Outreach's own PageRank over every link the workspace knows (``pagerank``).

Otherwise it is unknown (None), never 0. Reports and scoring both read authority here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from outreach.backlinks.models import Backlink, DataSource, Domain, DomainMetric
from outreach.extensions import db
from outreach.scoring.models import OutreachRank, RankedDomain, RankedList

DOMAIN = "domain"
PAGE = "page"
LIST = "list"
OUTREACH = "outreach"

# Vendors in order of preference, with the names of their domain- and page-level figures.
# Majestic's page-level column holds Citation Flow, shown beside Trust Flow, never alone.
DOMAIN_LABELS: dict[DataSource, str] = {
    DataSource.AHREFS: "Ahrefs DR",
    DataSource.MOZ: "Moz DA",
    DataSource.MAJESTIC: "Majestic TF",
    DataSource.SEMRUSH: "Semrush AS",
    DataSource.CSV: "Imported authority",
    DataSource.MANUAL: "Manual authority",
}
PAGE_LABELS: dict[DataSource, str] = {
    DataSource.AHREFS: "Ahrefs UR (page-level)",
    DataSource.MOZ: "Moz PA (page-level)",
    DataSource.SEMRUSH: "Semrush Page AS (page-level)",
    DataSource.CSV: "Imported page authority (page-level)",
}
# Link-based lists before the popularity one.
LIST_ORDER = (RankedList.MAJESTIC_MILLION, RankedList.OPEN_PAGERANK, RankedList.TRANCO)
OUTREACH_LABEL = "Outreach PageRank"
CHUNK = 2000


@dataclass(frozen=True)
class Authority:
    """A domain's authority on the 0-100 scale, where it came from, and at which level."""

    value: float | None
    source: str = ""
    level: str | None = None

    @property
    def known(self) -> bool:
        """True when a figure is known."""
        return self.value is not None


UNKNOWN = Authority(None, "", None)


def rank_to_authority(rank: int) -> float:
    """A list rank mapped to 0-100: ``100 * (1 - log10(rank) / 7)``, clamped.

    Rank 1 is 100, rank 1,000 is 57, rank 1,000,000 is 14 and rank 10,000,000 or worse 0:
    each tenfold drop in rank costs the same 14.3 points, as authority scales are logarithmic.
    """
    if rank < 1:
        return 100.0
    return round(min(100.0, max(0.0, 100.0 * (1 - math.log10(rank) / 7))), 1)


def _chunks(names: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(names), CHUNK):
        yield names[start : start + CHUNK]


def _domain_level(workspace_id: int, wanted: set[str] | None) -> dict[str, Authority]:
    rows: Iterable[Any] = db.session.execute(
        select(Domain.name, DomainMetric.source, DomainMetric.value)
        .join(Domain, Domain.id == DomainMetric.domain_id)
        .where(DomainMetric.workspace_id == workspace_id, DomainMetric.metric == "authority")
    )
    order = list(DOMAIN_LABELS)
    best: dict[str, tuple[int, DataSource, float]] = {}
    for name, source, value in rows:
        if (wanted is not None and name not in wanted) or value is None:
            continue
        rank = order.index(source) if source in DOMAIN_LABELS else len(order)
        if name not in best or rank < best[name][0]:
            best[name] = (rank, source, float(value))
    return {
        name: Authority(value, DOMAIN_LABELS.get(source, "Imported authority"), DOMAIN)
        for name, (_, source, value) in best.items()
    }


def _link_figures(workspace_id: int) -> Any:
    """Per (source domain, vendor): the best page-level figure of its links."""
    return (
        select(
            Backlink.source_domain,
            Backlink.data_source,
            func.max(Backlink.page_authority),
        )
        .where(Backlink.workspace_id == workspace_id, Backlink.page_authority.is_not(None))
        .group_by(Backlink.source_domain, Backlink.data_source)
    )


def _page_level(
    workspace_id: int, wanted: set[str] | None
) -> tuple[dict[str, Authority], dict[str, float]]:
    """The best page-level authority per domain, and Majestic Citation Flow per domain."""
    order = list(PAGE_LABELS)
    best: dict[str, tuple[int, DataSource, float]] = {}
    citation_flow: dict[str, float] = {}
    for name, source, value in db.session.execute(_link_figures(workspace_id)):
        if wanted is not None and name not in wanted:
            continue
        if source is DataSource.MAJESTIC:
            citation_flow[name] = float(value)
            continue
        if source not in PAGE_LABELS:
            continue
        rank = order.index(source)
        if (
            name not in best
            or rank < best[name][0]
            or (rank == best[name][0] and value > best[name][2])
        ):
            best[name] = (rank, source, float(value))
    pages = {
        name: Authority(value, PAGE_LABELS[source], PAGE)
        for name, (_, source, value) in best.items()
    }
    return pages, citation_flow


def _listed(workspace_id: int, names: Sequence[str]) -> dict[str, Authority]:
    order = {name: n for n, name in enumerate(LIST_ORDER)}
    best: dict[str, tuple[int, RankedList, int, float]] = {}
    for chunk in _chunks(names):
        rows = db.session.execute(
            select(
                RankedDomain.domain,
                RankedDomain.list_name,
                RankedDomain.rank,
                RankedDomain.authority,
            ).where(RankedDomain.workspace_id == workspace_id, RankedDomain.domain.in_(chunk))
        )
        for name, listed, rank, value in rows:
            key = order[listed]
            if name not in best or key < best[name][0]:
                best[name] = (key, listed, rank, value)
    return {
        name: Authority(value, f"{listed.label} rank {rank:,}", LIST)
        for name, (_, listed, rank, value) in best.items()
    }


def _outreach(workspace_id: int, names: Sequence[str]) -> dict[str, Authority]:
    found: dict[str, Authority] = {}
    for chunk in _chunks(names):
        rows = db.session.execute(
            select(OutreachRank.domain, OutreachRank.value).where(
                OutreachRank.workspace_id == workspace_id, OutreachRank.domain.in_(chunk)
            )
        )
        found.update((name, Authority(value, OUTREACH_LABEL, OUTREACH)) for name, value in rows)
    return found


def domain_authorities(
    workspace_id: int, domains: Iterable[str] | None = None
) -> dict[str, Authority]:
    """Each domain's authority (see the module's order); every asked domain is in the
    answer, unknown ones as :data:`UNKNOWN`. Without ``domains``: every domain with a figure.
    """
    wanted = set(domains) if domains is not None else None
    found = _domain_level(workspace_id, wanted)
    pages, citation_flow = _page_level(workspace_id, wanted)
    for name, flow in citation_flow.items():
        known = found.get(name)
        if known is not None and known.source == DOMAIN_LABELS[DataSource.MAJESTIC]:
            found[name] = Authority(known.value, f"Majestic TF (CF {flow:g})", DOMAIN)
    for name, page in pages.items():
        found.setdefault(name, page)
    if wanted is None:
        return found
    missing = sorted(wanted - found.keys())
    found.update(_listed(workspace_id, missing))
    missing = [name for name in missing if name not in found]
    found.update(_outreach(workspace_id, missing))
    for name in wanted:
        found.setdefault(name, UNKNOWN)
    return found
