"""Scoring on fetched pages: ``flask score --fetch`` through the proxy, page risk flags from
real pages (the scam page), relevance in the breakdown, and rescoring after the fetch job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import ProspectScore
from outreach.scoring.jobs_fetch import launch_fetch
from tests.factories import Factory
from tests.scoring.seed import link
from tests.scoring.test_fetch_job import HTML, WIND, article
from tests.scoring.test_views import work
from tests.support.shared import require_shared
from tests.support.simweb import Reply, SimWeb, app_behind_simweb


def _scam() -> bytes:
    return require_shared("corpus", "misc", "scam.html").read_bytes()


def handler(host: str, path: str) -> Reply:
    """A relevant article, the real scam page (linking to a competitor), a thin page, a 404."""
    if path == "/robots.txt":
        return 404, {"Content-Type": "text/plain"}, b""
    scam = _scam().replace(b"</body>", b"<a href='https://rival-one.com/'>r</a></body>")
    thin = b"<html><body><main><p>Nice site! <a href='https://rival-one.com/'>r</a></p></main></body></html>"
    pages = {
        ("windblog.test", "/post"): (200, HTML, article("Wind and solar", WIND)),
        ("scamlist.test", "/list"): (200, HTML, scam),
        ("thin.test", "/p"): (200, HTML, thin),
        ("ours.test", "/renewables"): (200, HTML, article("Our renewable energy", WIND)),
    }
    return pages.get((host, path), (404, HTML, b"<h1>not found</h1>"))


@pytest.fixture
def web(app: Flask) -> Iterator[SimWeb]:
    """The simulated web, reached only through OUTREACH_HTTP_PROXY."""
    _scam()  # read here, in the test's thread, so a missing corpus skips (or fails under CI)
    with app_behind_simweb(app, handler, OUTREACH_FETCH_TIMEOUT=3.0) as server:
        yield server


@pytest.fixture
def campaign(factory: Factory) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(
        workspace,
        competitors=["rival-one.com"],
        site_domain="ours.test",
        topic_keywords=["renewable energy", "wind power"],
        target_pages=["http://ours.test/renewables"],
    )
    for page in ("http://windblog.test/post", "http://scamlist.test/list", "http://thin.test/p",
                 "http://gone.test/old"):  # fmt: skip
        link(campaign, page, authority=50.0)
    db.session.commit()
    return campaign


def _prospects(runner: FlaskCliRunner, campaign: Campaign) -> dict[str, dict[str, Any]]:
    result = runner.invoke(args=["prospects", str(campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    return {row["domain"]: row for row in json.loads(result.output)}


def test_score_fetch_fetches_then_scores_with_page_flags_and_relevance(
    runner: FlaskCliRunner, web: SimWeb, campaign: Campaign
) -> None:
    result = runner.invoke(args=["score", str(campaign.id), "--fetch", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"scored": 4, "fetched": 4, "failed": 1}
    rows = _prospects(runner, campaign)
    assert next(iter(rows)) == "windblog.test"  # relevant, clean: best score first
    assert rows["windblog.test"]["relevance"] > 0.5 and rows["windblog.test"]["risk_flags"] == []
    scam = rows["scamlist.test"]
    assert {"link_farm", "fraud"} <= set(scam["risk_flags"]) and scam["score"] <= 20
    assert rows["thin.test"]["risk_flags"] == ["thin_page"]
    gone = next(e for e in rows["gone.test"]["breakdown"] if e["signal"] == "relevance")
    assert gone["value"] is None and "404" in gone["source"]


def test_the_fetch_job_is_followed_by_rescoring(
    app: Flask, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    launch_fetch(campaign, None)
    db.session.commit()
    work(app, redis_url)  # the fetch, then the rescoring it queued
    db.session.expire_all()
    scores = {s.domain: s for s in db.session.scalars(select(ProspectScore))}
    assert scores["windblog.test"].relevance is not None
    assert "link_farm" in [flag["code"] for flag in scores["scamlist.test"].risk_flags]
