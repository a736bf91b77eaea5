"""The page cache: one computation shared while the data's version stays, none when off."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.activity.services import record
from outreach.backlinks.models import Backlink, DataSource
from outreach.backlinks.summary import refresh_targets
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs import cache
from outreach.jobs.connection import get_redis
from outreach.prospects import intersect
from outreach.reports import report
from tests.factories import Factory, SignIn


def _counter(value: object) -> tuple[list[int], Callable[[], object]]:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        return value

    return calls, compute


def test_a_value_is_computed_once_while_the_cache_is_on(app: Flask) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 60
    calls, compute = _counter({"rows": [1, 2, 3]})
    with app.app_context():
        first = cache.cached("k1", "v1", compute)
        second = cache.cached("k1", "v1", compute)
        other = cache.cached("k2", "v1", compute)
        assert len(calls) == 2  # k1 once, k2 once
        cache.cached("k1", "v2", compute)  # the data changed
    assert first == second == other == {"rows": [1, 2, 3]}
    assert len(calls) == 3


def test_nothing_is_kept_when_the_cache_is_off(app: Flask) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 0
    calls, compute = _counter("v")
    with app.app_context():
        cache.cached("k", "v", compute)
        cache.cached("k", "v", compute)
    assert len(calls) == 2


def test_a_shorter_lifetime_asked_for_wins(app: Flask) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 60
    calls, compute = _counter("v")
    with app.app_context():
        cache.cached("k", "v", compute, at_most=0)
        cache.cached("k", "v", compute, at_most=0)
    assert len(calls) == 2


def test_an_outdated_entry_is_shown_while_another_process_recomputes_it(app: Flask) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 60
    _, compute = _counter("old")
    with app.app_context():
        cache.cached("k", "v1", compute)
        get_redis().set(cache.PREFIX + "k:lock", b"1")  # someone else is computing
        assert cache.cached("k", "v2", lambda: "new") == "old"
        get_redis().delete(cache.PREFIX + "k:lock")
        assert cache.cached("k", "v2", lambda: "new") == "new"


def test_an_unreachable_redis_only_costs_the_computation(app: Flask) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 60
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.extensions.pop("outreach_redis", None)
    calls, compute = _counter("v")
    with app.app_context():
        assert cache.cached("k", "v", compute) == "v"
        assert cache.cached("k", "v", compute) == "v"
    assert len(calls) == 2


def test_the_intersect_version_moves_with_an_import_and_a_rescoring(
    app: Flask, factory: Factory, auth: SignIn
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    with app.app_context():
        campaign = db.session.merge(campaign)
        before = intersect.version(campaign)
        assert intersect.version(campaign) == before
        now = utcnow()
        db.session.add(
            Backlink(
                workspace_id=workspace.id, data_source=DataSource.AHREFS, link_key=1,
                source_url="https://a.example/", source_domain="a.example",
                target_url="https://rival-one.com/", target_domain="rival-one.com",
                first_seen=now, last_seen=now,
            )
        )  # fmt: skip
        refresh_targets(db.session.connection(), workspace.id, ["rival-one.com"])
        db.session.commit()
        imported = intersect.version(campaign)
        assert imported != before
        from outreach.scoring.services import rescore

        rescore(campaign, refresh_rank=False)
        db.session.commit()
        assert intersect.version(campaign) != imported


def test_the_intersect_page_is_shared_until_the_links_change(
    app: Flask, client: FlaskClient, factory: Factory, auth: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 60
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    runs: list[int] = []
    real = intersect.intersect

    def counted(*args: object) -> intersect.IntersectPage:
        runs.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(intersect, "intersect", counted)
    path = f"/campaigns/{campaign.id}/intersect"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert len(runs) == 1
    with app.app_context():
        refresh_targets(db.session.connection(), workspace.id, ["rival-two.com"])
        db.session.commit()
    assert client.get(path).status_code == 200
    assert len(runs) == 2


def test_the_dashboard_is_rebuilt_after_a_stage_move_or_note(
    app: Flask, client: FlaskClient, auth: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 60
    user, workspace = auth()
    runs: list[int] = []
    real = report.build

    def counted(*args: object) -> object:
        runs.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(report, "build", counted)
    assert client.get("/reports/").status_code == 200
    assert client.get("/reports/").status_code == 200
    assert len(runs) == 1
    with app.app_context():
        record(workspace.id, "prospect", 1, "note", {"text": "x"}, actor_id=user.id)
        db.session.commit()
    assert client.get("/reports/").status_code == 200
    assert len(runs) == 2


def test_an_entry_another_version_wrote_is_computed_again(app: Flask) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 60
    calls, compute = _counter("fresh")
    with app.app_context():
        get_redis().set(cache.PREFIX + "k", b"\x80\x05not a pickle")
        assert cache.cached("k", "v", compute) == "fresh"
        assert cache.cached("k", "v", compute) == "fresh"
    assert len(calls) == 1  # the unreadable entry was replaced
