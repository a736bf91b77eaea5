"""Isolation builders for the pipeline's URL arguments (see tests/test_isolation.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from outreach.accounts.models import Workspace
from tests.factories import Factory
from tests.pipeline.helpers import prospect


def _prospect(factory: Factory, workspace: Workspace) -> int:
    campaign = factory.campaign(workspace, name="Isolation")
    return prospect(campaign, "isolated.example").id


BUILDERS: dict[str, Callable[[Factory, Workspace], Any]] = {"prospect_id": _prospect}
