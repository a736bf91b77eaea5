"""Scores in the browser: the weights page, the blocklist (a change rescores), the pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from redis import Redis
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from outreach.prospects.models import Prospect, ProspectScore
from outreach.prospects.services import add_to_pipeline
from outreach.scoring.models import ScoringWeights
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory, SignIn
from tests.scoring.exports import load

A, B = "https://alpha.com/a", "https://beta.com/b"


def work(app: Flask, redis_url: str) -> None:
    """Run every queued job until the queue is empty."""
    OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app).work(
        burst=True
    )


@pytest.fixture
def signed_in(auth: SignIn) -> Workspace:
    _, workspace = auth()
    return workspace


@pytest.fixture
def campaign(
    signed_in: Workspace, factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> Campaign:
    campaign = factory.campaign(
        signed_in, site_domain="ours.com", competitors=["alpha.com", "beta.com"]
    )
    links = [
        Link("https://good.com/post", A, dr=70),
        Link("https://good.com/more", B, dr=70),
        Link("https://shady.biz/x", A, dr=75),
        Link("https://shady.biz/y", B, dr=75),
    ]
    load(runner, write_ahrefs(tmp_path / "a.tsv", links), campaign.id)
    assert runner.invoke(args=["score", str(campaign.id)]).exit_code == 0
    return campaign


def _score(domain: str) -> ProspectScore:
    db.session.expire_all()
    return db.session.scalars(select(ProspectScore).where(ProspectScore.domain == domain)).one()


def test_a_blocklist_change_rescores_in_the_background(
    app: Flask, redis_url: str, client: FlaskClient, campaign: Campaign
) -> None:
    before = _score("shady.biz").score
    assert before is not None and before > 20
    response = client.post("/blocklist", data={"entries": ".biz\nhttps://www.spam.example/x"})
    assert response.status_code == 302
    page = client.get("/blocklist").get_data(as_text=True)
    assert ".biz" in page and "spam.example" in page
    assert _score("shady.biz").score == before  # not yet: the job has not run
    work(app, redis_url)
    shady = _score("shady.biz")
    assert shady.score == 20.0 and [f["code"] for f in shady.risk_flags] == ["blocked"]
    assert _score("good.com").risk_flags == []


def test_a_bad_blocklist_line_is_refused(client: FlaskClient, campaign: Campaign) -> None:
    response = client.post("/blocklist", data={"entries": "not a domain"}, follow_redirects=True)
    assert "is not a domain" in response.get_data(as_text=True)


def test_changing_the_weights_rescores(
    app: Flask, redis_url: str, client: FlaskClient, campaign: Campaign
) -> None:
    weights = {"authority": 100, "relevance": 0, "link_quality": 0, "overlap": 0, "contact": 0}
    response = client.post(f"/campaigns/{campaign.id}/scoring", data=weights)
    assert response.status_code == 302
    assert db.session.scalars(select(ScoringWeights)).one().as_dict() == weights
    work(app, redis_url)
    assert _score("good.com").score == 70.0  # authority alone


def test_the_intersect_the_board_the_table_and_the_prospect_page_show_scores(
    client: FlaskClient, campaign: Campaign
) -> None:
    intersect = client.get(f"/campaigns/{campaign.id}/intersect").get_data(as_text=True)
    assert "Ahrefs DR" in intersect and "Link quality" in intersect
    assert intersect.index("shady.biz") < intersect.index("good.com")  # best score first
    add_to_pipeline(campaign, ["good.com"], None)
    db.session.commit()
    prospect = db.session.scalars(select(Prospect)).one()
    board = client.get(f"/campaigns/{campaign.id}/board").get_data(as_text=True)
    assert "A 70" in board
    table = client.get(f"/campaigns/{campaign.id}/prospects").get_data(as_text=True)
    assert "Ahrefs DR" in table
    page = client.get(f"/prospects/{prospect.id}").get_data(as_text=True)
    assert "Why this score" in page and "unknown: no topic" in page


def test_a_finished_upload_rescores_its_campaign(
    app: Flask, redis_url: str, client: FlaskClient, signed_in: Workspace, factory: Factory,
    tmp_path: Path,
) -> None:  # fmt: skip
    campaign = factory.campaign(signed_in, site_domain="ours.com", competitors=["alpha.com"])
    path = write_ahrefs(tmp_path / "up.csv", [Link("https://fresh.com/p", A, dr=33)])
    response = client.post(
        f"/campaigns/{campaign.id}/imports",
        data={"file": (io.BytesIO(path.read_bytes()), "up.csv"), "target": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    work(app, redis_url)  # the import, then the rescoring it queued
    fresh = _score("fresh.com")
    assert (fresh.authority, fresh.authority_source) == (33.0, "Ahrefs DR")
    assert fresh.score is not None


def test_a_command_line_import_rescores_its_campaign(
    app: Flask, redis_url: str, signed_in: Workspace, factory: Factory, tmp_path: Path
) -> None:
    campaign = factory.campaign(signed_in, site_domain="ours.com", competitors=["alpha.com"])
    path = write_ahrefs(tmp_path / "cli.csv", [Link("https://fresh.com/p", A, dr=41)])
    result = app.test_cli_runner().invoke(
        args=["import-backlinks", str(path), "--campaign", str(campaign.id), "--json"]
    )
    assert result.exit_code == 0, result.output
    work(app, redis_url)  # the rescoring the import queued
    fresh = _score("fresh.com")
    assert (fresh.authority, fresh.authority_source) == (41.0, "Ahrefs DR")
    assert fresh.score is not None
