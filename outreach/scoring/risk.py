"""Risk flags: reasons not to pitch a domain, each a short code and a sentence.

The page flags are pure functions of a page's HTML (and the campaign's topic), so they can
be tested on real pages: a link farm (links to a hundred or more other sites, counting
addresses written out as text, as link lists on spam pages often are), link selling (paid
links, guest-post price lists, PBNs), a thin page, and gambling, pharma, adult or fraud
vocabulary unless the campaign's topic is about it. The others come from data: vendor spam
markers (Ahrefs "Is spam", Moz Spam Score) and the workspace blocklist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from outreach.links.html import parse_page
from outreach.urls import registrable_domain

LINK_FARM_SITES = 100  # distinct other sites one page links to
THIN_WORDS = 150  # words of text below which a page is thin
MOZ_SPAM_HIGH = 60.0  # Moz: 1-30% low, 31-60% medium, 61-100% high
VOCABULARY_TERMS = 3  # distinct terms of one vice on a page before it is flagged


@dataclass(frozen=True)
class RiskFlag:
    """One reason not to pitch: a short code and a sentence a person understands."""

    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"code": self.code, "message": self.message}


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

VOCABULARY: dict[str, tuple[str, tuple[str, ...]]] = {
    "gambling": (
        "gambling",
        (
            "casino",
            "casinos",
            "poker",
            "roulette",
            "blackjack",
            "slot machine",
            "slots",
            "sportsbook",
            "bookmaker",
            "betting",
            "bet",
            "jackpot",
            "free spins",
            "wager",
            "fixed match",
            "fixed matches",
            "glücksspiel",
            "sportwetten",
            "wetten",
            "apuestas",
            "paris sportifs",
            "casinò",
            "scommesse",
        ),
    ),
    "pharma": (
        "pharma",
        (
            "viagra",
            "cialis",
            "levitra",
            "tramadol",
            "xanax",
            "valium",
            "oxycodone",
            "benzos",
            "benzodiazepines",
            "no prescription",
            "without prescription",
            "online pharmacy",
            "pharmacy",
            "pills",
            "steroids",
            "opioids",
            "fentanyl",
            "rezeptfrei",
            "sin receta",
            "sans ordonnance",
        ),
    ),
    "adult": (
        "adult",
        (
            "porn",
            "porno",
            "xxx",
            "escort",
            "escorts",
            "sex cams",
            "camgirls",
            "nude",
            "nudes",
            "erotic",
            "hentai",
            "milf",
            "onlyfans",
            "sexcam",
        ),
    ),
    "fraud": (
        "fraud",
        (
            "counterfeit",
            "counterfeits",
            "counterfeiting",
            "cloned cards",
            "cloned card",
            "carding",
            "cc dumps",
            "dumps",
            "fake notes",
            "fake passports",
            "fake id",
            "hacked accounts",
            "paypal transfers",
            "money transfers",
            "stolen",
            "fakenote",
            "western union transfers",
        ),
    ),
}
_VOCABULARY_PATTERNS = {
    code: re.compile(
        r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    for code, (_, terms) in VOCABULARY.items()
}
VOCABULARY_LABELS = {
    "gambling": "gambling", "pharma": "pharmaceutical", "adult": "adult", "fraud": "fraud",
}  # fmt: skip


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
            for code, pattern in _VOCABULARY_PATTERNS.items()
            if (terms := sorted({m.group(1).lower() for m in pattern.finditer(text)}))
        },
        placements=placements,
    )


def link_farm(facts: PageFacts) -> RiskFlag | None:
    """A page linking to a hundred or more other sites."""
    if facts.sites < LINK_FARM_SITES:
        return None
    return RiskFlag(
        "link_farm", f"The page links to {facts.sites} other sites: a link farm or list."
    )


def link_selling(facts: PageFacts) -> RiskFlag | None:
    """A page offering paid links: "buy backlinks", guest-post prices, PBN offers."""
    if not facts.selling:
        return None
    shown = ", ".join(f'"{phrase}"' for phrase in facts.selling[:3])
    return RiskFlag("link_selling", f"The page sells links: it says {shown}.")


def thin_page(facts: PageFacts) -> RiskFlag | None:
    """A page with too little text to place a link in."""
    if facts.words >= THIN_WORDS:
        return None
    return RiskFlag("thin_page", f"The page has only {facts.words} words of text.")


def _topic_vices(topic: Sequence[str]) -> set[str]:
    """The vocabularies the campaign's topic itself uses (then they are no risk)."""
    joined = " ".join(topic)
    return {code for code, pattern in _VOCABULARY_PATTERNS.items() if pattern.search(joined)}


def vocabulary(facts: PageFacts, topic: Sequence[str] = ()) -> list[RiskFlag]:
    """Gambling, pharma, adult and fraud vocabulary on a page whose campaign is not about it."""
    allowed = _topic_vices(topic)
    flags = []
    for code, terms in sorted(facts.vice_terms.items()):
        if code in allowed or code not in VOCABULARY_LABELS or len(terms) < VOCABULARY_TERMS:
            continue
        shown = ", ".join(terms[:4])
        flags.append(
            RiskFlag(code, f"The page uses {VOCABULARY_LABELS[code]} vocabulary ({shown}).")
        )
    return flags


def flags_of(facts: PageFacts, topic: Sequence[str] = ()) -> list[RiskFlag]:
    """Every page flag of one analysed page, for a campaign about ``topic``."""
    flags = [link_farm(facts), link_selling(facts), thin_page(facts)]
    return [flag for flag in flags if flag is not None] + vocabulary(facts, topic)


def page_flags(html: str, url: str, topic: Sequence[str] = ()) -> list[RiskFlag]:
    """Every page flag of one page's HTML."""
    return flags_of(analyse_page(html, url), topic)


def vendor_flags(is_spam: bool | None, spam_score: float | None) -> list[RiskFlag]:
    """What the backlink tools say: Ahrefs "Is spam", a high Moz Spam Score."""
    flags = []
    if is_spam:
        flags.append(RiskFlag("ahrefs_spam", "Ahrefs marks the domain as spam."))
    if spam_score is not None and spam_score > MOZ_SPAM_HIGH:
        flags.append(
            RiskFlag("moz_spam", f"Moz gives the domain a high Spam Score ({spam_score:g}%).")
        )
    return flags


class Blocklist:
    """The workspace's blocked domains (with their subdomains) and TLDs."""

    def __init__(self, domains: Iterable[str] = (), tlds: Iterable[str] = ()) -> None:
        self.domains = {d.strip(".").lower() for d in domains if d.strip(".")}
        self.tlds = {t.strip(".").lower() for t in tlds if t.strip(".")}

    def flag(self, domain: str) -> RiskFlag | None:
        """The flag of a blocked domain, else None."""
        name = domain.lower()
        labels = name.split(".")
        for n in range(len(labels)):
            if ".".join(labels[n:]) in self.domains:
                return RiskFlag("blocked", f"{'.'.join(labels[n:])} is on the blocklist.")
        for n in range(1, len(labels)):
            tld = ".".join(labels[n:])
            if tld in self.tlds:
                return RiskFlag("blocked", f"The .{tld} domains are on the blocklist.")
        return None
