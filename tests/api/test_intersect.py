"""``GET /api/v1/campaigns/{id}/intersect``: the same objects as ``flask prospects --json``,
page by page, in the intersect page's order, with its filters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from outreach.prospects.intersect import SORTS
from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.prospects.test_intersect import _seed


def _walk(api: Api, who: Caller, url: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(100):
        response = api.get(f"{url}&limit={limit}&cursor={cursor}", who)
        body = response.json
        assert response.status_code == 200 and body is not None, body
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the walk did not end")


def _cli(runner: FlaskCliRunner, campaign_id: int, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(args=["prospects", str(campaign_id), *args, "--json"])
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.output)
    return found


@pytest.mark.parametrize("scored", [False, True])
def test_every_order_pages_through_the_clis_answer(
    api: Api, owner: Caller, factory: Factory, runner: FlaskCliRunner, tmp_path: Path, scored: bool
) -> None:
    campaign = _seed(factory, owner.workspace, runner, tmp_path)
    if scored:
        assert runner.invoke(args=["score", str(campaign.id)]).exit_code == 0
    url = f"/api/v1/campaigns/{campaign.id}/intersect?"
    for sort in SORTS:
        expected = _cli(runner, campaign.id, "--sort", sort)
        assert len(expected) >= 2
        if sort != "score":  # the CLI breaks ties as the page does only for its own order
            expected_domains = sorted(d["domain"] for d in expected)
            walked = _walk(api, owner, f"{url}sort={sort}", 1)
            assert sorted(d["domain"] for d in walked) == expected_domains
            continue
        assert _walk(api, owner, f"{url}sort={sort}", 1) == expected
        assert _walk(api, owner, f"{url}sort={sort}", 50) == expected


def test_filters_match_the_intersect_page(
    api: Api, owner: Caller, factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _seed(factory, owner.workspace, runner, tmp_path)
    url = f"/api/v1/campaigns/{campaign.id}/intersect?"

    def domains(query: str) -> list[str]:
        body = api.get(url + query, owner).json
        assert body is not None and "items" in body, body
        return sorted(item["domain"] for item in body["items"])

    assert domains("k=2") == sorted(d["domain"] for d in _cli(runner, campaign.id, "-k", "2"))
    assert domains("follow=true") == sorted(
        d["domain"] for d in _cli(runner, campaign.id, "--follow-only")
    )
    assert domains("tld=org") == ["linker-three.org"]
    assert domains("q=two") == ["linker-two.com"]
    assert domains("min_authority=60") == ["linker-three.org"]
    assert api.get(url + "sort=nope", owner).status_code == 422
    assert api.get(url + "k=0", owner).status_code == 422
