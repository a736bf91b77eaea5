"""Outreach's own authority figure: PageRank over the domain graph of the workspace's links.

Every live link the workspace knows, from imports and crawls, is an edge between two
registrable domains (a domain's links to itself are left out). PageRank (networkx, with its
SciPy sparse-matrix implementation) gives each domain a share of rank; the shares are put on
a log scale from 0 (the least any domain gets: teleports only) to 100 (the best-ranked
domain of the graph). Only domains with at least one inbound link get a figure: for the
others the workspace knows nothing about who links to them, and their authority stays
unknown rather than 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx
from sqlalchemy import delete, insert, select

from outreach.backlinks.models import Backlink
from outreach.db import utcnow
from outreach.extensions import db
from outreach.scoring.models import OutreachRank

DAMPING = 0.85


def scaled_pagerank(edges: Iterable[tuple[str, str]]) -> dict[str, float]:
    """PageRank of each domain with an inbound link, log-scaled to 0-100."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    if graph.number_of_edges() == 0:
        return {}
    ranks: dict[str, float] = nx.pagerank(graph, alpha=DAMPING)
    floor = min(ranks.values())
    top = max(ranks.values())
    span = math.log(top / floor) if top > floor else 0.0
    return {
        node: round(100.0 * math.log(ranks[node] / floor) / span, 2) if span else 0.0
        for node in graph.nodes
        if graph.in_degree(node) > 0
    }


def link_graph(workspace_id: int) -> list[tuple[str, str]]:
    """The distinct (source domain, target domain) pairs of the workspace's live links."""
    rows = db.session.execute(
        select(Backlink.source_domain, Backlink.target_domain)
        .where(Backlink.workspace_id == workspace_id, Backlink.lost_at.is_(None))
        .distinct()
    )
    return [(source, target) for source, target in rows]


def refresh_outreach_rank(workspace_id: int) -> int:
    """Recompute and store the workspace's PageRank figures; how many domains got one."""
    figures = scaled_pagerank(link_graph(workspace_id))
    db.session.execute(delete(OutreachRank).where(OutreachRank.workspace_id == workspace_id))
    now = utcnow()
    rows = [
        {"workspace_id": workspace_id, "domain": domain, "value": value, "computed_at": now}
        for domain, value in figures.items()
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(OutreachRank), rows[start : start + 5000])
    return len(rows)
