"""Verification in slices: each job checks a slice and queues the rest at the back, so the
workspaces' links take turns on the fetch queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from outreach.extensions import db
from outreach.jobs.queues import round_robin
from outreach.links import jobs, services
from outreach.links.models import LinkCheck, PlacedLink
from tests.factories import Factory
from tests.links.conftest import TARGET, Web, cc_page, work


def _links(factory: Factory, web: Web, name: str, count: int, due: datetime) -> list[int]:
    _, workspace = factory.user_with_workspace(f"{name}@example.com", name)
    ids = []
    for number in range(count):
        url = web.serve(f"http://{name}{number}.example/post", cc_page())
        link = services.create_link(workspace.id, url, TARGET)
        link.next_check_at = due + timedelta(seconds=number)
        ids.append(link.id)
    db.session.commit()
    return ids


def _checked_in_order() -> list[int]:
    db.session.expire_all()
    checks = db.session.scalars(select(LinkCheck).order_by(LinkCheck.checked_at, LinkCheck.id))
    return [check.placed_link_id for check in checks]


def test_sweep_slices_of_two_workspaces_take_turns(
    web_app: Flask, web: Web, factory: Factory, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "CHECKS_PER_SLICE", 2)  # the forked work horses inherit it
    web_app.config["OUTREACH_SLICE_SECONDS"] = 60.0  # slices end by count here, not by time
    long_ago = datetime.now(UTC) - timedelta(days=1)
    big = _links(factory, web, "big", 5, long_ago)  # due first: its chain starts first
    small = _links(factory, web, "small", 3, long_ago + timedelta(hours=1))
    assert jobs.enqueue_due_checks() == {"due": 8, "jobs": 2}
    work(web_app, redis_url)
    owner = {link_id: "big" for link_id in big} | {link_id: "small" for link_id in small}
    order = _checked_in_order()
    assert sorted(order) == sorted(big + small), "every link checked once"
    slices = round_robin(
        {
            "big": ["big"] * len(range(0, len(big), 2)),
            "small": ["small"] * len(range(0, len(small), 2)),
        }
    )
    runs = [owner[link_id] for link_id in order]
    turns = [who for n, who in enumerate(runs) if n == 0 or runs[n - 1] != who]
    assert turns == slices == ["big", "small", "big", "small", "big"]
    done = db.session.scalars(select(PlacedLink)).all()
    assert all(link.last_checked_at is not None for link in done)


def test_a_slice_hands_over_when_its_time_is_up_and_the_rest_is_still_checked(
    web_app: Flask, web: Web, factory: Factory, redis_url: str
) -> None:
    web_app.config["OUTREACH_SLICE_SECONDS"] = 0.0  # every slice stops after its first result
    ids = _links(factory, web, "acme", 3, datetime.now(UTC) - timedelta(days=1))
    requested = datetime.now(UTC).isoformat()
    with web_app.app_context():
        jobs._continue(web_app, ids, requested)
    work(web_app, redis_url)
    assert sorted(_checked_in_order()) == sorted(ids), "each link checked exactly once"
