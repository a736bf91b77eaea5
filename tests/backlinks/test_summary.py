"""The per-target counts kept by every write of backlinks: after imports, automatic and
confirmed lost-marking, a link coming back, and the workspace going, they equal a recount."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, text

from outreach.backlinks.models import Backlink, BacklinkImport, TargetSummary
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory

ONE = "https://rival-one.com/"
TWO = "https://rival-two.com/"


def _campaign(factory: Factory) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    return factory.campaign(workspace)


def _import(runner: FlaskCliRunner, path: Path, campaign: Campaign, *extra: str) -> Any:
    result = runner.invoke(
        args=["import-backlinks", str(path), "--campaign", str(campaign.id), "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _kept(workspace_id: int) -> dict[str, tuple[int, int]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(
            TargetSummary.target_domain, TargetSummary.links, TargetSummary.referring_domains
        ).where(TargetSummary.workspace_id == workspace_id)
    )
    return {target: (links, referring) for target, links, referring in rows}


def _recount(workspace_id: int) -> dict[str, tuple[int, int]]:
    referring = func.count(func.distinct(Backlink.source_domain)).filter(Backlink.lost_at.is_(None))
    rows = db.session.execute(
        select(Backlink.target_domain, func.count(), referring)
        .where(Backlink.workspace_id == workspace_id)
        .group_by(Backlink.target_domain)
    )
    return {target: (int(links), int(count)) for target, links, count in rows}


def _links(target: str, count: int, per_domain: int = 1) -> list[Link]:
    """``count`` links from ``count // per_domain`` domains (several pages on each)."""
    return [Link(f"https://s{i // per_domain}.com/p{i}", target) for i in range(count)]


def test_an_import_keeps_its_targets_counts(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    links = [*_links(ONE, 12, per_domain=3), Link("https://x.com/a", ONE, lost=True)]
    _import(runner, write_ahrefs(tmp_path / "one.csv", links), campaign)
    assert _kept(campaign.workspace_id) == {"rival-one.com": (13, 4)}
    _import(runner, write_ahrefs(tmp_path / "two.csv", _links(TWO, 5)), campaign)
    assert _kept(campaign.workspace_id) == {"rival-one.com": (13, 4), "rival-two.com": (5, 5)}
    assert _kept(campaign.workspace_id) == _recount(campaign.workspace_id)


def test_lost_marking_and_links_coming_back_are_counted(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "full.csv", _links(ONE, 10)), campaign)
    marked = _import(runner, write_ahrefs(tmp_path / "most.csv", _links(ONE, 7)), campaign)
    assert marked["marked_lost"] == 3
    assert _kept(campaign.workspace_id) == {"rival-one.com": (10, 7)}
    _import(runner, write_ahrefs(tmp_path / "again.csv", _links(ONE, 10)), campaign)
    assert _kept(campaign.workspace_id) == _recount(campaign.workspace_id)


def test_confirmed_lost_marking_is_counted(
    factory: Factory, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "full.csv", _links(ONE, 10)), campaign)
    waiting = _import(runner, write_ahrefs(tmp_path / "small.csv", _links(ONE, 2)), campaign)
    assert waiting["would_mark_lost"] == 8
    assert _kept(campaign.workspace_id) == {"rival-one.com": (10, 10)}
    item = db.session.scalar(select(BacklinkImport).where(BacklinkImport.filename == "small.csv"))
    assert item is not None
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    assert client.post(f"/imports/{item.id}/mark-lost").status_code == 302
    assert _kept(campaign.workspace_id) == {"rival-one.com": (10, 2)}
    assert _kept(campaign.workspace_id) == _recount(campaign.workspace_id)


def test_counts_go_with_their_workspace_and_stay_apart_from_others(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _, other = factory.user_with_workspace("p@example.com", "Other")
    elsewhere = factory.campaign(other)
    _import(runner, write_ahrefs(tmp_path / "a.csv", _links(ONE, 4)), campaign)
    _import(runner, write_ahrefs(tmp_path / "b.csv", _links(ONE, 6)), elsewhere)
    gone, kept = campaign.workspace_id, other.id
    assert _kept(gone) == {"rival-one.com": (4, 4)}
    assert _kept(kept) == {"rival-one.com": (6, 6)}
    db.session.execute(text("DELETE FROM workspace WHERE id = :id"), {"id": gone})
    db.session.commit()
    assert _kept(gone) == {}
    assert _kept(kept) == {"rival-one.com": (6, 6)}
