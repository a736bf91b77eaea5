"""Which link opportunities a crawled page offers: resource lists, guest posts, mentions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from outreach.links.html import ParsedPage
from outreach.prospects.models import OpportunityKind
from outreach.urls import InvalidURL, registrable_domain

RESOURCE_MIN_LINKS = 15  # outbound links in the content that make a links page
RESOURCE_MIN_DOMAINS = 8

_RESOURCE_WORDS = (
    "resources",
    "resource page",
    "useful links",
    "helpful links",
    "helpful resources",
    "useful resources",
    "recommended sites",
    "recommended links",
    "link list",
    "links page",
    "nützliche links",
    "linkliste",
    "enlaces útiles",
    "enlaces de interés",
    "liens utiles",
    "link utili",
    "nuttige links",
)
_RESOURCE_URL = re.compile(r"/(resources?|useful-links|links|link-list|linkliste)(/|\.|$)", re.I)
_WRITE_PHRASES = (
    "write for us",
    "write for me",
    "guest post guidelines",
    "guest posting guidelines",
    "guest post",
    "guest author",
    "submit a guest post",
    "become a contributor",
    "contributor guidelines",
    "submission guidelines",
    "contribute to our blog",
    "gastbeitrag",
    "gastartikel",
    "gastautor werden",
    "schreiben sie für uns",
    "escribe para nosotros",
    "colabora con nosotros",
    "artículo invitado",
    "écrire pour nous",
    "écrivez pour nous",
    "article invité",
    "devenir contributeur",
    "scrivi per noi",
    "guest post linee guida",
    "schrijf voor ons",
    "gastblog",
)
_WRITE_URL = re.compile(
    r"/(write-for-us|writeforus|guest-post|guest-posts|guest-posting|contribute|contributors?"
    r"|submissions?|gastbeitrag|gastartikel|schreib-fuer-uns|escribe-para-nosotros)(/|\.|$)",
    re.I,
)


@dataclass
class Finding:
    """One opportunity on a page, with what shows it."""

    kind: OpportunityKind
    detail: dict[str, Any] = field(default_factory=dict)


def _domain(url: str) -> str | None:
    try:
        return registrable_domain(url)
    except InvalidURL:
        return None


def _phrase_in(text: str, phrases: Iterable[str]) -> str | None:
    for phrase in phrases:
        if phrase in text:
            return phrase
    return None


def resource_page(page: ParsedPage, own_domain: str) -> Finding | None:
    """A links/resources page: named so, or many outbound links in its content."""
    external = [
        link
        for link in page.links
        if link.placement == "content" and (_domain(link.href) or own_domain) != own_domain
    ]
    domains = {_domain(link.href) for link in external}
    title = (page.title or "").lower()
    named = _phrase_in(title, _RESOURCE_WORDS) or (
        "url" if _RESOURCE_URL.search(page.url) else None
    )
    many = len(external) >= RESOURCE_MIN_LINKS and len(domains) >= RESOURCE_MIN_DOMAINS
    if (named and len(external) >= 3) or many:
        return Finding(
            OpportunityKind.RESOURCE_PAGE,
            {"outbound_links": len(external), "domains": len(domains), "named": named},
        )
    return None


def write_for_us(page: ParsedPage) -> Finding | None:
    """A "write for us" / guest post guidelines page, in several languages."""
    title = (page.title or "").lower()
    phrase = _phrase_in(title, _WRITE_PHRASES)
    if phrase is None and _WRITE_URL.search(page.url):
        phrase = "url"
    if phrase is None:  # said in the page's own words, not only in a link to such a page
        head = page.text[:3000].lower()
        anchors = " ".join(link.anchor.lower() for link in page.links)
        strong = [p for p in _WRITE_PHRASES[:8] if head.count(p) > anchors.count(p)]
        phrase = strong[0] if strong else None
    return Finding(OpportunityKind.WRITE_FOR_US, {"matched": phrase}) if phrase else None


def brand_pattern(brand_names: Iterable[str]) -> re.Pattern[str] | None:
    """A case-insensitive whole-word pattern matching any of the brand names."""
    names = sorted({n.strip() for n in brand_names if n and n.strip()}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.I)


def unlinked_mention(
    page: ParsedPage, brands: re.Pattern[str] | None, our_domains: frozenset[str]
) -> Finding | None:
    """The page names our brand but has no link to our site."""
    if brands is None or not our_domains:
        return None
    match = brands.search(page.text)
    if match is None:
        return None
    if any(_domain(link.href) in our_domains for link in page.links):
        return None
    start = max(0, match.start() - 80)
    excerpt = page.text[start : match.end() + 80]
    return Finding(OpportunityKind.UNLINKED_MENTION, {"brand": match.group(1), "excerpt": excerpt})


def broken_links(broken: list[dict[str, Any]]) -> Finding | None:
    """Outbound links whose targets answer 404/410 or do not resolve."""
    return Finding(OpportunityKind.BROKEN_LINK, {"links": broken}) if broken else None
