"""Each signal of one domain, measured and normalised to 0-1 (None when unknown)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from outreach.links.placement import CONTENT
from outreach.scoring.authority import Authority
from outreach.scoring.combine import Signal
from outreach.scoring.facts import LinkFacts
from outreach.scoring.page_facts import PageFacts
from outreach.scoring.signals import Relevance

# Parts of link quality and how much each counts among those known.
FOLLOWED, PLACEMENT, OUTBOUND, TRAFFIC = 0.4, 0.3, 0.15, 0.15
FEW_OUTBOUND, MANY_OUTBOUND = 30, 300  # a page's outbound links: fine up to 30, bad from 300
FULL_TRAFFIC = 100_000  # monthly visits at which traffic counts fully (log scale)


def authority_signal(authority: Authority) -> Signal:
    """Authority 0-100 as 0-1, with its source."""
    if authority.value is None:
        return Signal("authority", None, None, "unknown: no import, ranked list or link gives it")
    return Signal("authority", authority.value, authority.value / 100.0, authority.source)


def relevance_signal(relevance: Relevance) -> Signal:
    """Relevance 0-1 as it is, with its reason and top terms."""
    terms = f"; terms: {', '.join(relevance.top_terms[:8])}" if relevance.top_terms else ""
    if relevance.value is None:
        return Signal("relevance", None, None, f"unknown: {relevance.reason}")
    return Signal("relevance", round(relevance.value, 3), relevance.value, relevance.reason + terms)


def outbound_part(count: int) -> float:
    """1 for a page with few outbound links, 0 from :data:`MANY_OUTBOUND`, log scale between."""
    if count <= FEW_OUTBOUND:
        return 1.0
    if count >= MANY_OUTBOUND:
        return 0.0
    return 1.0 - math.log(count / FEW_OUTBOUND) / math.log(MANY_OUTBOUND / FEW_OUTBOUND)


def link_quality_signal(
    links: LinkFacts | None, pages: Sequence[PageFacts], crawled_outbound: int | None
) -> Signal:
    """Followed share, content placement, the page's outbound links and traffic, combined."""
    if links is None or not links.links:
        return Signal("link_quality", None, None, "unknown: no live link to a competitor")
    parts: list[tuple[float, float]] = [(FOLLOWED, links.followed / links.links)]
    said = [f"{links.followed} of {links.links} links followed"]
    in_content, placed = links.in_content, links.placed
    placement_source = "export"
    if not placed:
        seen = [p for page in pages for p in page.placements]
        in_content, placed = sum(p == CONTENT for p in seen), len(seen)
        placement_source = "fetched page"
    if placed:
        parts.append((PLACEMENT, in_content / placed))
        said.append(f"{in_content} of {placed} in the body ({placement_source})")
    outbound = max((page.outbound_links for page in pages), default=crawled_outbound)
    if outbound is not None:
        parts.append((OUTBOUND, outbound_part(outbound)))
        said.append(f"{outbound} outbound links on the page")
    if links.traffic is not None:
        parts.append((TRAFFIC, min(1.0, math.log10(1 + links.traffic) / math.log10(FULL_TRAFFIC))))
        said.append(f"traffic {links.traffic:,.0f}")
    value = sum(w * x for w, x in parts) / sum(w for w, _ in parts)
    return Signal("link_quality", round(value, 3), value, "; ".join(said))


def overlap_signal(links: LinkFacts | None, competitors: int) -> Signal:
    """The share of the campaign's competitors the domain links to."""
    linked = links.competitors if links else 0
    total = max(competitors, 1)
    return Signal("overlap", linked, min(linked / total, 1.0), f"{linked} of {total} competitors")


def contact_signal(known: bool) -> Signal:
    """1 when a usable contact is known."""
    if known:
        return Signal("contact", "known", 1.0, "a usable address is known")
    return Signal("contact", "none", 0.0, "no usable address known yet")
