"""``/api/v1/reports``: the same object ``flask report --json`` prints."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.pipeline.helpers import prospect


def test_the_report_is_the_clis_object(
    api: Api, owner: Caller, factory: Factory, runner: Any
) -> None:
    campaign = factory.campaign(owner.workspace)
    prospect(campaign, "one.example")
    for path, args in (
        (f"/api/v1/reports/{campaign.id}?month=2026-11", ["--campaign", str(campaign.id)]),
        ("/api/v1/reports?month=2026-11", []),
    ):
        result = runner.invoke(
            args=["report", str(owner.workspace.id), "--month", "2026-11", *args, "--json"]
        )
        assert result.exit_code == 0, result.output
        response = api.get(path, owner)
        assert response.status_code == 200
        assert response.json == json.loads(result.output)
    bad = api.get(f"/api/v1/reports/{campaign.id}?month=2026-13", owner)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "month"
