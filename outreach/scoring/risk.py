"""Risk flags: reasons not to pitch a domain, each a short code and a sentence.

The page flags are pure functions of a page's HTML (and the campaign's topic), so they can
be tested on real pages: a link farm (links to a hundred or more other sites, counting
addresses written out as text, as link lists on spam pages often are), link selling (paid
links, guest-post price lists, PBNs), a thin page, and gambling, pharma, adult or fraud
vocabulary unless the campaign's topic is about it. The others come from data: vendor spam
markers (Ahrefs "Is spam", Moz Spam Score) and the workspace blocklist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from outreach.scoring.page_facts import PageFacts, analyse_page
from outreach.scoring.vocabulary import VOCABULARY_LABELS, VOCABULARY_PATTERNS

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
    return {code for code, pattern in VOCABULARY_PATTERNS.items() if pattern.search(joined)}


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
