"""Relevance (0..1) of each prospect domain to a campaign's topic, with its evidence.

The query is the campaign's topic keywords (each word stemmed in every language of the
pages, weight 1) plus the most distinctive stems of its fetched target pages (weight 0.5).
Each linking page is scored with BM25 against it (``bm25``); a domain's relevance is its best
linking page's. Until a page is fetched, relevance is unknown with the reason, never 0.

Figures are kept per campaign in ``domain_relevance`` and worked out again when what they
came from changes (topic, target pages, competitors, a newer fetch in the workspace).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.scoring import terms
from outreach.scoring.bm25 import Corpus, Doc, QueryTerm, idf
from outreach.scoring.linking import linking_pages, url_key
from outreach.scoring.page_models import DomainRelevance, FetchedPage
from outreach.scoring.signals import RelevanceSignal

KEYWORD_WEIGHT = 1.0
TARGET_WEIGHT = 0.5
TARGET_TERMS = 25
CHUNK = 500
NO_TOPIC = "no topic: add topic keywords or target pages to the campaign"
NOT_FETCHED = "not fetched yet"
NO_PAGE = "no linking page known"
NO_TARGETS = "no topic keywords, and the target pages are not fetched yet"


def signature(campaign: Campaign) -> str:
    """What a campaign's relevance figures depend on, as a digest."""
    latest = db.session.scalar(
        select(func.max(FetchedPage.fetched_at)).where(
            FetchedPage.workspace_id == campaign.workspace_id
        )
    )
    parts = [
        sorted(campaign.topic_keywords or []),
        list(campaign.target_pages or []),
        sorted(c.domain for c in campaign.competitors),
        campaign.site_domain,
        latest.isoformat() if latest else None,
    ]
    return hashlib.sha1(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class StoredPage:
    """What relevance reads of a stored page (never its text, which may be long)."""

    url_key: int
    url: str
    reason: str | None
    language: str | None
    terms: dict[str, Any]
    length: int
    facts: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when the page was read."""
        return self.reason is None

    def doc(self) -> Doc:
        """The page as BM25 sees it."""
        terms = {stem: int(n) for stem, n in self.terms.items()}
        return Doc(str(self.url_key), terms, self.length, self.language)


def load_pages(workspace_id: int, urls: Iterable[str]) -> dict[int, StoredPage]:
    """The stored pages of these URLs, by URL key."""
    keys = sorted({url_key(url) for url in urls})
    columns = (
        FetchedPage.url_key, FetchedPage.url, FetchedPage.reason, FetchedPage.language,
        FetchedPage.terms, FetchedPage.length, FetchedPage.facts,
    )  # fmt: skip
    found: dict[int, StoredPage] = {}
    for start in range(0, len(keys), CHUNK):
        statement = select(*columns).where(
            FetchedPage.workspace_id == workspace_id,
            FetchedPage.url_key.in_(keys[start : start + CHUNK]),
        )
        found.update((row.url_key, StoredPage(*row)) for row in db.session.execute(statement))
    return found


def load_targets(campaign: Campaign) -> list[FetchedPage]:
    """The campaign's target pages that were read, in full."""
    keys = [url_key(url) for url in campaign.target_pages]
    if not keys:
        return []
    statement = select(FetchedPage).where(
        FetchedPage.workspace_id == campaign.workspace_id,
        FetchedPage.url_key.in_(keys),
        FetchedPage.reason.is_(None),
    )
    return list(db.session.scalars(statement))


def keyword_terms(keywords: Sequence[str], language: str | None) -> list[QueryTerm]:
    """The keywords' words stemmed as ``language`` stems them, labelled with the word.

    A keyword of several words shares its weight among them ("climate change": 0.5 each),
    so a phrase weighs as much as a single word and its common words ("change") little.
    """
    query: dict[str, QueryTerm] = {}
    for keyword in keywords:
        words = terms.tokens(keyword)
        stems = terms.stems(words, language)
        for stem in stems:
            weight = KEYWORD_WEIGHT / len(stems)
            known = query.get(stem)
            if known is None or known.weight < weight:
                label = next((w for w in words if terms.stems([w], language) == [stem]), stem)
                query[stem] = QueryTerm(stem, weight, label)
    return list(query.values())


def target_terms(targets: Sequence[FetchedPage], docs: Sequence[Doc]) -> list[QueryTerm]:
    """The stems that set the target pages apart: most frequent there, rarest elsewhere."""
    counts: Counter[str] = Counter()
    for page in targets:
        counts.update({stem: int(n) for stem, n in page.terms.items()})
    if not counts:
        return []
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(stem for stem in doc.terms if stem in counts)
    ranked = sorted(counts, key=lambda s: (-counts[s] * idf(len(docs), df[s]), s))[:TARGET_TERMS]
    labels = _surface_words(targets, set(ranked))
    return [QueryTerm(stem, TARGET_WEIGHT, labels.get(stem, stem)) for stem in ranked]


def _surface_words(pages: Sequence[FetchedPage], wanted: set[str]) -> dict[str, str]:
    seen: dict[str, Counter[str]] = {}
    for page in pages:
        stemmed: dict[str, list[str]] = {}
        for word in terms.tokens(page.text):
            if word not in stemmed:
                stemmed[word] = terms.stems([word], page.language)
            for stem in stemmed[word]:
                if stem in wanted:
                    seen.setdefault(stem, Counter())[word] += 1
    return {stem: words.most_common(1)[0][0] for stem, words in seen.items()}


def _with_targets(query: list[QueryTerm], extra: list[QueryTerm]) -> list[QueryTerm]:
    known = {term.stem for term in query}
    return query + [term for term in extra if term.stem not in known]


def _unknown_reason(pages: Sequence[StoredPage | None]) -> str:
    if not pages or any(page is None for page in pages):
        return NOT_FETCHED
    reasons = list(dict.fromkeys(page.reason or "" for page in pages if page is not None))
    if all(reason.isdigit() for reason in reasons):
        return "failed: " + ", ".join(reasons)
    return ", ".join(f"failed: {r}" if r.isdigit() else r for r in reasons)


@dataclass(frozen=True)
class Figures:
    """What is stored for one domain: its relevance, how many of its pages were read, and
    the facts (for scoring's risk checks) of those pages."""

    signal: RelevanceSignal
    pages: int = 0
    facts: list[dict[str, Any]] = field(default_factory=list)


def compute(campaign: Campaign) -> dict[str, Figures]:
    """Relevance of every intersect domain of the campaign, from the pages fetched so far."""
    chosen = linking_pages(campaign)
    stored = load_pages(campaign.workspace_id, [url for urls in chosen.values() for url in urls])
    targets = load_targets(campaign)
    docs = [page.doc() for page in stored.values() if page.ok]
    docs += [StoredPage(t.url_key, t.url, None, t.language, t.terms, t.length, {}).doc()
             for t in targets if t.url_key not in stored]  # fmt: skip
    extra = target_terms(targets, docs)
    query = {
        language: _with_targets(keyword_terms(campaign.topic_keywords, language), extra)
        for language in {doc.language for doc in docs} | {None}
    }
    unknown = None
    if not campaign.topic_keywords and not campaign.target_pages:
        unknown = NO_TOPIC
    elif not campaign.topic_keywords and not extra:
        unknown = NO_TARGETS
    corpus = Corpus(docs, query)
    found: dict[str, Figures] = {}
    for domain, domain_urls in chosen.items():
        pages = [stored.get(url_key(url)) for url in domain_urls]
        readable = [page for page in pages if page is not None and page.ok]
        facts = [page.facts for page in readable if page.facts]
        if not readable or unknown:
            signal = RelevanceSignal(None, unknown or _unknown_reason(pages))
            found[domain] = Figures(signal, len(readable), facts)
            continue
        scored = [(corpus.score(str(page.url_key)), page) for page in readable]
        best, page = max(scored, key=lambda item: item[0].score)
        count = len(readable)
        reason = f"best of {count} linking page{'s' if count != 1 else ''}: {page.url}"
        signal = RelevanceSignal(round(corpus.relevance(best), 3), reason, best.top_terms())
        found[domain] = Figures(signal, count, facts)
    return found


def refresh_relevance(campaign: Campaign) -> int:
    """Work out and store the campaign's relevance figures (flushes, never commits)."""
    figures = compute(campaign)
    stamp, digest = utcnow(), signature(campaign)
    rows: list[dict[str, Any]] = [
        {
            "campaign_id": campaign.id,
            "domain": domain,
            "value": figure.signal.value,
            "reason": figure.signal.reason[:255],
            "top_terms": figure.signal.top_terms,
            "pages": figure.pages,
            "facts": figure.facts,
            "signature": digest,
            "computed_at": stamp,
        }
        for domain, figure in figures.items()
    ]
    try:
        # A job refreshing the same campaign at the same moment wrote the same figures: keep
        # theirs (the savepoint undoes ours) rather than fail.
        with db.session.begin_nested():
            db.session.execute(
                delete(DomainRelevance).where(DomainRelevance.campaign_id == campaign.id)
            )
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(DomainRelevance), rows[start : start + CHUNK])
    except IntegrityError:
        return 0
    return len(rows)


