"""Relevance against a labelled set of real pages: the pages about climate and energy rank first.

``relevance_labels.csv`` holds every page of ``../shared/corpus/web-pages`` with a label,
relevant (1) or not (0) to the topic "climate protection and the energy transition", set by
reading each page (the reason says what the page is about), never by its words. Each page
is stored as a prospect's linking page and scored through ``relevance_by_domain``.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest

from outreach.extensions import db
from outreach.net.charset import decode_body
from outreach.scoring.fetching import PageReading, read_html
from outreach.scoring.jobs_fetch import save
from outreach.scoring.linking import PageToFetch
from outreach.scoring.relevance import relevance_by_domain
from tests.factories import Factory
from tests.scoring.seed import link
from tests.support.shared import require_shared

# Both backends' runs on one xdist worker, so they share the pages read once (``readings``).
pytestmark = pytest.mark.xdist_group("labelled_relevance")
LABELS = Path(__file__).parent / "relevance_labels.csv"
TOPIC = [
    "climate", "climate change", "climate protection", "CO2 emissions", "greenhouse gas",
    "renewable energy", "energy transition", "wind power", "solar power", "electricity",
    "Klima", "Klimaschutz", "Klimawandel", "Emissionen", "erneuerbare Energien", "Energiewende",
    "Windenergie", "Solarenergie", "Strom", "Energie", "climat", "énergie renouvelable", "clima",
    "energía renovable", "emisiones", "emissioni", "energia",
]  # fmt: skip
AUC_FLOOR = 0.9


def labels() -> list[dict[str, str]]:
    """The labelled pages: file, relevant (0/1), reason."""
    with LABELS.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def readings(folder: Path) -> tuple[PageReading, ...]:
    """Each labelled page read as the fetch job reads it (once per test run)."""
    found = []
    for number, row in enumerate(labels()):
        page = PageToFetch(f"https://page{number}.example/article", f"page{number}.example")
        html = decode_body((folder / row["file"]).read_bytes(), None)
        found.append(read_html(PageReading(page, page.url, 200), html))
    return tuple(found)


def roc_auc(positives: list[float], negatives: list[float]) -> float:
    """The chance that a relevant page scores above an irrelevant one (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def test_every_page_of_the_corpus_is_labelled_with_a_reason() -> None:
    folder = require_shared("corpus", "web-pages")
    rows = labels()
    assert sorted(row["file"] for row in rows) == sorted(p.name for p in folder.glob("*.html"))
    assert all(row["relevant"] in ("0", "1") and row["reason"].strip() for row in rows)
    assert sum(row["relevant"] == "1" for row in rows) >= 15


def test_relevance_ranks_relevant_pages_above_the_rest(factory: Factory) -> None:
    folder = require_shared("corpus", "web-pages")
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace, competitors=["rival-one.com"], topic_keywords=TOPIC)
    for reading in readings(folder):
        link(campaign, reading.page.url)
        save(workspace.id, reading)
    db.session.commit()
    domains = [reading.page.domain for reading in readings(folder)]
    found = relevance_by_domain(campaign.id, domains)
    values = [found[domain].value for domain in domains]
    relevant = [row["relevant"] == "1" for row in labels()]
    unknown = [d for d, v in zip(domains, values, strict=True) if v is None]
    assert len(unknown) <= 3, [found[d].reason for d in unknown]  # pages with no main text
    scores = [v if v is not None else 0.0 for v in values]
    auc = roc_auc(
        [s for s, r in zip(scores, relevant, strict=True) if r],
        [s for s, r in zip(scores, relevant, strict=True) if not r],
    )
    print(f"relevance ROC AUC over {len(scores)} labelled pages: {auc:.3f}")
    assert auc >= AUC_FLOOR
    assert all(0.0 <= s <= 1.0 for s in scores)
