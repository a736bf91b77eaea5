"""BM25 on a tiny corpus worked out by hand, compounds, and the 0..1 scale."""

from __future__ import annotations

import math

import pytest

from outreach.scoring.bm25 import K1, B, Corpus, Doc, QueryTerm, idf

QUERY = [QueryTerm("wind", 1.0, "wind"), QueryTerm("solar", 1.0, "solar")]
DOCS = [
    Doc("a", {"wind": 2, "farm": 2}, 4),
    Doc("b", {"solar": 1, "wind": 1, "roof": 6}, 8),
    Doc("c", {"cake": 4}, 4),
    Doc("d", {"cake": 3, "wind": 1}, 4),
]


def _part(tf: int, length: int, df: int, size: int = 4, avgdl: float = 5.0) -> float:
    idf_value = math.log(1 + (size - df + 0.5) / (df + 0.5))
    return idf_value * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avgdl))


def test_scores_match_the_formula_worked_out_by_hand() -> None:
    corpus = Corpus(DOCS, QUERY)
    assert corpus.avgdl == 5.0
    assert corpus.score("a").score == pytest.approx(_part(2, 4, df=3))
    assert corpus.score("b").score == pytest.approx(_part(1, 8, df=3) + _part(1, 8, df=1))
    assert corpus.score("c").score == 0.0
    ranked = sorted("abcd", key=lambda key: -corpus.score(key).score)
    assert ranked == ["b", "a", "d", "c"]  # the rare term outweighs a repeated common one


def test_lucene_idf_is_never_negative() -> None:
    assert idf(10, 10) > 0
    assert idf(10, 1) > idf(10, 5)


def test_top_terms_are_the_labels_that_added_most() -> None:
    match = Corpus(DOCS, QUERY).score("b")
    assert match.top_terms() == ["solar", "wind"]


def test_query_terms_count_inside_german_compounds_only() -> None:
    query = [QueryTerm("energi", 1.0, "Energie")]
    german = Doc("de", {"windenergieanlag": 3, "bau": 1}, 4, "de")
    english = Doc("en", {"windenergieanlag": 3, "bau": 1}, 4, "en")
    corpus = Corpus([german, english, Doc("x", {"bau": 1}, 1, "de")], query)
    assert corpus.score("de").parts == {"Energie": pytest.approx(corpus.score("de").score)}
    assert corpus.score("de").score > 0 and corpus.score("en").score == 0


def test_each_language_reads_its_own_query() -> None:
    queries = {
        "de": [QueryTerm("strom", 1.0, "Strom")],
        None: [QueryTerm("electr", 1.0, "electricity")],
    }
    corpus = Corpus([Doc("de", {"strom": 1}, 1, "de"), Doc("en", {"electr": 1}, 1, "en")], queries)
    assert corpus.score("de").top_terms() == ["Strom"]
    assert corpus.score("en").top_terms() == ["electricity"]


def test_relevance_is_half_for_three_typical_terms_once_in_an_average_page() -> None:
    query = [QueryTerm(t, 1.0, t) for t in ("alpha", "beta", "gamma")]
    docs = [Doc("hit", {"alpha": 1, "beta": 1, "gamma": 1, "x": 2}, 5)]
    docs += [Doc(f"miss{i}", {"x": 5}, 5) for i in range(9)]
    corpus = Corpus(docs, query)
    assert corpus.relevance(corpus.score("hit")) == pytest.approx(0.5)
    assert corpus.relevance(corpus.score("miss0")) == 0.0
    richer = Corpus([Doc("rich", {"alpha": 5, "beta": 5, "gamma": 5}, 15), *docs[1:]], query)
    assert 0.5 < richer.relevance(richer.score("rich")) < 1.0