def _current_rows(campaign_id: int, domains: Sequence[str], *columns: Any) -> list[Any] | None:
    """The stored rows of these domains (worked out again first when stale), or None when
    there is no such campaign."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    stored_signature = db.session.scalar(
        select(DomainRelevance.signature).where(DomainRelevance.campaign_id == campaign.id).limit(1)
    )
    if stored_signature != signature(campaign):
        refresh_relevance(campaign)
    wanted = set(domains)
    statement = select(DomainRelevance.domain, *columns).where(
        DomainRelevance.campaign_id == campaign.id
    )
    if len(wanted) <= CHUNK:
        statement = statement.where(DomainRelevance.domain.in_(sorted(wanted)))
    return [row for row in db.session.execute(statement) if row.domain in wanted]


def relevance_by_domain(campaign_id: int, domains: Sequence[str]) -> dict[str, RelevanceSignal]:
    """Relevance of each of ``domains`` to the campaign (worked out again first when stale)."""
    columns = (DomainRelevance.value, DomainRelevance.reason, DomainRelevance.top_terms)
    rows = _current_rows(campaign_id, domains, *columns)
    if rows is None:
        return {domain: RelevanceSignal(None, "no such campaign") for domain in domains}
    found = {
        row.domain: RelevanceSignal(row.value, row.reason, list(row.top_terms or []))
        for row in rows
    }
    return {domain: found.get(domain) or RelevanceSignal(None, NO_PAGE) for domain in domains}


def stored_page_facts(campaign_id: int, domains: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The stored facts of each domain's read linking pages (domains without any left out)."""
    rows = _current_rows(campaign_id, domains, DomainRelevance.facts) or []
    return {row.domain: list(row.facts) for row in rows if row.facts}
