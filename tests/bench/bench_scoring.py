"""Time rescoring a campaign whose link intersect has 100,000 domains (SQLite, PostgreSQL).

    .venv/bin/python -m tests.bench.bench_scoring [--domains N] [--rounds R]
    TEST_DATABASE_URL=postgresql://... .venv/bin/python -m tests.bench.bench_scoring

SQLite runs on a file in a temporary folder; with ``TEST_DATABASE_URL`` the PostgreSQL
database named there is used too, and must be a throwaway one (its schema is dropped and
rebuilt, as the test suite does). Seeded: five competitors; N domains each linking to one to
three of them (about 2N live backlinks, a fifth nofollow, some with placement and traffic),
domain-level authority for 60% of them from three vendors, page-level only for 20%, a Tranco
rank for half of the rest; 2,000 of them in the pipeline, 5,000 contacts, a blocklist.

"Pages already fetched": the timed rounds score with every domain's linking page analysed and
its relevance known, handed over as the relevance module does (``page_facts``,
``relevance_by_domain``; prepared in memory here, so the rounds time scoring itself). Then the
same rounds with the relevance module as wired (its stored figures, worked out first as the
fetch job does, timed apart: no page is fetched here, so every relevance is unknown). Every
round is the rescoring a fetch, a weights or a blocklist change runs; after an import it also
recomputes Outreach's PageRank, timed apart. Prints the rounds and saves
bench-results/scoring.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import insert

from outreach import create_app
from outreach.accounts import services as accounts
from outreach.backlinks.models import Backlink, DataSource, Domain, DomainMetric
from outreach.campaigns.models import Campaign
from outreach.campaigns.services import create_campaign
from outreach.config import database_url
from outreach.extensions import db
from outreach.prospects.models import Contact, Prospect
from outreach.scoring import services
from outreach.scoring.authority import rank_to_authority
from outreach.scoring.models import BlockedEntry, BlockKind, RankedDomain, RankedList
from outreach.scoring.page_facts import PageFacts
from outreach.scoring.pagerank import refresh_outreach_rank
from outreach.scoring.relevance import refresh_relevance
from outreach.scoring.signals import RelevanceSignal
from tests.conftest import _migrate

COMPETITORS = [f"rival{n}.com" for n in range(5)]
VENDORS = [DataSource.AHREFS, DataSource.MOZ, DataSource.MAJESTIC]
CHUNK = 20_000


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk(model: Any, rows: Iterator[dict[str, Any]]) -> None:
    for batch in _chunks(rows):
        db.session.execute(insert(model), batch)


def _links(workspace_id: int, domains: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    key = 0
    for n in range(domains):
        name = f"site{n}.net"
        for target in rng.sample(COMPETITORS, rng.choice((1, 1, 2, 2, 3))):
            key += 1
            page_level = n % 5 == 3
            yield {
                "workspace_id": workspace_id, "data_source": DataSource.SEMRUSH if page_level
                else DataSource.AHREFS, "link_key": key, "source_url": f"https://{name}/p{key}",
                "source_domain": name, "target_url": f"https://{target}/", "target_domain": target,
                "nofollow": rng.random() < 0.2, "ugc": False, "sponsored": False,
                "placement": rng.choice((None, "content", "footer")),
                "traffic": rng.choice((None, float(rng.randrange(10, 500_000)))),
                "page_authority": float(rng.randrange(1, 60)) if page_level else None,
                "is_spam": n % 997 == 0, "spam_score": float(rng.randrange(0, 100)),
            }  # fmt: skip


def seed(workspace_id: int, campaign_id: int, domains: int) -> None:
    """The intersect, authorities, ranked list, pipeline, contacts and blocklist."""
    rng = random.Random(10)
    now = datetime.now(UTC)
    _bulk(Backlink, _links(workspace_id, domains, rng))
    with_figure = [n for n in range(domains) if n % 5 in (0, 1, 2)]
    _bulk(Domain, ({"name": f"site{n}.net", "tld": "net"} for n in with_figure))
    ids = {name: id_ for name, id_ in db.session.execute(db.select(Domain.name, Domain.id))}
    _bulk(
        DomainMetric,
        (
            {"workspace_id": workspace_id, "domain_id": ids[f"site{n}.net"],
             "source": VENDORS[n % 3], "metric": "authority",
             "value": float(rng.randrange(1, 95)), "updated_at": now}
            for n in with_figure
        ),
    )  # fmt: skip
    _bulk(
        RankedDomain,
        (
            {"workspace_id": workspace_id, "list_name": RankedList.TRANCO,
             "domain": f"site{n}.net", "rank": (rank := rng.randrange(1, 5_000_000)),
             "authority": rank_to_authority(rank)}
            for n in range(domains) if n % 10 == 4
        ),
    )  # fmt: skip
    _bulk(
        Prospect,
        (
            {"workspace_id": workspace_id, "campaign_id": campaign_id, "domain": f"site{n}.net",
             "score_breakdown": {}, "opportunity_types": [], "version": 1}
            for n in range(0, domains, max(1, domains // 2000))
        ),
    )  # fmt: skip
    _bulk(
        Contact,
        (
            {"workspace_id": workspace_id, "email": f"ed@site{n}.net", "domain": f"site{n}.net"}
            for n in range(0, domains, max(1, domains // 5000))
        ),
    )  # fmt: skip
    for n in range(10):
        db.session.add(
            BlockedEntry(workspace_id=workspace_id, kind=BlockKind.DOMAIN, value=f"site{n}7.net")
        )
    db.session.add(BlockedEntry(workspace_id=workspace_id, kind=BlockKind.TLD, value="xyz"))
    db.session.commit()


def _fetched(domains: int) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Stand-ins for the relevance module with every page fetched and analysed."""
    rng = random.Random(3)
    facts = {
        f"site{n}.net": [
            PageFacts(
                url=f"https://site{n}.net/p", words=rng.randrange(50, 3000),
                sites=rng.randrange(1, 150), outbound_links=rng.randrange(1, 400),
                selling=["buy backlinks"] if n % 503 == 0 else [],
                vice_terms={"gambling": ["bet", "casino", "poker"]} if n % 211 == 0 else {},
                placements=[rng.choice(("content", "footer", "sidebar"))],
            )
        ]
        for n in range(domains)
    }  # fmt: skip
    relevance = {
        f"site{n}.net": RelevanceSignal(round(rng.random(), 3), "2 pages", ["garden", "soil"])
        for n in range(domains)
    }

    def page_facts(campaign_id: int, wanted: Sequence[str]) -> dict[str, list[PageFacts]]:
        return {d: facts[d] for d in wanted if d in facts}

    def relevance_by_domain(campaign_id: int, wanted: Sequence[str]) -> dict[str, Any]:
        return {d: relevance[d] for d in wanted if d in relevance}

    return page_facts, relevance_by_domain


