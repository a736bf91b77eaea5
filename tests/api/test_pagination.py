"""Walking 10,000 prospects page by page: no repeats, no gaps, even while rows are added."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from outreach.api.pagination import MAX_LIMIT
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import Prospect, Stage
from tests.api.conftest import Api, Caller
from tests.factories import Factory

COUNT = 10_000


def _seed(campaign: Campaign, count: int, start: int, rng: random.Random) -> None:
    """Prospects in one bulk insert; scores and due dates with many ties and NULLs."""
    stages = list(Stage)
    rows = [
        {
            "workspace_id": campaign.workspace_id,
            "campaign_id": campaign.id,
            "domain": f"site-{n:06d}.example",
            "stage": rng.choice(stages),
            "score": rng.choice([None, *range(0, 100, 5)]),
            "due_on": rng.choice([None, date(2027, 1, 1) + timedelta(days=rng.randrange(30))]),
            "version": 1,
        }
        for n in range(start, start + count)
    ]
    db.session.execute(insert(Prospect), rows)
    db.session.commit()


def _page(api: Api, who: Caller, query: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/prospects?{query}", who)
    body: dict[str, Any] = response.json
    assert response.status_code == 200 and body is not None, body
    return body


@pytest.mark.parametrize("sort", ["score", "due"])  # the nullable orders, with many ties
def test_walking_10000_prospects_sends_each_once_while_rows_are_added(
    api: Api, owner: Caller, factory: Factory, sort: str
) -> None:
    rng = random.Random(17)
    campaign = factory.campaign(owner.workspace)
    _seed(campaign, COUNT, 0, rng)
    before = set(db.session.scalars(select(Prospect.id)))
    seen: list[int] = []
    cursor, pages = "", 0
    while True:
        body = _page(
            api, owner, f"campaign_id={campaign.id}&sort={sort}&limit={MAX_LIMIT}&cursor={cursor}"
        )
        seen += [item["id"] for item in body["items"]]
        pages += 1
        if pages == 10:  # others add prospects mid-walk, all over the order
            _seed(campaign, 500, COUNT, rng)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "a prospect was sent twice"
    assert before <= set(seen), f"{len(before - set(seen))} prospects were skipped"
    assert pages >= COUNT // MAX_LIMIT


def _walk(api: Api, who: Caller, query: str, limit: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = ""
    while True:
        body = _page(api, who, f"{query}&limit={limit}&cursor={cursor}")
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


def test_every_order_walks_in_the_pipeline_tables_order(
    api: Api, owner: Caller, factory: Factory
) -> None:
    campaign = factory.campaign(owner.workspace)
    _seed(campaign, 300, 0, random.Random(3))
    position = {stage.value: index for index, stage in enumerate(Stage)}
    orders = {
        "score": lambda p: (p["score"] is None, -(p["score"] or 0), p["id"]),
        "due": lambda p: (p["due_on"] is None, p["due_on"] or "", p["id"]),
        "stage": lambda p: (position[p["stage"]], p["id"]),
        "domain": lambda p: (p["domain"], p["id"]),
        "id": lambda p: p["id"],
    }
    for sort, key in orders.items():
        seen = _walk(api, owner, f"campaign_id={campaign.id}&sort={sort}", 7)
        assert len(seen) == 300 and len({p["id"] for p in seen}) == 300, sort
        assert seen == sorted(seen, key=key), sort
    updated = _walk(api, owner, "sort=updated", 9)
    assert len({p["id"] for p in updated}) == 300


def test_a_cursor_of_another_order_is_refused(api: Api, owner: Caller, factory: Factory) -> None:
    campaign = factory.campaign(owner.workspace)
    _seed(campaign, 5, 0, random.Random(1))
    cursor = _page(api, owner, "sort=domain&limit=2")["next_cursor"]
    assert cursor
    assert api.get(f"/api/v1/prospects?sort=score&cursor={cursor}", owner).status_code == 422
    assert len(_page(api, owner, f"sort=domain&limit=2&cursor={cursor}")["items"]) == 2
