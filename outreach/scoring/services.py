"""Rescoring a campaign: gather every signal set-wise, combine in Python, write in bulk."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from json import dumps
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update

from outreach.backlinks.records import sqlite_stamp
from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.prospects.models import Prospect, ProspectScore
from outreach.scoring import facts as gather
from outreach.scoring import measures
from outreach.scoring.authority import domain_authorities
from outreach.scoring.combine import combine
from outreach.scoring.models import DEFAULT_WEIGHTS, ScoringWeights
from outreach.scoring.page_facts import PageFacts
from outreach.scoring.pagerank import refresh_outreach_rank
from outreach.scoring.risk import RiskFlag, flags_of, vendor_flags
from outreach.scoring.signals import Relevance, RelevanceSignal
from outreach.scoring.sources import page_facts, relevance_by_domain

CHUNK = 2000
NOT_MEASURED = RelevanceSignal(None, "not measured")


def compact(value: Any) -> str:
    """JSON without spaces (a smaller row, a faster write)."""
    return dumps(value, separators=(",", ":"))


Progress = Callable[[int, int], None]
RelevanceSource = Callable[[int, Sequence[str]], Mapping[str, Relevance]]
PagesSource = Callable[[int, Sequence[str]], Mapping[str, list[PageFacts]]]


@dataclass(frozen=True)
class RescoreResult:
    """How many domains were scored, and how many pipeline prospects got the new score."""

    scored: int
    prospects: int


def weights_for(campaign_id: int) -> dict[str, int]:
    """The campaign's weights: the defaults until someone edits them."""
    row = db.session.scalar(select(ScoringWeights).where(ScoringWeights.campaign_id == campaign_id))
    return row.as_dict() if row is not None else dict(DEFAULT_WEIGHTS)


def set_weights(campaign_id: int, weights: dict[str, int]) -> ScoringWeights:
    """Store the campaign's weights (each 0-100); the caller commits and launches rescoring."""
    row = db.session.scalar(select(ScoringWeights).where(ScoringWeights.campaign_id == campaign_id))
    if row is None:
        row = ScoringWeights(campaign_id=campaign_id)
        db.session.add(row)
    for name in DEFAULT_WEIGHTS:
        setattr(row, name, max(0, min(100, int(weights.get(name, DEFAULT_WEIGHTS[name])))))
    db.session.flush()
    return row


COLUMNS = (
    "workspace_id", "campaign_id", "domain", "score", "authority", "authority_source",
    "relevance", "risk_flags", "breakdown", "scored_at",
)  # fmt: skip


def _write(rows: list[tuple[Any, ...]]) -> None:
    """Insert score rows (in COLUMNS order, JSON already text) the fast way of each database:
    ``COPY`` on PostgreSQL, the driver's ``executemany`` on SQLite."""
    if not rows:
        return
    connection = db.session.connection()
    names = ", ".join(COLUMNS)
    if connection.dialect.name == "postgresql":
        raw: Any = connection.connection.dbapi_connection  # psycopg's, with COPY
        statement = f"COPY prospect_score ({names}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(COLUMNS))
    connection.exec_driver_sql(f"INSERT INTO prospect_score ({names}) VALUES ({marks})", rows)


def _unique(flags: Sequence[RiskFlag]) -> list[dict[str, str]]:
    seen: dict[str, RiskFlag] = {}
    for flag in flags:
        seen.setdefault(flag.code, flag)
    return [flag.as_json() for flag in seen.values()]


def rescore(
    campaign: Campaign,
    *,
    refresh_rank: bool = True,
    progress: Progress | None = None,
    relevance_of: RelevanceSource = relevance_by_domain,
    pages_of: PagesSource = page_facts,
) -> RescoreResult:
    """Score every domain of the campaign's intersect and pipeline; the caller commits.

    ``refresh_rank`` recomputes Outreach's PageRank first (links changed); ``relevance_of``
    and ``pages_of`` are where relevance and analysed pages come from (``sources``).
    """
    report = progress or (lambda done, total: None)
    workspace_id = campaign.workspace_id
    if refresh_rank:
        refresh_outreach_rank(workspace_id)
    links = gather.link_facts(campaign)
    prospects = gather.pipeline_prospects(campaign.id)
    domains = sorted(links.keys() | prospects.keys())
    total = len(domains)
    report(0, total)
    weights = weights_for(campaign.id)
    authorities = domain_authorities(workspace_id, domains)
    relevance = relevance_of(campaign.id, domains)
    pages = pages_of(campaign.id, domains)
    contacts = gather.contact_domains(workspace_id, campaign.id)
    outbound = gather.crawled_outbound(workspace_id)
    blocked = gather.blocklist(workspace_id)
    competitors = len(campaign.competitors)
    topic = list(campaign.topic_keywords or [])
    now = utcnow()
    stamp: Any = sqlite_stamp(now) if db.session.get_bind().dialect.name == "sqlite" else now
    rows: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    db.session.execute(delete(ProspectScore).where(ProspectScore.campaign_id == campaign.id))
    for n, domain in enumerate(domains, 1):
        facts = links.get(domain)
        domain_pages = pages.get(domain, [])
        authority = authorities[domain]
        signal_relevance = relevance.get(domain) or NOT_MEASURED
        signals = [
            measures.authority_signal(authority),
            measures.relevance_signal(signal_relevance),
            measures.link_quality_signal(facts, domain_pages, outbound.get(domain)),
            measures.overlap_signal(facts, competitors),
            measures.contact_signal(domain in contacts),
        ]
        flags: list[RiskFlag] = []
        if facts is not None:
            flags += vendor_flags(facts.is_spam, facts.spam_score)
        block = blocked.flag(domain)
        if block is not None:
            flags.append(block)
        for page in domain_pages:
            flags += flags_of(page, topic)
        risk = _unique(flags)
        scored = combine(signals, weights, [flag["code"] for flag in risk])
        unchecked = signal_relevance.reason if signal_relevance.value is None else "no page stored"
        checks = (
            f"{len(domain_pages)} linking page(s) checked for risks"
            if domain_pages
            else f"page risk checks: {unchecked}"
        )
        scored.breakdown.append(
            {"signal": "page_checks", "value": len(domain_pages), "normalised": None, "weight": 0,
             "contribution": 0.0, "source": checks, "missing": not domain_pages}
        )  # fmt: skip
        rows.append(
            (
                workspace_id, campaign.id, domain, scored.score, authority.value,
                authority.source, signal_relevance.value, compact(risk), compact(scored.breakdown),
                stamp,
            )
        )  # fmt: skip
        if domain in prospects:
            updates.append(
                {
                    "pid": prospects[domain],
                    "score": scored.score,
                    "breakdown": {"entries": scored.breakdown, "risk_flags": risk},
                }
            )
        if len(rows) >= CHUNK:
            _write(rows)
            rows = []
            report(n, total)
    _write(rows)
    table = Prospect.__table__
    assert isinstance(table, Table)
    statement = (
        update(table)
        .where(table.c.id == bindparam("pid"))
        .values(score=bindparam("score"), score_breakdown=bindparam("breakdown"))
    )
    for start in range(0, len(updates), CHUNK):
        db.session.connection().execute(statement, updates[start : start + CHUNK])
    report(total, total)
    return RescoreResult(total, len(updates))
