"""The pipeline's tally per stage: counted once per change of the pipeline, and never stale."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from outreach.db import utcnow
from outreach.extensions import db
from outreach.prospects.models import ProspectScore, Stage
from outreach.prospects.stages import move
from tests.factories import Factory, SignIn
from tests.pipeline.helpers import current, prospect
from tests.pipeline.test_board import _board, _column, _count
from tests.support.statements import statements


def _tallies(seen: list[str]) -> int:
    """How many of ``seen`` counted the pipeline per stage."""
    return sum("GROUP BY prospect.stage" in statement for statement in seen)


def test_the_board_counts_once_per_change_and_shows_every_change(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 300
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    one = prospect(campaign, "one.example", Stage.QUALIFIED, score=50)
    with statements() as seen:
        page = _board(client, campaign.id)
        assert _count(_column(page, Stage.QUALIFIED)) == 1
        _board(client, campaign.id)
        table = client.get(f"/campaigns/{campaign.id}/prospects").get_data(as_text=True)
        assert "<strong>1</strong> prospect(s)" in table
        assert _tallies(seen) == 1  # the second board and the table used the first tally

        move(current(one.id), Stage.REPLIED)  # a teammate's move
        db.session.commit()
        page = _board(client, campaign.id)
        assert (_count(_column(page, Stage.QUALIFIED)), _count(_column(page, Stage.REPLIED))) == (
            0,
            1,
        )
        prospect(campaign, "two.example", Stage.QUALIFIED)  # a new prospect, no activity
        assert _count(_column(_board(client, campaign.id), Stage.QUALIFIED)) == 1
        table = client.get(f"/campaigns/{campaign.id}/prospects").get_data(as_text=True)
        assert "<strong>2</strong> prospect(s)" in table
        assert _tallies(seen) == 3

        _board(client, campaign.id, q="one")  # filtered: counted each time, never shared
        _board(client, campaign.id, q="one")
        assert _tallies(seen) == 5


def test_the_tables_split_of_scored_rows_follows_a_scoring_run(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 300
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    first = prospect(campaign, "first.example")
    prospect(campaign, "second.example", score=20)
    table = client.get(f"/campaigns/{campaign.id}/prospects").get_data(as_text=True)
    assert table.index("second.example") < table.index("first.example")
    item = current(first.id)
    item.score = 90  # a scoring run: scores on prospects, rows of its breakdown rewritten
    db.session.add(
        ProspectScore(
            workspace_id=workspace.id,
            campaign_id=campaign.id,
            domain=item.domain,
            score=90,
            scored_at=utcnow(),
        )
    )
    db.session.commit()
    table = client.get(f"/campaigns/{campaign.id}/prospects").get_data(as_text=True)
    assert table.index("first.example") < table.index("second.example")