def _round(campaign_id: int, **sources: Any) -> tuple[float, int]:
    db.session.remove()
    started = time.perf_counter()
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    result = services.rescore(campaign, refresh_rank=False, **sources)
    db.session.commit()
    return time.perf_counter() - started, result.scored


def run(url: str, instance: Path, domains: int, rounds: int) -> dict[str, Any]:
    """Seed one database and time the rounds."""
    _migrate(url, instance)
    app: Flask = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
    with app.app_context():
        user = accounts.create_user("bench@example.com", "bench-password-1", "Bench")
        workspace = accounts.create_workspace(user, "Bench", "ours.example")
        campaign = create_campaign(
            workspace.id, name="Bench", site_domain="ours.example", competitors=COMPETITORS
        )
        db.session.commit()
        started = time.perf_counter()
        seed(workspace.id, campaign.id, domains)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        refresh_outreach_rank(workspace.id)  # what a rescoring after an import adds
        db.session.commit()
        pagerank_seconds = time.perf_counter() - started
        started = time.perf_counter()
        refresh_relevance(campaign)  # what the fetch job does once its pages are in
        db.session.commit()
        relevance_seconds = time.perf_counter() - started
        wired = [_round(campaign.id)[0] for _ in range(rounds)]
        page_facts, relevance_by_domain = _fetched(domains)
        times = []
        for _ in range(rounds):
            seconds, scored = _round(
                campaign.id, pages_of=page_facts, relevance_of=relevance_by_domain
            )
            times.append(seconds)
        db.session.remove()
        db.engine.dispose()
    return {
        "domains_scored": scored,
        "seed_seconds": round(seeded, 1),
        "rounds_with_pages_fetched": [round(t, 2) for t in times],
        "median_seconds": round(statistics.median(times), 2),
        "worst_seconds": round(max(times), 2),
        "relevance_refresh_seconds": round(relevance_seconds, 2),
        "pagerank_refresh_seconds": round(pagerank_seconds, 2),
        "rounds_with_sources_as_wired": [round(t, 2) for t in wired],
    }


def main() -> None:
    """Run on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domains", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, Any] = {"domains": args.domains}
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as folder:
        base = Path(folder)
        targets = {"sqlite": f"sqlite:///{base / 'bench.db'}"}
        if os.environ.get("TEST_DATABASE_URL"):
            targets["postgresql"] = database_url(os.environ["TEST_DATABASE_URL"], base)
        for name, url in targets.items():
            results[name] = run(url, base / f"instance-{name}", args.domains, args.rounds)
            print(name, json.dumps(results[name]), flush=True)
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    (out / "scoring.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
