"""Scoring a campaign: the score, its breakdown, the CLI contract, and the risk cap."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import Prospect, ProspectScore
from outreach.prospects.services import add_to_pipeline
from outreach.scoring.combine import RISK_CAP, Signal, combine
from outreach.scoring.models import BlockedEntry, BlockKind
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory
from tests.scoring.exports import SEMRUSH, load, semrush_row, write_csv

A, B = "https://alpha.com/a", "https://beta.com/b"
WEIGHTS = {"authority": 35, "relevance": 30, "link_quality": 15, "overlap": 10, "contact": 10}


@pytest.fixture
def campaign(factory: Factory, runner: FlaskCliRunner, tmp_path: Path) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(
        workspace, site_domain="ours.com", competitors=["alpha.com", "beta.com"]
    )
    links = [
        Link("https://strong.com/post", A, dr=80),
        Link("https://strong.com/other", B, dr=80),
        Link("https://middling.org/x", A, dr=40, nofollow=True),
        Link("https://spammy.net/x", A, dr=90),
        Link("https://spammy.net/y", B, dr=90),
    ]
    load(runner, write_ahrefs(tmp_path / "a.tsv", links), campaign.id)
    load(
        runner,
        write_csv(tmp_path / "s.csv", SEMRUSH, [semrush_row("https://pageonly.io/p", B, 30)]),
        campaign.id,
    )
    return campaign


def _score(runner: FlaskCliRunner, campaign: Campaign) -> dict[str, Any]:
    result = runner.invoke(args=["score", str(campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def _prospects(runner: FlaskCliRunner, campaign: Campaign) -> list[dict[str, Any]]:
    result = runner.invoke(args=["prospects", str(campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


def test_score_command_prints_the_contract(runner: FlaskCliRunner, campaign: Campaign) -> None:
    assert _score(runner, campaign) == {"scored": 4, "fetched": 0, "failed": 0}


def test_prospects_json_carries_scores_best_first_with_breakdowns_that_add_up(
    runner: FlaskCliRunner, campaign: Campaign
) -> None:
    _score(runner, campaign)
    rows = _prospects(runner, campaign)
    assert [r["domain"] for r in rows] == [
        "spammy.net",
        "strong.com",
        "pageonly.io",
        "middling.org",
    ]
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    for row in rows:
        assert {
            "score",
            "authority",
            "authority_source",
            "relevance",
            "risk_flags",
            "breakdown",
        } <= row.keys()
        assert sum(e["contribution"] for e in row["breakdown"]) == pytest.approx(
            row["score"], abs=0.011
        )
        for entry in row["breakdown"]:
            assert set(entry) == {"signal", "value", "weight", "contribution", "source"}
        relevance = next(e for e in row["breakdown"] if e["signal"] == "relevance")
        assert relevance["value"] is None and relevance["contribution"] == 0
        assert relevance["source"].startswith("unknown: ")  # never 0: no topic, not fetched...
        assert row["relevance"] is None
    by_domain = {r["domain"]: r for r in rows}
    assert (by_domain["strong.com"]["authority"], by_domain["strong.com"]["authority_source"]) == (
        80.0,
        "Ahrefs DR",
    )
    assert by_domain["pageonly.io"]["authority_source"] == "Semrush Page AS (page-level)"
    # Both competitors, followed, authority 80: the known signals' weighted mean.
    strong = by_domain["strong.com"]
    quality = next(e for e in strong["breakdown"] if e["signal"] == "link_quality")
    assert quality["source"].startswith("2 of 2 links followed")
    expected = 100 * (35 * 0.8 + 15 * quality["value"] + 10 * 1.0 + 10 * 0.0) / (35 + 15 + 10 + 10)
    assert strong["score"] == pytest.approx(expected, abs=0.02)  # the raw value is rounded


def test_a_blocked_domain_is_capped_and_never_tops_the_list(
    runner: FlaskCliRunner, campaign: Campaign
) -> None:
    db.session.add(
        BlockedEntry(workspace_id=campaign.workspace_id, kind=BlockKind.TLD, value="net")
    )
    db.session.commit()
    _score(runner, campaign)
    rows = _prospects(runner, campaign)
    spammy = next(r for r in rows if r["domain"] == "spammy.net")
    assert spammy["risk_flags"] == ["blocked"] and spammy["score"] == RISK_CAP
    assert rows[0]["domain"] == "strong.com"
    cap = next(e for e in spammy["breakdown"] if e["signal"] == "risk")
    assert cap["contribution"] < 0
    assert sum(e["contribution"] for e in spammy["breakdown"]) == pytest.approx(RISK_CAP, abs=0.011)


def test_pipeline_prospects_get_the_score_and_the_breakdown(
    runner: FlaskCliRunner, campaign: Campaign
) -> None:
    _score(runner, campaign)
    add_to_pipeline(campaign, ["strong.com"], None)
    db.session.commit()
    prospect = db.session.scalars(select(Prospect)).one()
    stored = db.session.scalars(
        select(ProspectScore).where(ProspectScore.domain == "strong.com")
    ).one()
    assert prospect.score == stored.score is not None
    _score(runner, campaign)
    db.session.refresh(prospect)
    assert prospect.score == stored.score
    assert [e["signal"] for e in prospect.score_breakdown["entries"]][:5] == list(WEIGHTS)


def test_missing_signals_share_their_weight_and_unknown_everything_is_no_score() -> None:
    signals = [
        Signal("authority", 60.0, 0.6, "Ahrefs DR"),
        Signal("relevance", None, None, "unknown: not fetched yet"),
        Signal("link_quality", 1.0, 1.0, "all followed"),
        Signal("overlap", 1, 0.5, "1 of 2"),
        Signal("contact", "none", 0.0, "none"),
    ]
    scored = combine(signals, WEIGHTS)
    assert scored.score == pytest.approx(100 * (35 * 0.6 + 15 + 5) / 70, abs=0.01)
    assert sum(e["contribution"] for e in scored.breakdown) == pytest.approx(
        scored.score, abs=0.011
    )
    missing = [e["signal"] for e in scored.breakdown if e["missing"]]
    assert missing == ["relevance"]
    nothing = combine([Signal("authority", None, None, "unknown")], WEIGHTS)
    assert nothing.score is None
