"""Okapi BM25 over stored term counts, and the 0..1 scale relevance is shown on.

A document is its stems with their counts and its length (stems after stop words). The
query is a list of weighted stems. For each query term ``t`` and document ``d``::

    idf(t)    = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))          (Lucene's, never negative)
    part(t,d) = w(t) * idf(t) * tf(t,d) * (k1 + 1)
                / (tf(t,d) + k1 * (1 - b + b * |d| / avgdl))
    S(d)      = sum of part(t,d) over the query's terms

with k1 = 1.2 and b = 0.75. In German and Dutch documents a query term also counts where it
sits inside a longer stem (compounds: "klima" in "klimaschutz").

S is unbounded, so relevance shows it on a fixed 0..1 scale: ``S / (S + S_half)``, where
``S_half`` is the score of a page of average length that mentions three typical query terms
once each (``3 * median idf`` of the query terms the corpus contains), or the whole query
once when it is smaller than that (``sum of w * idf``). Such a page is 0.5; a page
mentioning none is 0; the more and the rarer the terms it repeats, the closer to 1. The map
is monotonic, so the order of pages is BM25's own.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from outreach.scoring.terms import COMPOUNDING

K1 = 1.2
B = 0.75
HALF_SCORE_TERMS = 3
MIN_COMPOUND_PART = 4


@dataclass(frozen=True)
class QueryTerm:
    """A stem of the query, its weight and the word shown for it."""

    stem: str
    weight: float
    label: str


@dataclass(frozen=True)
class Doc:
    """A document as BM25 sees it."""

    key: str
    terms: Mapping[str, int]
    length: int
    language: str | None = None


@dataclass
class Match:
    """One document's score and the query terms behind it, best first."""

    score: float
    parts: dict[str, float] = field(default_factory=dict)

    def top_terms(self, limit: int = 5) -> list[str]:
        """The labels of the terms that added most to the score."""
        ranked = sorted(self.parts.items(), key=lambda item: (-item[1], item[0]))
        return [label for label, part in ranked[:limit] if part > 0]


class Corpus:
    """Document frequencies and lengths of a set of documents, for a query.

    ``query`` is one list of terms, or one per document language (the words stemmed as that
    language stems them); a document whose language has none uses the ``None`` entry.
    """

    def __init__(
        self,
        docs: Iterable[Doc],
        query: Sequence[QueryTerm] | Mapping[str | None, Sequence[QueryTerm]],
    ) -> None:
        self.queries: dict[str | None, list[QueryTerm]] = (
            {key: list(terms) for key, terms in query.items()}
            if isinstance(query, Mapping)
            else {None: list(query)}
        )
        self.query = list({t.stem: t for terms in self.queries.values() for t in terms}.values())
        self._stems = {key: {t.stem for t in terms} for key, terms in self.queries.items()}
        self._languages: dict[str, str | None] = {}
        self._inside: dict[tuple[str | None, str], tuple[str, ...]] = {}
        self.tfs: dict[str, dict[str, int]] = {}
        self.lengths: dict[str, int] = {}
        df: dict[str, int] = {}
        for doc in docs:
            tf = self.query_counts(doc)
            self.tfs[doc.key], self.lengths[doc.key] = tf, doc.length
            self._languages[doc.key] = doc.language
            for stem in tf:
                df[stem] = df.get(stem, 0) + 1
        self.size = len(self.lengths)
        self.avgdl = (sum(self.lengths.values()) / self.size) if self.size else 1.0
        self.df = df
        stems = {term.stem for term in self.query}
        self.idf = {stem: idf(self.size, df.get(stem, 0)) for stem in stems}
        found = {t.stem: t.weight * self.idf[t.stem] for t in self.query if df.get(t.stem)}
        self.half_score = (
            min(
                HALF_SCORE_TERMS * statistics.median(self.idf[s] for s in found),
                sum(found.values()),
            )
            if found
            else 1.0
        )

    def terms_for(self, language: str | None) -> list[QueryTerm]:
        """The query as it reads for a document in ``language``."""
        return self.queries.get(language) or self.queries.get(None) or []

    def query_counts(self, doc: Doc) -> dict[str, int]:
        """How often each query stem occurs in ``doc`` (also inside compounds, in German)."""
        key = doc.language if doc.language in self.queries else None
        stems = self._stems.get(key, set())
        counts = {stem: doc.terms[stem] for stem in stems if stem in doc.terms}
        if doc.language in COMPOUNDING:
            for word, n in doc.terms.items():
                for stem in self._parts_inside(key, word, stems):
                    counts[stem] = counts.get(stem, 0) + n
        return counts

    def _parts_inside(self, key: str | None, word: str, stems: set[str]) -> tuple[str, ...]:
        found = self._inside.get((key, word))
        if found is None:
            found = tuple(
                stem
                for stem in stems
                if len(stem) >= MIN_COMPOUND_PART and stem != word and stem in word
            )
            self._inside[(key, word)] = found
        return found

    def score(self, key: str) -> Match:
        """BM25 of the document ``key`` (one of the corpus) against the query."""
        tf = self.tfs.get(key, {})
        length = self.lengths.get(key, 0)
        norm = K1 * (1 - B + B * length / self.avgdl) if self.avgdl else K1
        match = Match(0.0)
        for term in self.terms_for(self._languages.get(key)):
            count = tf.get(term.stem, 0)
            if not count:
                continue
            part = term.weight * self.idf[term.stem] * count * (K1 + 1) / (count + norm)
            match.score += part
            match.parts[term.label] = match.parts.get(term.label, 0.0) + part
        return match

    def relevance(self, match: Match) -> float:
        """A score on the 0..1 scale (see the module's docstring)."""
        return match.score / (match.score + self.half_score) if match.score > 0 else 0.0


def idf(size: int, df: int) -> float:
    """Lucene's BM25 inverse document frequency."""
    return math.log(1 + (size - df + 0.5) / (df + 0.5))
