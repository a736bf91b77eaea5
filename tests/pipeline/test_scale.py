"""The board, the table and the today page stay fast on a large campaign."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from tests.factories import Factory, SignIn
from tests.pipeline.helpers import seed_many, teammate

ROWS = 20_000
BUDGET_SECONDS = 1.0


@pytest.mark.slow
def test_pages_render_under_a_second_with_20000_prospects(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    user, workspace = auth()
    mate = teammate(workspace)
    campaign = factory.campaign(workspace)
    seed_many(campaign, ROWS, [user.id, mate.id])
    base = f"/campaigns/{campaign.id}"
    pages = [
        f"{base}/board",
        f"{base}/board?owner=me&min_score=50&due=week",
        f"{base}/board?q=site-0019",
        f"{base}/prospects",
        f"{base}/prospects?sort=domain&page={ROWS // 50}",
        f"{base}/prospects?stage=replied&sort=due&opportunity=write_for_us",
        "/today",
    ]
    timings = {}
    for url in pages:
        timings[url] = _best_time(client, url)
    slow = {url: round(seconds, 3) for url, seconds in timings.items() if seconds > BUDGET_SECONDS}
    assert not slow, f"pages over {BUDGET_SECONDS}s: {slow}"
    board = client.get(f"{base}/board").get_data(as_text=True)
    assert board.count('draggable="true"') <= 13 * 30  # never the whole campaign


def _best_time(client: FlaskClient, url: str, tries: int = 3) -> float:
    """The fastest of up to ``tries`` renders (as ``timeit`` reports), stopping once in budget.

    Other xdist workers share the CPU: one render's wall time also measures them.
    """
    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        response = client.get(url)
        best = min(best, time.perf_counter() - started)
        assert response.status_code == 200, url
        if best <= BUDGET_SECONDS:
            break
    return best
