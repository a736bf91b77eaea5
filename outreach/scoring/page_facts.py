"""What one fetched page says that scoring needs: other sites, words, selling, vice terms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from outreach.links.html import parse_page
from outreach.scoring.vocabulary import VOCABULARY_PATTERNS
from outreach.urls import registrable_domain

_URL_IN_TEXT = re.compile(r"\bhttps?://([a-z0-9][a-z0-9.-]*\.[a-z0-9-]{2,})", re.IGNORECASE)

_SELLING = re.compile(
    r"\b(?:"
    r"buy(?:ing)? (?:high[- ]quality |quality |cheap |dofollow |do-follow |permanent )?"
    r"(?:back)?links?"
    r"|sell(?:ing)? (?:dofollow |do-follow )?(?:back)?links"
    r"|(?:back)?links? for sale"
    r"|(?:paid|sponsored) guest posts?"
    r"|guest (?:post(?:ing)?|blog(?:ging)?) (?:price|pricing|packages?|rates?|services?)"
    r"|(?:price|pricing|rates?) (?:for|per) (?:a )?(?:guest|sponsored) posts?"
    r"|private blog networks?|pbn (?:links|backlinks|network|posts?)"
    r"|niche edits?|link insertions?"
    r"|backlinks? kaufen|links kaufen|acheter des (?:back)?liens|achat de liens"
    r"|comprar (?:back)?links|venta de enlaces"
    r")\b",
    re.IGNORECASE,
)


def _host_domain(host: str) -> str | None:
    try:
        return registrable_domain(host) or None
    except ValueError:
        return None


@dataclass
class PageFacts:
    """What one fetched page says that scoring needs, worked out once when it is fetched.

    ``sites`` counts the other registrable domains it links to (links and addresses in its
    text); ``outbound_links`` its links to other sites; ``selling`` the link-selling phrases
    found; ``vice_terms`` the terms of each vocabulary found; ``placements`` where its links
    to the given competitors sit (``links.placement`` names).
    """

    url: str
    words: int
    sites: int
    outbound_links: int
    selling: list[str] = field(default_factory=list)
    vice_terms: dict[str, list[str]] = field(default_factory=dict)
    placements: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form (for storing beside the page)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PageFacts | None:
        """Back from :meth:`as_json`; None for anything else (such as ``{}``: not analysed)."""
        try:
            return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
        except TypeError:  # a required field is missing
            return None


def analyse_page(
    html: str, url: str, competitors: Iterable[str] = (), main_text: str | None = None
) -> PageFacts:
    """The facts of one page (see :class:`PageFacts`). ``main_text``, the page's main text
    as an extractor gives it (without menus and footers), is what thin pages are judged on
    when given; vocabulary and link selling are looked for in all the visible text."""
    page = parse_page(html, url, "text/html")
    own = _host_domain(urlsplit(url).hostname or "")
    rivals = set(competitors)
    sites: set[str | None] = set()
    outbound = 0
    placements = []
    for link in page.links:
        site = _host_domain(urlsplit(link.href).hostname or "")
        if site and site != own:
            outbound += 1
            sites.add(site)
            if site in rivals:
                placements.append(link.placement)
    text = page.text
    sites.update(_host_domain(match.group(1)) for match in _URL_IN_TEXT.finditer(text))
    sites.discard(None)
    sites.discard(own)
    return PageFacts(
        url=url,
        words=len((text if main_text is None else main_text).split()),
        sites=len(sites),
        outbound_links=outbound,
        selling=sorted({m.group(0).lower() for m in _SELLING.finditer(text)}),
        vice_terms={
            code: terms
            for code, pattern in VOCABULARY_PATTERNS.items()
            if (terms := sorted({m.group(1).lower() for m in pattern.finditer(text)}))
        },
        placements=placements,
    )
